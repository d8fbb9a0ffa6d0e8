//! The client against injected faults (`MockSeaTable` with `Fault`s, one base with
//! `Table1`): what is repeated, what is not, the exact requests that reach the server, and
//! what the base holds afterwards. Then each fault kind on its own, with bare `reqwest`:
//! it does what it says, and between faults the stand-in behaves like SeaTable.

use std::time::{Duration, Instant};

use seatable_api::testing::{Delivery, Exchange, Fault, MockBase, MockSeaTable, Operation};
use seatable_api::{Applied, BaseClient, Client, ErrorKind, RetryPolicy};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod support;

use support::stand_in::{faults_fired, in_flight, max_in_flight, start_table1, token_exchanges};

/// Short waits, so the tests run quickly; long enough to outlast a 300 ms refusal.
fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(80))
        .max_backoff(Duration::from_millis(400))
}

async fn start() -> (MockSeaTable, MockBase) {
    start_table1(MockSeaTable::builder()).await
}

async fn base_with(mock: &MockSeaTable, base: &MockBase, timeout: Duration) -> BaseClient {
    let client = Client::builder(&mock.url())
        .timeout(timeout)
        .retry_policy(policy())
        .build()
        .unwrap();
    client
        .base_with_api_token(base.api_token.as_str())
        .await
        .unwrap()
}

async fn client_base(mock: &MockSeaTable, base: &MockBase) -> BaseClient {
    base_with(mock, base, Duration::from_secs(10)).await
}

fn rows(names: &[&str]) -> Vec<Map<String, Value>> {
    names
        .iter()
        .map(|n| json!({"Name": n}).as_object().unwrap().clone())
        .collect()
}

/// What became of a request, as `Status(200)`, `Reset`, `Truncated(200)`.
fn outcome(e: &Exchange) -> String {
    match e.delivery {
        Delivery::Whole => format!("Status({})", e.status),
        Delivery::Truncated => format!("Truncated({})", e.status),
        other => format!("{other:?}"),
    }
}

/// `METHOD rows outcome` of the row requests (after the token exchange and metadata load).
fn lines(mock: &MockSeaTable) -> Vec<String> {
    mock.requests()
        .iter()
        .filter(|r| r.path.contains("/rows/"))
        .map(|r| format!("{} rows {}", r.method, outcome(r)))
        .collect()
}

fn names(mock: &MockSeaTable, base: &MockBase) -> Vec<String> {
    mock.rows(base, "Table1")
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_read_cut_off_by_a_reset_is_repeated() {
    let (mock, info) = start().await;
    mock.inject(Fault::reset(Operation::ListRows));
    mock.inject(Fault::truncated(Operation::ListRows).nth(2));
    let base = client_base(&mock, &info).await;
    let page = base.list_rows("Table1").await.unwrap();
    assert!(page.rows.is_empty());
    assert_eq!(
        lines(&mock),
        [
            "GET rows Reset",
            "GET rows Truncated(200)",
            "GET rows Status(200)"
        ]
    );
}

#[tokio::test]
async fn an_append_cut_off_by_a_reset_is_not_repeated() {
    let kinds = [
        ("reset", Fault::reset(Operation::AppendRows)),
        (
            "reset after processing",
            Fault::reset(Operation::AppendRows).after_processing(),
        ),
        ("truncated", Fault::truncated(Operation::AppendRows)),
    ];
    for (label, fault) in kinds {
        let (mock, info) = start().await;
        mock.inject(fault);
        let base = client_base(&mock, &info).await;
        let e = base
            .append_rows("Table1", rows(&["Ada"]))
            .await
            .unwrap_err();
        // A truncated 2xx answer was applied; a reset may or may not have been.
        let expected = match label {
            "truncated" => Applied::Yes,
            _ => Applied::Maybe,
        };
        assert_eq!(e.applied(), expected, "{label}: {e}");
        assert_eq!(e.retries(), 0);
        let posts = lines(&mock);
        assert_eq!(posts.len(), 1, "{label}: sent once: {posts:?}");
        let stored = if label == "reset" { 0 } else { 1 };
        assert_eq!(mock.rows(&info, "Table1").unwrap().len(), stored, "{label}");
    }
}

#[tokio::test]
async fn writes_are_repeated_when_the_server_certainly_did_nothing() {
    let (mock, info) = start().await;
    mock.inject(Fault::status(Operation::AppendRows, 503));
    mock.inject(
        Fault::status(Operation::AppendRows, 429)
            .with_header("retry-after", "1")
            .nth(2),
    );
    mock.inject(Fault::status(Operation::AppendRows, 429).nth(3));
    let base = client_base(&mock, &info).await;
    let started = Instant::now();
    let answer = base.append_rows("Table1", rows(&["Ada"])).await.unwrap();
    assert_eq!(answer.inserted_row_count, 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was kept"
    );
    assert_eq!(
        lines(&mock),
        [
            "POST rows Status(503)",
            "POST rows Status(429)",
            "POST rows Status(429)",
            "POST rows Status(200)"
        ]
    );
    assert_eq!(names(&mock, &info), ["Ada"], "stored exactly once");
}

#[tokio::test]
async fn a_write_answered_502_after_storing_is_not_repeated() {
    let (mock, info) = start().await;
    mock.inject(Fault::status(Operation::AppendRows, 502).after_processing());
    let base = client_base(&mock, &info).await;
    let e = base
        .append_rows("Table1", rows(&["Ada"]))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.applied(), e.retries()),
        (ErrorKind::Api, Some(502), Applied::Maybe, 0)
    );
    assert_eq!(lines(&mock), ["POST rows Status(502)"]);
    assert_eq!(names(&mock, &info), ["Ada"], "stored, once");
    let log = mock.requests();
    let post = log.iter().find(|e| e.method == "POST").unwrap();
    assert!(post.processed);
    assert!(
        post.response_header("x-ratelimit-remaining").is_some(),
        "the real answer's rate headers are kept"
    );
}

