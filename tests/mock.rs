//! `MockSeaTable` through the real client (and through bare HTTP where the client would
//! refuse or repeat a request): tokens, rows and their limits, structure, links, SQL,
//! files, rate limits, faults and the exchange log.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use seatable_api::base::UpdateColumnRequest;
use seatable_api::testing::{Fault, MockBase, MockSeaTable, Operation};
use seatable_api::types::{ColumnInput, ColumnRename, RowLinksQuery, RowUpdate};
use seatable_api::{AssetSource, Attachment, BaseClient, ErrorKind, FileUpload, RetryPolicy};
use serde_json::{json, Map, Value};

mod support;

use support::spec_check::conforms_to_the_spec;
use support::stand_in::mock_with_base;

fn metadata() -> Value {
    json!({"metadata": {"version": 1, "format_version": 9, "tables": [
        {"_id": "0000", "name": "Contacts",
         "columns": [
            {"key": "0000", "name": "Name", "type": "text"},
            {"key": "Ag01", "name": "Age", "type": "number", "data": {"format": "number", "decimal": "dot", "thousands": "no"}},
            {"key": "Ci02", "name": "City", "type": "text"},
            {"key": "Pr03", "name": "Projects", "type": "link", "data": {"link_id": "Lk01", "table_id": "0000", "other_table_id": "Pj00", "display_column_key": "0000", "is_internal_link": true, "is_multiple": true}}
         ],
         "views": [
            {"_id": "0000", "name": "Default View"},
            {"_id": "Vw01", "name": "By age", "sorts": [{"column_key": "Ag01", "sort_type": "down"}], "hidden_columns": ["Ci02"]}
         ]},
        {"_id": "Pj00", "name": "Projects",
         "columns": [
            {"key": "0000", "name": "Title", "type": "text"},
            {"key": "Cn01", "name": "Contacts", "type": "link", "data": {"link_id": "Lk01", "table_id": "0000", "other_table_id": "Pj00", "display_column_key": "0000", "is_internal_link": true, "is_multiple": true}}
         ],
         "views": [{"_id": "0000", "name": "Default View"}]}
    ]}})
}

async fn setup() -> (MockSeaTable, MockBase, BaseClient) {
    mock_with_base("Team", metadata()).await
}

fn row(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn people(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"Name": format!("P{i:05}"), "Age": i % 90}))
        .collect()
}

/// Bare HTTP, for requests the client refuses to send or would repeat.
struct Raw {
    http: reqwest::Client,
    url: String,
    uuid: String,
    token: String,
}

impl Raw {
    async fn new(mock: &MockSeaTable, base: &MockBase) -> Raw {
        let http = reqwest::Client::new();
        let access: Value = http
            .get(format!("{}/api/v2.1/dtable/app-access-token/", mock.url()))
            .bearer_auth(&base.api_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Raw {
            http,
            url: mock.url(),
            uuid: base.uuid.clone(),
            token: access["access_token"].as_str().unwrap().to_string(),
        }
    }

    fn gateway(&self, op: &str) -> String {
        format!("{}/api-gateway/api/v2/dtables/{}/{op}", self.url, self.uuid)
    }

    async fn send(
        &self,
        method: reqwest::Method,
        op: &str,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let mut request = self
            .http
            .request(method, self.gateway(op))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.bytes().await.unwrap().to_vec())
    }

    async fn json(&self, method: reqwest::Method, op: &str, body: Option<Value>) -> (u16, Value) {
        let (status, _, bytes) = self.send(method, op, body).await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

// ------------------------------------------------------------------ tokens

#[tokio::test]
async fn api_token_exchange_gives_a_jwt_base_token_and_unknown_tokens_get_401() {
    let mock = MockSeaTable::start().await.unwrap();
    let base = mock.add_base("Team", metadata()).unwrap();
    mock.set_token_lifetime(Duration::from_secs(3600));
    let client = mock
        .client()
        .base_with_api_token(base.api_token.as_str())
        .await
        .unwrap();
    assert_eq!(client.base_uuid(), base.uuid);
    let left = client
        .token_expires_at()
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!((3590..=3600).contains(&left.as_secs()), "{left:?}");

    let err = mock
        .client()
        .base_with_api_token("0".repeat(40))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.message(), Some("Invalid token"));

    let http = reqwest::Client::new();
    let answer = http
        .get(format!(
            "{}/api-gateway/api/v2/dtables/{}/metadata/",
            mock.url(),
            base.uuid
        ))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 401);
    assert_eq!(
        answer.json::<Value>().await.unwrap(),
        json!({"detail": "Invalid token"})
    );
    let answer = http
        .get(format!(
            "{}/api/v2.1/dtable/app-access-token/?exp=soon",
            mock.url()
        ))
        .bearer_auth(&base.api_token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    assert_eq!(
        answer.json::<Value>().await.unwrap(),
        json!({"error_msg": "exp soon invalid."})
    );
    conforms_to_the_spec(&mock);
}

#[tokio::test]
async fn an_expired_base_token_gets_403_and_the_client_renews_it_once() {
    let (mock, base, client) = setup().await;
    mock.set_token_lifetime(Duration::from_secs(1));
    let raw = Raw::new(&mock, &base).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, body) = raw.json(reqwest::Method::GET, "metadata/", None).await;
    assert_eq!(
        (status, body),
        (403, json!({"error_msg": "Token expired."}))
    );

    mock.set_token_lifetime(Duration::from_secs(3600));
    mock.expire_base_tokens();
    mock.clear_requests();
    let metadata = client.get_metadata().await.unwrap();
    assert_eq!(metadata.metadata.tables.len(), 2);
    let log: Vec<(Option<Operation>, u16)> = mock
        .requests()
        .iter()
        .map(|e| (e.operation, e.status))
        .collect();
    assert_eq!(
        log,
        [
            (Some(Operation::GetMetadata), 403),
            (Some(Operation::GetBaseToken), 200),
            (Some(Operation::GetMetadata), 200),
        ]
    );
    conforms_to_the_spec(&mock);
}

