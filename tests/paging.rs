//! Paging streams (`x-paginate`) against a server on 127.0.0.1: the exact sequence of
//! requests of each style (offset, page, sql), where they stop, what happens with a server
//! that does not page, which SQL statements are refused before anything is sent, and how a
//! possibly truncated plain SQL answer is reported.

mod support;

use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use seatable_api::{Client, ErrorKind, Truncation};
use serde_json::{json, Value};
use support::wiremock_base::{answer, base, UUID};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request};

const ROWS: &str = "/api-gateway/api/v2/dtables/650d8a0d-7e27-46a8-8b18-6cc6f3db2057/rows/";
const SQL: &str = "/api-gateway/api/v2/dtables/650d8a0d-7e27-46a8-8b18-6cc6f3db2057/sql/";

/// A query parameter of a received request as a number.
fn number(request: &Request, name: &str) -> u64 {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no `{name}` in {}", request.url))
        .1
        .parse()
        .unwrap()
}

fn query(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The (start, limit) or (page, per_page) of every request the server received, in order.
async fn positions(server: &MockServer, a: &str, b: &str) -> Vec<(u64, u64)> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| (number(r, a), number(r, b)))
        .collect()
}

fn rows(ids: impl Iterator<Item = u64>) -> Value {
    Value::Array(ids.map(|i| json!({"_id": format!("r{i}")})).collect())
}

/// A table of `total` rows behind `listRows`, answered by `start` and `limit`.
async fn table(server: &MockServer, total: u64) {
    Mock::given(method("GET"))
        .and(path(ROWS))
        .respond_with(move |r: &Request| {
            let (start, limit) = (number(r, "start"), number(r, "limit"));
            let end = (start + limit).min(total);
            answer(json!({"rows": rows(start.min(end)..end)}))
        })
        .mount(server)
        .await;
}

#[tokio::test]
async fn offset_pages_follow_start_and_limit_until_a_short_page() {
    let server = MockServer::start().await;
    table(&server, 15).await;
    let client = base(&server);
    let mut stream = client
        .list_rows("Projects")
        .view_name("Open")
        .start(10)
        .limit(2)
        .stream();
    let mut ids = Vec::new();
    while let Some(row) = stream.next().await {
        ids.push(row.unwrap().id.unwrap());
    }
    assert_eq!(ids, ["r10", "r11", "r12", "r13", "r14"]);
    assert_eq!(
        positions(&server, "start", "limit").await,
        [(10, 2), (12, 2), (14, 2)]
    );
    for r in server.received_requests().await.unwrap() {
        assert_eq!(query(&r, "table_name").as_deref(), Some("Projects"));
        assert_eq!(query(&r, "view_name").as_deref(), Some("Open"));
    }
}

#[tokio::test]
async fn offset_pages_default_to_start_0_and_the_largest_page() {
    let server = MockServer::start().await;
    table(&server, 2000).await;
    let all = base(&server).list_rows("Projects").all().await.unwrap();
    assert_eq!(all.len(), 2000);
    assert_eq!(all[1999].id.as_deref(), Some("r1999"));
    // Two full pages, then an empty one ends it.
    assert_eq!(
        positions(&server, "start", "limit").await,
        [(0, 1000), (1000, 1000), (2000, 1000)]
    );

    // A page size above the server's maximum is lowered to it: asking for 5000 and
    // getting 1000 must not look like the last page.
    let server = MockServer::start().await;
    table(&server, 1500).await;
    let all = base(&server)
        .list_rows("Projects")
        .limit(5000)
        .all()
        .await
        .unwrap();
    assert_eq!(all.len(), 1500);
    assert_eq!(
        positions(&server, "start", "limit").await,
        [(0, 1000), (1000, 1000)]
    );
}

