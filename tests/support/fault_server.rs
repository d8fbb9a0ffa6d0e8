//! A small SeaTable base on 127.0.0.1 that fails on purpose, by script.
//!
//! [`FaultServer`] speaks HTTP/1.1 itself, on a bare `tokio::net::TcpListener`, because the
//! faults worth testing a client against live below HTTP: a connection reset before the
//! answer, a reset after the write was applied, an answer cut off mid-body, a port that
//! refuses connections. Between faults it behaves like one SeaTable base:
//!
//! - `GET /api/v2.1/dtable/app-access-token/` exchanges the API-Token ([`API_TOKEN`]) for a
//!   Base-Token, a three-part JWT whose payload carries `exp` (see
//!   [`FaultServer::set_token_lifetime`]); the signature is not real.
//! - Under `/api-gateway/api/v2/dtables/{base_uuid}/`: `metadata/` (one table, `Table1`,
//!   with the columns of [`COLUMNS`]), `rows/` GET (paged by `start`/`limit`, at most
//!   1000), POST (append), PUT (update), DELETE (by `row_ids`), `rows/{row_id}/` GET, and
//!   `sql/` POST for the one statement a key lookup sends (``SELECT _id, `Col` FROM
//!   `Table1` WHERE `Col` IN (?, …) LIMIT n``).
//!   They need `Authorization: Bearer <Base-Token>` (or `Token <…>`): an expired token gets
//!   403 `{"error_msg": "Token expired."}`, an unknown one 401 `{"detail": "Invalid token"}`.
//! - Every processed gateway answer carries `x-ratelimit-limit`, `x-ratelimit-remaining` and
//!   `x-ratelimit-reset` (Unix seconds); beyond the limit per minute (a sliding window,
//!   500 by default as on a self-hosted server) it answers 429 with an empty body.
//!
//! Every request is recorded ([`FaultServer::requests`]) with what became of it, and the
//! stored rows can be read back ([`FaultServer::rows`]), so a test can assert both the
//! exact request sequence and the end state.
//!
//! Faults are scripted with [`Rule`]s: each matches a method and a path suffix, fires on
//! the Nth matching request (the first by default) and does one [`Fault`].

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// The UUID of the one base the server holds.
pub const BASE_UUID: &str = "650d8a0d-7e27-46a8-8b18-6cc6f3db2057";
/// The API-Token the server exchanges for Base-Tokens (40 characters, like SeaTable's).
pub const API_TOKEN: &str = "fa17fa17fa17fa17fa17fa17fa17fa17fa17fa17";
/// The one table of the base.
pub const TABLE: &str = "Table1";
/// The id of [`TABLE`], accepted wherever its name is.
pub const TABLE_ID: &str = "0000";
/// The columns of [`TABLE`]: (key, name, type).
pub const COLUMNS: [(&str, &str, &str); 3] = [
    ("0000", "Name", "text"),
    ("a0", "Age", "number"),
    ("a1", "Done", "checkbox"),
];
/// The one view of [`TABLE`], and its id.
pub const VIEW: (&str, &str) = ("0000", "Default View");
/// The user id written into `_creator` and `_last_modifier`.
pub const CREATOR: &str = "fa17fa17fa17fa17fa17fa17fa17fa17@auth.local";

/// SeaTable's page, append and update limit.
pub const MAX_ROWS: usize = 1000;
/// SeaTable's delete limit.
pub const MAX_DELETE: usize = 10_000;
/// The gateway limit of a self-hosted server, per base and minute.
pub const DEFAULT_RATE_LIMIT: u32 = 500;
/// The default Base-Token lifetime, SeaTable's 3 days.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3 * 24 * 3600);

const MAX_HEAD: usize = 64 * 1024;
const MAX_LINE: usize = 8 * 1024;
const MAX_BODY: usize = 64 * 1024 * 1024;
const GATEWAY: &str = "/api-gateway/api/v2/dtables/";
const TOKEN_EXCHANGE: &str = "/api/v2.1/dtable/app-access-token/";

/// An answer: status, headers and body, sent exactly as given (plus `content-length`).
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// A reply with this status, no headers and an empty body.
    pub fn new(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl ToString) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets the body as raw bytes.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.body = body.into();
        self
    }

    /// Sets a JSON body and its content type.
    pub fn json(self, value: &Value) -> Reply {
        self.header("content-type", "application/json")
            .body(value.to_string())
    }

    fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How connections are turned away while a refusal lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The port is closed: connecting fails with "connection refused".
    Refuse,
    /// Connections are accepted and closed at once, before a byte is read.
    CloseOnAccept,
}

/// What a [`Rule`] does to the request it fires on.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Answer this instead of processing the request (a 429, 500, 502, 503…).
    Answer(Reply),
    /// Process the request (a write is applied), then answer this instead of the real
    /// answer.
    ProcessThenAnswer(Reply),
    /// Reset the connection (TCP RST) without processing or answering.
    Reset,
    /// Process the request (a write is applied), then reset the connection unanswered.
    ProcessThenReset,
    /// Process the request, send the real answer's head and the first half of its body,
    /// then close the connection.
    TruncateBody,
    /// Wait, then process and answer; a write happens only after the wait, even when
    /// the client has given up by then.
    DelayThenProcess(Duration),
    /// Process at once (a write is applied), then wait before answering.
    ProcessThenDelay(Duration),
    /// Expire the current Base-Token, then process the request normally: with that token
    /// it gets 403 `Token expired.`, as does every later request with it.
    ExpireToken,
    /// Reset this connection unanswered and turn every connection away for a while:
    /// idle keep-alive connections are closed, new ones refused as `Refusal` says.
    RefuseConnections(Refusal, Duration),
}

impl Fault {
    /// [`Fault::Answer`] with this status and an empty body.
    pub fn status(status: u16) -> Fault {
        Fault::Answer(Reply::new(status))
    }