#[tokio::test]
async fn login_and_the_account_token_route_to_a_base_token() {
    let (mock, base, _) = setup().await;
    mock.add_user("me@example.com", "secret");
    let err = mock
        .client()
        .login("me@example.com", "wrong")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(
        err.message(),
        Some("Unable to login with provided credentials.")
    );

    let account = mock
        .client()
        .login("me@example.com", "secret")
        .await
        .unwrap();
    let through_account = account.base(base.workspace_id, "Team").await.unwrap();
    assert_eq!(through_account.base_uuid(), base.uuid);
    let rows = through_account.list_rows("Contacts").await.unwrap();
    assert!(rows.rows.is_empty());
    let err = account.base(base.workspace_id, "Nope").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.message(), Some("dtable Nope not found."));
    let login = mock
        .requests()
        .into_iter()
        .find(|e| e.operation == Some(Operation::Login))
        .unwrap();
    assert_eq!(
        login.request_body,
        b"username=me%40example.com&password=wrong"
    );
    conforms_to_the_spec(&mock);
}

// ------------------------------------------------------------------ rows

#[tokio::test]
async fn rows_are_appended_listed_read_updated_and_deleted_with_keys_or_names() {
    let (mock, base, client) = setup().await;
    // The client would refuse the unknown column name itself; the server drops it.
    client.set_check_writes(false);
    let appended = client
        .append_rows(
            "Contacts",
            [row(&[
                ("Name", json!("Ada")),
                ("Age", json!(36)),
                ("Unknown", json!(1)),
            ])],
        )
        .await
        .unwrap();
    assert_eq!(appended.inserted_row_count, 1);
    let id = appended.row_ids[0].id.clone();
    assert_eq!(id.len(), 22);
    let first = appended.first_row.unwrap();
    assert_eq!(first.extra["0000"], "Ada");
    assert_eq!(first.extra["Ag01"], 36);
    assert_eq!(first.extra["Ci02"], Value::Null);
    assert_eq!(first.locked, None);

    // By name unless asked for keys, as every official SDK reads rows.
    mock.clear_requests();
    let by_name = client.list_rows("Contacts").await.unwrap().rows;
    assert_eq!(by_name[0].extra["Name"], "Ada");
    assert_eq!(by_name[0].extra["Age"], 36);
    assert_eq!(
        mock.requests()[0].query.as_deref(),
        Some("table_name=Contacts&convert_keys=true")
    );
    let by_key = client
        .list_rows("Contacts")
        .convert_keys(false)
        .await
        .unwrap()
        .rows;
    assert_eq!(
        by_key[0].extra.keys().collect::<Vec<_>>(),
        ["0000", "Ag01", "Ci02", "Pr03"]
    );
    let one = client.get_row(&id, "Contacts").await.unwrap();
    assert_eq!(one.extra["Name"], "Ada");
    let one = client
        .get_row(&id, "Contacts")
        .convert_keys(false)
        .await
        .unwrap();
    assert_eq!(one.extra["0000"], "Ada");
    // The stand-in reads `convert_keys` as Python (`True`), JavaScript (`true`) and forms
    // (`1`) spell it; anything else means keys.
    let raw = Raw::new(&mock, &base).await;
    for (spelling, by_name) in [
        ("True", true),
        ("true", true),
        ("1", true),
        ("false", false),
        ("0", false),
    ] {
        let op = format!("rows/?table_name=Contacts&convert_keys={spelling}");
        let (status, body) = raw.json(reqwest::Method::GET, &op, None).await;
        assert_eq!(status, 200);
        assert_eq!(body["rows"][0].get("Name").is_some(), by_name, "{spelling}");
        let op = format!("rows/{id}/?table_name=Contacts&convert_keys={spelling}");
        let (_, body) = raw.json(reqwest::Method::GET, &op, None).await;
        assert_eq!(body.get("Name").is_some(), by_name, "{spelling}");
    }

    client
        .update_rows(
            "Contacts",
            [RowUpdate {
                row_id: id.clone(),
                row: row(&[("City", json!("London"))]),
            }],
        )
        .await
        .unwrap();
    let one = client
        .get_row(&id, "Contacts")
        .convert_keys(true)
        .await
        .unwrap();
    assert_eq!(one.extra["City"], "London");
    assert_eq!(one.extra["Name"], "Ada");
    assert_eq!(
        mock.rows(&base, "Contacts").unwrap(),
        [json!({"_id": id, "Name": "Ada", "Age": 36, "City": "London"})]
    );

    client.delete_rows("Contacts", [id.clone()]).await.unwrap();
    let err = client.get_row(&id, "Contacts").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.message(), Some("row _id not exits"));
    assert!(mock.rows(&base, "Contacts").unwrap().is_empty());

    let err = client.list_rows("Nowhere").await.unwrap_err();
    assert_eq!(
        (err.status(), err.message()),
        (Some(404), Some("table Nowhere not found"))
    );
    conforms_to_the_spec(&mock);
}

#[tokio::test]
async fn list_rows_pages_by_start_and_limit_and_applies_a_view() {
    let (mock, base, client) = setup().await;
    mock.add_rows(
        &base,
        "Contacts",
        vec![
            json!({"Name": "A", "Age": 30, "City": "X"}),
            json!({"Name": "B", "Age": 50}),
            json!({"Name": "C", "Age": 40}),
        ],
    )
    .unwrap();
    let page = client
        .list_rows("Contacts")
        .start(1)
        .limit(1)
        .convert_keys(true)
        .await
        .unwrap()
        .rows;
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].extra["Name"], "B");
    let view = client
        .list_rows("Contacts")
        .view_name("By age")
        .convert_keys(true)
        .await
        .unwrap()
        .rows;
    let names: Vec<&Value> = view.iter().map(|r| &r.extra["Name"]).collect();
    assert_eq!(names, ["B", "C", "A"]);
    assert!(!view[0].extra.contains_key("City"));
    let err = client
        .list_rows("Contacts")
        .view_name("Missing")
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.message()),
        (Some(404), Some("view Missing not found"))
    );
    conforms_to_the_spec(&mock);
}

