// `table_name` is required: it is a positional argument, not a setter.
async fn run(base: seatable_api::BaseClient) {
    let _ = base.list_rows().await;
}

fn main() {
    let _ = run;
}
