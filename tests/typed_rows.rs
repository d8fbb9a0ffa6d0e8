//! Round trips of the typed row methods against a server on 127.0.0.1, with the structs
//! `seatable-codegen rows` generates from `codegen/tests/rows/metadata.json` (the
//! generator's own snapshot, so these tests use exactly what it writes): the requests'
//! query and bodies are asserted exactly, answers decode into the structs, paging and
//! chunking follow SeaTable's limit of 1000 rows, and decoding failures name the table,
//! the row and the column.
//!
//! Cell values are the shapes of recorded SeaTable answers (`tests/recorded/listRows.json`
//! and the recorded link, file and signature answers of SeaTable's test suite), with real
//! ids and times in place of the suite's `"str"` placeholders.

// `json!` of a row with every column type nests deeper than the default allows.
#![recursion_limit = "256"]

#[allow(dead_code)]
mod rows {
    include!("../codegen/tests/rows/generated.rs");
}

/// The 1000-row page of `benches/decode.rs`.
#[path = "../benches/support/page.rs"]
mod bench_page;
mod support;

use rows::{AllTypesInput, AllTypesRow, ProjectsInput, ProjectsRow};
use seatable_api::cells::{Date, Duration, FormulaValue, LinkFormulaValue, Timestamp};
use seatable_api::{ErrorKind, TableInput, TableRow};
use serde_json::{json, Value};
use support::wiremock_base::{answer, base_with_rows_metadata as base, received};
use wiremock::matchers::{body_json, method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, Request};

const ROWS: &str = "/api-gateway/api/v2/dtables/650d8a0d-7e27-46a8-8b18-6cc6f3db2057/rows/";

/// A row of `Projects` as SeaTable sends it with `convert_keys=true`.
fn project(id: &str, name: &str, price: Value) -> Value {
    json!({
        "_id": id,
        "_ctime": "2024-06-05T13:28:56.090+00:00",
        "_mtime": "2024-06-05T13:30:01.412+00:00",
        "_creator": "a5adebe279e04415a28b2c7e256e9e8d@auth.local",
        "_last_modifier": "a5adebe279e04415a28b2c7e256e9e8d@auth.local",
        "_archived": false,
        "_locked": null,
        "_locked_by": null,
        "Name": name,
        "Price": price,
        "Total": 594.9881,
        "Done": true,
        "Due": "2030-06-20T00:00:00+02:00",
        "Notes": "a column added after generation",
    })
}