#[tokio::test]
async fn row_limits_are_1000_per_page_append_and_update_and_10000_per_delete() {
    let (mock, base, _client) = setup().await;
    let raw = Raw::new(&mock, &base).await;
    let (status, body) = raw
        .json(
            reqwest::Method::POST,
            "rows/",
            Some(json!({"table_name": "Contacts", "rows": people(1001)})),
        )
        .await;
    assert_eq!(
        (status, body),
        (400, json!({"error_message": "rows exceed the limit 1000"}))
    );
    assert!(mock.rows(&base, "Contacts").unwrap().is_empty());
    let (status, body) = raw
        .json(
            reqwest::Method::POST,
            "rows/",
            Some(json!({"table_name": "Contacts", "rows": people(1000)})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["inserted_row_count"], 1000);
    assert_eq!(body["row_ids"].as_array().unwrap().len(), 1000);

    let (status, body) = raw
        .json(
            reqwest::Method::GET,
            "rows/?table_name=Contacts&limit=1001",
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (400, json!({"error_message": "limit invalid"}))
    );
    let (status, body) = raw
        .json(
            reqwest::Method::GET,
            "rows/?table_name=Contacts&limit=1000&start=999",
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["rows"].as_array().unwrap().len(), 1);

    let ids: Vec<String> = mock
        .rows(&base, "Contacts")
        .unwrap()
        .iter()
        .map(|r| r["_id"].as_str().unwrap().to_string())
        .collect();
    let updates = |n: usize| -> Vec<Value> {
        ids.iter()
            .cycle()
            .take(n)
            .map(|id| json!({"row_id": id, "row": {"Age": 700}}))
            .collect()
    };
    let (status, body) = raw
        .json(
            reqwest::Method::PUT,
            "rows/",
            Some(json!({"table_name": "Contacts", "updates": updates(1001)})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error_message": "updates exceed the limit 1000"})
        )
    );
    assert!(mock
        .rows(&base, "Contacts")
        .unwrap()
        .iter()
        .all(|r| r["Age"] != 700));
    let (status, body) = raw
        .json(
            reqwest::Method::PUT,
            "rows/",
            Some(json!({"table_name": "Contacts", "updates": updates(1000)})),
        )
        .await;
    assert_eq!((status, body), (200, json!({"success": true})));
    assert!(mock
        .rows(&base, "Contacts")
        .unwrap()
        .iter()
        .all(|r| r["Age"] == 700));

    let delete = |n: usize| -> Vec<String> {
        ids.iter()
            .cloned()
            .chain((0..).map(|i| format!("missing{i:015}")))
            .take(n)
            .collect()
    };
    let (status, body) = raw
        .json(
            reqwest::Method::DELETE,
            "rows/",
            Some(json!({"table_name": "Contacts", "row_ids": delete(10_001)})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error_message": "row_ids exceed the limit 10000"})
        )
    );
    assert_eq!(mock.rows(&base, "Contacts").unwrap().len(), 1000);
    let (status, body) = raw
        .json(
            reqwest::Method::DELETE,
            "rows/",
            Some(json!({"table_name": "Contacts", "row_ids": delete(10_000)})),
        )
        .await;
    assert_eq!((status, body), (200, json!({"success": true})));
    assert!(mock.rows(&base, "Contacts").unwrap().is_empty());
    conforms_to_the_spec(&mock);
}

#[tokio::test]
async fn malformed_bodies_get_400_in_seatables_shape_and_unimplemented_operations_501() {
    let (mock, base, _client) = setup().await;
    let raw = Raw::new(&mock, &base).await;
    let answer = raw
        .http
        .post(raw.gateway("rows/"))
        .bearer_auth(&raw.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    let body: Value = answer.json().await.unwrap();
    assert!(
        body["error_message"]
            .as_str()
            .unwrap()
            .starts_with("invalid request body: key must be a string"),
        "{body}"
    );
    let (status, body) = raw
        .json(reqwest::Method::POST, "rows/", Some(json!({"rows": []})))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error_message"],
        "invalid request body: missing field `table_name` at line 1 column 11"
    );

    let (status, body) = raw.json(reqwest::Method::GET, "related-users/", None).await;
    assert_eq!(status, 501);
    assert_eq!(
        body,
        json!({"error_message": "MockSeaTable does not implement listCollaborators (GET /api-gateway/api/v2/dtables/{base_uuid}/related-users/)"})
    );
    let answer = raw
        .http
        .get(format!("{}/no/such/path", raw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 404);
    assert_eq!(
        answer.json::<Value>().await.unwrap(),
        json!({"detail": "Not found."})
    );
    conforms_to_the_spec(&mock);
}

// ------------------------------------------------------------------ structure

#[tokio::test]
async fn tables_columns_and_views_are_created_renamed_and_deleted() {
    let (mock, base, client) = setup().await;
    let columns: Vec<ColumnInput> = serde_json::from_value(json!([
        {"column_name": "Title", "column_type": "text"},
        {"column_name": "Budget", "column_type": "number", "column_data": {"format": "euro", "decimal": "comma", "thousands": "dot"}}
    ]))
    .unwrap();
    let table = client.create_table("Tasks").columns(columns).await.unwrap();
    assert_eq!(table.name, "Tasks");
    assert_eq!(table.views[0].name, "Default View");
    let created = serde_json::to_value(&table.columns).unwrap();
    assert_eq!(created[0]["key"], "0000");
    assert_eq!(created[0]["name"], "Title");
    assert_eq!(created[1]["type"], "number");
    assert_eq!(created[1]["data"]["format"], "euro");
    let err = client.create_table("Tasks").await.unwrap_err();
    assert_eq!(
        (err.status(), err.message()),
        (Some(400), Some("table Tasks already exists"))
    );

    let added = client.insert_column("Tasks", "Due", "date").await.unwrap();
    assert_eq!(serde_json::to_value(&added).unwrap()["name"], "Due");
    let more: Vec<ColumnInput> =
        serde_json::from_value(json!([{"column_name": "Done", "column_type": "checkbox"}]))
            .unwrap();
    client.append_columns("Tasks", more).await.unwrap();
    let renamed = client
        .update_column(UpdateColumnRequest::RenameColumn(ColumnRename {
            table_name: "Tasks".into(),
            column: "Due".into(),
            new_column_name: "Deadline".into(),
        }))
        .await
        .unwrap();
    assert_eq!(serde_json::to_value(&renamed).unwrap()["name"], "Deadline");
    client.delete_column("Tasks", "Budget").await.unwrap();
    let names: Vec<Value> = client
        .list_columns("Tasks")
        .await
        .unwrap()
        .columns
        .iter()
        .map(|c| serde_json::to_value(c).unwrap()["name"].clone())
        .collect();
    assert_eq!(names, ["Title", "Deadline", "Done"]);
    let err = client
        .insert_column("Tasks", "Done", "text")
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.message()),
        (Some(400), Some("column Done already exists"))
    );

    let view = client.create_view("Tasks", "Open").await.unwrap();
    assert_eq!(view.name, "Open");
    assert_eq!(view.id.len(), 4);
    let views: Vec<String> = client
        .list_views("Tasks")
        .await
        .unwrap()
        .views
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(views, ["Default View", "Open"]);
    assert_eq!(client.get_view("Open", "Tasks").await.unwrap().id, view.id);
    let err = client.get_view("Closed", "Tasks").await.unwrap_err();
    assert_eq!(
        (err.status(), err.message()),
        (Some(404), Some("view Closed not found"))
    );

    client.rename_table("Tasks", "Todo").await.unwrap();
    let tables: Vec<String> = client
        .get_metadata()
        .await
        .unwrap()
        .metadata
        .tables
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(tables, ["Contacts", "Projects", "Todo"]);
    client.delete_table("Todo").await.unwrap();
    let metadata = mock.metadata(&base).unwrap();
    assert_eq!(metadata["metadata"]["tables"].as_array().unwrap().len(), 2);
    conforms_to_the_spec(&mock);
}