#[tokio::test]
async fn a_server_that_ignores_the_offset_ends_the_stream_with_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ROWS))
        .respond_with(answer(json!({"rows": rows(0..2)})))
        .mount(&server)
        .await;
    let client = base(&server);
    let mut stream = client.list_rows("Projects").limit(2).stream();
    let mut seen = Vec::new();
    let error = loop {
        match stream.next().await {
            Some(Ok(row)) => seen.push(row.id.unwrap()),
            Some(Err(e)) => break e,
            None => panic!("the stream must not end normally"),
        }
    };
    assert_eq!(seen, ["r0", "r1"], "the first page is good");
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(
        error.to_string(),
        "listRows: the server does not page: it answered the same 2 items again for the page \
         at 2; stopped to avoid reading the same items forever"
    );
    assert!(stream.next().await.is_none(), "nothing after the error");
    assert_eq!(positions(&server, "start", "limit").await, [(0, 2), (2, 2)]);
}

#[tokio::test]
async fn a_page_larger_than_asked_for_is_an_error_before_any_of_its_items() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ROWS))
        .respond_with(answer(json!({"rows": rows(0..3)})))
        .mount(&server)
        .await;
    let e = base(&server)
        .list_rows("Projects")
        .limit(2)
        .all()
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "listRows: the server does not page: it answered 3 items for a page of 2; stopped to \
         avoid reading the same items forever"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn bad_paging_settings_are_refused_before_sending() {
    let server = MockServer::start().await;
    let client = base(&server);
    let e = client
        .list_rows("Projects")
        .start(-1)
        .all()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        e.to_string(),
        "listRows: `start` must be at least 0 to page, not -1; nothing was sent"
    );
    let e = client
        .list_rows("Projects")
        .limit(0)
        .all()
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "listRows: `limit` must be at least 1 to page, not 0; nothing was sent"
    );
    let e = client
        .list_big_data_operations()
        .page(0)
        .all()
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "listBigDataOperations: `page` must be at least 1 to page, not 0; nothing was sent"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A page-style list of `total` items under `route`, answered by `page` and `per_page`,
/// each item made by `item`.
async fn numbered_list(
    server: &MockServer,
    route: &str,
    key: &'static str,
    total: u64,
    item: fn(u64) -> Value,
) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(move |r: &Request| {
            let (page, per_page) = (number(r, "page"), number(r, "per_page"));
            let first = (page - 1) * per_page;
            let end = (first + per_page).min(total);
            let items: Vec<Value> = (first.min(end)..end).map(item).collect();
            let mut body = json!({ "count": total, "total_count": total });
            body[key] = Value::Array(items);
            answer(body)
        })
        .mount(server)
        .await;
}

fn operation(i: u64) -> Value {
    json!({
        "id": i,
        "op_type": "archive",
        "created_at": "2024-06-05T13:28:56+00:00",
        "operator": "a5adebe279e04415a28b2c7e256e9e8d@auth.local",
        "finished": true,
    })
}

#[tokio::test]
async fn page_style_streams_count_pages_from_1_with_100_per_page() {
    let server = MockServer::start().await;
    let route = format!("/api-gateway/api/v2/dtables/{UUID}/db-operations/");
    numbered_list(&server, &route, "operations", 103, operation).await;
    let all = base(&server)
        .list_big_data_operations()
        .all()
        .await
        .unwrap();
    assert_eq!(all.len(), 103);
    assert_eq!(
        positions(&server, "page", "per_page").await,
        [(1, 100), (2, 100)]
    );

    // From the caller's page, at the caller's size; an empty page ends it too.
    let server = MockServer::start().await;
    numbered_list(&server, &route, "operations", 8, operation).await;
    let all = base(&server)
        .list_big_data_operations()
        .page(3)
        .per_page(2)
        .all()
        .await
        .unwrap();
    assert_eq!(all.len(), 4, "items 4 to 7");
    assert_eq!(
        positions(&server, "page", "per_page").await,
        [(3, 2), (4, 2), (5, 2)]
    );
}

