//! The import, export and long-job examples, run against `MockSeaTable` with small sizes:
//! what they store, write and report, and the requests they make.

#[allow(dead_code)]
#[path = "../examples/import_csv.rs"]
mod import_csv;

#[allow(dead_code)]
#[path = "../examples/export_view.rs"]
mod export_view;

#[allow(dead_code)]
#[path = "../examples/long_job.rs"]
mod long_job;

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use indicatif::ProgressBar;
use seatable_api::testing::{Exchange, Fault, MockBase, MockSeaTable, Operation};
use seatable_api::{Applied, BaseClient};
use serde_json::{json, Value};
use support::stand_in::mock_with_base;

/// A file in the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        TempFile(
            std::env::temp_dir().join(format!("seatable-examples-{}-{name}", std::process::id())),
        )
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn mock_base(metadata: Value) -> (MockSeaTable, MockBase, BaseClient) {
    mock_with_base("Examples", metadata).await
}

fn operations(mock: &MockSeaTable) -> Vec<Option<Operation>> {
    mock.requests().iter().map(|e| e.operation).collect()
}

fn rows_in_body(exchange: &Exchange) -> usize {
    let body: Value = serde_json::from_slice(&exchange.request_body).unwrap();
    body["rows"].as_array().unwrap().len()
}

/// The CSV's records as the test reads them: (Name, Email, City, Score).
fn csv_records(path: &PathBuf) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        reader.headers().unwrap(),
        vec!["Name", "Email", "City", "Score"]
    );
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// A stored row must hold exactly the record: text as written, the score as a number, no
/// cell for an empty field.
fn assert_stored(stored: &Value, record: &[String]) {
    let cells = stored.as_object().unwrap();
    assert_eq!(cells["Name"], record[0], "{stored}");
    assert_eq!(cells["Email"], record[1], "{stored}");
    if record[2].is_empty() {
        assert!(!cells.contains_key("City"), "{stored}");
    } else {
        assert_eq!(cells["City"], record[2], "{stored}");
    }
    let score: f64 = record[3].parse().unwrap();
    assert_eq!(cells["Score"].as_f64(), Some(score), "{stored}");
    let names: BTreeSet<&str> = cells
        .keys()
        .map(String::as_str)
        .filter(|k| !k.starts_with('_'))
        .collect();
    let expected: BTreeSet<&str> = ["Name", "Email", "City", "Score"]
        .into_iter()
        .filter(|n| *n != "City" || !record[2].is_empty())
        .collect();
    assert_eq!(names, expected, "{stored}");
}

#[tokio::test]
async fn the_import_stores_every_row_of_the_csv_in_file_order() {
    let (mock, base, client) = mock_base(import_csv::sample_metadata()).await;
    let file = TempFile::new("in-order.csv");
    import_csv::write_sample_csv(&file.0, 2500).unwrap();
    let options = import_csv::ImportOptions {
        concurrency: 1,
        ..import_csv::ImportOptions::default()
    };
    let progress = ProgressBar::hidden();
    let mut out = Vec::new();
    let imported = import_csv::import_csv(
        &client,
        import_csv::TABLE,
        &file.0,
        &options,
        &progress,
        &mut out,
    )
    .await
    .unwrap();

    assert_eq!(
        imported,
        import_csv::Imported {
            rows: 2500,
            requests: 3,
            created_columns: vec!["Email".to_string(), "City".to_string()],
        }
    );
    assert_eq!(progress.position(), 2500);
    assert_eq!(progress.length(), Some(2500));
    assert!(progress.is_finished());

    let records = csv_records(&file.0);
    let stored = mock.rows(&base, import_csv::TABLE).unwrap();
    assert_eq!(stored.len(), records.len());
    for (row, record) in stored.iter().zip(&records) {
        assert_stored(row, record);
    }
    // Whole numbers stay whole; the sample's odd rows have decimals.
    assert_eq!(stored[2]["Score"], json!(2));
    assert_eq!(stored[3]["Score"], json!(3.5));
    assert!(!stored[6].as_object().unwrap().contains_key("City"));

    // The new columns are text columns, after the existing ones.
    let metadata = mock.metadata(&base).unwrap();
    let columns: Vec<(&str, &str)> = metadata["metadata"]["tables"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        columns,
        [
            ("Name", "text"),
            ("Score", "number"),
            ("Email", "text"),
            ("City", "text")
        ]
    );

    assert_eq!(
        operations(&mock),
        [
            Some(Operation::GetBaseToken),
            Some(Operation::GetMetadata),
            Some(Operation::AppendColumns),
            Some(Operation::GetMetadata),
            Some(Operation::AppendRows),
            Some(Operation::AppendRows),
            Some(Operation::AppendRows),
        ]
    );
    let appends: Vec<usize> = mock
        .requests()
        .iter()
        .filter(|e| e.operation == Some(Operation::AppendRows))
        .map(rows_in_body)
        .collect();
    assert_eq!(appends, [1000, 1000, 500]);
    assert!(mock.requests().iter().all(|e| e.status == 200));

    let printed = String::from_utf8(out).unwrap();
    assert!(
        printed.contains(": 2500 rows, all of them valid\n"),
        "{printed}"
    );
    assert!(
        printed.contains("created the text columns Email, City\n"),
        "{printed}"
    );
}

