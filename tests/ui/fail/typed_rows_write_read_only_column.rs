// `Total` is a formula column: the server computes it, so the write struct has no field
// for it (the read struct does).
#[allow(dead_code)]
mod rows {
    include!("../../../codegen/tests/rows/generated.rs");
}

fn main() {
    let _ = rows::ProjectsInput {
        total: Some(seatable_api::cells::FormulaValue::Number(1.0)),
        ..Default::default()
    };
}
