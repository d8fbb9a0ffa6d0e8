//! The quickstart example's steps against `MockSeaTable`, with what each step returned.

#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod support;

use seatable_api::testing::{MockSeaTable, Operation};
use serde_json::json;
use support::spec_check::conforms_to_the_spec;

#[tokio::test]
async fn the_tutorial_steps_return_what_the_tutorial_says() {
    let mock = MockSeaTable::start().await.unwrap();
    let base = mock
        .add_base("Tutorial", quickstart::tutorial_metadata())
        .unwrap();
    let api = mock.client().with_api_token(base.api_token.as_str());
    let mut out = Vec::new();
    let done = quickstart::run_tutorial(&api, &mut out).await.unwrap();

    assert_eq!(done.base_uuid, base.uuid);
    let table = &done.metadata.metadata.tables[0];
    assert_eq!(table.name, "Table1");
    assert_eq!(table.columns.len(), 4);

    assert_eq!(done.rows.len(), 1);
    assert_eq!(done.rows[0].id.as_deref(), Some(done.row_id.as_str()));
    assert_eq!(done.rows[0].extra["First name"], "John");
    assert_eq!(done.rows[0].extra["Last name"], "Doe");
    assert_eq!(done.rows[0].extra["Age"], 41);
    assert_eq!(done.updated.extra["Age"], 42);

    assert_eq!(done.sql.results.len(), 1);
    assert_eq!(done.sql.results[0].extra["First name"], "John");
    assert_eq!(done.sql.results[0].extra["Age"], 42);
    let names: Vec<&str> = done.sql.metadata.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["First name", "Last name", "Age"]);

    let bytes = b"Invoice 2024-001: 1 tutorial, 0.00 EUR\n";
    assert_eq!(done.file.name(), "invoice.txt");
    assert_eq!(done.file.size(), bytes.len() as i64);
    let invoice = &done.with_file.extra["Invoice"];
    assert_eq!(invoice[0]["name"], "invoice.txt");
    assert_eq!(invoice[0]["type"], "file");
    assert_eq!(invoice[0]["url"], json!(done.file.url()));
    let month_path = done.file.asset_path().to_string();
    assert_eq!(mock.file(&base, &month_path).as_deref(), Some(&bytes[..]));

    // What the store holds, and the requests the steps made, in order.
    let stored = mock.rows(&base, "Table1").unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["Age"], 42);
    let operations: Vec<Option<Operation>> = mock.requests().iter().map(|e| e.operation).collect();
    assert_eq!(
        operations,
        [
            Some(Operation::GetBaseToken),
            Some(Operation::GetMetadata),
            // The client reads the structure once more for its own check of written rows.
            Some(Operation::GetMetadata),
            Some(Operation::AppendRows),
            Some(Operation::ListRows),
            Some(Operation::UpdateRows),
            Some(Operation::GetRow),
            Some(Operation::QuerySql),
            Some(Operation::GetUploadLink),
            Some(Operation::UploadFile),
            Some(Operation::UpdateRows),
            Some(Operation::GetRow),
        ]
    );
    assert!(mock.requests().iter().all(|e| e.status == 200));
    conforms_to_the_spec(&mock);

    let printed = String::from_utf8(out).unwrap();
    assert!(
        printed.contains("table Table1 with columns First name, Last name, Age, Invoice"),
        "{printed}"
    );
    assert!(printed.contains("  John Doe (41)\n"), "{printed}");
    assert!(printed.contains("  Age is now 42\n"), "{printed}");
    assert!(printed.contains("  John Doe is 42\n"), "{printed}");
}