#[tokio::test]
async fn one_page_decodes_into_the_read_struct() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ROWS))
        .and(query_param("table_name", "Projects"))
        .and(query_param("view_name", "Open"))
        .and(query_param("convert_keys", "true"))
        .and(query_param("start", "10"))
        .and(query_param("limit", "2"))
        .respond_with(answer(json!({"rows": [
            project("Qm9vLx1TS2y9F1qdI4ZCwA", "Roof", json!(499.99)),
            project("Rn2xMy0UT3z0G2reJ5ADxB", "Cellar", Value::Null),
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let rows: Vec<ProjectsRow> = base(&server)
        .await
        .list_typed_rows()
        .view_name("Open")
        .start(10)
        .limit(2)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let roof = &rows[0];
    assert_eq!(roof.row_id(), "Qm9vLx1TS2y9F1qdI4ZCwA");
    assert_eq!(roof.name.as_deref(), Some("Roof"));
    assert_eq!(roof.price, Some(499.99));
    assert_eq!(roof.total, Some(FormulaValue::Number(594.9881)));
    assert_eq!(roof.done, Some(true));
    assert_eq!(
        roof.due,
        Some(Date::parse("2030-06-20T00:00:00+02:00").unwrap())
    );
    assert_eq!(
        roof.ctime,
        Some(Timestamp::parse("2024-06-05T13:28:56.090+00:00").unwrap())
    );
    assert_eq!((roof.archived, roof.locked), (Some(false), None));
    assert_eq!(
        roof.extra.get("Notes"),
        Some(&json!("a column added after generation")),
        "a column the struct does not know is kept"
    );
    assert_eq!(rows[1].price, None, "null is None");
}

#[tokio::test]
async fn all_pages_repeat_start_and_limit_until_a_short_page() {
    let server = MockServer::start().await;
    for (start, ids) in [
        ("0", &["r1", "r2"][..]),
        ("2", &["r3", "r4"]),
        ("4", &["r5"]),
    ] {
        let page: Vec<Value> = ids.iter().map(|id| project(id, id, json!(1))).collect();
        Mock::given(method("GET"))
            .and(path(ROWS))
            .and(query_param("table_name", "Projects"))
            .and(query_param("convert_keys", "true"))
            .and(query_param("start", start))
            .and(query_param("limit", "2"))
            .respond_with(answer(json!({ "rows": page })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let rows = base(&server)
        .await
        .list_typed_rows::<ProjectsRow>()
        .limit(2)
        .all()
        .await
        .unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["r1", "r2", "r3", "r4", "r5"]);
}

#[tokio::test]
async fn all_pages_default_to_1000_and_stop_at_an_empty_page() {
    let server = MockServer::start().await;
    let full: Vec<Value> = (0..1000)
        .map(|i| project(&format!("r{i}"), "x", json!(i)))
        .collect();
    Mock::given(method("GET"))
        .and(path(ROWS))
        .and(query_param("start", "0"))
        .and(query_param("limit", "1000"))
        .respond_with(answer(json!({ "rows": full })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(ROWS))
        .and(query_param("start", "1000"))
        .and(query_param("limit", "1000"))
        .respond_with(answer(json!({"rows": []})))
        .expect(1)
        .mount(&server)
        .await;
    let rows = base(&server)
        .await
        .list_typed_rows::<ProjectsRow>()
        .limit(5000)
        .all()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1000, "a limit above 1000 is brought down to it");
    assert_eq!(rows[999].price, Some(999.0));
}

#[tokio::test]
async fn the_stream_decodes_row_by_row_and_stops_at_the_first_bad_row() {
    let server = MockServer::start().await;
    for (start, page) in [
        (
            "5",
            vec![project("r5", "a", json!(1)), project("r6", "b", json!(2))],
        ),
        (
            "7",
            vec![
                project("r7", "c", json!("12 EUR")),
                project("r8", "d", json!(4)),
            ],
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(ROWS))
            .and(query_param("view_name", "Open"))
            .and(query_param("start", start))
            .and(query_param("limit", "2"))
            .respond_with(answer(json!({ "rows": page })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = base(&server).await;
    let mut stream = client
        .list_typed_rows::<ProjectsRow>()
        .view_name("Open")
        .start(5)
        .limit(2)
        .stream();
    let mut names = Vec::new();
    let error = loop {
        match futures_util::StreamExt::next(&mut stream).await {
            Some(Ok(row)) => names.push(String::from(row.name.unwrap())),
            Some(Err(e)) => break e,
            None => panic!("the bad row must end the stream with an error"),
        }
    };
    assert_eq!(names, ["a", "b"]);
    assert_eq!(
        error.to_string(),
        "listRows: row `r7` of table `Projects`, column `Price`: invalid type: string \"12 EUR\", expected f64"
    );
    assert!(futures_util::StreamExt::next(&mut stream).await.is_none());
}

#[tokio::test]
async fn get_one_row_by_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{ROWS}Qm9vLx1TS2y9F1qdI4ZCwA/")))
        .and(query_param("table_name", "Projects"))
        .and(query_param("convert_keys", "true"))
        .respond_with(answer(project("Qm9vLx1TS2y9F1qdI4ZCwA", "Roof", json!(3))))
        .expect(1)
        .mount(&server)
        .await;
    let row: ProjectsRow = base(&server)
        .await
        .get_typed_row("Qm9vLx1TS2y9F1qdI4ZCwA")
        .await
        .unwrap();
    assert_eq!((row.name.as_deref(), row.price), (Some("Roof"), Some(3.0)));
}

#[tokio::test]
async fn a_cell_that_does_not_decode_names_table_row_and_column() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ROWS))
        .respond_with(answer(json!({"rows": [
            project("r1", "ok", json!(1)),
            project("r2", "bad", json!("12 EUR")),
        ]})))
        .mount(&server)
        .await;
    let e = base(&server)
        .await
        .list_typed_rows::<ProjectsRow>()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(
        e.to_string(),
        "listRows: row `r2` of table `Projects`, column `Price`: invalid type: string \"12 EUR\", expected f64"
    );

    let server = MockServer::start().await;
    let mut bad = project("r3", "bad date", json!(1));
    bad["Due"] = json!("next tuesday");
    Mock::given(method("GET"))
        .and(path(format!("{ROWS}r3/")))
        .respond_with(answer(bad))
        .mount(&server)
        .await;
    let e = base(&server)
        .await
        .get_typed_row::<ProjectsRow>("r3")
        .await
        .unwrap_err();
    let message = e.to_string();
    assert!(
        message.starts_with("getRow: row `r3` of table `Projects`, column `Due`: "),
        "{message}"
    );
}

#[tokio::test]
async fn append_sends_only_the_cells_set_and_returns_the_ids() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ROWS))
        .and(body_json(json!({
            "table_name": "Projects",
            "rows": [
                {"Name": "Roof", "Price": 9.5, "Due": "2030-06-20"},
                {"Done": false, "Name": null},
            ],
            "apply_default": true,
        })))
        .respond_with(answer(json!({
            "inserted_row_count": 2,
            "row_ids": [{"_id": "r1"}, {"_id": "r2"}],
            "first_row": {"_id": "r1", "_locked": null, "_locked_by": null},
        })))
        .expect(1)
        .mount(&server)
        .await;
    let mut second = ProjectsInput {
        done: Some(false),
        ..Default::default()
    };
    second.extra.insert("Name".into(), Value::Null);
    let ids = base(&server)
        .await
        .append_typed_rows([
            ProjectsInput {
                name: Some("Roof".into()),
                price: Some(9.5),
                due: Some(Date::parse("2030-06-20").unwrap()),
                ..Default::default()
            },
            second,
        ])
        .apply_default(true)
        .await
        .unwrap();
    assert_eq!(ids, ["r1", "r2"]);
}

/// The `Name` cells of the rows of one append request, in order.
fn names_in(request: &Request) -> Vec<String> {
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn append_chunks_at_1000_rows_in_order() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ROWS))
        .respond_with(|request: &Request| {
            let names = names_in(request);
            let ids: Vec<Value> = names
                .iter()
                .map(|n| json!({"_id": format!("id-{n}")}))
                .collect();
            answer(json!({"inserted_row_count": ids.len(), "row_ids": ids}))
        })
        .expect(3)
        .mount(&server)
        .await;
    let inputs = (0..2500).map(|i| ProjectsInput {
        name: Some(i.to_string().into()),
        ..Default::default()
    });
    let ids = base(&server).await.append_typed_rows(inputs).await.unwrap();
    let expected: Vec<String> = (0..2500).map(|i| format!("id-{i}")).collect();
    assert_eq!(ids, expected, "ids come back in input order");

    let requests = received(&server, "POST").await;
    let sent: Vec<Vec<String>> = requests.iter().map(names_in).collect();
    assert_eq!(
        sent.iter().map(Vec::len).collect::<Vec<_>>(),
        [1000, 1000, 500]
    );
    assert_eq!(
        sent.concat(),
        (0..2500).map(|i| i.to_string()).collect::<Vec<_>>()
    );
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert!(
        body.get("apply_default").is_none(),
        "not sent unless asked for"
    );
}

