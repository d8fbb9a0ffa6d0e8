//! The client against injected faults (`support::fault_server`, a SeaTable base on
//! 127.0.0.1 that fails by script): what is repeated, what is not, the exact requests that
//! reach the server, and what the base holds afterwards.

use std::time::{Duration, Instant};

use seatable_api::{Applied, BaseClient, Client, ErrorKind, RetryPolicy};
use serde_json::{json, Map, Value};

mod support;

use support::fault_server::{Config, Fault, FaultServer, Reply, Rule, API_TOKEN};

/// Short waits, so the tests run quickly; long enough to outlast a 300 ms refusal.
fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(80))
        .max_backoff(Duration::from_millis(400))
}

async fn base_with(server: &FaultServer, timeout: Duration) -> BaseClient {
    let client = Client::builder(&server.url())
        .timeout(timeout)
        .retry_policy(policy())
        .build()
        .unwrap();
    client.base_with_api_token(API_TOKEN).await.unwrap()
}

async fn base(server: &FaultServer) -> BaseClient {
    base_with(server, Duration::from_secs(10)).await
}

fn rows(names: &[&str]) -> Vec<Map<String, Value>> {
    names
        .iter()
        .map(|n| json!({"Name": n}).as_object().unwrap().clone())
        .collect()
}

/// `METHOD path-tail` of the requests after the token exchange and metadata load.
fn lines(server: &FaultServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| r.path.contains("/rows/"))
        .map(|r| format!("{} rows {:?}", r.method, r.answered))
        .collect()
}

fn names(server: &FaultServer) -> Vec<String> {
    server
        .rows()
        .iter()
        .map(|r| r["Name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_read_cut_off_by_a_reset_is_repeated() {
    let server = FaultServer::start().await;
    server.push(Rule::new("GET", "/rows/", Fault::Reset));
    server.push(Rule::new("GET", "/rows/", Fault::TruncateBody).nth(2));
    let base = base(&server).await;
    let page = base.list_rows("Table1").await.unwrap();
    assert!(page.rows.is_empty());
    assert_eq!(
        lines(&server),
        [
            "GET rows Reset",
            "GET rows Truncated(200)",
            "GET rows Status(200)"
        ]
    );
}

#[tokio::test]
async fn an_append_cut_off_by_a_reset_is_not_repeated() {
    for fault in [Fault::Reset, Fault::ProcessThenReset, Fault::TruncateBody] {
        let server = FaultServer::start().await;
        server.push(Rule::new("POST", "/rows/", fault.clone()));
        let base = base(&server).await;
        let e = base
            .append_rows("Table1", rows(&["Ada"]))
            .await
            .unwrap_err();
        // A truncated 2xx answer was applied; a reset may or may not have been.
        let expected = match fault {
            Fault::TruncateBody => Applied::Yes,
            _ => Applied::Maybe,
        };
        assert_eq!(e.applied(), expected, "{fault:?}: {e}");
        assert_eq!(e.retries(), 0);
        let posts = lines(&server);
        assert_eq!(posts.len(), 1, "{fault:?}: sent once: {posts:?}");
        let stored = if fault == Fault::Reset { 0 } else { 1 };
        assert_eq!(server.rows().len(), stored, "{fault:?}");
    }
}

#[tokio::test]
async fn writes_are_repeated_when_the_server_certainly_did_nothing() {
    let server = FaultServer::start().await;
    server.push(Rule::new("POST", "/rows/", Fault::status(503)));
    server.push(
        Rule::new(
            "POST",
            "/rows/",
            Fault::Answer(Reply::new(429).header("retry-after", "1")),
        )
        .nth(2),
    );
    server.push(Rule::new("POST", "/rows/", Fault::status(429)).nth(3));
    let base = base(&server).await;
    let started = Instant::now();
    let answer = base.append_rows("Table1", rows(&["Ada"])).await.unwrap();
    assert_eq!(answer.inserted_row_count, 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was kept"
    );
    assert_eq!(
        lines(&server),
        [
            "POST rows Status(503)",
            "POST rows Status(429)",
            "POST rows Status(429)",
            "POST rows Status(200)"
        ]
    );
    assert_eq!(names(&server), ["Ada"], "stored exactly once");
}

#[tokio::test]
async fn a_refused_connection_is_repeated_for_an_append() {
    let server = FaultServer::start().await;
    let base = base(&server).await;
    server.refuse_connections(Duration::from_millis(300));
    let answer = base.append_rows("Table1", rows(&["Ada"])).await.unwrap();
    assert_eq!(answer.inserted_row_count, 1);
    assert_eq!(names(&server), ["Ada"]);
}

#[tokio::test]
async fn a_read_outlasts_connections_closed_on_accept() {
    let server = FaultServer::start().await;
    let base = base(&server).await;
    server.close_connections(Duration::from_millis(300));
    // The client cannot tell whether a request on a connection closed under it was read,
    // so only an idempotent one is repeated; a read is.
    let page = base.list_rows("Table1").await.unwrap();
    assert!(page.rows.is_empty());
    let answered = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/rows/"))
        .filter(|r| r.status() == Some(200))
        .count();
    assert_eq!(answered, 1);
}

#[tokio::test]
async fn a_slow_read_times_out_and_is_repeated() {
    let server = FaultServer::start().await;
    server.push(Rule::new(
        "GET",
        "/rows/",
        Fault::DelayThenProcess(Duration::from_millis(1500)),
    ));
    let base = base_with(&server, Duration::from_millis(500)).await;
    base.list_rows("Table1").await.unwrap();
    let gets = lines(&server);
    assert_eq!(gets.len(), 2, "{gets:?}");
}

#[tokio::test]
async fn a_slow_append_times_out_and_says_it_may_have_been_applied() {
    let server = FaultServer::start().await;
    server.push(Rule::new(
        "POST",
        "/rows/",
        Fault::ProcessThenDelay(Duration::from_millis(1500)),
    ));
    let base = base_with(&server, Duration::from_millis(500)).await;
    let e = base
        .append_rows("Table1", rows(&["Ada"]))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.applied()),
        (ErrorKind::Transport, Applied::Maybe)
    );
    assert_eq!(e.to_string(), "appendRows: the request timed out");
    assert_eq!(lines(&server).len(), 1);
    assert_eq!(names(&server), ["Ada"], "it was applied, once");
}