#[tokio::test]
async fn a_refused_connection_is_repeated_for_an_append() {
    let (mock, info) = start().await;
    let base = client_base(&mock, &info).await;
    mock.refuse_connections(Duration::from_millis(300));
    let answer = base.append_rows("Table1", rows(&["Ada"])).await.unwrap();
    assert_eq!(answer.inserted_row_count, 1);
    assert_eq!(names(&mock, &info), ["Ada"]);
}

#[tokio::test]
async fn a_refusal_started_by_a_request_resets_it_then_turns_connections_away() {
    // A read: the reset request and the refused connections are repeated.
    let (mock, info) = start().await;
    mock.add_rows(&info, "Table1", vec![json!({"Name": "Ada"})])
        .unwrap();
    mock.inject(Fault::refuse_connections(
        Operation::ListRows,
        Duration::from_millis(300),
    ));
    let base = client_base(&mock, &info).await;
    let started = Instant::now();
    let page = base.list_rows("Table1").await.unwrap();
    assert_eq!(page.rows.len(), 1);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "waited it out"
    );
    assert_eq!(lines(&mock), ["GET rows Reset", "GET rows Status(200)"]);

    // An append: the reset leaves the outcome unknown, so it is not repeated.
    let (mock, info) = start().await;
    mock.inject(Fault::refuse_connections(
        Operation::AppendRows,
        Duration::from_millis(300),
    ));
    let base = client_base(&mock, &info).await;
    let e = base
        .append_rows("Table1", rows(&["Ada"]))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.applied(), e.retries()),
        (ErrorKind::Transport, Applied::Maybe, 0)
    );
    assert!(names(&mock, &info).is_empty(), "not processed");
    assert_eq!(lines(&mock), ["POST rows Reset"]);
}

#[tokio::test]
async fn a_read_outlasts_connections_closed_on_accept() {
    let (mock, info) = start().await;
    let base = client_base(&mock, &info).await;
    mock.close_connections(Duration::from_millis(300));
    // The client cannot tell whether a request on a connection closed under it was read,
    // so only an idempotent one is repeated; a read is.
    let page = base.list_rows("Table1").await.unwrap();
    assert!(page.rows.is_empty());
    let answered = mock
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/rows/"))
        .filter(|r| r.status == 200)
        .count();
    assert_eq!(answered, 1);

    // The same as a fault fired by a request: that request is reset first.
    mock.inject(Fault::close_connections(
        Operation::ListRows,
        Duration::from_millis(300),
    ));
    mock.clear_requests();
    base.list_rows("Table1").await.unwrap();
    assert_eq!(lines(&mock), ["GET rows Reset", "GET rows Status(200)"]);
}

#[tokio::test]
async fn a_slow_read_times_out_and_is_repeated() {
    let (mock, info) = start().await;
    mock.inject(Fault::delay(
        Operation::ListRows,
        Duration::from_millis(1500),
    ));
    let base = base_with(&mock, &info, Duration::from_millis(500)).await;
    base.list_rows("Table1").await.unwrap();
    let gets = lines(&mock);
    assert_eq!(gets.len(), 2, "{gets:?}");
}

#[tokio::test]
async fn a_slow_append_times_out_and_says_it_may_have_been_applied() {
    let (mock, info) = start().await;
    mock.inject(
        Fault::delay(Operation::AppendRows, Duration::from_millis(1500)).after_processing(),
    );
    let base = base_with(&mock, &info, Duration::from_millis(500)).await;
    let e = base
        .append_rows("Table1", rows(&["Ada"]))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.applied()),
        (ErrorKind::Transport, Applied::Maybe)
    );
    assert_eq!(e.to_string(), "appendRows: the request timed out");
    assert_eq!(lines(&mock).len(), 1);
    assert_eq!(names(&mock, &info), ["Ada"], "it was applied, once");
}

