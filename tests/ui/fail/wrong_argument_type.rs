// A row id is text; a number does not convert into one.
async fn run(base: seatable_api::BaseClient) {
    let _ = base.get_row(42, "Table1").await;
}

fn main() {
    let _ = run;
}