// ------------------------------------------------------------------ links

#[tokio::test]
async fn links_are_added_listed_replaced_and_removed_and_show_in_link_cells() {
    let (mock, base, client) = setup().await;
    let people = mock
        .add_rows(
            &base,
            "Contacts",
            vec![json!({"Name": "Ada"}), json!({"Name": "Bob"})],
        )
        .unwrap();
    let projects = mock
        .add_rows(
            &base,
            "Projects",
            vec![
                json!({"Title": "Engine"}),
                json!({"Title": "Loom"}),
                json!({"Title": "Mill"}),
            ],
        )
        .unwrap();
    let map = |pairs: &[(&String, Vec<&String>)]| -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    };
    client
        .create_row_links(
            "Lk01",
            "0000",
            "Pj00",
            map(&[(&people[0], vec![&projects[0], &projects[1]])]),
        )
        .await
        .unwrap();
    let ada = client
        .get_row(&people[0], "Contacts")
        .convert_keys(true)
        .await
        .unwrap();
    assert_eq!(
        ada.extra["Projects"],
        json!([{"row_id": projects[0], "display_value": "Engine"}, {"row_id": projects[1], "display_value": "Loom"}])
    );
    let engine = client
        .get_row(&projects[0], "Projects")
        .convert_keys(true)
        .await
        .unwrap();
    assert_eq!(
        engine.extra["Contacts"],
        json!([{"row_id": people[0], "display_value": "Ada"}])
    );

    let page = client
        .list_row_links(
            "Contacts",
            "Projects",
            [RowLinksQuery {
                row_id: people[0].clone(),
                offset: Some(1),
                limit: Some(1),
            }],
        )
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&page).unwrap(),
        json!({people[0].clone(): [{"row_id": projects[1], "display_value": "Loom"}]})
    );

    client
        .update_row_links(
            "Lk01",
            "0000",
            "Pj00",
            map(&[(&people[0], vec![&projects[2]])]),
        )
        .await
        .unwrap();
    assert_eq!(
        mock.rows(&base, "Contacts").unwrap()[0]["Projects"],
        json!([projects[2]])
    );
    let removed = client
        .delete_row_links(
            "Lk01",
            "0000",
            "Pj00",
            map(&[(&people[0], vec![&projects[2], &projects[0]])]),
        )
        .await
        .unwrap();
    assert_eq!(removed.deleted_links_count, 2);
    assert_eq!(
        mock.rows(&base, "Contacts").unwrap()[0].get("Projects"),
        None
    );
    let err = client
        .create_row_links(
            "Zz99",
            "0000",
            "Pj00",
            map(&[(&people[1], vec![&projects[0]])]),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.message()),
        (Some(404), Some("link Zz99 not found"))
    );
    conforms_to_the_spec(&mock);
}

// ------------------------------------------------------------------ SQL

async fn sql_rows(
    client: &BaseClient,
    sql: &str,
    parameters: Vec<Value>,
) -> Vec<Map<String, Value>> {
    client
        .query_sql(sql)
        .parameters(parameters)
        .convert_keys(true)
        .await
        .unwrap()
        .results
        .into_iter()
        .map(|r| r.extra.into_map())
        .collect()
}

fn names(rows: &[Map<String, Value>]) -> Vec<String> {
    rows.iter()
        .map(|r| r["Name"].as_str().unwrap_or("-").to_string())
        .collect()
}

