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

/// The stand-in on a runtime of its own, so that the test's thread has none, as a
/// script's would not.
fn mock_on_its_own_runtime() -> (tokio::runtime::Runtime, MockSeaTable) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mock = runtime.block_on(MockSeaTable::start()).unwrap();
    (runtime, mock)
}

fn cells(pairs: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match pairs {
        serde_json::Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// The tutorial's steps with `seatable_api::blocking`: no runtime on this thread, the
/// same answers and the same requests as the async run above.
#[test]
fn the_tutorial_steps_run_as_blocking_calls() {
    use seatable_api::blocking;
    use seatable_api::types::RowUpdate;
    use seatable_api::{Attachment, FileUpload};

    let (_runtime, mock) = mock_on_its_own_runtime();
    let tutorial = mock
        .add_base("Tutorial", quickstart::tutorial_metadata())
        .unwrap();
    let client = blocking::Client::from(mock.client());
    let api = client.with_api_token(tutorial.api_token.as_str());

    // Step 2: a Base-Token.
    let base = api.base().unwrap();
    assert_eq!(base.base_uuid(), tutorial.uuid);
    assert!(base.token_expires_at().is_some());
    // Step 3: the structure.
    let metadata = base.get_metadata().call().unwrap();
    let table = &metadata.metadata.tables[0];
    assert_eq!((table.name.as_str(), table.columns.len()), ("Table1", 4));
    // Step 4: John Doe.
    let john = cells(json!({"First name": "John", "Last name": "Doe", "Age": 41}));
    let appended = base.append_rows("Table1", [john]).call().unwrap();
    let row_id = appended.row_ids[0].id.clone();
    // Step 5: the rows.
    let rows = base
        .list_rows("Table1")
        .convert_keys(true)
        .call()
        .unwrap()
        .rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id.as_deref(), Some(row_id.as_str()));
    assert_eq!(rows[0].extra["First name"], "John");
    assert_eq!(rows[0].extra["Age"], 41);
    // Step 6: John's age.
    let update = RowUpdate {
        row_id: row_id.clone(),
        row: cells(json!({"Age": 42})),
    };
    base.update_rows("Table1", [update]).call().unwrap();
    let updated = base
        .get_row(&row_id, "Table1")
        .convert_keys(true)
        .call()
        .unwrap();
    assert_eq!(updated.extra["Age"], 42);
    // Step 7: SQL.
    let sql = base
        .query_sql(
            "SELECT `First name`, `Last name`, Age FROM Table1 WHERE Age > ? ORDER BY Age DESC",
        )
        .parameters([json!(40)])
        .convert_keys(true)
        .call()
        .unwrap();
    assert_eq!(sql.results.len(), 1);
    assert_eq!(sql.results[0].extra["Age"], 42);
    // Step 8: a file into the file column.
    let bytes = b"Invoice 2024-001: 1 tutorial, 0.00 EUR\n";
    let invoice = FileUpload::new("invoice.txt", bytes.to_vec()).mime_type("text/plain");
    let file = api
        .upload_attachment(invoice, Attachment::File)
        .call()
        .unwrap();
    assert_eq!(file.size(), bytes.len() as i64);
    let update = RowUpdate {
        row_id: row_id.clone(),
        row: cells(json!({"Invoice": [file.cell_value()]})),
    };
    base.update_rows("Table1", [update]).call().unwrap();
    let with_file = base
        .get_row(&row_id, "Table1")
        .convert_keys(true)
        .call()
        .unwrap();
    assert_eq!(with_file.extra["Invoice"][0]["url"], json!(file.url()));
    assert_eq!(
        mock.file(&tutorial, file.asset_path()).as_deref(),
        Some(&bytes[..])
    );

    let operations: Vec<Option<Operation>> = mock.requests().iter().map(|e| e.operation).collect();
    assert_eq!(
        operations,
        [
            Some(Operation::GetBaseToken),
            Some(Operation::GetMetadata),
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
}

/// Paging and a batched append through the blocking API: `iter()` reads every page, and
/// `batched().keep_going().unique_key(…)` stores each row once although the server
/// failed after storing a chunk.
#[test]
fn blocking_paging_and_a_keep_going_append_store_and_read_every_row_once() {
    use seatable_api::blocking;
    use seatable_api::testing::Fault;

    let (_runtime, mock) = mock_on_its_own_runtime();
    let tutorial = mock
        .add_base("Tutorial", quickstart::tutorial_metadata())
        .unwrap();
    let base = blocking::Client::from(mock.client())
        .base_with_api_token(tutorial.api_token.as_str())
        .unwrap();
    let rows: Vec<_> = (0..2500)
        .map(|i| cells(json!({"First name": format!("P{i:04}"), "Age": i})))
        .collect();
    // The second chunk is stored, but its answer is a 502: of unknown outcome.
    mock.inject(
        Fault::status(Operation::AppendRows, 502)
            .nth(2)
            .after_processing(),
    );
    let report = base
        .append_rows("Table1", rows)
        .batched()
        .keep_going()
        .unique_key("First name")
        .call()
        .unwrap();
    assert!(report.is_complete(), "{report}");
    assert_eq!(report.total(), 2500);
    assert!(
        report.lookups() >= 1,
        "the stored chunk was looked up: {report}"
    );
    assert_eq!(mock.rows(&tutorial, "Table1").unwrap().len(), 2500);

    let names: Vec<String> = base
        .list_rows("Table1")
        .convert_keys(true)
        .iter()
        .map(|row| {
            row.unwrap().extra["First name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let expected: Vec<String> = (0..2500).map(|i| format!("P{i:04}")).collect();
    assert_eq!(names, expected);
    let pages = mock
        .requests()
        .iter()
        .filter(|e| e.operation == Some(Operation::ListRows))
        .count();
    assert_eq!(pages, 3, "1000 rows a page");
}

/// The async client's hand-written helpers have blocking twins: metadata lookups by name,
/// links by column name, typed updates, and downloads into a `std::io::Write` or a file.
#[test]
fn blocking_lookups_links_typed_updates_and_downloads_do_what_the_async_ones_do() {
    use seatable_api::blocking;
    use seatable_api::types::ColumnType;
    use seatable_api::{AssetSource, Attachment, FileUpload};

    #[derive(serde::Serialize)]
    struct Person {
        #[serde(rename = "Name")]
        name: String,
    }
    impl seatable_api::TableInput for Person {
        const TABLE: &'static str = "People";
    }

    let (_runtime, mock) = mock_on_its_own_runtime();
    let team = mock
        .add_base(
            "Team",
            json!({"tables": [
                {"_id": "0000", "name": "People",
                 "columns": [
                    {"key": "0000", "name": "Name", "type": "text"},
                    {"key": "Pr03", "name": "Projects", "type": "link", "data": {"link_id": "Lk01", "table_id": "0000", "other_table_id": "Pj00", "display_column_key": "0000", "is_internal_link": true, "is_multiple": true}}
                 ],
                 "views": [{"_id": "0000", "name": "Default View"}]},
                {"_id": "Pj00", "name": "Projects",
                 "columns": [
                    {"key": "0000", "name": "Title", "type": "text"},
                    {"key": "Cn01", "name": "People", "type": "link", "data": {"link_id": "Lk01", "table_id": "0000", "other_table_id": "Pj00", "display_column_key": "0000", "is_internal_link": true, "is_multiple": true}}
                 ],
                 "views": [{"_id": "0000", "name": "Default View"}]}
            ]}),
        )
        .unwrap();
    let api = blocking::Client::from(mock.client()).with_api_token(team.api_token.as_str());
    let base = api.base().unwrap();

    // Lookups by name, and their error naming what is missing.
    assert_eq!(base.table("Projects").unwrap().id, "Pj00");
    assert_eq!(
        base.column("People", "Projects").unwrap().key(),
        Some("Pr03")
    );
    assert_eq!(base.view("People", "Default View").unwrap().id, "0000");
    let links = base.columns_of_type("People", ColumnType::Link).unwrap();
    assert_eq!(links.len(), 1);
    let missing = base.column("People", "Age").unwrap_err();
    assert!(missing.to_string().contains("Age"), "{missing}");

    // Links by column name, then a typed update.
    let ada = base
        .append_rows("People", [cells(json!({"Name": "Ada"}))])
        .call()
        .unwrap()
        .row_ids[0]
        .id
        .clone();
    let project_ids: Vec<String> = base
        .append_rows(
            "Projects",
            [
                cells(json!({"Title": "Apollo"})),
                cells(json!({"Title": "Gemini"})),
            ],
        )
        .call()
        .unwrap()
        .row_ids
        .into_iter()
        .map(|r| r.id)
        .collect();
    base.add_links("People", "Projects", ada.as_str(), &project_ids)
        .unwrap();
    let linked = base
        .list_links("People", "Projects", [ada.as_str()])
        .unwrap();
    let mut titles: Vec<String> = linked[&ada]
        .iter()
        .map(|item| {
            item.display_value
                .as_ref()
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        })
        .collect();
    titles.sort();
    assert_eq!(titles, ["Apollo", "Gemini"]);
    base.remove_links("People", "Projects", ada.as_str(), [&project_ids[0]])
        .unwrap();
    let linked = base
        .list_links("People", "Projects", [ada.as_str()])
        .unwrap();
    assert_eq!(linked[&ada].len(), 1);
    base.update_typed_rows([(
        ada.as_str(),
        Person {
            name: "Ada L.".into(),
        },
    )])
    .unwrap();
    let rows = mock.rows(&team, "People").unwrap();
    assert_eq!(rows[0]["Name"], "Ada L.");

    // An upload, then its download into a Vec, a file, and the path of its cell URL.
    let bytes = b"minutes of the kick-off\n".to_vec();
    let file = api
        .upload_attachment(
            FileUpload::new("notes.txt", bytes.clone()),
            Attachment::File,
        )
        .call()
        .unwrap();
    let mut into = Vec::new();
    let n = api
        .download_to_writer(AssetSource::path(file.asset_path()), &mut into)
        .unwrap();
    assert_eq!((n as usize, into), (bytes.len(), bytes.clone()));
    assert_eq!(api.asset_path(file.url()).unwrap(), file.asset_path());
    let dir = std::env::temp_dir().join(format!("seatable-blocking-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("notes.txt");
    api.download_to_path(AssetSource::url(file.url()), &target)
        .unwrap();
    let downloaded = std::fs::read(&target).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(downloaded, bytes);
}

/// A blocking call inside an async runtime sends nothing and says why, rather than
/// panicking or deadlocking on a runtime that also serves the stand-in.
#[tokio::test(flavor = "current_thread")]
async fn a_blocking_call_inside_an_async_runtime_is_refused_with_a_clear_error() {
    use seatable_api::blocking;
    use seatable_api::ErrorKind;

    let mock = MockSeaTable::start().await.unwrap();
    let tutorial = mock
        .add_base("Tutorial", quickstart::tutorial_metadata())
        .unwrap();
    let api = blocking::Client::from(mock.client()).with_api_token(tutorial.api_token.as_str());
    let error = api.base().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InsideAsyncRuntime);
    assert!(
        error.to_string().contains("inside an async runtime"),
        "{error}"
    );
    let error = api.get_base_token().call().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InsideAsyncRuntime);
    assert_eq!(error.applied(), seatable_api::Applied::No);
    // A paged read gives the error as its one item.
    let base = seatable_api::blocking::BaseClient::from(api.as_async().base().await.unwrap());
    let mut pages = base.list_rows("Table1").iter();
    assert_eq!(
        pages.next().unwrap().unwrap_err().kind(),
        ErrorKind::InsideAsyncRuntime
    );
    assert!(pages.next().is_none());
    // Nothing was sent but the async exchange.
    assert_eq!(mock.requests().len(), 1);
    // On a thread of its own the same client works, while this runtime goes on serving
    // the stand-in (joining the thread here would block it: awaited instead).
    let (sent, answer) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = sent.send(api.base().map(|b| b.base_uuid().to_string()));
    });
    assert_eq!(answer.await.unwrap().unwrap(), tutorial.uuid);
}