#[tokio::test]
async fn page_style_streams_work_for_every_client_type() {
    let server = MockServer::start().await;
    let client = Client::new(&server.uri()).unwrap();
    let account = client.with_account_token("account-token");
    numbered_list(
        &server,
        "/api/v2.1/trash-dtables/",
        "trash_dtable_list",
        3,
        |i| json!({"id": i, "workspace_id": 1, "uuid": format!("u{i}"), "name": format!("b{i}"), "created_at": "2021-03-16T09:43:25+00:00", "deleted_at": "2021-03-17T09:43:25+00:00"}),
    )
    .await;
    numbered_list(
        &server,
        "/api/v2.1/org/7/admin/users/",
        "user_list",
        3,
        |i| json!({"email": format!("u{i}@auth.local"), "name": format!("user {i}")}),
    )
    .await;
    numbered_list(&server, "/api/v2.1/admin/users/", "data", 3, |i| {
        json!({"email": format!("u{i}@auth.local"), "name": format!("user {i}"), "is_staff": false, "is_active": true})
    })
    .await;
    let scheduler = client.with_scheduler_token("scheduler-token");
    numbered_list(&server, "/admin/runs/", "runs", 3, |i| {
        json!({
            "id": i,
            "dtable_uuid": "a82d3e40-e63a-4b6a-aa5d-2488012d6af5",
            "owner": "397250457b2d4b689b27895309cc0f70@auth.local",
            "org_id": 1,
            "script_name": "S9pJ.py",
            "started_at": "2025-10-31T17:57:32+01:00",
            "finished_at": "2025-10-31T17:57:33+01:00",
            "success": true,
            "return_code": 0,
            "operate_from": "manualy",
            "state": "finished",
            "created_at": "2025-10-31T17:57:31+01:00",
        })
    })
    .await;

    let trashed = account
        .list_trashed_bases()
        .per_page(2)
        .all()
        .await
        .unwrap();
    let team = account
        .team_admin(7)
        .list_users()
        .per_page(2)
        .all()
        .await
        .unwrap();
    let system = account
        .system_admin()
        .list_users()
        .per_page(2)
        .all()
        .await
        .unwrap();
    let runs = scheduler.list_runs().per_page(2).all().await.unwrap();
    assert_eq!(
        (trashed.len(), team.len(), system.len(), runs.len()),
        (3, 3, 3, 3)
    );
    let requests = server.received_requests().await.unwrap();
    let seen: Vec<(String, u64)> = requests
        .iter()
        .map(|r| (r.url.path().to_string(), number(r, "page")))
        .collect();
    let expected: Vec<(String, u64)> = [
        "/api/v2.1/trash-dtables/",
        "/api/v2.1/org/7/admin/users/",
        "/api/v2.1/admin/users/",
        "/admin/runs/",
    ]
    .iter()
    .flat_map(|p| [(p.to_string(), 1), (p.to_string(), 2)])
    .collect();
    assert_eq!(seen, expected);
}

/// `querySql` answering `total` rows, paged by the LIMIT and OFFSET at the end of `sql`.
async fn sql_table(server: &MockServer, total: u64) {
    Mock::given(method("POST"))
        .and(path(SQL))
        .respond_with(move |r: &Request| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            let sql = body["sql"].as_str().unwrap();
            let words: Vec<&str> = sql.split_whitespace().collect();
            let n = words.len();
            assert_eq!((words[n - 4], words[n - 2]), ("LIMIT", "OFFSET"), "{sql}");
            let (limit, offset): (u64, u64) =
                (words[n - 3].parse().unwrap(), words[n - 1].parse().unwrap());
            let end = (offset + limit).min(total);
            answer(json!({"results": rows(offset.min(end)..end), "metadata": [], "success": true}))
        })
        .mount(server)
        .await;
}