#[tokio::test]
async fn sql_where_order_by_limit_offset_and_parameters() {
    let (mock, base, client) = setup().await;
    mock.add_rows(
        &base,
        "Contacts",
        vec![
            json!({"Name": "Ada", "Age": 36, "City": "London"}),
            json!({"Name": "Bob", "Age": 25, "City": "Paris"}),
            json!({"Name": "Cy", "Age": 36, "City": "Berlin"}),
            json!({"Name": "Di", "Age": 52}),
            json!({"Name": "Ed", "Age": 25, "City": ""}),
        ],
    )
    .unwrap();
    let q = |sql: &'static str, p: Vec<Value>| {
        let client = &client;
        async move { names(&sql_rows(client, sql, p).await) }
    };
    assert_eq!(
        q("SELECT Name FROM Contacts WHERE Age = 36", vec![]).await,
        ["Ada", "Cy"]
    );
    assert_eq!(
        q("SELECT Name FROM Contacts WHERE Age != 36", vec![]).await,
        ["Bob", "Di", "Ed"]
    );
    assert_eq!(
        q(
            "SELECT Name FROM Contacts WHERE Age <> 36 AND Age < 30",
            vec![]
        )
        .await,
        ["Bob", "Ed"]
    );
    assert_eq!(
        q(
            "SELECT Name FROM Contacts WHERE Age > 36 OR Name = 'Ada'",
            vec![]
        )
        .await,
        ["Ada", "Di"]
    );
    assert_eq!(
        q(
            "SELECT Name FROM Contacts WHERE Age >= 36 AND NOT (City = 'Berlin')",
            vec![]
        )
        .await,
        ["Ada"]
    );
    assert_eq!(
        q("SELECT Name FROM Contacts WHERE Age <= 25", vec![]).await,
        ["Bob", "Ed"]
    );
    assert_eq!(
        q(
            "SELECT Name FROM Contacts WHERE City IN ('Paris', 'Berlin')",
            vec![]
        )
        .await,
        ["Bob", "Cy"]
    );
    assert_eq!(
        q("SELECT Name FROM Contacts WHERE City LIKE '%on%'", vec![]).await,
        ["Ada"]
    );
    // Empty strings count as NULL.
    assert_eq!(
        q("SELECT Name FROM Contacts WHERE City IS NULL", vec![]).await,
        ["Di", "Ed"]
    );
    assert_eq!(
        q("SELECT Name FROM Contacts WHERE City IS NOT NULL", vec![]).await,
        ["Ada", "Bob", "Cy"]
    );
    assert_eq!(
        q(
            "SELECT Name FROM Contacts ORDER BY Age DESC, Name ASC",
            vec![]
        )
        .await,
        ["Di", "Ada", "Cy", "Bob", "Ed"]
    );
    assert_eq!(
        q(
            "SELECT Name FROM Contacts ORDER BY Age, Name DESC LIMIT 2 OFFSET 1",
            vec![]
        )
        .await,
        ["Bob", "Cy"]
    );
    assert_eq!(
        q(
            "SELECT Name FROM Contacts WHERE Age > ? AND City != ? ORDER BY Name LIMIT ? OFFSET ?",
            vec![json!(30), json!("Paris"), json!(5), json!(1)]
        )
        .await,
        ["Cy"]
    );
    assert_eq!(
        q(
            "SELECT `Name` FROM `Contacts` WHERE `Name` = ?",
            vec![json!("Bob")]
        )
        .await,
        ["Bob"]
    );

    let answer = client
        .query_sql("SELECT Name AS who, Age FROM Contacts WHERE Name = 'Ada'")
        .convert_keys(true)
        .await
        .unwrap();
    assert_eq!(answer.results.len(), 1);
    assert_eq!(
        answer.results[0].extra,
        row(&[("who", json!("Ada")), ("Age", json!(36))])
    );
    assert!(answer.results[0].id.is_some());
    let columns = serde_json::to_value(&answer.metadata).unwrap();
    assert_eq!(
        columns,
        json!([
            {"key": "0000", "name": "who", "type": "text"},
            {"key": "Ag01", "name": "Age", "type": "number", "data": {"format": "number", "decimal": "dot", "thousands": "no"}}
        ])
    );
    let by_key = client
        .query_sql("SELECT Name FROM Contacts LIMIT 1")
        .convert_keys(false)
        .await
        .unwrap();
    assert_eq!(by_key.results[0].extra, row(&[("0000", json!("Ada"))]));
    conforms_to_the_spec(&mock);
}

#[tokio::test]
async fn sql_returns_100_rows_without_limit_and_never_more_than_10000() {
    let (mock, base, client) = setup().await;
    for chunk in people(10_050).chunks(5000) {
        mock.add_rows(&base, "Contacts", chunk.to_vec()).unwrap();
    }
    let count = |sql: &'static str| {
        let client = &client;
        async move { client.query_sql(sql).await.unwrap().results.len() }
    };
    assert_eq!(count("SELECT Name FROM Contacts").await, 100);
    assert_eq!(count("SELECT * FROM Contacts LIMIT 20000").await, 10_000);
    assert_eq!(
        count("SELECT Name FROM Contacts LIMIT 10000 OFFSET 10000").await,
        50
    );
    assert_eq!(count("SELECT Name FROM Contacts LIMIT 0").await, 0);
    conforms_to_the_spec(&mock);
}

#[tokio::test]
async fn unsupported_or_wrong_sql_gets_400_with_a_clear_message() {
    let (_mock, _base, client) = setup().await;
    let fails = |sql: &'static str, parameters: Vec<Value>| {
        let client = &client;
        async move {
            let err = client
                .query_sql(sql)
                .parameters(parameters)
                .await
                .unwrap_err();
            assert_eq!(err.status(), Some(400), "{sql}");
            err.message().unwrap_or_default().to_string()
        }
    };
    assert_eq!(
        fails("SELECT Name FROM Nowhere", vec![]).await,
        "no such table: Nowhere"
    );
    assert_eq!(
        fails("SELECT Height FROM Contacts", vec![]).await,
        "no such column: Height"
    );
    assert_eq!(
        fails(
            "SELECT a.Name FROM Contacts a JOIN Projects b ON a.Name = b.Title",
            vec![]
        )
        .await,
        "MockSeaTable does not support JOIN in SQL"
    );
    assert_eq!(
        fails("SELECT COUNT(*) FROM Contacts", vec![]).await,
        "MockSeaTable does not support the selected expression `COUNT(*)` in SQL"
    );
    assert_eq!(
        fails("UPDATE Contacts SET Age = 1", vec![]).await,
        "MockSeaTable does not support statements other than SELECT in SQL"
    );
    assert_eq!(
        fails("SELECT Name FROM Contacts WHERE Age > ?", vec![]).await,
        "the statement has more `?` placeholders than the 0 parameters given"
    );
    assert_eq!(
        fails("SELECT Name FROM Contacts", vec![json!(1)]).await,
        "the statement has 0 `?` placeholders but 1 parameters were given"
    );
    assert!(fails("SELEC Name", vec![])
        .await
        .starts_with("SQL syntax error: "));
}

