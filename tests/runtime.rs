//! The runtime's behaviour around the call: repetitions after failures, rate limits, the
//! renewal of Base-Tokens, the client-side limiter, redirects and what reaches the logs.
//! Against servers on 127.0.0.1 (wiremock); faults that need a broken connection are in
//! `tests/faults.rs`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use seatable_api::{Applied, BaseClient, BaseToken, Client, ErrorKind, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const UUID: &str = "650d8a0d-7e27-46a8-8b18-6cc6f3db2057";
const GATEWAY: &str = "/api-gateway/api/v2/dtables/650d8a0d-7e27-46a8-8b18-6cc6f3db2057";
const API_TOKEN: &str = "api-token-0123456789abcdef0123456789abcdef";

/// Quick repetitions, so the tests do not wait for the default back-off.
fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

fn client(server: &MockServer) -> Client {
    Client::builder(&server.uri())
        .retry_policy(quick())
        .build()
        .unwrap()
}

fn base(server: &MockServer) -> BaseClient {
    BaseClient::new(client(server), UUID, BaseToken::from("base-jwt"))
}

/// A JWT (unsigned, as the client never checks signatures) expiring `lifetime` from now,
/// numbered so tests can tell tokens apart.
fn jwt(n: usize, lifetime: Duration) -> String {
    let exp = (SystemTime::now() + lifetime)
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        .ceil() as u64;
    seatable_api::testing::mint_jwt(&json!({"exp": exp, "dtable_uuid": UUID, "n": n}))
}

/// Hands out Base-Tokens `jwt(1)`, `jwt(2)`, … for the API-Token, counting exchanges.
struct TokenExchange {
    issued: Arc<AtomicUsize>,
    lifetime: Duration,
    /// Every token it issued, in order.
    tokens: Arc<Mutex<Vec<String>>>,
}

impl Respond for TokenExchange {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let token = jwt(n, self.lifetime);
        self.tokens.lock().unwrap().push(token.clone());
        ResponseTemplate::new(200).set_body_json(json!({
            "app_name": "importer", "access_token": token, "dtable_uuid": UUID,
            "dtable_server": "https://x/dtable-server/", "dtable_socket": "https://x/",
            "dtable_db": "https://x/dtable-db/", "workspace_id": 7, "dtable_name": "Projects"
        }))
    }
}

struct Exchange {
    issued: Arc<AtomicUsize>,
    tokens: Arc<Mutex<Vec<String>>>,
}

async fn mount_exchange(server: &MockServer, lifetime: Duration) -> Exchange {
    let issued = Arc::new(AtomicUsize::new(0));
    let tokens = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-access-token/"))
        .and(header(
            "authorization",
            format!("Bearer {API_TOKEN}").as_str(),
        ))
        .respond_with(TokenExchange {
            issued: Arc::clone(&issued),
            lifetime,
            tokens: Arc::clone(&tokens),
        })
        .mount(server)
        .await;
    Exchange { issued, tokens }
}

fn rows_answer() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"rows": []}))
}

/// Answers with the statuses in `script`, one per request, then 200.
struct Script {
    statuses: Mutex<Vec<ResponseTemplate>>,
    ok: ResponseTemplate,
}

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut statuses = self.statuses.lock().unwrap();
        if statuses.is_empty() {
            self.ok.clone()
        } else {
            statuses.remove(0)
        }
    }
}

fn script(statuses: Vec<ResponseTemplate>, ok: ResponseTemplate) -> Script {
    Script {
        statuses: Mutex::new(statuses),
        ok,
    }
}

fn appended() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "inserted_row_count": 1, "row_ids": [{"_id": "Qtf7xPmoRaiFyQPO1aENTj"}]
    }))
}

fn one_row() -> Vec<serde_json::Map<String, serde_json::Value>> {
    vec![json!({"Name": "John Doe"}).as_object().unwrap().clone()]
}

async fn requests_to(server: &MockServer, method_name: &str, suffix: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == method_name && r.url.path().ends_with(suffix))
        .count()
}