#[tokio::test]
async fn the_import_with_two_requests_in_flight_stores_each_row_once() {
    let (mock, base, client) = mock_base(import_csv::sample_metadata()).await;
    let file = TempFile::new("concurrent.csv");
    import_csv::write_sample_csv(&file.0, 3200).unwrap();
    // Each append waits a little, so that two are really in flight together.
    mock.inject(Fault::delay(Operation::AppendRows, Duration::from_millis(50)).always());
    let progress = ProgressBar::hidden();
    let imported = import_csv::import_csv(
        &client,
        import_csv::TABLE,
        &file.0,
        &import_csv::ImportOptions::default(),
        &progress,
        &mut Vec::new(),
    )
    .await
    .unwrap();
    assert_eq!(imported.rows, 3200);
    assert_eq!(imported.requests, 4);
    assert_eq!(progress.position(), 3200);

    let mut records = csv_records(&file.0);
    let mut stored = mock.rows(&base, import_csv::TABLE).unwrap();
    // The sample's names are unique and sort in file order.
    records.sort_by(|a, b| a[0].cmp(&b[0]));
    stored.sort_by(|a, b| a["Name"].as_str().cmp(&b["Name"].as_str()));
    assert_eq!(stored.len(), records.len());
    for (row, record) in stored.iter().zip(&records) {
        assert_stored(row, record);
    }
    let mut appends: Vec<usize> = mock
        .requests()
        .iter()
        .filter(|e| e.operation == Some(Operation::AppendRows))
        .map(rows_in_body)
        .collect();
    appends.sort_unstable();
    assert_eq!(appends, [200, 1000, 1000, 1000]);
}