// ------------------------------------------------------------------ files

#[tokio::test]
async fn an_uploaded_file_downloads_as_the_same_bytes_and_same_names_are_numbered() {
    let (mock, base, _client) = setup().await;
    let api = mock.client().with_api_token(base.api_token.as_str());
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let first = api
        .upload_attachment(FileUpload::new("data.bin", bytes.clone()), Attachment::File)
        .await
        .unwrap();
    assert_eq!(first.name(), "data.bin");
    assert_eq!(first.size(), 70_000);
    let second = api
        .upload_attachment(
            FileUpload::new("data.bin", b"two".to_vec()),
            Attachment::File,
        )
        .await
        .unwrap();
    assert_eq!(second.name(), "data (1).bin");

    let mut downloaded = Vec::new();
    let n = api
        .download_to_writer(AssetSource::path(first.asset_path()), &mut downloaded)
        .await
        .unwrap();
    assert_eq!(n, 70_000);
    assert_eq!(downloaded, bytes);
    assert_eq!(mock.file(&base, second.asset_path()).unwrap(), b"two");

    let err = api
        .download_to_writer(
            AssetSource::path("/files/2020-01/none.txt"),
            &mut Vec::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.message()),
        (Some(404), Some("path /files/2020-01/none.txt not found."))
    );
    let upload = mock
        .requests()
        .into_iter()
        .find(|e| e.operation == Some(Operation::UploadFile))
        .unwrap();
    assert_eq!(upload.status, 200);
    assert_eq!(upload.query.as_deref(), Some("ret-json=1"));
    conforms_to_the_spec(&mock);
}

// ------------------------------------------------------------------ rate limits and faults

#[tokio::test]
async fn the_rate_limit_answers_429_with_an_empty_body_and_headers_on_every_gateway_answer() {
    let (mock, base, _client) = setup().await;
    mock.set_rate_limit(Some(3));
    let raw = Raw::new(&mock, &base).await;
    for remaining in ["2", "1", "0"] {
        let (status, headers, _) = raw.send(reqwest::Method::GET, "metadata/", None).await;
        assert_eq!(status, 200);
        assert_eq!(headers["x-ratelimit-limit"], "3");
        assert_eq!(headers["x-ratelimit-remaining"], remaining);
        let reset: u64 = headers["x-ratelimit-reset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!((now + 59..=now + 61).contains(&reset), "{reset} vs {now}");
    }
    let (status, headers, body) = raw.send(reqwest::Method::GET, "metadata/", None).await;
    assert_eq!(status, 429);
    assert!(body.is_empty());
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    mock.set_rate_limit(None);
    let (status, headers, _) = raw.send(reqwest::Method::GET, "metadata/", None).await;
    assert_eq!(status, 200);
    assert!(headers.get("x-ratelimit-limit").is_none());
    conforms_to_the_spec(&mock);
}

#[tokio::test]
async fn the_client_waits_out_an_injected_429_and_then_succeeds() {
    let (mock, _base, client) = setup().await;
    mock.inject(Fault::status(Operation::ListRows, 429));
    mock.clear_requests();
    let started = Instant::now();
    client.list_rows("Contacts").await.unwrap();
    let log: Vec<(u16, bool)> = mock
        .requests()
        .iter()
        .map(|e| (e.status, e.response_body.is_empty()))
        .collect();
    assert_eq!(log, [(429, true), (200, false)]);
    assert_eq!(
        mock.requests()[0].response_header("x-ratelimit-remaining"),
        Some("0")
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn faults_fire_on_the_nth_request_with_or_without_processing_and_delays_wait() {
    let (mock, base, client) = setup().await;
    let raw = Raw::new(&mock, &base).await;
    let append = |name: &str| Some(json!({"table_name": "Contacts", "rows": [{"Name": name}]}));
    mock.inject(Fault::status(Operation::AppendRows, 503).nth(2));
    assert_eq!(
        raw.json(reqwest::Method::POST, "rows/", append("one"))
            .await
            .0,
        200
    );
    let (status, body) = raw
        .json(reqwest::Method::POST, "rows/", append("two"))
        .await;
    assert_eq!(
        (status, body),
        (503, json!({"error_message": "injected fault: 503"}))
    );
    assert_eq!(
        raw.json(reqwest::Method::POST, "rows/", append("three"))
            .await
            .0,
        200
    );
    let stored: Vec<Value> = mock
        .rows(&base, "Contacts")
        .unwrap()
        .iter()
        .map(|r| r["Name"].clone())
        .collect();
    assert_eq!(stored, ["one", "three"]);

    mock.inject(Fault::status(Operation::AppendRows, 502).after_processing());
    assert_eq!(
        raw.json(reqwest::Method::POST, "rows/", append("four"))
            .await
            .0,
        502
    );
    assert_eq!(mock.rows(&base, "Contacts").unwrap().len(), 3);

    mock.inject(Fault::delay(
        Operation::GetMetadata,
        Duration::from_millis(300),
    ));
    let started = Instant::now();
    client.get_metadata().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));

    mock.inject(Fault::status(Operation::GetMetadata, 500).always());
    let strict = seatable_api::Client::builder(&mock.url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let strict = strict
        .base_with_api_token(base.api_token.as_str())
        .await
        .unwrap();
    for _ in 0..2 {
        let err = strict.get_metadata().await.unwrap_err();
        assert_eq!((err.kind(), err.status()), (ErrorKind::Api, Some(500)));
    }
    mock.clear_faults();
    strict.get_metadata().await.unwrap();
}

#[tokio::test]
async fn the_exchange_log_records_requests_and_answers() {
    let (mock, _base, client) = setup().await;
    mock.clear_requests();
    client
        .append_rows("Contacts", [row(&[("Name", json!("Ada"))])])
        .await
        .unwrap();
    let log = mock.requests();
    // The client reads the structure to check the row before it sends it.
    let operations: Vec<Option<Operation>> = log.iter().map(|e| e.operation).collect();
    assert_eq!(
        operations,
        [Some(Operation::GetMetadata), Some(Operation::AppendRows)]
    );
    let exchange = &log[1];
    assert_eq!(exchange.operation, Some(Operation::AppendRows));
    assert_eq!(exchange.method, "POST");
    assert_eq!(
        exchange.path,
        format!("/api-gateway/api/v2/dtables/{}/rows/", client.base_uuid())
    );
    assert_eq!(exchange.query, None);
    assert_eq!(exchange.status, 200);
    let sent: Value = serde_json::from_slice(&exchange.request_body).unwrap();
    assert_eq!(
        sent,
        json!({"table_name": "Contacts", "rows": [{"Name": "Ada"}]})
    );
    let answered = exchange.response_json().unwrap();
    assert_eq!(answered["inserted_row_count"], 1);
    assert_eq!(
        exchange.response_header("content-type"),
        Some("application/json")
    );
    assert!(exchange
        .request_headers
        .iter()
        .any(|(n, v)| n == "authorization" && v.starts_with("Bearer ")));
    conforms_to_the_spec(&mock);
}

#[tokio::test]
async fn a_select_is_repeated_after_an_unknown_outcome_and_other_sql_is_not() {
    let (mock, base, client) = setup().await;
    mock.add_rows(&base, "Contacts", people(25)).unwrap();
    let sql_statuses = |mock: &MockSeaTable| -> Vec<u16> {
        mock.requests()
            .iter()
            .filter(|e| e.operation == Some(Operation::QuerySql))
            .map(|e| e.status)
            .collect()
    };

    // A 502 after the server ran it: a SELECT changed nothing, so it is sent again.
    mock.inject(Fault::status(Operation::QuerySql, 502).after_processing());
    let rows = client
        .query_sql("SELECT Name FROM Contacts")
        .await
        .unwrap()
        .results;
    assert_eq!(rows.len(), 25);
    assert_eq!(sql_statuses(&mock), [502, 200]);

    // The same for a page of a stream: the 2nd page fails once and is fetched again.
    mock.clear_requests();
    mock.inject(Fault::status(Operation::QuerySql, 504).nth(2));
    let streamed = client
        .query_sql("SELECT Name FROM Contacts ORDER BY Name")
        .page_size(10)
        .all()
        .await
        .unwrap();
    assert_eq!(streamed.len(), 25);
    assert_eq!(sql_statuses(&mock), [200, 504, 200, 200]);

    // Pages are cut from one total order (the stream adds `ORDER BY _id`, or `, _id`
    // after an order of its own): every row once, whatever the page size.
    for statement in [
        "SELECT _id FROM Contacts",
        "SELECT _id FROM Contacts ORDER BY City",
    ] {
        let mut ids: Vec<String> = client
            .query_sql(statement)
            .page_size(4)
            .all()
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.id.expect("_id selected"))
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 25, "{statement}");
    }

    // Anything but a SELECT may have written: the error says so and nothing is repeated.
    mock.clear_requests();
    mock.inject(Fault::status(Operation::QuerySql, 502));
    let err = client
        .query_sql("UPDATE Contacts SET Age = 1")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.applied(), seatable_api::Applied::Maybe);
    assert_eq!(sql_statuses(&mock), [502]);
}