#[tokio::test]
async fn append_of_nothing_sends_nothing() {
    let server = MockServer::start().await;
    let ids = base(&server)
        .await
        .append_typed_rows(Vec::<ProjectsInput>::new())
        .await
        .unwrap();
    assert!(ids.is_empty());
    assert!(received(&server, "POST").await.is_empty());
}

#[tokio::test]
async fn update_sends_row_ids_with_the_cells_set_in_chunks() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(ROWS))
        .and(body_json(json!({
            "table_name": "Projects",
            "updates": [
                {"row_id": "r1", "row": {"Price": 12.0}},
                {"row_id": "r2", "row": {"Done": true, "Due": "2030-06-20 23:55"}},
            ],
        })))
        .respond_with(answer(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    base(&server)
        .await
        .update_typed_rows([
            (
                "r1",
                ProjectsInput {
                    price: Some(12.0),
                    ..Default::default()
                },
            ),
            (
                "r2",
                ProjectsInput {
                    done: Some(true),
                    due: Some(Date::parse("2030-06-20 23:55").unwrap()),
                    ..Default::default()
                },
            ),
        ])
        .await
        .unwrap();

    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(ROWS))
        .respond_with(answer(json!({"success": true})))
        .expect(2)
        .mount(&server)
        .await;
    let many = (0..1500).map(|i| {
        (
            format!("r{i}"),
            ProjectsInput {
                price: Some(f64::from(i)),
                ..Default::default()
            },
        )
    });
    base(&server).await.update_typed_rows(many).await.unwrap();
    let requests = received(&server, "PUT").await;
    let sizes: Vec<usize> = requests
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            body["updates"].as_array().unwrap().len()
        })
        .collect();
    assert_eq!(sizes, [1000, 500]);
    let last: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(
        last["updates"][499],
        json!({"row_id": "r1499", "row": {"Price": 1499.0}})
    );
}