    /// [`Fault::ProcessThenAnswer`] with this status and an empty body.
    pub fn process_then_status(status: u16) -> Fault {
        Fault::ProcessThenAnswer(Reply::new(status))
    }
}

/// A scripted fault: which requests it matches, on which of them it fires, what it does.
///
/// Each rule counts the requests that match it, independently of the other rules. It fires
/// on the [`nth`](Rule::nth) match (the first by default) and the next `times - 1`
/// matches. When two rules would fire on the same request, the one pushed first does, and
/// the other one's turn is spent.
#[derive(Clone, Debug)]
pub struct Rule {
    method: String,
    path_suffix: String,
    first: usize,
    times: Option<usize>,
    fault: Fault,
    seen: usize,
}

impl Rule {
    /// A rule for requests with this method (`"*"` for any) whose path ends with
    /// `path_suffix` (`"/rows/"`, `"/metadata/"`, `"/app-access-token/"`, `""` for every
    /// path); it fires once, on the first match.
    pub fn new(method: &str, path_suffix: &str, fault: Fault) -> Rule {
        Rule {
            method: method.to_ascii_uppercase(),
            path_suffix: path_suffix.to_string(),
            first: 1,
            times: Some(1),
            fault,
            seen: 0,
        }
    }

    /// Fires first on the `n`th matching request (1-based) instead of the first.
    pub fn nth(mut self, n: usize) -> Rule {
        self.first = n.max(1);
        self
    }

    /// Fires on `n` consecutive matches instead of one.
    pub fn times(mut self, n: usize) -> Rule {
        self.times = Some(n);
        self
    }

    /// Fires on every match from the first one on.
    pub fn always(mut self) -> Rule {
        self.times = None;
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        (self.method == "*" || self.method == method) && path.ends_with(&self.path_suffix)
    }

    /// Counts a matching request; whether this rule fires on it.
    fn count(&mut self) -> bool {
        self.seen += 1;
        self.seen >= self.first && self.times.is_none_or(|t| self.seen < self.first + t)
    }

    fn pending(&self) -> bool {
        self.times.is_none_or(|t| self.seen + 1 < self.first + t)
    }
}

/// What the server did with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answered {
    /// Not answered yet (being delayed, or the server stopped first).
    Pending,
    /// A whole answer with this status was written.
    Status(u16),
    /// The connection was reset without an answer.
    Reset,
    /// The head with this status and part of the body were sent, then the connection
    /// was closed.
    Truncated(u16),
}

/// One request as the server received it, and what became of it.
#[derive(Clone, Debug)]
pub struct Received {
    /// Which connection it came on, numbered from 0 in accept order.
    pub connection: u64,
    pub method: String,
    /// The path as sent, without the query.
    pub path: String,
    /// The decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// The headers in order, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
    /// Whether the server handled the request as SeaTable would (applying a write);
    /// false when a fault answered or dropped it instead.
    pub processed: bool,
    pub answered: Answered,
}

impl Received {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of query parameter `name`.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON; `None` when it is not JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The status of a whole or truncated answer.
    pub fn status(&self) -> Option<u16> {
        match self.answered {
            Answered::Status(s) | Answered::Truncated(s) => Some(s),
            Answered::Pending | Answered::Reset => None,
        }
    }

    /// `METHOD path`, for asserting a request sequence compactly.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Settings fixed at start; most can be changed later through [`FaultServer`]'s setters.
#[derive(Clone, Debug)]
pub struct Config {
    pub token_lifetime: Duration,
    /// Gateway requests allowed per minute; `None` for no limit and no `x-ratelimit-*`
    /// headers (a server without the gateway limit).
    pub rate_limit: Option<u32>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            rate_limit: Some(DEFAULT_RATE_LIMIT),
        }
    }
}

struct Issued {
    exp: u64,
    revoked: bool,
}

struct State {
    config: Config,
    server_url: String,
    tokens: HashMap<String, Issued>,
    current_token: String,
    token_serial: u64,
    token_exchanges: usize,
    /// Stored rows, cells keyed by column key as SeaTable keeps them.
    rows: Vec<Map<String, Value>>,
    row_serial: u64,
    /// When the gateway requests of the last minute were accepted.
    window: VecDeque<SystemTime>,
    rules: Vec<Rule>,
    received: Vec<Received>,
    refusal: Option<(Refusal, Instant)>,
}

struct Shared {
    state: Mutex<State>,
    /// Bumped when a refusal starts, so that the accept loop and idle connections notice.
    refusals: watch::Sender<u64>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    connections: AtomicU64,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // Nothing under the lock panics on input; a poisoned state is still whole.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The refusal in force now, if any.
    fn refusal(&self) -> Option<(Refusal, Instant)> {
        let mut state = self.state();
        match state.refusal {
            Some((_, until)) if until <= Instant::now() => {
                state.refusal = None;
                None
            }
            r => r,
        }
    }

    fn refuse(&self, how: Refusal, duration: Duration) {
        self.state().refusal = Some((how, Instant::now() + duration));
        self.refusals.send_modify(|n| *n += 1);
    }
}

/// Counts a request as in flight while it lives.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> InFlight<'a> {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The running server; stops when dropped.
pub struct FaultServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        // The accept task owns the connection tasks; aborting it ends them all.
        self.task.abort();
    }
}

impl FaultServer {
    /// Starts a server with the default [`Config`] on a free port of 127.0.0.1.
    pub async fn start() -> FaultServer {
        FaultServer::start_with(Config::default()).await
    }