#[tokio::test]
async fn a_trickled_answer_arrives_whole_or_times_out_and_a_read_is_repeated() {
    let (mock, info) = start().await;
    let many: Vec<Value> = (0..20).map(|i| json!({"Name": format!("r{i}")})).collect();
    mock.add_rows(&info, "Table1", many).unwrap();
    // 64 bytes every 5 ms: a few kilobytes take a fraction of a second, and arrive whole.
    mock.inject(Fault::trickle(
        Operation::ListRows,
        64,
        Duration::from_millis(5),
    ));
    let base = base_with(&mock, &info, Duration::from_secs(5)).await;
    let started = Instant::now();
    let page = base.list_rows("Table1").await.unwrap();
    assert_eq!(page.rows.len(), 20);
    let log = mock.requests();
    let trickled = log.iter().find(|e| e.path.ends_with("/rows/")).unwrap();
    let pauses = (trickled.response_body.len() / 64) as u32;
    assert!(pauses >= 10, "{} bytes", trickled.response_body.len());
    assert!(started.elapsed() >= Duration::from_millis(5) * (pauses - 1));
    assert_eq!(lines(&mock), ["GET rows Status(200)"]);

    // Slower than the client's timeout: the read times out mid-body and is repeated.
    mock.clear_requests();
    mock.inject(Fault::trickle(
        Operation::ListRows,
        16,
        Duration::from_millis(100),
    ));
    let impatient = base_with(&mock, &info, Duration::from_millis(600)).await;
    let page = impatient.list_rows("Table1").await.unwrap();
    assert_eq!(page.rows.len(), 20);
    assert_eq!(
        lines(&mock),
        ["GET rows Status(200)", "GET rows Status(200)"],
        "the first answer was sent, too slowly"
    );

    // An append trickled beyond the timeout was stored; the 200 head had arrived, so the
    // client knows it was applied although the body never came.
    mock.clear_requests();
    mock.inject(Fault::trickle(
        Operation::AppendRows,
        8,
        Duration::from_millis(100),
    ));
    let e = impatient
        .append_rows("Table1", rows(&["late"]))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.applied(), e.retries()),
        (ErrorKind::Transport, Applied::Yes, 0),
        "{e}"
    );
    assert_eq!(names(&mock, &info).len(), 21, "stored once");
}

#[tokio::test]
async fn a_token_expiring_mid_run_is_renewed_and_the_call_repeated() {
    let (mock, info) = start().await;
    let base = client_base(&mock, &info).await;
    base.append_rows("Table1", rows(&["a"])).await.unwrap();
    mock.inject(Fault::expire_tokens(Operation::AppendRows));
    base.append_rows("Table1", rows(&["b"])).await.unwrap();
    base.append_rows("Table1", rows(&["c"])).await.unwrap();
    assert_eq!(token_exchanges(&mock), 2);
    assert_eq!(names(&mock, &info), ["a", "b", "c"]);
    let answered: Vec<u16> = mock
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.status)
        .collect();
    assert_eq!(answered, [200, 403, 200, 200]);
}