async fn sql_bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn sql_pages_append_limit_and_offset_and_keep_the_parameters() {
    let server = MockServer::start().await;
    sql_table(&server, 5).await;
    let all = base(&server)
        .query_sql("SELECT * FROM Projects WHERE Price > ? ORDER BY Name")
        .parameters([30])
        .convert_keys(true)
        .page_size(2)
        .all()
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|r| r.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["r0", "r1", "r2", "r3", "r4"]);
    let statement = "SELECT * FROM Projects WHERE Price > ? ORDER BY Name";
    assert_eq!(
        sql_bodies(&server).await,
        [0, 2, 4]
            .map(|offset| json!({
                "sql": format!("{statement}, _id LIMIT 2 OFFSET {offset}"),
                "parameters": [30],
                "convert_keys": true,
            }))
            .to_vec()
    );
}

#[tokio::test]
async fn sql_pages_default_to_10000_rows_and_drop_a_trailing_semicolon_and_comment() {
    let server = MockServer::start().await;
    sql_table(&server, 10001).await;
    let client = base(&server);
    let mut stream = client
        .query_sql("select Name from Projects; -- every one\n")
        .stream();
    let mut count = 0;
    while let Some(row) = stream.next().await {
        row.unwrap();
        count += 1;
    }
    assert_eq!(count, 10001);
    let sql: Vec<Value> = sql_bodies(&server)
        .await
        .into_iter()
        .map(|b| b["sql"].clone())
        .collect();
    assert_eq!(
        sql,
        [
            "select Name from Projects ORDER BY _id LIMIT 10000 OFFSET 0",
            "select Name from Projects ORDER BY _id LIMIT 10000 OFFSET 10000"
        ]
    );
}

#[tokio::test]
async fn sql_pages_may_repeat_equal_rows() {
    // `SELECT Status …` over rows with equal values gives equal pages: that is data, not
    // a server ignoring the offset, which is part of the statement.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SQL))
        .respond_with(|r: &Request| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            let last = body["sql"].as_str().unwrap().ends_with("OFFSET 4");
            let results = if last {
                json!([])
            } else {
                json!([{"Status": "Done"}, {"Status": "Done"}])
            };
            answer(json!({"results": results, "metadata": []}))
        })
        .mount(&server)
        .await;
    let all = base(&server)
        .query_sql("SELECT Status FROM Projects")
        .page_size(2)
        .all()
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
}

#[tokio::test]
async fn statements_that_cannot_be_paged_are_refused_before_sending() {
    let server = MockServer::start().await;
    let client = base(&server);
    let cases = [
        (
            "UPDATE Projects SET Done = true",
            "querySql: cannot page this statement: only a SELECT can be paged, and this \
             statement starts with `UPDATE`; nothing was sent",
        ),
        (
            "SELECT * FROM Projects LIMIT 10",
            "querySql: cannot page this statement: it has its own LIMIT (at byte 23); remove \
             it, the stream appends LIMIT and OFFSET itself; nothing was sent",
        ),
        (
            "SELECT * FROM Projects\n  limit 10 offset 20;",
            "querySql: cannot page this statement: it has its own LIMIT (at byte 25); remove \
             it, the stream appends LIMIT and OFFSET itself; nothing was sent",
        ),
        (
            "SELECT * FROM Projects; DELETE FROM Projects",
            "querySql: cannot page this statement: it holds more than one statement; nothing \
             was sent",
        ),
        (
            "SELECT * FROM Projects WHERE Name = 'open",
            "querySql: cannot page this statement: the string literal at byte 36 is not \
             closed; nothing was sent",
        ),
    ];
    for (statement, message) in cases {
        let e = client.query_sql(statement).all().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{statement}");
        assert_eq!(e.to_string(), message);
    }
    let e = client
        .query_sql("SELECT * FROM Projects")
        .page_size(0)
        .all()
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "querySql: `page_size` must be at least 1; nothing was sent"
    );
    assert!(server.received_requests().await.unwrap().is_empty());

    // A LIMIT inside a string literal, a quoted name or a longer name is none.
    let server = MockServer::start().await;
    sql_table(&server, 1).await;
    let statement = "SELECT limit_x, `limit` FROM Projects WHERE Note = 'limit 5' -- limit 1";
    let all = base(&server).query_sql(statement).all().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        sql_bodies(&server).await[0]["sql"],
        "SELECT limit_x, `limit` FROM Projects WHERE Note = 'limit 5' ORDER BY _id LIMIT 10000 OFFSET 0"
    );
}

