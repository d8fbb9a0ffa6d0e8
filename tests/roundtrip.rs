//! Round trips of every operation of the first slice against a server on 127.0.0.1: the
//! request's method, path, query, token header and body are asserted exactly, and the
//! server answers with real SeaTable responses (`tests/recorded/`), which must decode and,
//! where the type keeps every field, re-encode to the same JSON.

use seatable_api::types::{Column, ColumnType, RowUpdate};
use seatable_api::{BaseClient, BaseToken, Client, ErrorKind};
use serde_json::{json, Value};
use support::wiremock_base::{answer, base, GATEWAY, UUID};
use wiremock::matchers::{body_json, body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod support;

/// A recorded answer, its type-name placeholders put back (see `support`).
fn recorded(name: &str) -> Value {
    let text =
        std::fs::read_to_string(format!("tests/recorded/{name}.json")).expect("recorded file");
    let mut value: Value = serde_json::from_str(&text).expect("recorded JSON");
    support::restore_placeholders(&mut value);
    value
}

/// JSON pointers where two values differ, so a failed round trip names what was lost.
/// A key that is `null` on one side and absent on the other is not counted (see below).
fn differences(left: &Value, right: &Value, at: &str, out: &mut Vec<String>) {
    match (left, right) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                if a.contains_key(key) != b.contains_key(key) {
                    // An optional nullable field decodes to `None` whether it was `null` or
                    // absent, and is then left out: the one loss the types still allow.
                    if !(x.is_null() && y.is_null()) {
                        out.push(format!("{at}/{key}: present on one side only"));
                    }
                } else {
                    differences(x, y, &format!("{at}/{key}"), out);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                differences(x, y, &format!("{at}/{i}"), out);
            }
        }
        (x, y) if x != y => out.push(format!("{at}: {x} != {y}")),
        _ => {}
    }
}

fn assert_lossless(decoded: &impl serde::Serialize, recorded: &Value) {
    let mut out = Vec::new();
    differences(
        &serde_json::to_value(decoded).unwrap(),
        recorded,
        "",
        &mut out,
    );
    assert!(
        out.is_empty(),
        "re-encoding changed the JSON:\n{}",
        out.join("\n")
    );
}

/// The metadata of a base with one table, `Table1`, whose columns cover every check of
/// written rows; served once (the client caches it).
async fn mount_metadata(server: &MockServer) {
    let metadata = json!({"metadata": {"tables": [{
        "_id": "0000",
        "name": "Table1",
        "views": [],
        "columns": [
            {"key": "0000", "name": "Name", "type": "text"},
            {"key": "a0", "name": "Age", "type": "number"},
            {"key": "a1", "name": "Done", "type": "checkbox"},
            {"key": "a2", "name": "Due", "type": "date", "data": {"format": "YYYY-MM-DD"}},
            {"key": "a3", "name": "Status", "type": "single-select",
             "data": {"options": [{"id": "111111", "name": "Open"}]}},
            {"key": "a5", "name": "Stars", "type": "rate", "data": {"rate_max_number": 3}},
            {"key": "a6", "name": "Total", "type": "formula", "data": {"formula": "1+1"}},
            {"key": "a7", "name": "Owner", "type": "link", "data": {"link_id": "l1"}},
            {"key": "a8", "name": "No", "type": "auto-number", "data": {"format": "0000"}}
        ]
    }]}});
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/metadata/")))
        .respond_with(answer(metadata))
        .expect(1)
        .mount(server)
        .await;
}

fn row(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().expect("a row is an object").clone()
}

