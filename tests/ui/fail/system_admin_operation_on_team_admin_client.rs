// A team admin cannot reach the server-wide operations: they are not methods of its client.
async fn run(team: seatable_api::TeamAdminClient) {
    let _ = team.get_system_info().await;
}

fn main() {
    let _ = run;
}
