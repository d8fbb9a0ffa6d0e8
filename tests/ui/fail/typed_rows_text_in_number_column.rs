// `Price` is a number column: its field takes an f64, not text.
#[allow(dead_code)]
mod rows {
    include!("../../../codegen/tests/rows/generated.rs");
}

fn main() {
    let _ = rows::ProjectsInput {
        price: Some(String::from("9.50 EUR")),
        ..Default::default()
    };
}