#[tokio::test]
async fn ping_and_server_info_need_no_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api2/ping/"))
        .respond_with(answer(json!("pong")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/server-info/"))
        .respond_with(answer(
            json!({"version": "6.2.12", "edition": "enterprise edition", "features": ["x"]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(&server.uri()).unwrap();
    assert_eq!(client.ping().await.unwrap(), "pong");
    let info = client.get_server_info().await.unwrap();
    assert_eq!(info.version, "6.2.12");
    assert_eq!(
        info.extra.get("features"),
        Some(&json!(["x"])),
        "unknown fields are kept"
    );
    for request in server.received_requests().await.unwrap() {
        assert!(
            request.headers.get("authorization").is_none(),
            "no token is sent"
        );
    }
}

#[tokio::test]
async fn login_sends_a_form_and_the_otp_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api2/auth-token/"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(header("x-seafile-otp", "123456"))
        .and(body_string("username=me%40example.com&password=p%26ss"))
        .respond_with(answer(json!({"token": "account-token-1"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api2/auth/ping/"))
        .and(header("authorization", "Bearer account-token-1"))
        .respond_with(answer(json!("pong")))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(&server.uri()).unwrap();
    let account = client
        .login_with_otp("me@example.com", "p&ss", "123456")
        .await
        .unwrap();
    assert_eq!(account.ping_with_account_token().await.unwrap(), "pong");
    assert!(
        !format!("{account:?}").contains("account-token-1"),
        "Debug hides the token"
    );
}

#[tokio::test]
async fn login_decodes_the_recorded_answer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api2/auth-token/"))
        .respond_with(answer(recorded("login")))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(&server.uri()).unwrap();
    let token = client.get_account_token("u", "p").await.unwrap();
    assert_eq!(token.token.expose_secret(), "str");
    assert!(server.received_requests().await.unwrap()[0]
        .headers
        .get("x-seafile-otp")
        .is_none());
}

#[tokio::test]
async fn api_token_is_exchanged_for_a_base_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-access-token/"))
        .and(header("authorization", "Bearer api-token-1"))
        .and(query_param("exp", "5h"))
        .respond_with(answer(recorded("getBaseToken")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-access-token/"))
        .and(header("authorization", "Bearer api-token-1"))
        .respond_with(answer(
            json!({"access_token": "base-jwt", "dtable_uuid": UUID}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/metadata/")))
        .and(header("authorization", "Bearer base-jwt"))
        .respond_with(answer(recorded("getMetadata")))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(&server.uri()).unwrap();
    let access = client
        .with_api_token("api-token-1")
        .get_base_token()
        .exp("5h")
        .await
        .unwrap();
    assert_eq!(
        (access.use_api_gateway, access.workspace_id),
        (Some(true), Some(1))
    );
    let base = client.base_with_api_token("api-token-1").await.unwrap();
    assert_eq!(base.base_uuid(), UUID);
    base.get_metadata().await.unwrap();
}

#[tokio::test]
async fn a_server_without_the_api_gateway_is_refused_with_its_cause_before_any_base_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-access-token/"))
        .respond_with(answer(json!({
            "access_token": "base-jwt", "dtable_uuid": UUID, "use_api_gateway": false,
            "dtable_server": "https://old.example/dtable-server/"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(&server.uri()).unwrap();
    let e = client.base_with_api_token("api-token-1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedServer);
    assert_eq!(
        e.to_string(),
        "getBaseToken: the server does not offer the API gateway (`use_api_gateway: false`, a \
         SeaTable older than 5.3); this client sends base operations only to \
         `/api-gateway/api/v2/`"
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "nothing was sent after the exchange");
}

#[tokio::test]
async fn account_token_gets_a_base_token_for_a_named_base() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/api/v2.1/workspace/42/dtable/My%20Base%2F2/access-token/",
        ))
        .and(header("authorization", "Bearer account-token-1"))
        .respond_with(answer(
            json!({"access_token": "base-jwt", "dtable_uuid": UUID, "workspace_id": 42}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(&server.uri()).unwrap();
    let base = client
        .with_account_token("account-token-1")
        .base(42, "My Base/2")
        .await
        .unwrap();
    assert_eq!(base.base_uuid(), UUID);
}

#[tokio::test]
async fn metadata_decodes_into_typed_columns_and_back() {
    let server = MockServer::start().await;
    let recorded = recorded("getMetadata");
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/metadata/")))
        .respond_with(answer(recorded.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let metadata = base(&server).get_metadata().await.unwrap();
    let tables = &metadata.metadata.tables;
    assert_eq!(tables[0].name, "Table1");
    let types: Vec<&str> = tables
        .iter()
        .flat_map(|t| t.columns.iter().map(Column::tag))
        .collect();
    assert_eq!(types, ["text", "text", "number"]);
    assert!(
        tables
            .iter()
            .flat_map(|t| &t.columns)
            .all(|c| !matches!(c, Column::Unknown(_))),
        "every recorded column type is known"
    );
    let kinds: Vec<ColumnType> = types.iter().map(|t| ColumnType::from(*t)).collect();
    assert!(kinds.iter().all(|k| !matches!(k, ColumnType::Unknown(_))));
    assert_lossless(&metadata, &recorded);
}

#[tokio::test]
async fn list_rows_sends_its_query_and_keeps_every_cell() {
    let server = MockServer::start().await;
    let recorded = recorded("listRows");
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/")))
        .and(header("authorization", "Bearer base-jwt"))
        .and(query_param("table_name", "Table 1"))
        .and(query_param("view_name", "Default View"))
        .and(query_param("start", "0"))
        .and(query_param("limit", "1000"))
        .and(query_param("convert_keys", "true"))
        .respond_with(answer(recorded.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let page = base(&server)
        .list_rows("Table 1")
        .view_name("Default View")
        .start(0)
        .limit(1000)
        .convert_keys(true)
        .await
        .unwrap();
    assert_eq!(page.rows[0].archived, Some(false));
    assert_eq!(page.rows[0].extra.get("number"), Some(&json!(499.99)));
    assert_lossless(&page, &recorded);
}

#[tokio::test]
async fn get_row_escapes_the_row_id() {
    let server = MockServer::start().await;
    let recorded = recorded("getRow");
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/a%2Fb/")))
        .and(query_param("table_name", "Table1"))
        .respond_with(answer(recorded.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let row = base(&server).get_row("a/b", "Table1").await.unwrap();
    assert_lossless(&row, &recorded);
}

#[tokio::test]
async fn append_update_and_delete_send_their_bodies() {
    let server = MockServer::start().await;
    mount_metadata(&server).await;
    Mock::given(method("POST"))
        .and(path(format!("{GATEWAY}/rows/")))
        .and(header("content-type", "application/json"))
        .and(body_json(
            json!({"table_name": "Table1", "rows": [{"Name": "John Doe"}], "apply_default": true}),
        ))
        .respond_with(answer(recorded("appendRows")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{GATEWAY}/rows/")))
        .and(body_json(
            json!({"table_name": "Table1", "updates": [{"row_id": "r1", "row": {"Age": 31}}]}),
        ))
        .respond_with(answer(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{GATEWAY}/rows/")))
        .and(body_json(
            json!({"table_name": "Table1", "row_ids": ["r1", "r2"]}),
        ))
        .respond_with(answer(json!({"success": true, "deleted_rows": 2})))
        .expect(1)
        .mount(&server)
        .await;
    let base = base(&server);
    let name = json!({"Name": "John Doe"}).as_object().unwrap().clone();
    let added = base
        .append_rows("Table1", [name])
        .apply_default(true)
        .await
        .unwrap();
    assert_eq!((added.inserted_row_count, added.row_ids.len()), (4, 4));
    let age = json!({"Age": 31}).as_object().unwrap().clone();
    let updated = base
        .update_rows(
            "Table1",
            [RowUpdate {
                row_id: "r1".into(),
                row: age,
            }],
        )
        .await
        .unwrap();
    assert!(updated.success);
    let deleted = base.delete_rows("Table1", ["r1", "r2"]).await.unwrap();
    assert_eq!(
        serde_json::to_value(&deleted).unwrap(),
        json!({"success": true, "deleted_rows": 2}),
        "unknown fields survive"
    );
}

#[tokio::test]
async fn sql_sends_parameters_and_decodes_results() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("{GATEWAY}/sql/")))
        .and(body_json(json!({"sql": "select * from Table1 where Age > ?", "parameters": [30], "convert_keys": true})))
        .respond_with(answer(recorded("querySql")))
        .expect(1)
        .mount(&server)
        .await;
    let result = base(&server)
        .query_sql("select * from Table1 where Age > ?")
        .parameters([30])
        .convert_keys(true)
        .await
        .unwrap();
    assert!(!result.results.is_empty());
    assert_eq!(
        result.results[0].extra.get("duration-hours-minutes"),
        Some(&json!(5400))
    );
}

#[tokio::test]
async fn errors_carry_status_message_operation_and_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/nope/")))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"error_msg": "row _id not exits"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/metadata/")))
        .respond_with(ResponseTemplate::new(429))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"rows": "not a list"}"#))
        .mount(&server)
        .await;
    // Without repetitions, so the 429 comes back at once.
    let client = Client::builder(&server.uri())
        .retry_policy(seatable_api::RetryPolicy::none())
        .build()
        .unwrap();
    let base = BaseClient::new(client, UUID, BaseToken::from("base-jwt"));
    let e = base.get_row("nope", "Table1").await.unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.message(), e.operation()),
        (
            ErrorKind::Api,
            Some(404),
            Some("row _id not exits"),
            Some("getRow")
        )
    );
    assert_eq!(e.to_string(), "getRow: HTTP 404: row _id not exits");
    let e = base.get_metadata().await.unwrap_err();
    assert_eq!(
        (e.kind(), e.is_retryable(), e.body(), e.retries()),
        (ErrorKind::RateLimited, true, Some(""), 0)
    );
    let e = base.list_rows("Table1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(
        e.body(),
        Some(r#"{"rows": "not a list"}"#),
        "the body is kept"
    );
    assert_eq!(
        e.to_string(),
        "listRows: response did not match the expected type at line 1 column 21 (rows): \
         invalid type: string \"not a list\", expected a sequence",
        "the message says where decoding failed"
    );
    assert!(!e.to_string().contains("base-jwt"));
}

/// The raw multipart body a mock received, as text (the test files are text).
fn received_body(request: &wiremock::Request) -> String {
    String::from_utf8_lossy(&request.body).into_owned()
}

#[tokio::test]
async fn upload_sends_the_file_under_its_own_name_and_asks_for_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/seafhttp/upload-api/83e701c8-84ba-498c-91b1-ddb3789edb7e",
        ))
        .and(query_param("ret-json", "1"))
        .and(header("authorization", "Bearer api-token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"name": "notes.txt", "id": "abc", "size": 6}])),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(&server.uri()).unwrap();
    let api = client.with_api_token("api-token");
    let stored = api
        .upload_file(
            "83e701c8-84ba-498c-91b1-ddb3789edb7e",
            seatable_api::FileUpload::new("notes.txt", b"hello\n".to_vec()),
            "/asset/650d8a0d-7e27-46a8-8b18-6cc6f3db2057",
            "files/2025-03",
        )
        .replace("1")
        .await
        .unwrap();
    assert_eq!(stored[0].name, "notes.txt");
    let requests = server.received_requests().await.unwrap();
    let body = received_body(&requests[0]);
    assert!(
        body.contains("name=\"file\"; filename=\"notes.txt\""),
        "the part carries the file's name:\n{body}"
    );
    assert!(
        body.contains("Content-Type: application/octet-stream"),
        "{body}"
    );
    assert!(body.contains("hello\n"), "{body}");
    assert!(
        body.contains("name=\"relative_path\"\r\n\r\nfiles/2025-03"),
        "{body}"
    );
}

#[tokio::test]
async fn team_admin_fills_in_its_team_and_repeats_list_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2.1/org/7/admin/groups/12/members/"))
        .and(header("authorization", "Bearer account-token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"success": [], "failed": []})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(&server.uri()).unwrap();
    let team = client.with_account_token("account-token").team_admin(7);
    team.add_group_members(12, ["a@auth.local", "b@auth.local"])
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let body = received_body(&requests[0]);
    assert_eq!(
        body.matches("name=\"email\"").count(),
        2,
        "one part per user id:\n{body}"
    );
    assert!(body.contains("a@auth.local") && body.contains("b@auth.local"));
}

#[tokio::test]
async fn rows_that_seatable_would_mangle_are_refused_before_sending() {
    let server = MockServer::start().await;
    mount_metadata(&server).await;
    Mock::given(method("POST"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(answer(json!({"inserted_row_count": 1, "row_ids": []})))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(answer(json!({"success": true})))
        .expect(0)
        .mount(&server)
        .await;
    let base = base(&server);
    // One case per rule: the row, and the column and words its error must name.
    let cases = [
        (
            json!({"Done": 1}),
            "column `Done`: a checkbox takes true or false",
        ),
        (json!({"Due": "31.02.2025x"}), "column `Due`: "),
        (
            json!({"Status": "Opne"}),
            "column `Status`: `Opne` is not an option",
        ),
        (
            json!({"Stars": 9}),
            "column `Stars`: a rating is a whole number from 0 to 3",
        ),
        (
            json!({"Total": 2}),
            "column `Total`: the server computes `formula` columns",
        ),
        (
            json!({"No": "0001"}),
            "column `No`: the server computes `auto-number` columns",
        ),
        (
            json!({"Owner": ["x"]}),
            "column `Owner`: a link column is not written as a cell",
        ),
        (
            json!({"Agee": 3}),
            "column `Agee`: table `Table1` has no column of that name",
        ),
        (
            json!({"_mtime": "2025-01-01"}),
            "column `_mtime`: a system field",
        ),
    ];
    for (bad, expected) in cases {
        let rows = [row(json!({"Name": "fine"})), row(bad.clone())];
        let e = base.append_rows("Table1", rows).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad}");
        let text = e.to_string();
        assert!(text.contains("nothing was sent"), "{text}");
        assert!(
            text.contains(&format!("row 1, {expected}")),
            "{bad}: {text}"
        );
        let update = RowUpdate {
            row_id: "r1".into(),
            row: row(bad.clone()),
        };
        let e = base.update_rows("Table1", [update]).await.unwrap_err();
        assert!(e.to_string().contains(&format!("row 0, {expected}")), "{e}");
    }
    let e = base
        .append_rows("Tabel1", [row(json!({"Name": "x"}))])
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("the base has no table `Tabel1` (its tables: Table1)"),
        "{e}"
    );
    // Switched off, the same row goes out.
    base.set_check_writes(false);
    server.reset().await;
    Mock::given(method("POST"))
        .and(path(format!("{GATEWAY}/rows/")))
        .and(body_json(
            json!({"table_name": "Table1", "rows": [{"Done": 1}]}),
        ))
        .respond_with(answer(
            json!({"inserted_row_count": 1, "row_ids": [{"_id": "r9"}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    base.append_rows("Table1", [row(json!({"Done": 1}))])
        .await
        .unwrap();
}

#[test]
fn structs_that_keep_unknown_fields_still_check_the_known_ones() {
    use seatable_api::types::Table;
    let table = json!({"_id": "0000", "name": "T", "columns": [], "views": [], "new_field": [1]});
    let decoded: Table = serde_json::from_value(table.clone()).unwrap();
    assert_eq!(decoded.extra.get("new_field"), Some(&json!([1])));
    assert_eq!(serde_json::to_value(&decoded).unwrap(), table);
    let missing = serde_json::from_str::<Table>(r#"{"_id": "0000", "columns": [], "views": []}"#);
    assert_eq!(
        missing.unwrap_err().to_string(),
        "missing field `name` at line 1 column 43"
    );
    let twice = serde_json::from_str::<Table>(
        r#"{"_id": "0000", "_id": "0001", "name": "T", "columns": [], "views": []}"#,
    );
    assert_eq!(
        twice.unwrap_err().to_string(),
        "duplicate field `_id` at line 1 column 21"
    );
    let escaped: Table =
        serde_json::from_str(r#"{"\u005fid": "0000", "name": "T", "columns": [], "views": []}"#)
            .unwrap();
    assert_eq!(escaped.id, "0000", "an escaped key is still a known field");
}

/// The three operations SeaTable's Python SDK calls that its published files lack, shaped
/// as that SDK sends them: filtered rows (a GET with a JSON body), a workflow task (a form
/// with JSON as text, Base-Token, under `/api/v2.1/`), a user's info (API-Token, query).
#[tokio::test]
async fn the_operations_the_official_sdk_adds_are_sent_as_it_sends_them() {
    use seatable_api::base::FilterRowsRequestFilterConjunction;
    use seatable_api::types::RowFilter;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/filtered-rows/")))
        .and(query_param("table_name", "Table1"))
        .and(query_param("view_name", "Open"))
        .and(header("authorization", "Bearer base-jwt"))
        .and(body_json(json!({
            "filters": [{"column_name": "Likes", "filter_predicate": "greater", "filter_term": 10}],
            "filter_conjunction": "Or"
        })))
        .respond_with(answer(
            json!({"rows": [{"_id": "Bko1e60YT-egit2SljWSZA", "Likes": 21}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(
            "/api/v2.1/workflows/2ee1f1ac-8fd1-4ce8-b1f3-f07d3ac27d57/external-task-submit/",
        ))
        .and(header("authorization", "Bearer base-jwt"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(
            "row_data=%7B%22Name%22%3A%22Ada%22%7D&initiator=u%40auth.local&link_rows=%5B%5D&new_linked_rows=%5B%5D",
        ))
        .respond_with(answer(json!({"task": {"id": 17, "row_id": "Bko1e60YT-egit2SljWSZA"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-user-info/"))
        .and(query_param("username", "u@auth.local"))
        .and(header("authorization", "Bearer api-token-1"))
        .respond_with(answer(
            json!({"email": "u@auth.local", "name": "Ada", "id_in_org": ""}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let base = base(&server);
    let filter: RowFilter = serde_json::from_value(
        json!({"column_name": "Likes", "filter_predicate": "greater", "filter_term": 10}),
    )
    .unwrap();
    let rows = base
        .filter_rows("Table1", [filter])
        .view_name("Open")
        .filter_conjunction(FilterRowsRequestFilterConjunction::Or)
        .await
        .unwrap();
    assert_eq!(rows.rows[0].extra["Likes"], 21);
    let task = base
        .submit_workflow_task("2ee1f1ac-8fd1-4ce8-b1f3-f07d3ac27d57")
        .row_data(json!({"Name": "Ada"}).to_string())
        .initiator("u@auth.local")
        .link_rows("[]")
        .new_linked_rows("[]")
        .await
        .unwrap();
    assert_eq!(task.task.id, Some(17));
    let user = Client::new(&server.uri())
        .unwrap()
        .with_api_token("api-token-1")
        .get_app_user_info("u@auth.local")
        .await
        .unwrap();
    assert_eq!(user.name.as_deref(), Some("Ada"));
    assert_eq!(user.extra["id_in_org"], "", "unknown fields are kept");
}
