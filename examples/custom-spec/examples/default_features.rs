//! The pass case of `tests/ui/pass/use_the_slice.rs`, compiled against seatable-api with its
//! default features only: this package depends on it without naming a feature, so
//! `cargo check -p custom-spec --all-targets` (in CI) builds it as a new user would.
#![deny(warnings)]

use seatable_api::types::{Column, ColumnType, RowUpdate};
use seatable_api::{Client, Error};
use serde_json::{json, Map, Value};

fn row(pairs: Value) -> Map<String, Value> {
    match pairs {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

async fn run() -> Result<(), Error> {
    let client = Client::new("https://cloud.seatable.io")?;
    let pong: String = client.ping().await?;
    let info = client.get_server_info().await?;
    println!("{pong} {}", info.version);

    let account = client.login("me@example.com", "password").await?;
    let _again = client
        .login_with_otp("me@example.com", "password", "123456")
        .await?;
    let _token = client
        .get_account_token("me@example.com", "password")
        .otp("123456")
        .await?;
    let _pong = account.ping_with_account_token().await?;
    let _access = account.get_base_token(42, "Projects").exp("5h").await?;
    let _via_account = account.base(42, "Projects").await?;

    let api = client.with_api_token("api token");
    let _access = api.get_base_token().exp("3d").await?;
    let base = client.base_with_api_token("api token").await?;

    let metadata = base.get_metadata().await?;
    for table in &metadata.metadata.tables {
        for column in &table.columns {
            match column {
                Column::Number(number) => println!("number column {}", number.name),
                other => println!("{} column", other.tag()),
            }
        }
    }
    let kind: ColumnType = "link-formula".into();
    assert_eq!(kind.as_str(), "link-formula");

    let page = base
        .list_rows("Table1")
        .view_name("Default View")
        .start(0)
        .limit(100)
        .convert_keys(true)
        .await?;
    for r in &page.rows {
        println!("{:?} {:?}", r.id, r.extra.get("Name"));
    }
    let one = base
        .get_row("Qm9vLx1TS2y9F1qdI4ZCwA", "Table1")
        .convert_keys(true)
        .await?;
    let added = base
        .append_rows("Table1", [row(json!({"Name": "John Doe", "Age": 30}))])
        .apply_default(true)
        .await?;
    let update = RowUpdate {
        row_id: added.row_ids[0].id.clone(),
        row: row(json!({"Age": 31})),
    };
    base.update_rows("Table1", [update]).await?;
    base.delete_rows("Table1", ["Qm9vLx1TS2y9F1qdI4ZCwA"])
        .await?;
    let hits = base
        .query_sql("select * from Table1 where Age > ? and Name = ?")
        .parameters([json!(30), json!("John Doe")])
        .convert_keys(true)
        .await?;
    println!("{:?} {}", one.id, hits.results.len());
    let sent = base.list_rows("Table1").send().await?;
    println!("{}", sent.rows.len());
    Ok(())
}

fn main() {
    let _ = run;
}