#[tokio::test]
async fn a_503_is_repeated_even_for_an_append() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(script(
            vec![ResponseTemplate::new(503), ResponseTemplate::new(503)],
            appended(),
        ))
        .mount(&server)
        .await;
    let base = base(&server);
    base.set_check_writes(false);
    let answer = base.append_rows("Table1", one_row()).await.unwrap();
    assert_eq!(answer.inserted_row_count, 1);
    assert_eq!(requests_to(&server, "POST", "/rows/").await, 3);
}

#[tokio::test]
async fn an_append_that_may_have_happened_is_not_repeated() {
    for status in [500, 502, 504] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(format!("{GATEWAY}/rows/")))
            .respond_with(script(vec![ResponseTemplate::new(status)], appended()))
            .mount(&server)
            .await;
        let base = base(&server);
        base.set_check_writes(false);
        let e = base.append_rows("Table1", one_row()).await.unwrap_err();
        assert_eq!(
            (e.status(), e.applied(), e.retries()),
            (Some(status), Applied::Maybe, 0)
        );
        assert_eq!(requests_to(&server, "POST", "/rows/").await, 1, "{status}");
    }
}

#[tokio::test]
async fn reads_and_idempotent_writes_are_repeated_after_server_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(script(
            vec![
                ResponseTemplate::new(502),
                ResponseTemplate::new(500),
                ResponseTemplate::new(504),
            ],
            rows_answer(),
        ))
        .mount(&server)
        .await;
    // `listRowLinks` is a POST that only reads: the spec marks it `x-idempotent`.
    Mock::given(method("POST"))
        .and(path(format!("{GATEWAY}/query-links/")))
        .respond_with(script(
            vec![ResponseTemplate::new(502)],
            ResponseTemplate::new(200).set_body_json(json!({})),
        ))
        .mount(&server)
        .await;
    let base = base(&server);
    base.list_rows("Table1").await.unwrap();
    assert_eq!(requests_to(&server, "GET", "/rows/").await, 4);
    base.list_row_links(
        "Table1",
        "Projects",
        Vec::<seatable_api::types::RowLinksQuery>::new(),
    )
    .await
    .unwrap();
    assert_eq!(requests_to(&server, "POST", "/query-links/").await, 2);
}

#[tokio::test]
async fn repetitions_stop_at_the_policy_s_maximum_and_say_so() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = Client::builder(&server.uri())
        .retry_policy(quick().max_retries(2))
        .build()
        .unwrap();
    let base = BaseClient::new(client, UUID, BaseToken::from("base-jwt"));
    let e = base.list_rows("Table1").await.unwrap_err();
    assert_eq!((e.status(), e.retries()), (Some(503), 2));
    assert_eq!(e.to_string(), "listRows: HTTP 503 (after 2 retries)");
    assert_eq!(requests_to(&server, "GET", "/rows/").await, 3);
}

#[tokio::test]
async fn a_429_waits_as_long_as_the_server_says() {
    let server = MockServer::start().await;
    let reset = SystemTime::now() + Duration::from_secs(2);
    let reset = reset.duration_since(UNIX_EPOCH).unwrap().as_secs();
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(script(
            vec![
                ResponseTemplate::new(429).insert_header("retry-after", "1"),
                ResponseTemplate::new(429).insert_header("x-ratelimit-reset", reset.to_string()),
            ],
            rows_answer()
                .insert_header("x-ratelimit-limit", "200")
                .insert_header("x-ratelimit-remaining", "199")
                .insert_header("x-ratelimit-reset", reset.to_string()),
        ))
        .mount(&server)
        .await;
    let base = base(&server);
    let started = Instant::now();
    base.list_rows("Table1").await.unwrap();
    let waited = started.elapsed();
    // One second as told, then until the reset second was over: the quick back-off of
    // the policy (≤ 20 ms) would have been far shorter.
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    assert!(SystemTime::now() >= UNIX_EPOCH + Duration::from_secs(reset));
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert_eq!(requests_to(&server, "GET", "/rows/").await, 3);
    let limit = base.client().rate_limit().expect("headers were seen");
    assert_eq!((limit.limit, limit.remaining), (Some(200), Some(199)));
    assert_eq!(limit.reset, Some(UNIX_EPOCH + Duration::from_secs(reset)));
}