#[tokio::test]
async fn update_fails_when_the_server_does_not_confirm() {
    let server = MockServer::start().await;
    // The second request (500 updates) is answered without confirmation.
    Mock::given(method("PUT"))
        .and(path(ROWS))
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            let full = body["updates"].as_array().unwrap().len() == 1000;
            answer(json!({ "success": full }))
        })
        .expect(2)
        .mount(&server)
        .await;
    let updates = (0..1500).map(|i| (format!("r{i}"), ProjectsInput::default()));
    let e = base(&server)
        .await
        .update_typed_rows(updates)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(
        e.to_string(),
        "updateRows: the server did not confirm the update of table `Projects` (batch of 1500 \
         items of `updates`: committed 0..1000; failed 1000..1500 (may have been applied))"
    );
    assert_eq!(
        e.applied(),
        seatable_api::Applied::Yes,
        "the first 1000 are stored"
    );
    let report = e.batch().unwrap();
    assert_eq!(report.committed(), std::slice::from_ref(&(0..1000)));
    assert_eq!(report.failed()[0].range, 1000..1500);
    assert!(report.not_sent().is_empty());
}

#[tokio::test]
async fn a_read_row_converts_into_an_input_without_read_only_cells() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(".*/rows/r1/$"))
        .respond_with(answer(project("r1", "Roof", json!(2.5))))
        .mount(&server)
        .await;
    let row: ProjectsRow = base(&server).await.get_typed_row("r1").await.unwrap();
    let mut input = ProjectsInput::from(row);
    input.price = Some(3.0);
    assert_eq!(
        serde_json::to_value(&input).unwrap(),
        json!({"Name": "Roof", "Price": 3.0, "Done": true, "Due": "2030-06-20T00:00:00+02:00"}),
        "the formula `Total` and unknown columns are not written back"
    );
    assert_eq!(<ProjectsInput as TableInput>::TABLE, "Projects");
}

