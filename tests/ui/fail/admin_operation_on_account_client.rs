// System administration needs the account's admin view: `account.system_admin()`. The
// account's own `list_users` does not exist, so this cannot list every user by mistake.
async fn run(account: seatable_api::AccountClient) {
    let _ = account.list_users().await;
}

fn main() {
    let _ = run;
}
