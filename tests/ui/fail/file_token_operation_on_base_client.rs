// Exchanging an API-Token needs the API-Token's client, not the base's.
async fn run(base: seatable_api::BaseClient) {
    let _ = base.get_base_token().await;
}

fn main() {
    let _ = run;
}