#[tokio::test]
async fn fifty_concurrent_calls_at_token_expiry_make_one_exchange() {
    let (mock, info) =
        start_table1(MockSeaTable::builder().token_lifetime(Duration::from_secs(2))).await;
    let base = client_base(&mock, &info).await;
    base.list_rows("Table1").await.unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let calls: Vec<_> = (0..50)
        .map(|i| {
            let base = base.clone();
            tokio::spawn(async move {
                base.append_rows("Table1", rows(&[&format!("row {i}")]))
                    .await
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(token_exchanges(&mock), 2, "one renewal for 50 callers");
    assert_eq!(mock.rows(&info, "Table1").unwrap().len(), 50);
    let rejected = mock
        .requests()
        .iter()
        .filter(|r| r.status == 403 || r.status == 401)
        .count();
    assert_eq!(rejected, 0, "renewed before the expired token was sent");
}

#[tokio::test]
async fn the_client_side_limit_avoids_the_servers_429() {
    let (mock, info) = start_table1(MockSeaTable::builder().rate_limit(Some(5))).await;
    let client = Client::builder(&mock.url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let base = client
        .base_with_api_token(info.api_token.as_str())
        .await
        .unwrap();
    for _ in 0..5 {
        base.list_rows("Table1").await.unwrap();
    }
    let e = base.list_rows("Table1").await.unwrap_err();
    assert_eq!((e.kind(), e.body()), (ErrorKind::RateLimited, Some("")));
    let limit = base.client().rate_limit().unwrap();
    assert_eq!((limit.limit, limit.remaining), (Some(5), Some(0)));

    // With the limiter below the server's limit, the sixth request waits instead.
    let (mock, info) = start_table1(MockSeaTable::builder().rate_limit(Some(5))).await;
    let client = Client::builder(&mock.url())
        .retry_policy(RetryPolicy::none())
        .requests_per_minute(5)
        .build()
        .unwrap();
    let base = client
        .base_with_api_token(info.api_token.as_str())
        .await
        .unwrap();
    for _ in 0..4 {
        base.list_rows("Table1").await.unwrap();
    }
    let sixth = tokio::time::timeout(Duration::from_millis(500), async {
        base.list_rows("Table1").await.unwrap();
        base.list_rows("Table1").await
    })
    .await;
    assert!(sixth.is_err(), "held back by the client, not refused");
    assert!(mock.requests().iter().all(|r| r.status != 429));
}

#[tokio::test]
async fn the_log_keeps_the_newest_exchanges_up_to_its_capacity() {
    let (mock, info) = start_table1(MockSeaTable::builder().log_capacity(5)).await;
    let base = client_base(&mock, &info).await;
    for limit in 1..=8 {
        base.list_rows("Table1").limit(limit).await.unwrap();
    }
    let log = mock.requests();
    assert_eq!(
        log.len(),
        5,
        "token, metadata and 8 reads: the newest 5 kept"
    );
    let limits: Vec<String> = log.iter().map(|e| e.query.clone().unwrap()).collect();
    for (limit, query) in (4..=8).zip(&limits) {
        assert!(query.contains(&format!("limit={limit}")), "{query}");
    }
    let (none, info) = start_table1(MockSeaTable::builder().log_capacity(0)).await;
    client_base(&none, &info).await;
    assert!(none.requests().is_empty(), "capacity 0 keeps nothing");
}

// ---------------------------------------------------------------------------------------
// Each fault on its own, with bare `reqwest`.
// ---------------------------------------------------------------------------------------

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// A stand-in with `Table1`, and a Base-Token for it.
async fn raw_start() -> (MockSeaTable, MockBase, String) {
    let (mock, info) = start().await;
    let token = base_token(&mock, &info).await;
    mock.clear_requests();
    (mock, info, token)
}

async fn base_token(mock: &MockSeaTable, info: &MockBase) -> String {
    let answer: Value = http()
        .get(format!("{}/api/v2.1/dtable/app-access-token/", mock.url()))
        .header("authorization", format!("Token {}", info.api_token))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_string()
}

fn gateway_url(mock: &MockSeaTable, info: &MockBase, op: &str) -> String {
    format!(
        "{}/api-gateway/api/v2/dtables/{}/{op}",
        mock.url(),
        info.uuid
    )
}

async fn get(
    client: &reqwest::Client,
    mock: &MockSeaTable,
    info: &MockBase,
    token: &str,
    op: &str,
) -> Result<reqwest::Response, reqwest::Error> {
    client
        .get(gateway_url(mock, info, op))
        .query(&[("table_name", "Table1")])
        .bearer_auth(token)
        .send()
        .await
}

async fn append(
    client: &reqwest::Client,
    mock: &MockSeaTable,
    info: &MockBase,
    token: &str,
    names: &[&str],
) -> Result<reqwest::Response, reqwest::Error> {
    let rows: Vec<Value> = names.iter().map(|n| json!({"Name": n})).collect();
    client
        .post(gateway_url(mock, info, "rows/"))
        .bearer_auth(token)
        .json(&json!({"table_name": "Table1", "rows": rows}))
        .send()
        .await
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().expect("an ASCII header"))
}

/// The error and its sources, to assert what reqwest saw underneath.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[tokio::test]
async fn the_expire_tokens_fault_hits_the_nth_request() {
    let (mock, info, token) = raw_start().await;
    mock.inject(Fault::expire_tokens(Operation::GetMetadata).nth(2));
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let answer = get(&http(), &mock, &info, &token, "metadata/").await;
        statuses.push(answer.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [200, 403, 403]);
    assert_eq!(faults_fired(&mock), 1);
    let log = mock.requests();
    assert!(log.iter().all(|r| r.processed));
    assert!(log.iter().all(|r| r.delivery == Delivery::Whole));
    assert_eq!(
        log[1].response_json(),
        Some(json!({"error_msg": "Token expired."}))
    );
}

#[tokio::test]
async fn a_status_fault_carries_its_headers_and_body_and_stores_nothing() {
    let (mock, info, token) = raw_start().await;
    mock.inject(
        Fault::status(Operation::AppendRows, 429)
            .with_header("Retry-After", "2")
            .with_header("x-ratelimit-reset", "1900000000"),
    );
    mock.inject(
        Fault::status(Operation::AppendRows, 403)
            .with_json(json!({"error_msg": "You don't have permission."}))
            .nth(2),
    );
    let client = http();
    let first = append(&client, &mock, &info, &token, &["a"]).await.unwrap();
    assert_eq!(first.status(), 429);
    assert_eq!(header(&first, "retry-after"), Some("2"));
    assert_eq!(
        header(&first, "x-ratelimit-reset"),
        Some("1900000000"),
        "the fault's header replaces the default one"
    );
    assert_eq!(header(&first, "x-ratelimit-remaining"), Some("0"));
    assert_eq!(first.bytes().await.unwrap().len(), 0, "429 has no body");

    let second = append(&client, &mock, &info, &token, &["b"]).await.unwrap();
    assert_eq!(second.status(), 403);
    assert_eq!(header(&second, "content-type"), Some("application/json"));
    assert_eq!(
        second.json::<Value>().await.unwrap(),
        json!({"error_msg": "You don't have permission."})
    );

    let third = append(&client, &mock, &info, &token, &["c"]).await.unwrap();
    assert_eq!(third.status(), 200);
    assert_eq!(names(&mock, &info), ["c"], "answered faults store nothing");
    let log = mock.requests();
    assert_eq!(
        log.iter()
            .map(|r| (r.processed, outcome(r)))
            .collect::<Vec<_>>(),
        [
            (false, "Status(429)".to_string()),
            (false, "Status(403)".to_string()),
            (true, "Status(200)".to_string())
        ]
    );
    assert_eq!(
        log[1].request_json().unwrap()["rows"],
        json!([{"Name": "b"}])
    );
    assert_eq!(
        log[0].fault,
        Some(
            Fault::status(Operation::AppendRows, 429)
                .with_header("Retry-After", "2")
                .with_header("x-ratelimit-reset", "1900000000")
        ),
        "the log names the fault that fired"
    );
    assert_eq!(log[2].fault, None);
}

#[tokio::test]
async fn a_status_after_processing_stores_the_rows() {
    let (mock, info, token) = raw_start().await;
    mock.inject(
        Fault::status(Operation::AppendRows, 500)
            .after_processing()
            .with_json(json!({"error_msg": "Internal Server Error"})),
    );
    mock.inject(
        Fault::status(Operation::AppendRows, 502)
            .after_processing()
            .nth(2),
    );
    let client = http();
    let first = append(&client, &mock, &info, &token, &["a"]).await.unwrap();
    assert_eq!(first.status(), 500);
    assert_eq!(
        first.json::<Value>().await.unwrap(),
        json!({"error_msg": "Internal Server Error"})
    );
    let second = append(&client, &mock, &info, &token, &["b"]).await.unwrap();
    assert_eq!(second.status(), 502);
    assert_eq!(names(&mock, &info), ["a", "b"], "both writes happened");
    assert_eq!(
        mock.requests()
            .iter()
            .map(|r| (r.processed, outcome(r)))
            .collect::<Vec<_>>(),
        [
            (true, "Status(500)".to_string()),
            (true, "Status(502)".to_string())
        ]
    );
}

#[tokio::test]
async fn a_reset_is_an_error_and_stores_nothing() {
    let (mock, info, token) = raw_start().await;
    mock.inject(Fault::reset(Operation::AppendRows));
    let client = http();
    let e = append(&client, &mock, &info, &token, &["a"])
        .await
        .unwrap_err();
    assert!(e.is_request() && !e.is_timeout() && !e.is_status(), "{e:?}");
    assert!(names(&mock, &info).is_empty());
    let log = mock.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].processed, log[0].delivery),
        (false, Delivery::Reset)
    );
    assert_eq!(log[0].status, 0, "no answer");
    assert_eq!(
        log[0].request_json().unwrap()["rows"],
        json!([{"Name": "a"}])
    );

    // The same write again goes through on a new connection.
    let again = append(&client, &mock, &info, &token, &["a"]).await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(names(&mock, &info), ["a"]);
    let log = mock.requests();
    assert_ne!(log[0].connection, log[1].connection);
}

#[tokio::test]
async fn a_reset_after_processing_stores_the_rows_and_is_an_error() {
    let (mock, info, token) = raw_start().await;
    mock.inject(Fault::reset(Operation::AppendRows).after_processing());
    let e = append(&http(), &mock, &info, &token, &["a"])
        .await
        .unwrap_err();
    assert!(e.is_request() && !e.is_timeout(), "{e:?}");
    assert_eq!(names(&mock, &info), ["a"], "the write happened");
    let r = &mock.requests()[0];
    assert_eq!((r.processed, r.delivery), (true, Delivery::Reset));
}

#[tokio::test]
async fn a_truncated_body_fails_while_reading_it() {
    let (mock, info, token) = raw_start().await;
    mock.add_rows(
        &info,
        "Table1",
        vec![json!({"Name": "a"}), json!({"Name": "b"})],
    )
    .unwrap();
    mock.inject(Fault::truncated(Operation::ListRows));
    let client = http();
    let answer = get(&client, &mock, &info, &token, "rows/").await.unwrap();
    assert_eq!(answer.status(), 200, "the head arrives whole");
    let full_length = answer.content_length().unwrap();
    assert!(full_length > 100);
    let e = answer.bytes().await.unwrap_err();
    assert!(e.is_body() || e.is_decode(), "{e:?}");
    let log = mock.requests();
    assert_eq!((log[0].delivery, log[0].status), (Delivery::Truncated, 200));
    assert_eq!(log[0].response_body.len() as u64, full_length);

    // Without the fault the same page arrives whole, and as long as announced.
    let answer = get(&client, &mock, &info, &token, "rows/").await.unwrap();
    assert_eq!(answer.bytes().await.unwrap().len() as u64, full_length);
}

#[tokio::test]
async fn a_delay_trips_the_client_timeout() {
    let (mock, info, token) = raw_start().await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    mock.inject(Fault::delay(
        Operation::AppendRows,
        Duration::from_millis(600),
    ));
    let e = append(&impatient, &mock, &info, &token, &["late"])
        .await
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(names(&mock, &info).is_empty(), "not written yet");
    assert!(!mock.requests()[0].processed);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        names(&mock, &info),
        ["late"],
        "written after the delay all the same"
    );
    let log = mock.requests();
    assert!(log[0].processed);
    assert_eq!(in_flight(&log), 0);

    mock.inject(Fault::delay(Operation::AppendRows, Duration::from_millis(600)).after_processing());
    let e = append(&impatient, &mock, &info, &token, &["late"])
        .await
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert_eq!(
        names(&mock, &info),
        ["late", "late"],
        "written before the delay"
    );
    let log = mock.requests();
    assert!(log[1].processed);
    assert!(
        matches!(log[1].delivery, Delivery::Pending | Delivery::Abandoned),
        "never answered: {:?}",
        log[1].delivery
    );
}