    /// Starts a server with `config` on a free port of 127.0.0.1.
    pub async fn start_with(config: Config) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a port on 127.0.0.1");
        let addr = listener.local_addr().expect("the bound address");
        let server_url = format!("http://{addr}");
        let mut state = State {
            config,
            server_url,
            tokens: HashMap::new(),
            current_token: String::new(),
            token_serial: 0,
            token_exchanges: 0,
            rows: Vec::new(),
            row_serial: 0,
            window: VecDeque::new(),
            rules: Vec::new(),
            received: Vec::new(),
            refusal: None,
        };
        let lifetime = state.config.token_lifetime;
        state.issue_token(lifetime);
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            refusals: watch::Sender::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            connections: AtomicU64::new(0),
        });
        let task = tokio::spawn(accept_loop(Arc::clone(&shared), listener, addr));
        FaultServer { addr, shared, task }
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The path prefix of the base's gateway operations, ending in a slash.
    pub fn gateway_path(&self) -> String {
        format!("{GATEWAY}{BASE_UUID}/")
    }

    /// The full URL of gateway operation `op` (`"rows/"`, `"metadata/"`).
    pub fn gateway_url(&self, op: &str) -> String {
        format!("{}{}{op}", self.url(), self.gateway_path())
    }

    /// The full URL of the token exchange.
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_EXCHANGE}", self.url())
    }

    /// The most recently issued Base-Token (one is issued at start without an exchange).
    pub fn base_token(&self) -> String {
        self.shared.state().current_token.clone()
    }

    /// Issues a new current Base-Token as an exchange would, without counting one.
    pub fn issue_token(&self) -> String {
        let mut state = self.shared.state();
        let lifetime = state.config.token_lifetime;
        state.issue_token(lifetime)
    }

    /// Expires the current Base-Token now: requests with it get 403 `Token expired.`.
    pub fn expire_token(&self) {
        self.shared.state().expire_current();
    }

    /// The lifetime of the Base-Tokens issued from now on (`exp` is whole seconds).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.shared.state().config.token_lifetime = lifetime;
    }

    /// Gateway requests allowed per minute from now on; `None` for no limit and no
    /// `x-ratelimit-*` headers.
    pub fn set_rate_limit(&self, per_minute: Option<u32>) {
        self.shared.state().config.rate_limit = per_minute;
    }

    /// Turns connections away for `duration`: closes idle keep-alive connections and
    /// refuses new ones (the port is closed).
    pub fn refuse_connections(&self, duration: Duration) {
        self.shared.refuse(Refusal::Refuse, duration);
    }

    /// Like [`refuse_connections`](Self::refuse_connections), but new connections are
    /// accepted and closed at once.
    pub fn close_connections(&self, duration: Duration) {
        self.shared.refuse(Refusal::CloseOnAccept, duration);
    }

    /// Adds a rule at the end of the script.
    pub fn push(&self, rule: Rule) {
        self.shared.state().rules.push(rule);
    }

    /// Removes every rule.
    pub fn clear_rules(&self) {
        self.shared.state().rules.clear();
    }

    /// How many rules would still fire on a future request.
    pub fn pending_rules(&self) -> usize {
        self.shared
            .state()
            .rules
            .iter()
            .filter(|r| r.pending())
            .count()
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<Received> {
        self.shared.state().received.clone()
    }

    /// `METHOD path` of every request received so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.shared
            .state()
            .received
            .iter()
            .map(Received::line)
            .collect()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.shared.state().received.clear();
    }

    /// The stored rows in table order, cells keyed by column NAME, with `_id`; cells never
    /// written are left out.
    pub fn rows(&self) -> Vec<Map<String, Value>> {
        self.shared
            .state()
            .rows
            .iter()
            .map(|row| {
                let mut out = Map::new();
                out.insert("_id".into(), json!(row_id(row)));
                for (key, name, _) in COLUMNS {
                    if let Some(v) = row.get(key) {
                        out.insert(name.into(), v.clone());
                    }
                }
                out
            })
            .collect()
    }

    /// Stores rows (cells keyed by column name) as an append would, without a request;
    /// returns their ids.
    pub fn insert_rows(&self, rows: &[Value]) -> Vec<String> {
        let mut state = self.shared.state();
        rows.iter()
            .map(|row| {
                let cells = row.as_object().cloned().unwrap_or_default();
                state.append(&cells)
            })
            .collect()
    }

    /// Requests in flight now (read but not yet answered).
    pub fn in_flight(&self) -> usize {
        self.shared.in_flight.load(Ordering::SeqCst)
    }

    /// The most requests ever in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// How many token exchanges were answered with a new Base-Token.
    pub fn token_exchanges(&self) -> usize {
        self.shared.state().token_exchanges
    }

    /// How many connections were accepted (and not refused).
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