#[tokio::test]
async fn a_token_expiring_mid_run_is_renewed_and_the_call_repeated() {
    let server = FaultServer::start().await;
    let base = base(&server).await;
    base.append_rows("Table1", rows(&["a"])).await.unwrap();
    server.push(Rule::new("POST", "/rows/", Fault::ExpireToken));
    base.append_rows("Table1", rows(&["b"])).await.unwrap();
    base.append_rows("Table1", rows(&["c"])).await.unwrap();
    assert_eq!(server.token_exchanges(), 2);
    assert_eq!(names(&server), ["a", "b", "c"]);
    let answered: Vec<Option<u16>> = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.status())
        .collect();
    assert_eq!(answered, [Some(200), Some(403), Some(200), Some(200)]);
}

#[tokio::test]
async fn fifty_concurrent_calls_at_token_expiry_make_one_exchange() {
    let server = FaultServer::start_with(Config {
        token_lifetime: Duration::from_secs(2),
        ..Config::default()
    })
    .await;
    let base = base(&server).await;
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
    assert_eq!(server.token_exchanges(), 2, "one renewal for 50 callers");
    assert_eq!(server.rows().len(), 50);
    let rejected = server
        .requests()
        .iter()
        .filter(|r| r.status() == Some(403) || r.status() == Some(401))
        .count();
    assert_eq!(rejected, 0, "renewed before the expired token was sent");
}

#[tokio::test]
async fn the_client_side_limit_avoids_the_servers_429() {
    let server = FaultServer::start().await;
    server.set_rate_limit(Some(5));
    let client = Client::builder(&server.url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let base = client.base_with_api_token(API_TOKEN).await.unwrap();
    for _ in 0..5 {
        base.list_rows("Table1").await.unwrap();
    }
    let e = base.list_rows("Table1").await.unwrap_err();
    assert_eq!((e.kind(), e.body()), (ErrorKind::RateLimited, Some("")));
    let limit = base.client().rate_limit().unwrap();
    assert_eq!((limit.limit, limit.remaining), (Some(5), Some(0)));

    // With the limiter below the server's limit, the sixth request waits instead.
    let server = FaultServer::start().await;
    server.set_rate_limit(Some(5));
    let client = Client::builder(&server.url())
        .retry_policy(RetryPolicy::none())
        .requests_per_minute(5)
        .build()
        .unwrap();
    let base = client.base_with_api_token(API_TOKEN).await.unwrap();
    for _ in 0..4 {
        base.list_rows("Table1").await.unwrap();
    }
    let sixth = tokio::time::timeout(Duration::from_millis(500), async {
        base.list_rows("Table1").await.unwrap();
        base.list_rows("Table1").await
    })
    .await;
    assert!(sixth.is_err(), "held back by the client, not refused");
    assert!(server.requests().iter().all(|r| r.status() != Some(429)));
}