#[tokio::test]
async fn a_429_without_headers_backs_off_until_the_budget_is_spent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(ResponseTemplate::new(429))
        .mount(&server)
        .await;
    let client = Client::builder(&server.uri())
        .retry_policy(quick().rate_limit_budget(Duration::from_millis(300)))
        .build()
        .unwrap();
    let base = BaseClient::new(client, UUID, BaseToken::from("base-jwt"));
    let started = Instant::now();
    let e = base.list_rows("Table1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(started.elapsed() < Duration::from_secs(2));
    // Waits of 10–20 ms each (the back-off stays at its maximum) within 300 ms.
    let sent = requests_to(&server, "GET", "/rows/").await;
    assert!((10..=40).contains(&sent), "{sent} requests");
    assert_eq!(e.retries() as usize, sent - 1);
}

#[tokio::test]
async fn the_base_token_is_renewed_before_it_expires() {
    let server = MockServer::start().await;
    let exchange = mount_exchange(&server, Duration::from_secs(2)).await;
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(rows_answer())
        .mount(&server)
        .await;
    let base = client(&server)
        .base_with_api_token(API_TOKEN)
        .await
        .unwrap();
    base.list_rows("Table1").await.unwrap();
    assert_eq!(exchange.issued.load(Ordering::SeqCst), 1);
    // Past the renewal point (a tenth of the lifetime before `exp`, which is rounded up
    // to whole seconds), never rejected.
    tokio::time::sleep(Duration::from_millis(3000)).await;
    base.list_rows("Table1").await.unwrap();
    assert_eq!(exchange.issued.load(Ordering::SeqCst), 2);
    let sent: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("/rows/"))
        .map(|r| r.headers["authorization"].to_str().unwrap().to_string())
        .collect();
    let tokens = exchange.tokens.lock().unwrap().clone();
    assert_eq!(
        sent,
        [
            format!("Bearer {}", tokens[0]),
            format!("Bearer {}", tokens[1])
        ]
    );
}

/// Rejects every token but the newest one issued with 403 `Token expired.`.
struct OnlyNewest {
    tokens: Arc<Mutex<Vec<String>>>,
    ok: ResponseTemplate,
}

impl Respond for OnlyNewest {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let newest = self.tokens.lock().unwrap().last().cloned();
        let sent = request
            .headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string());
        match newest {
            Some(t) if sent == Some(format!("Bearer {t}")) => self.ok.clone(),
            _ => ResponseTemplate::new(403).set_body_json(json!({"error_msg": "Token expired."})),
        }
    }
}