/// The `_id` of a stored row (every stored row has one).
fn row_id(row: &Map<String, Value>) -> &str {
    row.get("_id").and_then(Value::as_str).unwrap_or_default()
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

fn iso(at: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(at)
        .format("%Y-%m-%dT%H:%M:%S%.3f+00:00")
        .to_string()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn error_message(status: u16, message: &str) -> Reply {
    Reply::new(status).json(&json!({ "error_message": message }))
}

/// A Base-Token lifetime from the `exp` query parameter: digits and `s`, `m`, `h` or `d`.
fn parse_lifetime(text: &str) -> Option<Duration> {
    let unit = match text.chars().last()? {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    let n: u64 = text[..text.len() - 1].parse().ok()?;
    n.checked_mul(unit).map(Duration::from_secs)
}

impl State {
    fn issue_token(&mut self, lifetime: Duration) -> String {
        self.token_serial += 1;
        let exp = (unix_now() + lifetime).as_secs();
        let header = json!({"alg": "HS256", "typ": "JWT"});
        let payload = json!({
            "exp": exp,
            "dtable_uuid": BASE_UUID,
            "username": "",
            "permission": "rw",
            "app_name": "fault-server",
            "serial": self.token_serial,
        });
        let token = format!(
            "{}.{}.{}",
            b64(header.to_string().as_bytes()),
            b64(payload.to_string().as_bytes()),
            b64(format!("not-a-signature-{}", self.token_serial).as_bytes()),
        );
        self.tokens.insert(
            token.clone(),
            Issued {
                exp,
                revoked: false,
            },
        );
        self.current_token = token.clone();
        token
    }

    fn expire_current(&mut self) {
        if let Some(issued) = self.tokens.get_mut(&self.current_token) {
            issued.revoked = true;
        }
    }

    /// The answer to give instead of processing, when the token does not pass.
    fn check_base_token(&self, request: &Incoming) -> Option<Reply> {
        let Some(token) = request.credentials() else {
            return Some(
                Reply::new(401)
                    .json(&json!({"detail": "Authentication credentials were not provided."})),
            );
        };
        match self.tokens.get(token) {
            None => Some(Reply::new(401).json(&json!({"detail": "Invalid token"}))),
            Some(issued) if issued.revoked || unix_now().as_secs_f64() >= issued.exp as f64 => {
                Some(Reply::new(403).json(&json!({"error_msg": "Token expired."})))
            }
            Some(_) => None,
        }
    }

    /// Counts a gateway request against the limit: the rate headers to send, or the 429.
    fn rate_limit(&mut self) -> Result<Vec<(String, String)>, Reply> {
        let Some(limit) = self.config.rate_limit else {
            return Ok(Vec::new());
        };
        let now = SystemTime::now();
        let minute = Duration::from_secs(60);
        while self
            .window
            .front()
            .is_some_and(|t| now.duration_since(*t).unwrap_or_default() >= minute)
        {
            self.window.pop_front();
        }
        let allowed = self.window.len() < limit as usize;
        if allowed {
            self.window.push_back(now);
        }
        // A slot frees when the oldest request in the window turns a minute old.
        let oldest = self.window.front().copied().unwrap_or(now);
        let reset = (oldest + minute)
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64()
            .ceil() as u64;
        let remaining = (limit as usize).saturating_sub(self.window.len());
        let headers = vec![
            ("x-ratelimit-limit".to_string(), limit.to_string()),
            ("x-ratelimit-remaining".to_string(), remaining.to_string()),
            ("x-ratelimit-reset".to_string(), reset.to_string()),
        ];
        if allowed {
            Ok(headers)
        } else {
            Err(Reply {
                status: 429,
                headers,
                body: Vec::new(),
            })
        }
    }

    /// Handles a request as SeaTable would.
    fn process(&mut self, request: &Incoming) -> Reply {
        if request.path == TOKEN_EXCHANGE {
            return self.exchange(request);
        }
        let Some(rest) = request.path.strip_prefix(GATEWAY) else {
            return Reply::new(404).json(&json!({"detail": "Not found."}));
        };
        let headers = match self.rate_limit() {
            Ok(headers) => headers,
            Err(too_many) => return too_many,
        };
        let mut reply = self.gateway(request, rest);
        reply.headers.extend(headers);
        reply
    }

    fn exchange(&mut self, request: &Incoming) -> Reply {
        if request.method != "GET" {
            return Reply::new(405)
                .json(&json!({"detail": format!("Method \"{}\" not allowed.", request.method)}));
        }
        match request.credentials() {
            None => {
                return Reply::new(401)
                    .json(&json!({"detail": "Authentication credentials were not provided."}))
            }
            Some(token) if token != API_TOKEN => {
                return Reply::new(401).json(&json!({"detail": "Invalid token"}))
            }
            Some(_) => {}
        }
        let lifetime = match request.query_value("exp") {
            None => self.config.token_lifetime,
            Some(text) => match parse_lifetime(text) {
                Some(lifetime) => lifetime,
                None => {
                    return Reply::new(400)
                        .json(&json!({"error_msg": format!("exp {text} invalid.")}))
                }
            },
        };
        let token = self.issue_token(lifetime);
        self.token_exchanges += 1;
        Reply::new(200).json(&json!({
            "app_name": "fault-server",
            "access_token": token,
            "dtable_uuid": BASE_UUID,
            "dtable_server": format!("{}/api-gateway/", self.server_url),
            "dtable_name": "Faults",
            "workspace_id": 1,
            "use_api_gateway": true,
        }))
    }

    fn gateway(&mut self, request: &Incoming, rest: &str) -> Reply {
        if let Some(denied) = self.check_base_token(request) {
            return denied;
        }
        let Some((uuid, op)) = rest.split_once('/') else {
            return Reply::new(404).json(&json!({"detail": "Not found."}));
        };
        if uuid != BASE_UUID {
            return error_message(404, "dtable not found");
        }
        let method = request.method.as_str();
        match (method, op) {
            ("GET", "metadata/") => Reply::new(200).json(&metadata()),
            ("GET", "rows/") => self.list_rows(request),
            ("POST", "rows/") => self.with_body(request, State::append_rows),
            ("PUT", "rows/") => self.with_body(request, State::update_rows),
            ("DELETE", "rows/") => self.with_body(request, State::delete_rows),
            ("POST", "sql/") => self.query_sql(request),
            (_, "metadata/" | "rows/" | "sql/") => Reply::new(405)
                .json(&json!({"detail": format!("Method \"{method}\" not allowed.")})),
            ("GET", _) => match op.strip_prefix("rows/").and_then(|r| r.strip_suffix('/')) {
                Some(id) if !id.is_empty() && !id.contains('/') => self.get_row(request, id),
                _ => Reply::new(404).json(&json!({"detail": "Not found."})),
            },
            _ => Reply::new(404).json(&json!({"detail": "Not found."})),
        }
    }

    fn with_body(
        &mut self,
        request: &Incoming,
        handle: fn(&mut State, &Map<String, Value>) -> Reply,
    ) -> Reply {
        let body = match serde_json::from_slice::<Value>(&request.body) {
            Ok(Value::Object(body)) => body,
            Ok(_) => return error_message(400, "the body must be a JSON object"),
            Err(e) => return error_message(400, &format!("the body is not JSON: {e}")),
        };
        match body.get("table_name") {
            Some(Value::String(t)) if t == TABLE || t == TABLE_ID => handle(self, &body),
            Some(Value::String(t)) => error_message(404, &format!("table {t} not found")),
            _ => error_message(400, "table_name invalid"),
        }
    }

    fn row_out(row: &Map<String, Value>, by_name: bool) -> Value {
        let mut out = Map::new();
        for field in [
            "_id",
            "_ctime",
            "_mtime",
            "_creator",
            "_last_modifier",
            "_archived",
            "_locked",
            "_locked_by",
        ] {
            out.insert(field.into(), row.get(field).cloned().unwrap_or(Value::Null));
        }
        for (key, name, _) in COLUMNS {
            let label = if by_name { name } else { key };
            out.insert(label.into(), row.get(key).cloned().unwrap_or(Value::Null));
        }
        Value::Object(out)
    }

    fn table_param(request: &Incoming) -> Result<(), Reply> {
        match request.query_value("table_name") {
            Some(t) if t == TABLE || t == TABLE_ID => Ok(()),
            Some(t) => Err(error_message(404, &format!("table {t} not found"))),
            None => Err(error_message(400, "table_name invalid")),
        }
    }

    fn list_rows(&self, request: &Incoming) -> Reply {
        if let Err(reply) = State::table_param(request) {
            return reply;
        }
        if let Some(view) = request.query_value("view_name") {
            if view != VIEW.0 && view != VIEW.1 {
                return error_message(404, &format!("view {view} not found"));
            }
        }
        let number = |name: &str, default: usize| match request.query_value(name) {
            None => Ok(default),
            Some(text) => text
                .parse::<usize>()
                .map_err(|_| error_message(400, &format!("{name} invalid"))),
        };
        let (start, limit) = match (number("start", 0), number("limit", MAX_ROWS)) {
            (Ok(s), Ok(l)) => (s, l),
            (Err(reply), _) | (_, Err(reply)) => return reply,
        };
        if !(1..=MAX_ROWS).contains(&limit) {
            return error_message(400, "limit invalid");
        }
        let by_name = request.query_value("convert_keys") == Some("true");
        let rows: Vec<Value> = self
            .rows
            .iter()
            .skip(start)
            .take(limit)
            .map(|r| State::row_out(r, by_name))
            .collect();
        Reply::new(200).json(&json!({ "rows": rows }))
    }

    fn get_row(&self, request: &Incoming, id: &str) -> Reply {
        if let Err(reply) = State::table_param(request) {
            return reply;
        }
        let by_name = request.query_value("convert_keys") == Some("true");
        match self.rows.iter().find(|r| row_id(r) == id) {
            Some(row) => Reply::new(200).json(&State::row_out(row, by_name)),
            // SeaTable's own wording.
            None => error_message(404, "row _id not exits"),
        }
    }

    /// Stores one row whose cells are keyed by column name; names that match no column
    /// are dropped, as SeaTable does. Returns its id.
    fn append(&mut self, cells: &Map<String, Value>) -> String {
        self.row_serial += 1;
        let id = format!("FaultRow{:014}", self.row_serial);
        let now = iso(SystemTime::now());
        let mut row = Map::new();
        row.insert("_id".into(), json!(id));
        row.insert("_ctime".into(), json!(now));
        row.insert("_mtime".into(), json!(now));
        row.insert("_creator".into(), json!(CREATOR));
        row.insert("_last_modifier".into(), json!(CREATOR));
        row.insert("_archived".into(), json!(false));
        row.insert("_locked".into(), Value::Null);
        row.insert("_locked_by".into(), Value::Null);
        for (key, name, _) in COLUMNS {
            if let Some(v) = cells.get(name) {
                row.insert(key.into(), v.clone());
            }
        }
        self.rows.push(row);
        id
    }

    fn append_rows(&mut self, body: &Map<String, Value>) -> Reply {
        let Some(Value::Array(rows)) = body.get("rows") else {
            return error_message(400, "rows invalid");
        };
        if rows.len() > MAX_ROWS {
            return error_message(400, &format!("rows exceed the limit {MAX_ROWS}"));
        }
        let mut cells = Vec::with_capacity(rows.len());
        for row in rows {
            match row {
                Value::Object(c) => cells.push(c),
                _ => return error_message(400, "rows invalid"),
            }
        }
        let ids: Vec<String> = cells.into_iter().map(|c| self.append(c)).collect();
        let mut answer = json!({
            "inserted_row_count": ids.len(),
            "row_ids": ids.iter().map(|id| json!({"_id": id})).collect::<Vec<_>>(),
        });
        if let Some(first) = ids.first() {
            if let Some(row) = self.rows.iter().find(|r| row_id(r) == first) {
                answer["first_row"] = State::row_out(row, false);
            }
        }
        Reply::new(200).json(&answer)
    }

    fn update_rows(&mut self, body: &Map<String, Value>) -> Reply {
        let Some(Value::Array(updates)) = body.get("updates") else {
            return error_message(400, "updates invalid");
        };
        if updates.len() > MAX_ROWS {
            return error_message(400, &format!("updates exceed the limit {MAX_ROWS}"));
        }
        let mut changes = Vec::with_capacity(updates.len());
        for update in updates {
            match (update.get("row_id"), update.get("row")) {
                (Some(Value::String(id)), Some(Value::Object(cells))) => changes.push((id, cells)),
                _ => return error_message(400, "updates invalid"),
            }
        }
        let now = iso(SystemTime::now());
        // By position, so that a full update of a large table stays quick.
        let position: HashMap<String, usize> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (row_id(r).to_string(), i))
            .collect();
        for (id, cells) in changes {
            // Like SeaTable, an id that matches no row is skipped without an error.
            if let Some(row) = position.get(id.as_str()).map(|&i| &mut self.rows[i]) {
                for (key, name, _) in COLUMNS {
                    if let Some(v) = cells.get(name) {
                        row.insert(key.into(), v.clone());
                    }
                }
                row.insert("_mtime".into(), json!(now));
            }
        }
        Reply::new(200).json(&json!({"success": true}))
    }

    fn delete_rows(&mut self, body: &Map<String, Value>) -> Reply {
        let Some(Value::Array(ids)) = body.get("row_ids") else {
            return error_message(400, "row_ids invalid");
        };
        if ids.len() > MAX_DELETE {
            return error_message(400, &format!("row_ids exceed the limit {MAX_DELETE}"));
        }
        let Some(ids) = ids.iter().map(Value::as_str).collect::<Option<Vec<_>>>() else {
            return error_message(400, "row_ids invalid");
        };
        self.rows.retain(|r| !ids.contains(&row_id(r)));
        Reply::new(200).json(&json!({"success": true}))
    }

    /// `querySql`, for the one statement shape a key lookup sends:
    /// ``SELECT _id, `Col` FROM `Table1` WHERE `Col` IN (?, …) LIMIT n``, the values in
    /// `parameters`. Anything else is answered 400, so a client that sends another shape
    /// fails loudly.
    fn query_sql(&self, request: &Incoming) -> Reply {
        let body = match serde_json::from_slice::<Value>(&request.body) {
            Ok(Value::Object(body)) => body,
            _ => return error_message(400, "the body must be a JSON object"),
        };
        let Some(Value::String(sql)) = body.get("sql") else {
            return error_message(400, "sql invalid");
        };
        let parameters = match body.get("parameters") {
            Some(Value::Array(p)) => p.clone(),
            None => Vec::new(),
            Some(_) => return error_message(400, "parameters invalid"),
        };
        let by_name = body.get("convert_keys") == Some(&Value::Bool(true));
        let Some(lookup) = parse_lookup(sql) else {
            return error_message(400, &format!("the fault server does not run `{sql}`"));
        };
        if lookup.table != TABLE {
            return error_message(400, &format!("no such table: {}", lookup.table));
        }
        let Some((key, name, _)) = COLUMNS.iter().find(|(_, name, _)| *name == lookup.column)
        else {
            return error_message(400, &format!("no such column: {}", lookup.column));
        };
        if lookup.placeholders != parameters.len() {
            return error_message(400, "the number of parameters does not match the statement");
        }
        // Text in a set, so that a lookup of 1000 keys over a large table stays quick;
        // numbers by value, as SeaTable compares them.
        let texts: std::collections::HashSet<&str> =
            parameters.iter().filter_map(Value::as_str).collect();
        let numbers: Vec<f64> = parameters.iter().filter_map(Value::as_f64).collect();
        let wanted = |cell: &Value| match cell {
            Value::String(s) => texts.contains(s.as_str()),
            Value::Number(n) => n.as_f64().is_some_and(|x| numbers.contains(&x)),
            _ => false,
        };
        let results: Vec<Value> = self
            .rows
            .iter()
            .filter(|row| row.get(*key).is_some_and(wanted))
            .take(lookup.limit)
            .map(|row| {
                let label = if by_name { *name } else { *key };
                json!({
                    "_id": row_id(row),
                    label: row.get(*key).cloned().unwrap_or(Value::Null),
                    "_locked": null,
                    "_locked_by": null,
                })
            })
            .collect();
        Reply::new(200).json(&json!({
            "results": results,
            "metadata": [],
            "success": true,
            "error_message": "",
        }))
    }

    /// The rule that fires on this request, if any; counts it for every matching rule.
    fn fault_for(&mut self, method: &str, path: &str) -> Option<Fault> {
        let mut fired = None;
        for rule in self.rules.iter_mut().filter(|r| r.matches(method, path)) {
            if rule.count() && fired.is_none() {
                fired = Some(rule.fault.clone());
            }
        }
        fired
    }
}

/// The parts of a key lookup statement.
struct LookupStatement {
    column: String,
    table: String,
    placeholders: usize,
    limit: usize,
}

/// A backtick-quoted name at the start of `text`, and the rest.
fn quoted(text: &str) -> Option<(String, &str)> {
    let rest = text.strip_prefix('`')?;
    let end = rest.find('`')?;
    Some((rest[..end].to_string(), &rest[end + 1..]))
}

fn parse_lookup(sql: &str) -> Option<LookupStatement> {
    let rest = sql.strip_prefix("SELECT _id, ")?;
    let (column, rest) = quoted(rest)?;
    let (table, rest) = quoted(rest.strip_prefix(" FROM ")?)?;
    let (again, rest) = quoted(rest.strip_prefix(" WHERE ")?)?;
    let (list, rest) = rest.strip_prefix(" IN (")?.split_once(')')?;
    let placeholders = list.split(',').map(str::trim).collect::<Vec<_>>();
    if again != column || placeholders.iter().any(|p| *p != "?") {
        return None;
    }
    let limit = rest.strip_prefix(" LIMIT ")?.trim().parse().ok()?;
    Some(LookupStatement {
        column,
        table,
        placeholders: placeholders.len(),
        limit,
    })
}

/// The metadata answer: table `Table1` with the columns of [`COLUMNS`] and one view.
pub fn metadata() -> Value {
    let columns: Vec<Value> = COLUMNS
        .iter()
        .map(|(key, name, kind)| {
            let data = match *kind {
                "number" => json!({"format": "number", "decimal": "dot", "thousands": "no"}),
                _ => Value::Null,
            };
            json!({
                "key": key, "name": name, "type": kind, "data": data,
                "width": 200, "editable": true, "resizable": true, "draggable": true,
                "description": null, "colorbys": {},
                "permission_type": "", "permitted_users": [], "permitted_group": [],
            })
        })
        .collect();
    json!({"metadata": {
        "version": 1,
        "format_version": 9,
        "settings": {},
        "tables": [{
            "_id": TABLE_ID,
            "name": TABLE,
            "is_header_locked": false,
            "header_settings": {},
            "summary_configs": {},
            "columns": columns,
            "views": [{
                "_id": VIEW.0, "name": VIEW.1, "type": "table", "is_locked": false,
                "filter_conjunction": "And", "filters": [], "sorts": [], "groupbys": [],
                "groups": [], "hidden_columns": [], "rows": [], "formula_rows": {},
                "summaries": [],
            }],
        }],
    }})
}

/// A request as read off the wire.
struct Incoming {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    keep_alive: bool,
}

impl Incoming {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The token of `Authorization: Bearer <token>` or `Token <token>`.
    fn credentials(&self) -> Option<&str> {
        let value = self.header("authorization")?;
        let (scheme, token) = value.split_once(' ')?;
        let scheme_ok =
            scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token");
        (scheme_ok && !token.trim().is_empty()).then(|| token.trim())
    }
}

fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

async fn accept_loop(shared: Arc<Shared>, listener: TcpListener, addr: SocketAddr) {
    let mut listener = Some(listener);
    let mut connections = JoinSet::new();
    let mut refusals = shared.refusals.subscribe();
    loop {
        let refusal = shared.refusal();
        if let Some((Refusal::Refuse, until)) = refusal {
            // Closing the listener makes the kernel refuse connections to the port.
            listener = None;
            tokio::select! {
                _ = tokio::time::sleep_until(until.into()) => {}
                _ = refusals.changed() => {}
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
            continue;
        }
        let Some(open) = listener.as_ref() else {
            match bind(addr) {
                Ok(l) => listener = Some(l),
                // The port is briefly unavailable; try again soon.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            }
            continue;
        };
        tokio::select! {
            accepted = open.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                if matches!(shared.refusal(), Some((Refusal::CloseOnAccept, _))) {
                    drop(stream);
                    continue;
                }
                let _ = stream.set_nodelay(true);
                let id = shared.connections.fetch_add(1, Ordering::SeqCst);
                connections.spawn(serve_connection(Arc::clone(&shared), stream, id));
            }
            _ = refusals.changed() => {}
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Why a connection stops being read.
enum ReadError {
    /// The peer closed it, or a refusal began while it was idle.
    Closed,
    /// The request cannot be read: answer this status and close.
    Malformed(u16, String),
}

/// Reads from `stream` into `buf` until `buf` holds at least `n` bytes.
async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>, n: usize) -> Result<(), ReadError> {
    while buf.len() < n {
        if read_more(stream, buf).await? == 0 {
            return Err(ReadError::Closed);
        }
    }
    Ok(())
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<usize, ReadError> {
    let mut chunk = [0u8; 16 * 1024];
    match stream.read(&mut chunk).await {
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(n)
        }
        Err(_) => Err(ReadError::Closed),
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// Reads one `\r\n`-terminated line and removes it (and the terminator) from `buf`.
async fn read_line(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Vec<u8>, ReadError> {
    loop {
        if let Some(end) = find(buf, b"\r\n", 0) {
            let line = buf[..end].to_vec();
            buf.drain(..end + 2);
            return Ok(line);
        }
        if buf.len() > MAX_LINE {
            return Err(ReadError::Malformed(400, "a chunk line is too long".into()));
        }
        if read_more(stream, buf).await? == 0 {
            return Err(ReadError::Closed);
        }
    }
}

/// Reads the next request head; while none has started, a refusal closes the connection.
async fn read_head(
    shared: &Shared,
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    refusals: &mut watch::Receiver<u64>,
) -> Result<Vec<u8>, ReadError> {
    loop {
        if let Some(end) = find(buf, b"\r\n\r\n", 0) {
            let head = buf[..end].to_vec();
            buf.drain(..end + 4);
            return Ok(head);
        }
        if buf.len() > MAX_HEAD {
            return Err(ReadError::Malformed(
                431,
                "the request head is too large".into(),
            ));
        }
        if buf.is_empty() {
            tokio::select! {
                n = read_more(stream, buf) => if n? == 0 { return Err(ReadError::Closed) },
                // The notice may be of a refusal that ended while this connection was busy.
                _ = refusals.changed() => if shared.refusal().is_some() {
                    return Err(ReadError::Closed);
                },
            }
        } else if read_more(stream, buf).await? == 0 {
            return Err(ReadError::Closed);
        }
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

struct Head {
    method: String,
    target: String,
    http11: bool,
    headers: Vec<(String, String)>,
}

fn parse_head(head: &[u8]) -> Result<Head, ReadError> {
    let bad = |why: &str| ReadError::Malformed(400, why.to_string());
    let text = std::str::from_utf8(head).map_err(|_| bad("the head is not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("malformed request line"));
    };
    if !is_token(method) {
        return Err(bad("malformed method"));
    }
    if !target.starts_with('/') {
        return Err(bad("the target must be a path"));
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(ReadError::Malformed(505, "only HTTP/1.x is spoken".into())),
    };
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad("malformed header line"));
        };
        if !is_token(name) {
            return Err(bad("malformed header name"));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    Ok(Head {
        method: method.to_string(),
        target: target.to_string(),
        http11,
        headers,
    })
}

async fn read_body(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    head: &Head,
) -> Result<Vec<u8>, ReadError> {
    let bad = |why: &str| ReadError::Malformed(400, why.to_string());
    let values = |name: &str| {
        head.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    let encodings = values("transfer-encoding");
    let lengths = values("content-length");
    if values("expect")
        .iter()
        .any(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await;
    }
    if !encodings.is_empty() {
        if !lengths.is_empty() {
            return Err(bad("both Transfer-Encoding and Content-Length"));
        }
        let last = encodings
            .last()
            .and_then(|v| v.rsplit(',').next())
            .unwrap_or_default();
        if !last.trim().eq_ignore_ascii_case("chunked") {
            return Err(ReadError::Malformed(
                501,
                "only chunked transfer coding is understood".into(),
            ));
        }
        let mut body = Vec::new();
        loop {
            let line = read_line(stream, buf).await?;
            let line = std::str::from_utf8(&line).map_err(|_| bad("malformed chunk size"))?;
            let size = line.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size, 16).map_err(|_| bad("malformed chunk size"))?;
            if size == 0 {
                // Trailers, up to the empty line.
                while !read_line(stream, buf).await?.is_empty() {}
                return Ok(body);
            }
            if body.len() + size > MAX_BODY {
                return Err(ReadError::Malformed(413, "the body is too large".into()));
            }
            fill(stream, buf, size + 2).await?;
            if &buf[size..size + 2] != b"\r\n" {
                return Err(bad("a chunk does not end in CRLF"));
            }
            body.extend_from_slice(&buf[..size]);
            buf.drain(..size + 2);
        }
    }
    let Some(first) = lengths.first() else {
        return Ok(Vec::new());
    };
    if lengths.iter().any(|l| l != first) {
        return Err(bad("conflicting Content-Length headers"));
    }
    let length: usize = first.parse().map_err(|_| bad("malformed Content-Length"))?;
    if length > MAX_BODY {
        return Err(ReadError::Malformed(413, "the body is too large".into()));
    }
    fill(stream, buf, length).await?;
    Ok(buf.drain(..length).collect())
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    }
}

/// The head of `reply`, with the length of its whole body.
fn head_bytes(reply: &Reply, close: bool) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if reply.header_value("content-length").is_none() {
        head.push_str(&format!("content-length: {}\r\n", reply.body.len()));
    }
    if close {
        head.push_str("connection: close\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

async fn write_reply(stream: &mut TcpStream, reply: &Reply, close: bool) -> bool {
    let mut bytes = head_bytes(reply, close);
    bytes.extend_from_slice(&reply.body);
    stream.write_all(&bytes).await.is_ok() && stream.flush().await.is_ok()
}

/// Closes after a last answer without losing it: closing with request bytes still unread
/// would make the kernel reset the connection and discard the answer in flight.
async fn close_gracefully(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_millis(500), async {
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}

fn reset(stream: TcpStream) {
    // SO_LINGER 0: the close sends RST instead of FIN.
    let _ = stream.set_zero_linger();
    drop(stream);
}

async fn serve_connection(shared: Arc<Shared>, mut stream: TcpStream, connection: u64) {
    let mut buf = Vec::with_capacity(8 * 1024);
    let mut refusals = shared.refusals.subscribe();
    loop {
        let request = match read_request(&shared, &mut stream, &mut buf, &mut refusals).await {
            Ok(request) => request,
            Err(ReadError::Closed) => return,
            Err(ReadError::Malformed(status, why)) => {
                let reply = Reply::new(status).json(&json!({ "error_message": why }));
                write_reply(&mut stream, &reply, true).await;
                close_gracefully(stream).await;
                return;
            }
        };
        let _in_flight = InFlight::enter(&shared);
        let (index, fault) = {
            let mut state = shared.state();
            let refused = state
                .refusal
                .is_some_and(|(_, until)| until > Instant::now());
            let fault = if refused {
                // A request that arrives on a kept-alive connection while connections are
                // turned away is dropped too.
                Some(Fault::Reset)
            } else {
                state.fault_for(&request.method, &request.path)
            };
            state.received.push(Received {
                connection,
                method: request.method.clone(),
                path: request.path.clone(),
                query: request.query.clone(),
                headers: request.headers.clone(),
                body: request.body.clone(),
                processed: false,
                answered: Answered::Pending,
            });
            (state.received.len() - 1, fault)
        };
        let finish = |processed: bool, answered: Answered| {
            let mut state = shared.state();
            // The log may have been cleared meanwhile; then there is nothing to update.
            if let Some(r) = state.received.get_mut(index) {
                r.processed |= processed;
                r.answered = answered;
            }
        };
        let process = || {
            let reply = shared.state().process(&request);
            finish(true, Answered::Pending);
            reply
        };
        let close = !request.keep_alive;
        let (reply, processed) = match fault {
            None => (process(), true),
            Some(Fault::Answer(reply)) => (reply, false),
            Some(Fault::ProcessThenAnswer(reply)) => {
                process();
                (reply, true)
            }
            Some(Fault::Reset) => {
                finish(false, Answered::Reset);
                reset(stream);
                return;
            }
            Some(Fault::ProcessThenReset) => {
                process();
                finish(true, Answered::Reset);
                reset(stream);
                return;
            }
            Some(Fault::TruncateBody) => {
                let reply = process();
                let mut bytes = head_bytes(&reply, false);
                bytes.extend_from_slice(&reply.body[..reply.body.len() / 2]);
                let _ = stream.write_all(&bytes).await;
                let _ = stream.flush().await;
                finish(true, Answered::Truncated(reply.status));
                let _ = stream.shutdown().await;
                return;
            }
            Some(Fault::DelayThenProcess(delay)) => {
                tokio::time::sleep(delay).await;
                (process(), true)
            }
            Some(Fault::ProcessThenDelay(delay)) => {
                let reply = process();
                tokio::time::sleep(delay).await;
                (reply, true)
            }
            Some(Fault::ExpireToken) => {
                shared.state().expire_current();
                (process(), true)
            }
            Some(Fault::RefuseConnections(how, duration)) => {
                shared.refuse(how, duration);
                finish(false, Answered::Reset);
                reset(stream);
                return;
            }
        };
        let written = write_reply(&mut stream, &reply, close).await;
        finish(processed, Answered::Status(reply.status));
        if !written || close {
            close_gracefully(stream).await;
            return;
        }
    }
}

async fn read_request(
    shared: &Shared,
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    refusals: &mut watch::Receiver<u64>,
) -> Result<Incoming, ReadError> {
    let head = read_head(shared, stream, buf, refusals).await?;
    let head = parse_head(&head)?;
    let body = read_body(stream, buf, &head).await?;
    let connection = head
        .headers
        .iter()
        .filter(|(n, _)| n == "connection")
        .flat_map(|(_, v)| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect::<Vec<_>>();
    let keep_alive = if head.http11 {
        !connection.iter().any(|v| v == "close")
    } else {
        connection.iter().any(|v| v == "keep-alive")
    };
    let (path, query) = match head.target.split_once('?') {
        Some((path, query)) => (path.to_string(), query),
        None => (head.target.clone(), ""),
    };
    let query = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    Ok(Incoming {
        method: head.method,
        path,
        query,
        headers: head.headers,
        body,
        keep_alive,
    })
}