#[tokio::test]
async fn a_failed_request_stops_the_import_and_the_report_says_what_is_stored() {
    let (mock, base, client) = mock_base(import_csv::sample_metadata()).await;
    let file = TempFile::new("failing.csv");
    import_csv::write_sample_csv(&file.0, 3500).unwrap();
    mock.inject(Fault::status(Operation::AppendRows, 400).nth(2));
    let options = import_csv::ImportOptions {
        concurrency: 1,
        ..import_csv::ImportOptions::default()
    };
    let progress = ProgressBar::hidden();
    let error = import_csv::import_csv(
        &client,
        import_csv::TABLE,
        &file.0,
        &options,
        &progress,
        &mut Vec::new(),
    )
    .await
    .unwrap_err();

    let failed = error
        .downcast_ref::<import_csv::ImportFailed>()
        .expect("a failed request ends the import with its report");
    let report = &failed.0;
    assert_eq!(report.total, 3500);
    assert_eq!(report.committed, vec![0..1000]);
    assert_eq!(report.committed_rows(), 1000);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].rows, 1000..2000);
    assert_eq!(report.failed[0].applied, Applied::No);
    assert_eq!(report.failed[0].status, Some(400));
    assert_eq!(report.not_sent, vec![2000..3500]);
    assert_eq!(report.file_error, None);
    assert_eq!(
        report.failed[0].message,
        "appendRows: HTTP 400: injected fault: 400"
    );
    assert_eq!(
        error.to_string(),
        "the import stopped after a failed request; of 3500 rows (numbered from 0, after the header):\n  \
         committed (1000 rows): 0..1000\n  \
         failed 1000..2000 (not stored): appendRows: HTTP 400: injected fault: 400\n  \
         not sent: 2000..3500"
    );

    // What the report says is what the table holds, and nothing after the failure went out.
    let records = csv_records(&file.0);
    let stored = mock.rows(&base, import_csv::TABLE).unwrap();
    assert_eq!(stored.len(), 1000);
    for (row, record) in stored.iter().zip(&records[..1000]) {
        assert_stored(row, record);
    }
    let appends: Vec<u16> = mock
        .requests()
        .iter()
        .filter(|e| e.operation == Some(Operation::AppendRows))
        .map(|e| e.status)
        .collect();
    assert_eq!(appends, [200, 400]);
    assert_eq!(progress.position(), 1000);
}

#[tokio::test]
async fn a_bad_file_is_refused_whole_before_anything_is_written() {
    let (mock, base, client) = mock_base(import_csv::sample_metadata()).await;
    let file = TempFile::new("bad.csv");
    std::fs::write(
        &file.0,
        "Name,Score,Notes\nAda,36,first\nGrace,eighty,\nLinus,12\nKen,1e999,x\nBrian,  ,\n",
    )
    .unwrap();
    let error = import_csv::import_csv(
        &client,
        import_csv::TABLE,
        &file.0,
        &import_csv::ImportOptions::default(),
        &ProgressBar::hidden(),
        &mut Vec::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{} problem(s) in {}, nothing was imported:\n\
             line 3, column `Score`: `eighty` is not a number\n\
             line 4: 2 fields where the header has 3\n\
             line 5, column `Score`: `1e999` is not a number",
            3,
            file.0.display()
        )
    );
    assert_eq!(
        operations(&mock),
        [Some(Operation::GetBaseToken), Some(Operation::GetMetadata)]
    );
    assert!(mock.rows(&base, import_csv::TABLE).unwrap().is_empty());

    // A header naming a column twice, or a missing file, is named as such.
    std::fs::write(&file.0, "Name,Score,Name\nAda,1,Ada\n").unwrap();
    let error = import_csv::import_csv(
        &client,
        import_csv::TABLE,
        &file.0,
        &import_csv::ImportOptions::default(),
        &ProgressBar::hidden(),
        &mut Vec::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("{}: the header row names `Name` twice", file.0.display())
    );
    let missing = std::env::temp_dir().join("seatable-examples-no-such-file.csv");
    let error = import_csv::import_csv(
        &client,
        import_csv::TABLE,
        &missing,
        &import_csv::ImportOptions::default(),
        &ProgressBar::hidden(),
        &mut Vec::new(),
    )
    .await
    .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot read {}: ", missing.display())),
        "{error}"
    );
}