#[tokio::test]
async fn a_rejected_token_is_renewed_once_for_fifty_concurrent_calls() {
    let server = MockServer::start().await;
    let exchange = mount_exchange(&server, Duration::from_secs(3 * 24 * 3600)).await;
    let base = client(&server)
        .base_with_api_token(API_TOKEN)
        .await
        .unwrap();
    // The server now takes only tokens issued from here on: the client's token is
    // rejected although its `exp` lies days ahead.
    exchange
        .tokens
        .lock()
        .unwrap()
        .push("a token the client never saw".into());
    Mock::given(method("POST"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(OnlyNewest {
            tokens: Arc::clone(&exchange.tokens),
            ok: appended(),
        })
        .mount(&server)
        .await;
    base.set_check_writes(false);
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let base = base.clone();
            tokio::spawn(async move { base.append_rows("Table1", one_row()).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(
        exchange.issued.load(Ordering::SeqCst),
        2,
        "one renewal for all"
    );
    // Every call was sent at most twice: with the old token, then with the new one.
    let appends = requests_to(&server, "POST", "/rows/").await;
    assert!((50..=100).contains(&appends), "{appends}");
}

#[tokio::test]
async fn fifty_concurrent_calls_at_expiry_renew_once() {
    let server = MockServer::start().await;
    let exchange = mount_exchange(&server, Duration::from_secs(2)).await;
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(OnlyNewest {
            tokens: Arc::clone(&exchange.tokens),
            ok: rows_answer(),
        })
        .mount(&server)
        .await;
    let base = client(&server)
        .base_with_api_token(API_TOKEN)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let base = base.clone();
            tokio::spawn(async move { base.list_rows("Table1").await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(exchange.issued.load(Ordering::SeqCst), 2);
    // Renewed before sending: no call went out with the expired token.
    assert_eq!(requests_to(&server, "GET", "/rows/").await, 50);
}

#[tokio::test]
async fn a_token_the_client_cannot_renew_fails_with_the_server_s_answer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(json!({"error_msg": "Token expired."})),
        )
        .mount(&server)
        .await;
    let base = base(&server);
    let e = base.list_rows("Table1").await.unwrap_err();
    assert_eq!(e.to_string(), "listRows: HTTP 403: Token expired.");
    assert_eq!(requests_to(&server, "GET", "/rows/").await, 1);
    let e = base.renew_token().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn a_token_rejected_twice_is_not_renewed_forever() {
    let server = MockServer::start().await;
    let exchange = mount_exchange(&server, Duration::from_secs(3600)).await;
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "Invalid token"})))
        .mount(&server)
        .await;
    let base = client(&server)
        .base_with_api_token(API_TOKEN)
        .await
        .unwrap();
    let e = base.list_rows("Table1").await.unwrap_err();
    assert_eq!(e.to_string(), "listRows: HTTP 401: Invalid token");
    assert_eq!(exchange.issued.load(Ordering::SeqCst), 2);
    assert_eq!(requests_to(&server, "GET", "/rows/").await, 2);
}

#[tokio::test]
async fn the_client_side_limit_holds_requests_back() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(rows_answer())
        .mount(&server)
        .await;
    let client = Client::builder(&server.uri())
        .requests_per_minute(3)
        .build()
        .unwrap();
    let base = BaseClient::new(client.clone(), UUID, BaseToken::from("base-jwt"));
    for _ in 0..3 {
        base.list_rows("Table1").await.unwrap();
    }
    // The fourth waits for the window; another base has its own window.
    let fourth = tokio::time::timeout(Duration::from_millis(500), base.list_rows("Table1")).await;
    assert!(
        fourth.is_err(),
        "the fourth request of the minute was held back"
    );
    let other = BaseClient::new(client, "another-base", BaseToken::from("jwt-2"));
    Mock::given(method("GET"))
        .and(path("/api-gateway/api/v2/dtables/another-base/rows/"))
        .respond_with(rows_answer())
        .mount(&server)
        .await;
    other.list_rows("Table1").await.unwrap();
    assert_eq!(requests_to(&server, "GET", "/rows/").await, 4);
}

#[tokio::test]
async fn the_token_does_not_follow_a_redirect_to_another_host() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(rows_answer())
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    // Same port numbering, other host name: `localhost` instead of `127.0.0.1`.
    let target = format!(
        "http://localhost:{}{GATEWAY}/rows/",
        elsewhere.address().port()
    );
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(ResponseTemplate::new(302).insert_header("location", target.as_str()))
        .mount(&server)
        .await;
    base(&server).list_rows("Table1").await.unwrap();
    let first = &server.received_requests().await.unwrap()[0];
    assert_eq!(first.headers["authorization"], "Bearer base-jwt");
    let followed = elsewhere.received_requests().await.unwrap();
    assert_eq!(followed.len(), 1);
    assert!(
        !followed[0].headers.contains_key("authorization"),
        "{:?}",
        followed[0].headers
    );
}

