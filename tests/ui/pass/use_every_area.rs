// One operation of every area, on the client that holds its token, as an application
// would call them.
#![deny(warnings)]

use seatable_api::{Client, Error, FileUpload};

async fn run() -> Result<(), Error> {
    let client = Client::new("https://seatable.example.com")?;

    let account = client.login("me@example.com", "password").await?;
    let groups = account.list_groups().await?;
    let bases = account.list_bases().await?;
    let tokens = account.list_api_tokens(42, "Projects").await?;
    println!("{} {} {}", groups.len(), bases.personal.len(), tokens.api_tokens.len());

    let team = account.team_admin(3);
    let members = team.list_users().page(1).per_page(100).await?;
    println!("team {} has {} members on this page", team.org_id(), members.user_list.len());
    team.add_group_members(12, ["87654321d1754bb4afa2c2cb7369d244@auth.local"]).await?;

    let admin = account.system_admin();
    let info = admin.get_system_info().await?;
    let users = admin.list_users().page(1).per_page(25).await?;
    println!("{info:?} {}", users.data.len());

    let api = client.with_api_token("api token");
    let link = api.get_upload_link().await?;
    let upload_id = link.upload_link.rsplit('/').next().unwrap_or_default().to_string();
    let stored = api
        .upload_file(
            upload_id,
            FileUpload::new("report.pdf", b"%PDF-1.7".to_vec()).mime_type("application/pdf"),
            link.parent_path,
            link.file_relative_path,
        )
        .await?;
    println!("stored as {}", stored[0].name);

    let base = api.base().await?;
    let views = base.list_views("Table1").await?;
    println!("{}", views.views.len());

    let scheduler = client.with_scheduler_token("scheduler token");
    let runs = scheduler.list_runs().await?;
    println!("{runs:?}");
    Ok(())
}

fn main() {
    let _ = run;
}