#[tokio::test]
async fn refused_and_closed_connections() {
    let (mock, info, token) = raw_start().await;
    let client = http();
    let ping = |client: &reqwest::Client| {
        client
            .get(gateway_url(&mock, &info, "metadata/"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(ping(&client).await.unwrap().status(), 200);

    mock.refuse_connections(Duration::from_millis(400));
    // The kept-alive connection is closed too, so the pooled client must connect anew.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let e = ping(&client).await.unwrap_err();
    assert!(e.is_connect(), "{}", chain(&e));
    assert!(
        chain(&e).to_lowercase().contains("refused"),
        "{}",
        chain(&e)
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        ping(&client).await.unwrap().status(),
        200,
        "the port is open again"
    );

    mock.close_connections(Duration::from_millis(400));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let e = ping(&client).await.unwrap_err();
    assert!(e.is_request() && !e.is_timeout(), "{}", chain(&e));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(ping(&client).await.unwrap().status(), 200);

    // As a fault: the matching request is reset, and connections are refused.
    mock.inject(Fault::refuse_connections(
        Operation::GetMetadata,
        Duration::from_millis(400),
    ));
    let e = ping(&client).await.unwrap_err();
    assert!(!e.is_connect(), "this request was sent: {}", chain(&e));
    let e = ping(&client).await.unwrap_err();
    assert!(e.is_connect(), "{}", chain(&e));
    // The port opens again once the refusal is over; how soon the listener is bound
    // again depends on the kernel, so wait for it within a generous deadline.
    let refused_at = Instant::now();
    let answer = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        match ping(&client).await {
            Ok(answer) => break answer,
            Err(e) if e.is_connect() && refused_at.elapsed() < Duration::from_secs(3) => {}
            Err(e) => panic!(
                "still refused after {:?}: {}",
                refused_at.elapsed(),
                chain(&e)
            ),
        }
    };
    assert_eq!(answer.status(), 200);
    let processed: Vec<bool> = mock.requests().iter().map(|r| r.processed).collect();
    assert_eq!(processed, [true, true, true, false, true]);
}

#[tokio::test]
async fn keep_alive_holds_for_100_sequential_requests() {
    let (mock, info, token) = raw_start().await;
    let client = http();
    for i in 0..100 {
        let answer = client
            .get(gateway_url(&mock, &info, "rows/"))
            .query(&[("table_name", "Table1"), ("limit", "10")])
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "request {i}");
        assert_eq!(answer.json::<Value>().await.unwrap(), json!({"rows": []}));
    }
    let log = mock.requests();
    assert_eq!(log.len(), 100);
    assert!(
        log.iter().all(|r| r.connection == log[0].connection),
        "one connection for all of them"
    );
    assert!(log[99].query.as_deref().unwrap().contains("limit=10"));
}

#[tokio::test]
async fn faults_fire_on_the_nth_match_for_a_number_of_times() {
    let (mock, info, token) = raw_start().await;
    mock.inject(Fault::status(Operation::GetMetadata, 503).nth(2).times(2));
    mock.inject(Fault::status(Operation::GetMetadata, 502).nth(5));
    let client = http();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let answer = get(&client, &mock, &info, &token, "metadata/").await;
        statuses.push(answer.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [200, 503, 503, 200, 502, 200]);
    assert_eq!(faults_fired(&mock), 3, "every fault fired, no more");

    mock.inject(Fault::status(Operation::GetMetadata, 500).always());
    for _ in 0..2 {
        let answer = get(&client, &mock, &info, &token, "metadata/").await;
        assert_eq!(answer.unwrap().status(), 500);
    }
    mock.clear_faults();
    let answer = get(&client, &mock, &info, &token, "metadata/").await;
    assert_eq!(answer.unwrap().status(), 200);
}

#[tokio::test]
async fn concurrent_requests_are_counted() {
    let (mock, info, token) = raw_start().await;
    mock.inject(
        Fault::delay(Operation::GetMetadata, Duration::from_millis(300))
            .after_processing()
            .always(),
    );
    let client = http();
    let requests: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(
                client
                    .get(gateway_url(&mock, &info, "metadata/"))
                    .bearer_auth(&token)
                    .send(),
            )
        })
        .collect();
    for request in requests {
        assert_eq!(request.await.unwrap().unwrap().status(), 200);
    }
    let log = mock.requests();
    assert_eq!(max_in_flight(&log), 8);
    assert_eq!(in_flight(&log), 0);
    let mut connections: Vec<u64> = log.iter().map(|e| e.connection).collect();
    connections.sort();
    connections.dedup();
    assert_eq!(connections.len(), 8);
}