/// Everything the `tracing` events and spans of the client write, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Answers 400 with the `Authorization` header it received in the body.
struct Echo;

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let sent = request.headers["authorization"].to_str().unwrap();
        ResponseTemplate::new(400).set_body_string(format!("bad request from {sent}"))
    }
}

#[tokio::test]
async fn no_token_reaches_logs_errors_or_debug_output() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(logs.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    let exchange = mount_exchange(&server, Duration::from_secs(3600)).await;
    let client = client(&server);
    let base = client.base_with_api_token(API_TOKEN).await.unwrap();
    // Rejected once (renewal), then a server error that echoes the token it got, then
    // success; and a rate limit on another path.
    exchange
        .tokens
        .lock()
        .unwrap()
        .push("not the client's".into());
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(OnlyNewest {
            tokens: Arc::clone(&exchange.tokens),
            ok: rows_answer(),
        })
        .mount(&server)
        .await;
    base.list_rows("Table1").await.unwrap();
    // Servers that repeat the token they were sent in an error message.
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/metadata/")))
        .respond_with(Echo)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-upload-link/"))
        .respond_with(Echo)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{GATEWAY}/rows/")))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let mut texts = Vec::new();
    let e = base.get_metadata().await.unwrap_err();
    assert!(
        e.body().unwrap().starts_with("bad request from Bearer ***"),
        "{e:?}"
    );
    texts.push(format!("{e} {e:?} {:?}", e.body()));
    let e = client
        .with_api_token(API_TOKEN)
        .get_upload_link()
        .await
        .unwrap_err();
    assert!(
        e.body().unwrap().starts_with("bad request from Bearer ***"),
        "{e:?}"
    );
    texts.push(format!("{e} {e:?}"));
    let e = base
        .delete_rows("Table1", ["Qtf7xPmoRaiFyQPO1aENTj"])
        .await
        .unwrap_err();
    assert_eq!(e.retries(), 4, "the 4 repetitions of the policy");
    texts.push(format!("{e} {e:?}"));
    texts.push(format!(
        "{base:?} {client:?} {:?}",
        client.with_api_token(API_TOKEN)
    ));
    drop(_guard);

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("seatable.request"),
        "spans are written:\n{logs}"
    );
    assert!(logs.contains("operation=\"getBaseToken\""), "{logs}");
    assert!(logs.contains("Base-Token renewed"), "{logs}");
    assert!(logs.contains("repeating the request"), "{logs}");
    texts.push(logs);
    let mut secrets = exchange.tokens.lock().unwrap().clone();
    secrets.push(API_TOKEN.to_string());
    assert_eq!(
        secrets.len(),
        4,
        "two issued tokens, the planted one, the API-Token"
    );
    for text in &texts {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "`{secret}` found in:\n{text}"
            );
            // A token cut short is still a leak: its signature part is unique.
            let tail = &secret[secret.len() - 8..];
            assert!(
                !text.contains(tail),
                "the end of `{secret}` found in:\n{text}"
            );
        }
    }
}

#[tokio::test]
async fn requests_that_cannot_be_sent_as_built_are_refused_before_sending() {
    let server = MockServer::start().await;
    // A row id of `..` would address another endpoint once the URL is normalised.
    let e = base(&server).get_row("..", "Table1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        e.to_string(),
        format!(
            "getRow: the path `/api-gateway/api/v2/dtables/{UUID}/rows/../` would be sent as \
             `/api-gateway/api/v2/dtables/{UUID}/`; a path parameter may not be `.` or `..`"
        )
    );
    // A token no HTTP header can carry, for a base and for an account.
    let bad = BaseClient::new(client(&server), UUID, BaseToken::from("line\nbreak"));
    let e = bad.list_rows("Table1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        e.to_string(),
        "listRows: the token holds characters an HTTP header cannot carry"
    );
    let account = client(&server).with_account_token("line\rbreak");
    let e = account.get_account_info().await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "getAccountInfo: the token holds characters an HTTP header cannot carry"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