/// One cell of every column type, in the shapes recorded from SeaTable.
fn every_type() -> Value {
    json!({
        "_id": "Qm9vLx1TS2y9F1qdI4ZCwA",
        "_ctime": "2024-06-05T13:28:56.090+00:00",
        "_mtime": "2024-06-05T13:28:56.090+00:00",
        "_creator": "a5adebe279e04415a28b2c7e256e9e8d@auth.local",
        "_last_modifier": "a5adebe279e04415a28b2c7e256e9e8d@auth.local",
        "_archived": false,
        "_locked": null,
        "_locked_by": null,
        "text": "ABC",
        "long-text": "## Heading\n- Item 1\n- Item 2",
        "number": 1000000.123,
        "collaborator": ["a5adebe279e04415a28b2c7e256e9e8d@auth.local"],
        "date": "2030-06-20T23:55:00+02:00",
        "duration": 5430,
        "single-select": "option-1",
        "multiple-select": ["option-1", "option-2"],
        "image": ["https://cloud.seatable.io/workspace/1/asset/650d8a0d/images/2024-06/a.png"],
        "file": [{"name": "test.txt", "size": 12, "type": "file", "url": "https://cloud.seatable.io/x/test.txt"}],
        "checkbox": true,
        "rate": 7,
        "geolocation": {"lat": 50, "lng": 8.23},
        "formula": false,
        "link": [{"display_value": 1.1, "row_id": "Rn2xMy0UT3z0G2reJ5ADxB"}],
        "link-formula": [1.1, 1.4],
        "button": null,
        "digital-sign": {
            "sign_image_url": "https://admin.seatable.com/assets/SeaTable256-256.png",
            "sign_time": "2024-06-05T13:28:56.090+00:00",
            "username": "some-user@auth.local"
        },
        "auto-number": "row-0001",
        "creator": "a5adebe279e04415a28b2c7e256e9e8d@auth.local",
        "ctime": "2024-06-05T13:28:56.090+00:00",
        "last-modifier": "a5adebe279e04415a28b2c7e256e9e8d@auth.local",
        "mtime": "2024-06-05T13:28:56.090+00:00",
        "email": "example@seatable.io",
        "url": "https://seatable.com",
        "department-single-select": 3,
        "Größe (cm)": 181,
        "2024 Budget": null,
        "type": "t",
        "Self": "s",
        "名前": "n",
        "E-Mail": "a@b.c",
        "e mail": "d@e.f",
        "Name": "upper",
        "name": "lower",
        "id": "not the row id",
        "extra": "not the extra map",
        "with \"quotes\" and \\ backslash": "q",
        "a`b": "tick",
        "Mood": {"level": "happy"},
    })
}

#[tokio::test]
async fn every_column_type_decodes_from_the_recorded_shapes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ROWS))
        .and(query_param("table_name", "All Types"))
        .respond_with(answer(json!({"rows": [every_type()]})))
        .mount(&server)
        .await;
    let rows: Vec<AllTypesRow> = base(&server).await.list_typed_rows().await.unwrap();
    let row = &rows[0];
    assert_eq!(row.number, Some(1000000.123));
    assert_eq!(row.duration, Some(Duration::from_secs(5430)));
    assert_eq!(
        row.date,
        Some(Date::parse("2030-06-20T23:55:00+02:00").unwrap())
    );
    assert_eq!(row.rate, Some(7));
    assert_eq!(row.file.as_ref().unwrap()[0].size, Some(12));
    assert_eq!(row.geolocation.as_ref().unwrap().lng, Some(8.23));
    assert_eq!(row.formula, Some(FormulaValue::Bool(false)));
    assert_eq!(
        row.link.as_ref().unwrap()[0].row_id,
        "Rn2xMy0UT3z0G2reJ5ADxB"
    );
    assert_eq!(
        row.link_formula,
        Some(LinkFormulaValue::Array(vec![json!(1.1), json!(1.4)]))
    );
    assert!(row.digital_sign.is_some());
    assert_eq!(
        row.ctime_2, row.ctime,
        "the ctime column and the system field"
    );
    assert_eq!(row.department_single_select, Some(3));
    assert_eq!(row.groesse_cm, Some(181.0));
    assert_eq!(row._2024_budget, None);
    assert_eq!(
        (row.name.as_deref(), row.name_2.as_deref()),
        (Some("upper"), Some("lower"))
    );
    assert_eq!(
        (row.id.as_str(), row.id_2.as_deref()),
        ("Qm9vLx1TS2y9F1qdI4ZCwA", Some("not the row id"))
    );
    assert_eq!(row.extra_2.as_deref(), Some("not the extra map"));
    assert_eq!(row.with_quotes_and_backslash.as_deref(), Some("q"));
    assert_eq!(row.a_b.as_deref(), Some("tick"));
    assert_eq!(row.column_jp01.as_deref(), Some("n"));
    assert_eq!(
        row.mood,
        Some(json!({"level": "happy"})),
        "an unknown type stays JSON"
    );
    assert_eq!(
        row.extra.keys().collect::<Vec<_>>(),
        ["button"],
        "only the button column has no field"
    );
}

