// A Base-Token operation is not a method of the client that holds an Account-Token.
async fn run(account: seatable_api::AccountClient) {
    let _ = account.get_metadata().await;
}

fn main() {
    let _ = run;
}