/// Writes `request` on a fresh connection and reads until the server closes it.
async fn raw(mock: &MockSeaTable, request: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn chunked_bodies_are_read_and_malformed_requests_get_400() {
    let (mock, info, token) = raw_start().await;
    let body = r#"{"table_name": "Table1", "rows": [{"Name": "chunky"}]}"#;
    let (a, b) = body.split_at(20);
    let request = format!(
        "POST /api-gateway/api/v2/dtables/{}/rows/ HTTP/1.1\r\nhost: x\r\n\
         authorization: Bearer {token}\r\ncontent-type: application/json\r\n\
         transfer-encoding: chunked\r\nconnection: close\r\n\r\n\
         {:x};ext=1\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\ntrailer: t\r\n\r\n",
        info.uuid,
        a.len(),
        b.len(),
    );
    let answer = raw(&mock, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains("connection: close\r\n"), "{answer}");
    assert_eq!(names(&mock, &info), ["chunky"]);
    assert_eq!(mock.requests()[0].request_body, body.as_bytes());

    for (garbage, status) in [
        (&b"\x00\x01\x02 nonsense\r\n\r\n"[..], "400"),
        (b"GET / HTTP/1.1\r\nno colon here\r\n\r\n", "400"),
        // hyper answers an HTTP/2 request line on an HTTP/1 connection with 400.
        (b"GET / HTTP/2.0\r\n\r\n", "400"),
        (
            b"POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
            "400",
        ),
        (b"POST / HTTP/1.1\r\ncontent-length: ten\r\n\r\n", "400"),
        (
            b"POST / HTTP/1.1\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nab",
            "400",
        ),
        (b"GET \xff HTTP/1.1\r\n\r\n", "400"),
    ] {
        let answer = raw(&mock, garbage).await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{:?} → {answer}",
            String::from_utf8_lossy(garbage)
        );
    }
    // A request cut off mid-head is simply dropped; the server keeps serving.
    let mut stream = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
    stream.write_all(b"GET / HT").await.unwrap();
    drop(stream);
    let answer = get(&http(), &mock, &info, &token, "metadata/").await;
    assert_eq!(answer.unwrap().status(), 200);
    // Requests whose head cannot be read are not logged; one with a readable head and a
    // broken body is, with its 400.
    let log = mock.requests();
    let logged: Vec<(String, u16)> = log.iter().map(|e| (e.path.clone(), e.status)).collect();
    assert_eq!(logged.len(), 3, "{logged:?}");
    assert_eq!(logged[1], ("/".to_string(), 400));
    assert!(String::from_utf8_lossy(&log[1].response_body).contains("could not be read"));
}