/// The warnings logged while `f` runs: (target, operation, rows, limit, message).
type Warning = (String, String, u64, u64, String);

struct Recorder(Arc<Mutex<Vec<Warning>>>);

#[derive(Default)]
struct Fields {
    operation: String,
    rows: u64,
    limit: u64,
    message: String,
}

impl tracing::field::Visit for Fields {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "operation" {
            self.operation = value.to_string();
        }
    }
    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        match field.name() {
            "rows" => self.rows = value,
            "limit" => self.limit = value,
            _ => {}
        }
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        }
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if *event.metadata().level() != tracing::Level::WARN {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        self.0.lock().unwrap().push((
            event.metadata().target().to_string(),
            fields.operation,
            fields.rows,
            fields.limit,
            fields.message,
        ));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// `querySql` answering `n` rows, whatever the statement.
async fn sql_answer(n: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SQL))
        .respond_with(answer(json!({"results": rows(0..n), "metadata": []})))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "current_thread")]
async fn a_plain_sql_answer_at_a_server_limit_is_reported_as_possibly_truncated() {
    let warnings = Arc::new(Mutex::new(Vec::new()));
    let _guard = tracing::subscriber::set_default(Recorder(Arc::clone(&warnings)));

    // 100 rows for a SELECT without LIMIT: the server's default cut.
    let server = sql_answer(100).await;
    let (result, truncation) = base(&server)
        .query_sql("SELECT * FROM Projects")
        .send_with_truncation()
        .await
        .unwrap();
    assert_eq!(result.results.len(), 100);
    let t = truncation.expect("100 rows without LIMIT may be cut");
    assert_eq!((t.rows, t.limit, t.statement_has_limit), (100, 100, false));

    // 99 rows: complete. 100 rows asked for with LIMIT 100: complete.
    let server = sql_answer(99).await;
    let (_, t) = base(&server)
        .query_sql("SELECT * FROM Projects")
        .send_with_truncation()
        .await
        .unwrap();
    assert_eq!(t, None);
    let server = sql_answer(100).await;
    let (_, t) = base(&server)
        .query_sql("SELECT * FROM Projects LIMIT 100")
        .send_with_truncation()
        .await
        .unwrap();
    assert_eq!(t, None);

    // 10000 rows for a LIMIT above the hard maximum: cut at the maximum. A plain `.await`
    // logs it too.
    let server = sql_answer(10000).await;
    let (_, t) = base(&server)
        .query_sql("SELECT * FROM Projects LIMIT 20000")
        .send_with_truncation()
        .await
        .unwrap();
    let t: Truncation = t.expect("the hard maximum");
    assert_eq!(
        (t.rows, t.limit, t.statement_has_limit),
        (10000, 10000, true)
    );
    let result = base(&server)
        .query_sql("SELECT * FROM Projects LIMIT 20000")
        .await
        .unwrap();
    assert_eq!(result.results.len(), 10000);

    let warnings = warnings.lock().unwrap().clone();
    let expected_message = |rows: u64, which: &str, limit: u64| {
        format!(
            "possibly truncated SQL result: {rows} rows came back, {which} ({limit}); the \
             server drops further rows without notice, so the result may be incomplete: page \
             it with `stream()` or `all()`"
        )
    };
    assert_eq!(
        warnings,
        [
            (
                "seatable_api".to_string(),
                "querySql".to_string(),
                100,
                100,
                expected_message(100, "what it returns for a SELECT without LIMIT", 100)
            ),
            (
                "seatable_api".to_string(),
                "querySql".to_string(),
                10000,
                10000,
                expected_message(10000, "the most it returns for one statement", 10000)
            ),
            (
                "seatable_api".to_string(),
                "querySql".to_string(),
                10000,
                10000,
                expected_message(10000, "the most it returns for one statement", 10000)
            ),
        ]
    );
}
