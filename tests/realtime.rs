//! `BaseClient::events` against a real Socket.IO server: the npm `socket.io` package
//! (pinned by `tests/realtime/package-lock.json`, installed here with `npm ci` when
//! missing), scripted by `tests/realtime/server.js`, run with Node on 127.0.0.1. The same
//! server hands out the Base-Tokens, so renewals are counted where they happen. Then
//! MockSeaTable's realtime service, with this crate's client, with the reference client
//! (npm `socket.io-client`, `tests/realtime/client.js`), and through `examples/watch.rs`.

#[allow(dead_code)]
#[path = "../examples/watch.rs"]
mod watch;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use futures_util::StreamExt;
use seatable_api::realtime::{Event, EventStream, OperationType};
use seatable_api::{BaseClient, Client};
use serde_json::{json, Value};

const API_TOKEN: &str = "api-token-of-the-realtime-tests";
/// Long enough for a slow CI machine, short enough that a hang fails the test.
const WAIT: Duration = Duration::from_secs(30);

/// The scripted server of one scenario; killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realtime")
}

/// The pinned `socket.io` and `socket.io-client`, installed from the lockfile on first
/// use (once for all tests).
fn install() {
    static INSTALLED: Mutex<bool> = Mutex::new(false);
    let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    let dir = server_dir();
    let present = ["socket.io", "socket.io-client"].iter().all(|package| {
        dir.join("node_modules")
            .join(package)
            .join("package.json")
            .exists()
    });
    if *installed || present {
        *installed = true;
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .status()
        .unwrap_or_else(|e| {
            panic!("cannot run npm to install socket.io (Node.js and npm are needed): {e}")
        });
    assert!(status.success(), "`npm ci` in {} failed", dir.display());
    *installed = true;
}

fn start(scenario: &str) -> Server {
    // Every scenario logs into the shared capture, where the drop test looks for tokens.
    logs();
    install();
    let mut child = Command::new("node")
        .arg(server_dir().join("server.js"))
        .arg(scenario)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start node: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the server's first line");
    let port = line
        .trim()
        .strip_prefix("listening ")
        .unwrap_or_else(|| panic!("the server said {line:?} instead of `listening PORT`"));
    Server {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

impl Server {
    async fn base(&self) -> BaseClient {
        let client = Client::new(&self.url).expect("client");
        client
            .base_with_api_token(API_TOKEN)
            .await
            .expect("Base-Token")
    }

    async fn stats(&self) -> Value {
        reqwest::get(format!("{}/stats", self.url))
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON")
    }

    /// The token the `n`-th exchange issued.
    async fn token(&self, n: usize) -> String {
        self.stats().await["tokens"][n - 1]
            .as_str()
            .expect("a token")
            .to_string()
    }
}

async fn next(events: &mut EventStream) -> Event {
    match tokio::time::timeout(WAIT, events.next()).await {
        Ok(Some(Ok(event))) => event,
        Ok(Some(Err(e))) => panic!("the stream failed: {e}"),
        Ok(None) => panic!("the stream ended"),
        Err(_) => panic!("no event within {WAIT:?}"),
    }
}

fn change(event: &Event) -> (OperationType, Option<u64>) {
    match event {
        Event::BaseChanged { operation, version } => (operation.op_type.clone(), *version),
        other => panic!("expected a change, got {other:?}"),
    }
}

#[tokio::test]
async fn events_arrive_in_order_and_typed_and_malformed_ones_stay_raw() {
    let server = start("events");
    let base = server.base().await;
    let mut events = base.events().await.expect("connect");

    let Event::BaseChanged { operation, version } = next(&mut events).await else {
        panic!()
    };
    assert_eq!(operation.op_type, OperationType::InsertRow);
    assert_eq!(operation.table_id.as_deref(), Some("0000"));
    assert_eq!(operation.row_id.as_deref(), Some("anchor"));
    assert_eq!(
        operation.fields["row_data"],
        json!({"_id": "r1", "0000": "a"})
    );
    assert_eq!(version, Some(1));

    let Event::BaseChanged { operation, version } = next(&mut events).await else {
        panic!()
    };
    assert_eq!(operation.op_type, OperationType::ModifyRow);
    assert_eq!(operation.row_id.as_deref(), Some("r1"));
    assert_eq!(operation.fields["updated"], json!({"0000": "b"}));
    assert_eq!(version, Some(2));

    assert_eq!(
        next(&mut events).await,
        Event::Notification {
            notification: json!({"msg_type": "comment", "detail": {"message": "hi"}})
        }
    );
    assert_eq!(
        next(&mut events).await,
        Event::Unknown {
            name: "server-news".into(),
            data: vec![json!({"any": "thing"}), json!(42)]
        }
    );
    assert_eq!(
        change(&next(&mut events).await),
        (OperationType::Unknown("insert_table".into()), Some(3))
    );
    // The malformed ones, in the order sent, each kept as received.
    assert_eq!(
        next(&mut events).await,
        Event::Unknown {
            name: "update-dtable".into(),
            data: vec![json!("{not json"), json!(4)]
        }
    );
    assert_eq!(
        next(&mut events).await,
        Event::Unknown {
            name: "update-dtable".into(),
            data: vec![json!(17)]
        }
    );
    for raw in ["2{broken", "2[]", "9", "3"] {
        assert_eq!(
            next(&mut events).await,
            Event::Unknown {
                name: String::new(),
                data: vec![json!(raw)]
            },
            "the raw packet {raw:?}"
        );
    }
    // The binary event is skipped; the connection is still in order after all of that.
    assert_eq!(
        change(&next(&mut events).await),
        (OperationType::DeleteRow, Some(5))
    );

    let stats = server.stats().await;
    assert_eq!(stats["exchanges"], 1);
    assert_eq!(
        stats["joins"],
        json!([{"n": 1, "accepted": true, "connection": 1}])
    );
}

/// Everything the `tracing` events of the client write, as text.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<Mutex<Vec<u8>>>);

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

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The logs of every test of this binary: one global subscriber, since a thread-local one
/// can miss events whose callsites other tests' threads registered first.
fn logs() -> &'static Captured {
    static LOGS: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(logs.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        logs
    })
}

#[tokio::test]
async fn a_dropped_connection_is_resumed_with_a_renewed_token() {
    let logs = logs();
    let server = start("drop");
    let base = server.base().await;
    let mut events = base
        .events()
        .initial_backoff(Duration::from_millis(100))
        .await
        .expect("connect");

    assert_eq!(
        change(&next(&mut events).await),
        (OperationType::InsertRow, Some(1))
    );
    // The server ended the socket (`41`): the client renews its token and joins again.
    assert_eq!(next(&mut events).await, Event::Reconnected);
    assert_eq!(
        change(&next(&mut events).await),
        (OperationType::ModifyRow, Some(2))
    );
    // The TCP connection is cut without a word: the client notices and joins again with
    // the token it has (nothing says it is stale).
    assert_eq!(next(&mut events).await, Event::Reconnected);
    assert_eq!(
        change(&next(&mut events).await),
        (OperationType::DeleteRow, Some(3))
    );

    let stats = server.stats().await;
    assert_eq!(stats["exchanges"], 2, "{stats}");
    assert_eq!(
        stats["joins"],
        json!([
            {"n": 1, "accepted": true, "connection": 1},
            {"n": 2, "accepted": true, "connection": 2},
            {"n": 2, "accepted": true, "connection": 3},
        ])
    );
    // Losses and resumptions are logged (other tests' too: the logs are shared); no
    // token is.
    let logs = logs.text();
    assert!(
        logs.contains("realtime connection lost; reconnecting"),
        "{logs}"
    );
    assert!(logs.contains("realtime connection resumed"), "{logs}");
    for n in [1, 2] {
        let token = server.token(n).await;
        let payload = token.split('.').nth(1).unwrap().to_string();
        assert!(
            !logs.contains(&token) && !logs.contains(&payload),
            "token {n} in the logs:\n{logs}"
        );
    }
}

/// A connection that goes silent (the server process is stopped: no pings, no close) is
/// found dead after the heartbeat's interval and timeout (800 ms here), and made again.
#[cfg(unix)]
#[tokio::test]
async fn a_silent_connection_is_found_dead_by_the_heartbeat_and_made_again() {
    let server = start("freeze");
    let base = server.base().await;
    let mut events = base
        .events()
        .initial_backoff(Duration::from_millis(100))
        .await
        .expect("connect");
    assert_eq!(
        change(&next(&mut events).await),
        (OperationType::ModifyRow, Some(1))
    );
    let signal = |name: &str| {
        let status = Command::new("kill")
            .args([name, &server.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill {name}");
    };
    signal("-STOP");
    tokio::time::sleep(Duration::from_millis(2000)).await;
    signal("-CONT");
    assert_eq!(next(&mut events).await, Event::Reconnected);
    assert_eq!(
        change(&next(&mut events).await),
        (OperationType::ModifyRow, Some(2))
    );
    let stats = server.stats().await;
    // Nothing told the client its token was stale: no renewal.
    assert_eq!(stats["exchanges"], 1, "{stats}");
    assert_eq!(stats["connections"], 2, "{stats}");
}

#[tokio::test]
async fn an_expired_token_is_renewed_once() {
    let server = start("expired");
    let base = server.base().await;
    let mut events = base.events().await.expect("connect after one renewal");
    assert_eq!(
        change(&next(&mut events).await),
        (OperationType::InsertRow, Some(1))
    );
    let stats = server.stats().await;
    assert_eq!(stats["exchanges"], 2, "{stats}");
    assert_eq!(
        stats["joins"],
        json!([
            {"n": 1, "accepted": false, "connection": 1},
            {"n": 2, "accepted": true, "connection": 1},
        ]),
        "the refused join is answered on the same connection"
    );
}

#[tokio::test]
async fn a_token_refused_after_its_renewal_is_an_error_not_a_loop() {
    let server = start("refuse-all");
    let base = server.base().await;
    let error = base.events().await.expect_err("refused twice");
    assert_eq!(error.operation(), Some("join-room"));
    let shown = format!("{error} / {error:?}");
    assert!(shown.contains("Token expired"), "{shown}");
    // Give a looping client time to show itself, then count.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stats = server.stats().await;
    assert_eq!(stats["exchanges"], 2, "one renewal: {stats}");
    assert_eq!(stats["joins"].as_array().map(Vec::len), Some(2), "{stats}");
    for n in [1, 2] {
        let token = server.token(n).await;
        assert!(!shown.contains(&token), "token {n} in the error: {shown}");
        let payload = token.split('.').nth(1).unwrap().to_string();
        assert!(
            !shown.contains(&payload),
            "token {n}'s payload in the error: {shown}"
        );
    }
}

#[tokio::test]
async fn a_rejoin_refused_with_a_renewed_token_ends_the_stream_with_the_error() {
    let server = start("revoked");
    let base = server.base().await;
    let mut events = base
        .events()
        .initial_backoff(Duration::from_millis(100))
        .await
        .expect("connect");
    assert_eq!(
        change(&next(&mut events).await),
        (OperationType::InsertRow, Some(1))
    );
    let error = match tokio::time::timeout(WAIT, events.next()).await {
        Ok(Some(Err(e))) => e,
        other => panic!("expected the stream's error, got {other:?}"),
    };
    assert_eq!(error.operation(), Some("join-room"));
    assert!(
        matches!(tokio::time::timeout(WAIT, events.next()).await, Ok(None)),
        "the stream ends"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stats = server.stats().await;
    // The first token, and one renewal after the server ended the socket: no more.
    assert_eq!(stats["exchanges"], 2, "{stats}");
    assert_eq!(
        stats["joins"],
        json!([
            {"n": 1, "accepted": true, "connection": 1},
            {"n": 2, "accepted": false, "connection": 2},
        ])
    );
    let shown = format!("{error} {error:?}");
    for n in [1, 2] {
        assert!(
            !shown.contains(&server.token(n).await),
            "token {n} in {shown}"
        );
    }
}

#[tokio::test]
async fn dropping_the_stream_closes_the_socket() {
    let server = start("quiet");
    let base = server.base().await;
    let events = base.events().await.expect("connect");
    assert!(!format!("{events:?}").contains(&server.token(1).await));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.stats().await["disconnects"], json!([]));
    drop(events);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let stats = server.stats().await;
        if let Some(reasons) = stats["disconnects"].as_array().filter(|r| !r.is_empty()) {
            // The client left the namespace itself, rather than vanishing.
            assert_eq!(
                reasons,
                &vec![json!("client namespace disconnect")],
                "{stats}"
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server never saw the socket close"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // And it does not come back.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(server.stats().await["connections"], 1);
}

#[tokio::test]
async fn a_wrong_server_fails_at_once_without_the_token() {
    // A server that is not a realtime service: the HTTP side answers, the socket does not.
    let server = start("quiet");
    let client = Client::new(&server.url).expect("client");
    let base = BaseClient::new(client, "other-base", server.token_for_nothing());
    let error = base.events().await.expect_err("wrong base is refused");
    assert!(!format!("{error:?}").contains("secret-token-that-must-not-show"));
}

impl Server {
    fn token_for_nothing(&self) -> seatable_api::BaseToken {
        "secret-token-that-must-not-show".into()
    }
}

/// MockSeaTable's realtime service: a user's own writes, through the HTTP API, arrive as
/// events on `base.events()` in SeaTable's shapes.
#[tokio::test]
async fn mock_seatable_writes_arrive_as_events() {
    use seatable_api::testing::MockSeaTable;
    let mock = MockSeaTable::start().await.expect("mock");
    let handle = mock
        .add_base(
            "Watched",
            json!({"tables": [{
                "_id": "0000", "name": "Table1",
                "columns": [{"key": "0000", "name": "Name", "type": "text"}],
                "views": [{"_id": "0000", "name": "Default View"}]
            }]}),
        )
        .expect("base");
    let base = mock
        .client()
        .base_with_api_token(handle.api_token.as_str())
        .await
        .expect("Base-Token");
    let mut events = base.events().await.expect("connect to the mock");

    let mut row = serde_json::Map::new();
    row.insert("Name".into(), json!("Ada"));
    base.append_rows("Table1", [row]).await.expect("append");
    let Event::BaseChanged { operation, version } = next(&mut events).await else {
        panic!()
    };
    assert_eq!(operation.op_type, OperationType::InsertRow);
    assert_eq!(operation.table_id.as_deref(), Some("0000"));
    assert_eq!(operation.fields["row_data"]["0000"], json!("Ada"));
    assert_eq!(version, Some(1));
    let row_id = operation.fields["row_data"]["_id"]
        .as_str()
        .expect("row id")
        .to_string();

    let rows = mock.rows(&handle, "Table1").expect("rows");
    assert_eq!(rows[0]["_id"], json!(row_id));
    let mut changed = serde_json::Map::new();
    changed.insert("Name".into(), json!("Grace"));
    base.update_rows(
        "Table1",
        [seatable_api::types::RowUpdate {
            row_id: row_id.clone(),
            row: changed,
        }],
    )
    .await
    .expect("update");
    let Event::BaseChanged { operation, version } = next(&mut events).await else {
        panic!()
    };
    assert_eq!(operation.op_type, OperationType::ModifyRow);
    assert_eq!(operation.row_id.as_deref(), Some(row_id.as_str()));
    assert_eq!(operation.fields["updated"], json!({"0000": "Grace"}));
    assert_eq!(version, Some(2));

    base.delete_rows("Table1", [row_id.clone()])
        .await
        .expect("delete");
    let Event::BaseChanged { operation, .. } = next(&mut events).await else {
        panic!()
    };
    assert_eq!(operation.op_type, OperationType::DeleteRow);
    assert_eq!(operation.row_id.as_deref(), Some(row_id.as_str()));
}

#[tokio::test]
async fn mock_seatable_refuses_a_token_of_another_base() {
    use seatable_api::testing::MockSeaTable;
    let mock = MockSeaTable::start().await.expect("mock");
    let meta = json!({"tables": [{"_id": "0000", "name": "T", "columns": [], "views": []}]});
    let one = mock.add_base("One", meta.clone()).expect("base");
    let two = mock.add_base("Two", meta).expect("base");
    let client = mock.client();
    let access = client
        .with_api_token(one.api_token.as_str())
        .get_base_token()
        .await
        .expect("a token of base One");
    let base = BaseClient::new(client, two.uuid.clone(), access.access_token.into());
    let error = base.events().await.expect_err("a token of another base");
    assert_eq!(error.operation(), Some("join-room"));
    assert!(format!("{error}").contains("permission_denied"), "{error}");
}

/// The realtime service is on the host the token exchange names (`dtable_server`), as the
/// official SDK connects, not necessarily the client's server: here the client's server is
/// a plain HTTP stand-in that has no Socket.IO at all, and the events still arrive.
#[tokio::test]
async fn events_connect_to_the_dtable_server_the_exchange_names() {
    use seatable_api::testing::MockSeaTable;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let mock = MockSeaTable::start().await.expect("mock");
    let meta = json!({"tables": [{"_id": "0000", "name": "T", "columns": [{"key": "0000", "name": "Name", "type": "text"}], "views": []}]});
    let handle = mock.add_base("Elsewhere", meta).expect("base");
    let mut access = serde_json::to_value(
        mock.client()
            .with_api_token(handle.api_token.as_str())
            .get_base_token()
            .await
            .expect("a Base-Token of the mock"),
    )
    .expect("access as JSON");
    access["dtable_server"] = json!(format!("{}/api-gateway/", mock.url()));
    let front = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-access-token/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(access))
        .mount(&front)
        .await;

    let base = Client::new(&front.uri())
        .expect("client")
        .base_with_api_token(handle.api_token.as_str())
        .await
        .expect("Base-Token through the front server");
    let mut events = base.events().await.expect("joined on the dtable_server");
    let writer = mock
        .client()
        .base_with_api_token(handle.api_token.as_str())
        .await
        .expect("Base-Token");
    let mut row = serde_json::Map::new();
    row.insert("Name".into(), json!("Ada"));
    writer.append_rows("T", [row]).await.expect("append");
    assert_eq!(change(&next(&mut events).await).0, OperationType::InsertRow);
    // Nothing but the exchange reached the client's own server.
    let requests = front.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 1, "{requests:?}");
}

/// `examples/watch.rs`: each change of the watched table, one line each, by column name;
/// changes of other tables are not printed.
#[tokio::test]
async fn the_watch_example_prints_each_change_of_its_table() {
    use seatable_api::testing::MockSeaTable;
    let mock = MockSeaTable::start().await.expect("mock");
    let table = |id: &str, name: &str| {
        json!({"_id": id, "name": name,
               "columns": [{"key": "0000", "name": "Name", "type": "text"}],
               "views": [{"_id": "0000", "name": "Default View"}]})
    };
    let handle = mock
        .add_base(
            "Watched",
            json!({"tables": [table("0000", watch::TABLE), table("0001", "Other")]}),
        )
        .expect("base");
    let base = mock
        .client()
        .base_with_api_token(handle.api_token.as_str())
        .await
        .expect("Base-Token");
    let events = base.events().await.expect("connect");
    let writer = base.clone();
    let writes = tokio::spawn(async move {
        watch::make_changes(&writer, "Other").await?;
        watch::make_changes(&writer, watch::TABLE).await
    });
    let mut out = Vec::new();
    let printed = tokio::time::timeout(
        WAIT,
        watch::watch(&base, events, watch::TABLE, Some(5), &mut out),
    )
    .await
    .expect("in time")
    .expect("watched");
    writes.await.unwrap().expect("writes");
    assert_eq!(printed, 5);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(lines[0].starts_with("watching Table1 of base "), "{text}");
    // The other table's five changes came first: versions 1 to 5.
    let expected = [
        ("v6 insert_row ", r#": Name="Ada""#),
        ("v7 insert_row ", r#": Name="Grace""#),
        ("v8 insert_row ", r#": Name="Edsger""#),
        ("v9 modify_row ", r#": Name="Ada Lovelace""#),
        ("v10 delete_row ", ""),
    ];
    for (line, (start, end)) in lines[1..].iter().zip(expected) {
        assert!(
            line.starts_with(start) && line.ends_with(end),
            "{line:?} in\n{text}"
        );
    }
}

/// The reference client, npm `socket.io-client` (`tests/realtime/client.js`), against
/// MockSeaTable's realtime service: what the mock speaks is Socket.IO, not only what this
/// crate's client understands.
#[tokio::test]
async fn the_reference_socket_io_client_sees_mock_seatable_writes() {
    use seatable_api::testing::MockSeaTable;
    use std::io::Write as _;
    install();
    let mock = MockSeaTable::start().await.expect("mock");
    let handle = mock
        .add_base(
            "Watched",
            json!({"tables": [{
                "_id": "0000", "name": "Table1",
                "columns": [{"key": "0000", "name": "Name", "type": "text"}],
                "views": [{"_id": "0000", "name": "Default View"}]
            }]}),
        )
        .expect("base");
    let client = mock.client();
    let access = client
        .with_api_token(handle.api_token.as_str())
        .get_base_token()
        .await
        .expect("Base-Token");

    // One reference client per token: a foreign one is refused, the base's own joins.
    let mut lines = Vec::new();
    let mut children = Vec::new();
    for token in [
        "not-a-token-of-this-mock",
        access.access_token.expose_secret(),
    ] {
        let mut child = Command::new("node")
            .arg(server_dir().join("client.js"))
            .args([mock.url().as_str(), handle.uuid.as_str()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node");
        writeln!(child.stdin.as_mut().unwrap(), "{token}").expect("token to the client");
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel::<Value>();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("client.js printed {line:?}: {e}"));
                if sender.send(value).is_err() {
                    break;
                }
            }
        });
        lines.push(receiver);
        children.push(KillOnDrop(child));
    }
    assert_eq!(
        line(&mut lines[0]).await,
        json!({"ack": {"success": false, "error_type": "permission_denied"}})
    );
    assert_eq!(
        line(&mut lines[1]).await,
        json!({"ack": {"success": true, "type": "joined_successfully"}})
    );

    let base = client
        .base_with_api_token(handle.api_token.as_str())
        .await
        .expect("Base-Token");
    let mut row = serde_json::Map::new();
    row.insert("Name".into(), json!("Ada"));
    base.append_rows("Table1", [row]).await.expect("append");
    let event = line(&mut lines[1]).await;
    assert_eq!(event["event"], "update-dtable", "{event}");
    assert_eq!(event["args"][1], 1, "{event}");
    let operation: Value = serde_json::from_str(
        event["args"][0]
            .as_str()
            .expect("the operation as JSON text"),
    )
    .expect("JSON");
    assert_eq!(operation["op_type"], "insert_row");
    assert_eq!(operation["table_id"], "0000");
    assert_eq!(operation["row_data"]["0000"], "Ada");
    drop(children);
}

/// The next JSON line a reference client printed.
async fn line(receiver: &mut tokio::sync::mpsc::UnboundedReceiver<Value>) -> Value {
    tokio::time::timeout(WAIT, receiver.recv())
        .await
        .expect("a line in time")
        .expect("client.js is running")
}

/// A child process killed when dropped.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