#[tokio::test]
async fn our_client_reads_and_writes_through_the_stand_in() {
    use seatable_api::BaseToken;
    let (mock, info) = start().await;
    let client = Client::new(&mock.url()).unwrap();
    let base = client
        .base_with_api_token(info.api_token.as_str())
        .await
        .unwrap();
    assert_eq!(base.base_uuid(), info.uuid);
    assert_eq!(token_exchanges(&mock), 1);
    let metadata = base.get_metadata().await.unwrap().metadata;
    assert_eq!(metadata.tables[0].name, "Table1");
    assert_eq!(metadata.tables[0].columns.len(), 3);
    let row = json!({"Name": "Ann", "Age": 31})
        .as_object()
        .unwrap()
        .clone();
    let added = base.append_rows("Table1", [row]).await.unwrap();
    assert_eq!(added.inserted_row_count, 1);
    let page = base.list_rows("Table1").limit(10).await.unwrap();
    assert_eq!(page.rows.len(), 1);
    let stored = mock.rows(&info, "Table1").unwrap();
    assert_eq!(page.rows[0].id.as_deref(), stored[0]["_id"].as_str());

    let log = mock.requests();
    let token = log[0].response_json().unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let direct = BaseClient::new(client, &info.uuid, BaseToken::from(token.clone()));
    assert_eq!(direct.list_rows("Table1").await.unwrap().rows.len(), 1);
    let gateway = format!("/api-gateway/api/v2/dtables/{}/", info.uuid);
    let request_lines: Vec<String> = mock
        .requests()
        .iter()
        .map(|e| format!("{} {}", e.method, e.path))
        .collect();
    assert_eq!(
        request_lines,
        [
            "GET /api/v2.1/dtable/app-access-token/".to_string(),
            format!("GET {gateway}metadata/"),
            // The check of written rows loads the metadata for itself.
            format!("GET {gateway}metadata/"),
            format!("POST {gateway}rows/"),
            format!("GET {gateway}rows/"),
            format!("GET {gateway}rows/"),
        ]
    );
    let bearer = format!("Bearer {token}");
    let authorizations: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| {
            r.request_header("authorization")
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let api = format!("Bearer {}", info.api_token);
    assert_eq!(
        authorizations,
        [
            api,
            bearer.clone(),
            bearer.clone(),
            bearer.clone(),
            bearer.clone(),
            bearer
        ]
    );
}

/// The payload of a JWT, decoded.
fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn base_tokens_are_minted_by_the_one_jwt_function() {
    use seatable_api::testing::{mint_jwt, MINTED_SIGNATURE_MARK};
    let (mock, info) = start().await;
    let token = base_token(&mock, &info).await;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    assert!(parts[2].starts_with(MINTED_SIGNATURE_MARK), "{token}");
    let payload = claims(&token);
    assert_eq!(payload["dtable_uuid"], info.uuid.as_str());
    assert!(payload["exp"].as_u64().is_some(), "{payload}");
    assert_eq!(mint_jwt(&payload), token, "the same claims, the same token");
    let second = base_token(&mock, &info).await;
    assert_ne!(
        second.rsplit('.').next(),
        token.rsplit('.').next(),
        "tokens differ in their signature too"
    );

    let other = mint_jwt(&json!({"exp": 1, "n": 2}));
    assert_eq!(claims(&other), json!({"exp": 1, "n": 2}));
    assert_ne!(other, mint_jwt(&json!({"exp": 1, "n": 3})));
}

/// What the fault server's own tests checked of its tokens, beyond `tests/mock.rs`: the
/// `exp` parameter, a request without credentials, and a token that expires by its `exp`.
#[tokio::test]
async fn base_tokens_live_as_exp_says_and_a_request_without_credentials_gets_401() {
    let (mock, info) =
        start_table1(MockSeaTable::builder().token_lifetime(Duration::from_secs(1))).await;
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    let exchange = |exp: &'static str| {
        http()
            .get(format!("{}/api/v2.1/dtable/app-access-token/", mock.url()))
            .query(&[("exp", exp)])
            .bearer_auth(&info.api_token)
            .send()
    };
    let asked = now();
    let long: Value = exchange("5m").await.unwrap().json().await.unwrap();
    let exp = claims(long["access_token"].as_str().unwrap())["exp"]
        .as_u64()
        .unwrap();
    assert!((asked + 299..=now() + 300).contains(&exp), "exp {exp}");

    let missing = http()
        .get(gateway_url(&mock, &info, "metadata/"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    assert_eq!(
        missing.json::<Value>().await.unwrap(),
        json!({"detail": "Authentication credentials were not provided."})
    );

    // Without `exp`, the mock's lifetime (1 s here): valid at once, expired after it.
    let short = base_token(&mock, &info).await;
    let exp = claims(&short)["exp"].as_u64().unwrap();
    let metadata = |token: String| {
        let url = gateway_url(&mock, &info, "metadata/");
        async move {
            let answer = http().get(url).bearer_auth(token).send().await.unwrap();
            answer.status().as_u16()
        }
    };
    assert_eq!(metadata(short.clone()).await, 200);
    let wait = (std::time::UNIX_EPOCH + Duration::from_secs(exp))
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(50)).await;
    assert_eq!(metadata(short).await, 403);
    let long = long["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        metadata(long).await,
        200,
        "an earlier token keeps its own exp"
    );
}