#[tokio::test]
async fn csv_values_are_read_by_the_type_of_the_column_they_fill() {
    let (mock, base, client) = mock_base(json!({"tables": [{
        "_id": "0000", "name": "Tasks",
        "columns": [
            {"key": "0000", "name": "Task", "type": "text"},
            {"key": "Dn01", "name": "Done", "type": "checkbox"},
            {"key": "Ho02", "name": "Hours", "type": "number"},
            {"key": "Co03", "name": "Code", "type": "text"},
        ],
        "views": [{"_id": "0000", "name": "Default View"}]
    }]}))
    .await;
    let file = TempFile::new("types.csv");
    std::fs::write(
        &file.0,
        "Task,Done,Hours,Code\nwrite, yes ,1.25,007\nread,FALSE, 3 , \nrest,,,\n",
    )
    .unwrap();
    let imported = import_csv::import_csv(
        &client,
        "Tasks",
        &file.0,
        &import_csv::ImportOptions::default(),
        &ProgressBar::hidden(),
        &mut Vec::new(),
    )
    .await
    .unwrap();
    assert_eq!(imported.created_columns, Vec::<String>::new());
    let stored: Vec<Value> = mock
        .rows(&base, "Tasks")
        .unwrap()
        .into_iter()
        .map(|mut row| {
            row.as_object_mut()
                .unwrap()
                .retain(|k, _| !k.starts_with('_'));
            row
        })
        .collect();
    assert_eq!(
        stored,
        [
            json!({"Task": "write", "Done": true, "Hours": 1.25, "Code": "007"}),
            json!({"Task": "read", "Done": false, "Hours": 3, "Code": " "}),
            json!({"Task": "rest"}),
        ]
    );
    // No column was created, so the structure was read once.
    assert_eq!(
        operations(&mock),
        [
            Some(Operation::GetBaseToken),
            Some(Operation::GetMetadata),
            Some(Operation::AppendRows)
        ]
    );
}

/// A cell as the export should write it, worked out here rather than with the example's
/// own function.
fn expected_text(cell: Option<&Value>) -> String {
    match cell {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => serde_json::to_string(other).unwrap(),
    }
}

#[tokio::test]
async fn the_export_writes_the_view_page_by_page_as_csv() {
    let (mock, base, client) = mock_base(export_view::sample_metadata()).await;
    let rows: Vec<Value> = export_view::sample_rows(2500)
        .into_iter()
        .map(Value::Object)
        .collect();
    mock.add_rows(&base, export_view::TABLE, rows).unwrap();
    mock.clear_requests();

    let mut out = Vec::new();
    let exported =
        export_view::export_view(&client, export_view::TABLE, export_view::VIEW, &mut out)
            .await
            .unwrap();
    let header = ["Name", "Age", "Tags", "Location", "Notes"];
    assert_eq!(exported.columns, header);
    assert_eq!(exported.rows, 2500);

    let mut reader = csv::Reader::from_reader(out.as_slice());
    assert_eq!(reader.headers().unwrap(), header.to_vec());
    let written: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();

    // The view: every stored row, by Name descending, without the hidden `Internal`.
    let mut stored = mock.rows(&base, export_view::TABLE).unwrap();
    stored.sort_by(|a, b| b["Name"].as_str().cmp(&a["Name"].as_str()));
    let expected: Vec<Vec<String>> = stored
        .iter()
        .map(|row| header.iter().map(|c| expected_text(row.get(*c))).collect())
        .collect();
    assert_eq!(written.len(), 2500);
    assert_eq!(written, expected);

    // A few cells in full: a list, an object, an empty number, a note with a comma, quotes
    // and a line break.
    let by_name = |name: &str| written.iter().find(|r| r[0] == name).unwrap().clone();
    assert_eq!(
        by_name("Contact 00001"),
        [
            "Contact 00001",
            "19",
            r#"["work","friend"]"#,
            "",
            "met at \"Expo 1\", booth 4\nfollow up"
        ]
    );
    assert_eq!(
        by_name("Contact 00039"),
        [
            "Contact 00039",
            "",
            r#"["family"]"#,
            r#"{"lat":52.539,"lng":13.25}"#,
            ""
        ]
    );
    assert_eq!(written[0][0], "Contact 02499");
    assert!(!String::from_utf8(out.clone())
        .unwrap()
        .contains("internal note"));

    // One metadata read, then pages of 1000 from the view.
    let requests = mock.requests();
    let asked: Vec<(Option<Operation>, Option<String>)> = requests
        .iter()
        .map(|e| (e.operation, e.query.clone()))
        .collect();
    let page = |start: u32| {
        Some(format!(
            "table_name=Contacts&view_name=Export&start={start}&limit=1000&convert_keys=false"
        ))
    };
    assert_eq!(
        asked,
        [
            (Some(Operation::GetMetadata), None),
            (Some(Operation::ListRows), page(0)),
            (Some(Operation::ListRows), page(1000)),
            (Some(Operation::ListRows), page(2000)),
        ]
    );
}