/// How many times the client loaded the metadata since the log was cleared.
fn metadata_loads(mock: &MockSeaTable) -> usize {
    mock.requests()
        .iter()
        .filter(|e| e.operation == Some(Operation::GetMetadata))
        .count()
}

#[tokio::test]
async fn a_column_added_in_the_browser_meanwhile_is_found_by_one_reload_before_anything_is_refused()
{
    let (mock, base, client) = setup().await;
    // The metadata is cached before someone else changes the base.
    let contacts = client.table("Contacts").await.unwrap();
    assert_eq!(contacts.columns.len(), 4);
    let editor = mock
        .client()
        .base_with_api_token(base.api_token.as_str())
        .await
        .unwrap();
    editor
        .insert_column("Contacts", "Email", "email")
        .await
        .unwrap();
    editor.create_table("Notes").await.unwrap();
    mock.clear_requests();

    client
        .append_rows(
            "Contacts",
            [row(&[
                ("Name", json!("Ada")),
                ("Email", json!("ada@example.com")),
            ])],
        )
        .await
        .unwrap();
    assert_eq!(
        metadata_loads(&mock),
        1,
        "one reload, then the row went out"
    );
    assert_eq!(
        mock.rows(&base, "Contacts").unwrap()[0]["Email"],
        "ada@example.com"
    );

    // Known now: no reload. A table that came with the reload: none either.
    mock.clear_requests();
    let email = client.column("Contacts", "Email").await.unwrap();
    assert_eq!(email.tag(), "email");
    assert_eq!(client.table("Notes").await.unwrap().name, "Notes");
    assert_eq!(metadata_loads(&mock), 0);

    // A true miss: one reload, then an error naming what and where.
    let e = client.column("Contacts", "Phone").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        e.to_string(),
        "table `Contacts` has no column `Phone` (its columns: Name, Age, City, Projects, Email)"
    );
    assert_eq!(metadata_loads(&mock), 1);
    let e = client.view("Contacts", "Open").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "table `Contacts` has no view `Open` (its views: Default View, By age)"
    );
    let e = client.table("Contact").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "the base has no table `Contact` (its tables: Contacts, Projects, Notes)"
    );
    assert_eq!(
        client.view("Contacts", "Vw01").await.unwrap().name,
        "By age"
    );
    let numbers = client
        .columns_of_type("Contacts", seatable_api::types::ColumnType::Number)
        .await
        .unwrap();
    let names: Vec<_> = numbers.iter().map(|c| c.name().unwrap()).collect();
    assert_eq!(names, ["Age"]);

    // A write that names a column nobody added: refused after one reload, nothing sent.
    mock.clear_requests();
    let e = client
        .append_rows("Contacts", [row(&[("Phone", json!("123"))])])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(
        e.to_string()
            .contains("row 0, column `Phone`: table `Contacts` has no column of that name"),
        "{e}"
    );
    let operations: Vec<_> = mock.requests().iter().map(|e| e.operation).collect();
    assert_eq!(operations, [Some(Operation::GetMetadata)]);
    // A value for a link column cannot be cured by newer metadata: refused, no reload.
    mock.clear_requests();
    let e = client
        .append_rows("Contacts", [row(&[("Projects", json!(["x"]))])])
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("a link column is not written as a cell"),
        "{e}"
    );
    assert!(mock.requests().is_empty(), "no reload, nothing sent");
}

