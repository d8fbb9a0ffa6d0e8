// The blocking client as a script would use it: the same clients, operations, paging and
// batching as the async one, with `call()` and `iter()` and no runtime in sight.
#![deny(warnings)]

use seatable_api::blocking::Client;
use seatable_api::types::{RowInput, RowUpdate};
use seatable_api::{Attachment, Error, FileUpload};
use serde_json::json;

fn run() -> Result<(), Error> {
    let client = Client::new("https://cloud.seatable.io")?;
    let pong: String = client.ping().call()?;
    println!("{pong}");

    let api = client.with_api_token("api token");
    let base = api.base()?;
    let _same = client.base_with_api_token("api token")?;
    let metadata = base.get_metadata().call()?;
    println!("{} tables", metadata.metadata.tables.len());

    let mut john = RowInput::new();
    john.insert("Name".into(), json!("John"));
    let appended = base.append_rows("Table1", [john.clone()]).call()?;
    let rows = base.list_rows("Table1").view_name("Open").convert_keys(true).call()?.rows;
    println!("{} {}", appended.row_ids.len(), rows.len());
    for row in base.list_rows("Table1").iter() {
        println!("{:?}", row?.id);
    }
    let sql = base
        .query_sql("SELECT Name FROM Table1 WHERE Age > ?")
        .parameters([json!(30)])
        .iter()
        .collect::<Result<Vec<_>, Error>>()?;
    println!("{}", sql.len());
    let (_answer, truncation) = base.query_sql("SELECT * FROM Table1").call_with_truncation()?;
    if let Some(cut) = truncation {
        println!("{cut}");
    }

    let report = base
        .append_rows("Table1", vec![john.clone(); 2500])
        .batched()
        .keep_going()
        .unique_key("Name")
        .call()?;
    println!("{report}");
    let _answers = base.append_rows("Table1", vec![john.clone(); 2500]).batched().call()?;
    let _upserted = base.upsert_rows("Table1", "Name", [john]).call()?;
    let update = RowUpdate { row_id: "r1".into(), row: RowInput::new() };
    base.update_rows("Table1", [update]).call()?;
    let _cached = base.metadata()?;

    let file = api
        .upload_attachment(FileUpload::new("a.txt", b"hi".to_vec()), Attachment::File)
        .call()?;
    println!("{}", file.url());

    let account = client.login("me@example.com", "password")?;
    let _workspaces = account.list_workspaces().call()?;
    let _team = account.team_admin(3).org_id();
    let _admin = account.system_admin();
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("{e}");
    }
}