#[tokio::test]
async fn the_export_names_a_view_that_does_not_exist() {
    let (mock, _base, client) = mock_base(export_view::sample_metadata()).await;
    let error = export_view::export_view(&client, export_view::TABLE, "Open", &mut Vec::new())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "table `Contacts` has no view `Open` (its views: Default View, Export)"
    );
    assert!(!operations(&mock).contains(&Some(Operation::ListRows)));
}

#[tokio::test]
async fn the_long_job_outlives_its_base_tokens_without_a_failed_request() {
    let lifetime = Duration::from_secs(2);
    let mock = MockSeaTable::builder()
        .token_lifetime(lifetime)
        .start()
        .await
        .unwrap();
    let base = mock.add_base("Jobs", long_job::job_metadata()).unwrap();
    let client = seatable_api::Client::builder(&mock.url())
        .requests_per_minute(600)
        .build()
        .unwrap()
        .base_with_api_token(base.api_token.as_str())
        .await
        .unwrap();
    let settings = long_job::JobSettings {
        duration: Duration::from_millis(3000),
        interval: Duration::from_millis(50),
    };
    let mut out = Vec::new();
    let summary = long_job::run_job(&client, long_job::TABLE, &settings, &mut out)
        .await
        .unwrap();

    assert!(summary.elapsed >= settings.duration, "{summary:?}");
    assert!(summary.renewals >= 1, "{summary:?}");
    assert_eq!(summary.expiries.len(), summary.renewals + 1);
    assert!(
        summary.expiries.windows(2).all(|w| w[0] < w[1]),
        "{summary:?}"
    );
    assert_eq!(summary.requests, 2 * summary.ticks + 2);

    let requests = mock.requests();
    // Every request answered with success: no expired token, no rate limit.
    let failed: Vec<(Option<Operation>, u16)> = requests
        .iter()
        .filter(|e| e.status != 200)
        .map(|e| (e.operation, e.status))
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    let count = |operation: Operation| {
        requests
            .iter()
            .filter(|e| e.operation == Some(operation))
            .count() as u64
    };
    // One exchange for the first token, one per renewal the job saw, and no other.
    assert_eq!(count(Operation::GetBaseToken), 1 + summary.renewals as u64);
    assert_eq!(count(Operation::AppendRows), 1);
    assert_eq!(count(Operation::UpdateRows), summary.ticks);
    assert_eq!(count(Operation::GetRow), summary.ticks);
    assert_eq!(count(Operation::DeleteRows), 1);
    // The client reads the structure once, for its check of the written rows.
    assert_eq!(count(Operation::GetMetadata), 1);
    assert_eq!(
        requests.len() as u64,
        summary.requests + count(Operation::GetBaseToken) + 1
    );
    // Each token issued was used, each base request carried one of them.
    let bearers: BTreeSet<&str> = requests
        .iter()
        .filter(|e| e.operation != Some(Operation::GetBaseToken))
        .map(|e| {
            e.request_headers
                .iter()
                .find(|(name, _)| name == "authorization")
                .map(|(_, value)| value.as_str())
                .unwrap()
        })
        .collect();
    assert_eq!(bearers.len(), 1 + summary.renewals);
    // The job cleaned up after itself.
    assert!(mock.rows(&base, long_job::TABLE).unwrap().is_empty());

    let printed = String::from_utf8(out).unwrap();
    assert_eq!(
        printed.matches("Base-Token renewed").count(),
        summary.renewals,
        "{printed}"
    );
}