#[tokio::test]
async fn a_base_opened_from_an_account_uploads_and_downloads_with_a_temporary_api_token() {
    let (mock, base, _) = setup().await;
    mock.add_user("me@example.com", "secret");
    let account = mock
        .client()
        .login("me@example.com", "secret")
        .await
        .unwrap();
    mock.clear_requests();
    let files = account
        .api_token_client(base.workspace_id, "Team")
        .await
        .unwrap();
    let stored = files
        .upload_attachment(
            FileUpload::new("notes.txt", b"hello".to_vec()),
            Attachment::File,
        )
        .await
        .unwrap();
    let mut downloaded = Vec::new();
    // By the cell URL: the temporary token names its base, so no exchange is needed.
    files
        .download_to_writer(AssetSource::url(stored.url()), &mut downloaded)
        .await
        .unwrap();
    assert_eq!(downloaded, b"hello");
    let operations: Vec<Option<Operation>> = mock.requests().iter().map(|e| e.operation).collect();
    assert_eq!(
        operations,
        [
            Some(Operation::CreateTempApiToken),
            Some(Operation::GetUploadLink),
            Some(Operation::UploadFile),
            Some(Operation::GetFileDownloadLink),
            None, // the download of the link itself
        ]
    );
    // The temporary token also opens the base, as an API-Token does.
    let opened = files.base().await.unwrap();
    assert_eq!(opened.base_uuid(), base.uuid);
    let err = account
        .api_token_client(base.workspace_id, "Nope")
        .await
        .unwrap_err();
    assert_eq!(err.message(), Some("dtable Nope not found."));
    conforms_to_the_spec(&mock);
}

#[tokio::test]
async fn list_rows_sorts_by_order_by_and_direction_when_paged_and_sends_both() {
    use seatable_api::base::ListRowsDirection;
    let (mock, base, client) = setup().await;
    mock.add_rows(
        &base,
        "Contacts",
        (0..7)
            .map(|i| json!({"Name": format!("P{i}"), "Age": (i * 3) % 7}))
            .collect(),
    )
    .unwrap();
    let names = |rows: &[seatable_api::types::Row]| -> Vec<String> {
        rows.iter()
            .map(|r| r.extra["Name"].as_str().unwrap().to_string())
            .collect()
    };
    mock.clear_requests();
    let page = client
        .list_rows("Contacts")
        .order_by("Age")
        .direction(ListRowsDirection::Descending)
        .start(0)
        .limit(3)
        .convert_keys(true)
        .await
        .unwrap()
        .rows;
    // Ages 0,3,6,2,5,1,4 for P0…P6: the three oldest first.
    assert_eq!(names(&page), ["P2", "P4", "P6"]);
    let query = mock.requests()[0].query.clone().unwrap();
    assert!(
        query.contains("order_by=Age") && query.contains("direction=desc"),
        "{query}"
    );
    // Every page of the stream is cut from the same order.
    let all = client
        .list_rows("Contacts")
        .order_by("Age")
        .convert_keys(true)
        .limit(2)
        .all()
        .await
        .unwrap();
    assert_eq!(names(&all), ["P0", "P5", "P3", "P1", "P6", "P4", "P2"]);
    // Without `start` and `limit` SeaTable ignores the order, and so does the stand-in.
    let unpaged = client
        .list_rows("Contacts")
        .order_by("Age")
        .convert_keys(true)
        .await
        .unwrap()
        .rows;
    assert_eq!(names(&unpaged), ["P0", "P1", "P2", "P3", "P4", "P5", "P6"]);
    conforms_to_the_spec(&mock);
}

#[tokio::test]
async fn filter_rows_keeps_the_rows_that_meet_the_conditions() {
    use seatable_api::base::FilterRowsRequestFilterConjunction;
    use seatable_api::types::RowFilter;
    let (mock, base, client) = setup().await;
    mock.add_rows(
        &base,
        "Contacts",
        vec![
            json!({"Name": "Ada", "Age": 36, "City": "London"}),
            json!({"Name": "Grace", "Age": 85}),
            json!({"Name": "Alan", "Age": 41, "City": "Wilmslow"}),
        ],
    )
    .unwrap();
    let filter = |v: Value| -> RowFilter { serde_json::from_value(v).unwrap() };
    let names = |rows: &[seatable_api::types::Row]| -> Vec<String> {
        rows.iter()
            .map(|r| r.extra["Name"].as_str().unwrap().to_string())
            .collect()
    };
    let older = client
        .filter_rows(
            "Contacts",
            [
                filter(
                    json!({"column_name": "Age", "filter_predicate": "greater", "filter_term": 40}),
                ),
                filter(json!({"column_name": "City", "filter_predicate": "is_not_empty"})),
            ],
        )
        .await
        .unwrap();
    assert_eq!(names(&older.rows), ["Alan"]);
    let either = client
        .filter_rows(
            "Contacts",
            [
                filter(json!({"column_name": "Name", "filter_predicate": "contains", "filter_term": "gr"})),
                filter(json!({"column_name": "City", "filter_predicate": "is", "filter_term": "London"})),
            ],
        )
        .filter_conjunction(FilterRowsRequestFilterConjunction::Or)
        .view_name("By age")
        .await
        .unwrap();
    assert_eq!(names(&either.rows), ["Ada", "Grace"]);
    assert!(
        !either.rows[0].extra.contains_key("City"),
        "the view hides City"
    );
    let e = client
        .filter_rows(
            "Contacts",
            [filter(
                json!({"column_name": "Nope", "filter_predicate": "is", "filter_term": 1}),
            )],
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.status(), e.message()),
        (Some(400), Some("column Nope not found"))
    );
    conforms_to_the_spec(&mock);
}