#[tokio::test]
async fn every_writable_column_type_is_sent_in_its_write_shape() {
    let server = MockServer::start().await;
    let expected = json!({
        "text": "ABC",
        "long-text": "## Heading",
        "number": 1.5,
        "collaborator": ["a5adebe279e04415a28b2c7e256e9e8d@auth.local"],
        "date": "2030-06-20 23:55",
        "duration": "1:30:30",
        "single-select": "Open",
        "multiple-select": ["red", "blue"],
        "image": ["https://cloud.seatable.io/a.png"],
        "file": [{"name": "test.txt", "size": 12, "type": "file", "url": "https://cloud.seatable.io/test.txt"}],
        "checkbox": false,
        "rate": 4,
        "geolocation": {"lat": 50.0, "lng": 8.23},
        "email": "example@seatable.io",
        "url": "https://seatable.com",
        "department-single-select": 3,
        "Mood": {"level": "happy"},
    });
    Mock::given(method("POST"))
        .and(path(ROWS))
        .and(body_json(
            json!({"table_name": "All Types", "rows": [expected]}),
        ))
        .respond_with(answer(
            json!({"inserted_row_count": 1, "row_ids": [{"_id": "r1"}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let input = AllTypesInput {
        text: Some("ABC".into()),
        long_text: Some("## Heading".into()),
        number: Some(1.5),
        collaborator: Some(vec!["a5adebe279e04415a28b2c7e256e9e8d@auth.local".into()]),
        date: Some(Date::parse("2030-06-20 23:55").unwrap()),
        duration: Some(Duration::from_secs(5430)),
        single_select: Some("Open".into()),
        multiple_select: Some(vec!["red".into(), "blue".into()]),
        image: Some(vec!["https://cloud.seatable.io/a.png".into()]),
        file: Some(
            serde_json::from_value(json!([{"name": "test.txt", "size": 12, "type": "file", "url": "https://cloud.seatable.io/test.txt"}]))
                .unwrap(),
        ),
        checkbox: Some(false),
        rate: Some(4),
        geolocation: Some(serde_json::from_value(json!({"lat": 50.0, "lng": 8.23})).unwrap()),
        email: Some("example@seatable.io".into()),
        url: Some("https://seatable.com".into()),
        department_single_select: Some(3),
        mood: Some(json!({"level": "happy"})),
        ..Default::default()
    };
    let ids = base(&server)
        .await
        .append_typed_rows([input])
        .await
        .unwrap();
    assert_eq!(ids, ["r1"]);
}

/// `text` decoded as `types::RowList` must hold exactly what the plain `serde_json::Value`
/// decode of it holds: re-encoded, every row is the same JSON object (its system fields
/// typed, every other key in `extra` with its value as received). The generic decode
/// builds its `extra` maps through its own path (sized from the previous row, built in
/// one pass); this is the proof that the path loses, adds and reorders nothing.
fn assert_rows_decode_as_plain_json(what: &str, text: &str, rows_key: &str) {
    /// A page whose rows are under `rows` (`listRows`) or `results` (`querySql`).
    #[derive(serde::Deserialize)]
    struct Page {
        #[serde(alias = "results")]
        rows: Vec<seatable_api::types::Row>,
    }
    let plain: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    let plain_rows = plain[rows_key]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: `{rows_key}` is a list"));
    let from_text: Page = serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    let from_value: Vec<seatable_api::types::Row> =
        serde_json::from_value(json!(plain_rows)).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(from_text.rows.len(), plain_rows.len(), "{what}");
    for (i, (row, plain_row)) in from_text.rows.iter().zip(plain_rows).enumerate() {
        assert_eq!(
            &serde_json::to_value(row).unwrap(),
            plain_row,
            "{what}: row {i} re-encoded"
        );
        assert_eq!(
            row, &from_value[i],
            "{what}: row {i} from text and from a value"
        );
    }
}

#[test]
fn the_recorded_answers_and_the_bench_page_decode_into_row_list_as_plain_json() {
    for (file, key) in [("listRows", "rows"), ("querySql", "results")] {
        let text = std::fs::read_to_string(format!("tests/recorded/{file}.json")).unwrap();
        assert_rows_decode_as_plain_json(file, &text, key);
    }
    let one = std::fs::read_to_string("tests/recorded/getRow.json").unwrap();
    let one: Value = serde_json::from_str(&one).unwrap();
    assert_rows_decode_as_plain_json("getRow", &json!({ "rows": [one] }).to_string(), "rows");
    assert_rows_decode_as_plain_json("the bench page", &bench_page::page(), "rows");

    // Rows whose number of unknown cells rises and falls (the list sized for the previous
    // row is too small, then too large), with objects of several unknown fields nested in
    // them, keys out of order and a repeated key (the later value wins, as in `Value`).
    let mut rows = Vec::new();
    for i in 0..120usize {
        let mut text =
            format!(r#"{{"_locked": null, "_locked_by": null, "_id": "r{i}", "zz{i}": {i}"#);
        for c in (0..(i * 7) % 61).rev() {
            text.push_str(&format!(r#", "c{c}": "v{i}-{c}""#));
        }
        if i % 3 == 0 {
            text.push_str(
                r#", "file": [{"name": "a", "url": "u", "x1": 1, "x2": [2], "x3": {"y": 3}}]"#,
            );
            text.push_str(r#", "c0": "again""#);
        }
        text.push('}');
        rows.push(text);
    }
    let page = format!(r#"{{"rows": [{}]}}"#, rows.join(","));
    assert_rows_decode_as_plain_json("rows of varying width", &page, "rows");
    let decoded: seatable_api::types::RowList = serde_json::from_str(&page).unwrap();
    assert_eq!(
        decoded.rows[3].extra["c0"],
        json!("again"),
        "the later value wins"
    );

    // The generated struct on the bench page: every column has its field, and the cells
    // are those of the plain decode.
    let text = bench_page::page();
    let plain: Value = serde_json::from_str(&text).unwrap();
    #[derive(serde::Deserialize)]
    struct Page {
        rows: Vec<AllTypesRow>,
    }
    let typed: Page = serde_json::from_str(&text).unwrap();
    assert_eq!(typed.rows.len(), 1000);
    for (i, (row, plain_row)) in typed
        .rows
        .iter()
        .zip(plain["rows"].as_array().unwrap())
        .enumerate()
    {
        assert_eq!(row.id.as_str(), plain_row["_id"], "row {i}");
        assert_eq!(row.text.as_deref(), plain_row["text"].as_str(), "row {i}");
        assert_eq!(row.number, plain_row["number"].as_f64(), "row {i}");
        assert_eq!(
            row.duration.map(|d| d.as_secs()),
            plain_row["duration"].as_i64(),
            "row {i}"
        );
        assert_eq!(
            row.link_formula.as_ref().map(|v| v.to_json()),
            Some(plain_row["link-formula"].clone()),
            "row {i}"
        );
        assert_eq!(
            serde_json::to_value(&row.file).unwrap(),
            plain_row["file"],
            "row {i}"
        );
        assert_eq!(
            Value::from(row.extra.clone()),
            json!({"button": null}),
            "row {i}"
        );
    }
}
