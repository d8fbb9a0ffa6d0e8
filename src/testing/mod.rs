//! An in-memory SeaTable for tests: [`MockSeaTable`] (feature `testing`).
//!
//! It is an HTTP server on `127.0.0.1` (a free port), started inside the test process,
//! that speaks SeaTable's paths, token flow, bodies, limits and error shapes as `spec/`
//! describes them, for the operations listed below. Point a [`Client`] at it
//! ([`MockSeaTable::client`]) and test code that talks to SeaTable without an account or a
//! network:
//!
//! ```no_run
//! # async fn run() -> Result<(), seatable_api::Error> {
//! use seatable_api::testing::MockSeaTable;
//! let mock = MockSeaTable::start().await?;
//! let base = mock.add_base("Tutorial", serde_json::json!({"tables": [{
//!     "_id": "0000", "name": "Table1",
//!     "columns": [{"key": "0000", "name": "Name", "type": "text"}],
//!     "views": [{"_id": "0000", "name": "Default View"}]
//! }]}))?;
//! let client = mock.client();
//! let base_client = client.base_with_api_token(base.api_token.as_str()).await?;
//! let mut row = serde_json::Map::new();
//! row.insert("Name".into(), "John Doe".into());
//! base_client.append_rows("Table1", [row]).await?;
//! assert_eq!(mock.rows(&base, "Table1")?[0]["Name"], "John Doe");
//! # Ok(()) }
//! ```
//!
//! What it serves:
//! - Tokens: `login` (users added with [`MockSeaTable::add_user`]) → Account-Token;
//!   `getBaseToken` (API-Token → Base-Token) and `getBaseTokenForBase` (Account-Token →
//!   Base-Token); `createTempApiToken` (Account-Token → an API-Token for one hour, a JWT
//!   naming the base). Base-Tokens are JWTs with `exp`; every base call checks it: an expired
//!   token gets 403 `{"error_msg": "Token expired."}`, an unknown one 401
//!   `{"detail": "Invalid token"}`.
//! - Base operations: `getMetadata`; `createTable`, `renameTable`, `deleteTable`;
//!   `listColumns`, `insertColumn`, `appendColumns`, `updateColumn` (rename, resize,
//!   freeze), `deleteColumn`; `listViews`, `createView`, `getView`; `listRows` (`start`,
//!   `limit` up to 1000, `view_name` with the view's hidden columns and sorts, `order_by`
//!   and `direction` (applied, as SeaTable documents, only with `start` and `limit`),
//!   `convert_keys`), `getRow`, `appendRows` and `updateRows` (1000 rows at most),
//!   `deleteRows` (10,000 at most); `createRowLinks`, `updateRowLinks`, `deleteRowLinks`,
//!   `listRowLinks`, with link cells in row reads; `querySql` for `SELECT` (see below);
//!   `filterRows` with the text, number and emptiness predicates (`contains`, `is`,
//!   `greater`, `is_empty`, …; others answer 400 naming them).
//! - Files: `getUploadLink`, `uploadFile` (multipart), `getFileDownloadLink` and the
//!   download of the returned link.
//! - Standalone and saved: the `seatable-mock` binary serves it to clients in any language
//!   ([`MockBuilder::port`], bases from files, users, rate limit, token lifetime), and
//!   [`save_state`](MockSeaTable::save_state) / [`load_state`](MockSeaTable::load_state)
//!   keep bases, rows, links, files, users and tokens in a versioned JSON file between runs.
//! - Requests as SeaTable's official Python SDK sends them, where they differ from the spec
//!   and SeaTable accepts them: `Token` for `Bearer`, `…/sql` without the trailing slash,
//!   links by table name, `listRowLinks` by `table_id` and `link_column_key`,
//!   `convert_keys=True` (each case and how we know: the `compat` module).
//! - Every other operation of the spec answers 501 with `{"error_message": …}` naming it.
//! - Realtime (with the `realtime` feature): SeaTable's Socket.IO service at
//!   `/api-gateway/socket.io/` (websocket transport), `join-room` acknowledged or refused
//!   by token, and every write that changes rows, columns or tables sent to the base's
//!   sockets as `update-dtable`, so `BaseClient::events` sees a test's own writes.
//!
//! `querySql` runs one `SELECT` over one table, parsed by `sqlparser` (MySQL dialect):
//! the select list (`*`, columns, aliases), `WHERE` with `=`, `!=`, `<>`, `<`, `>`, `<=`,
//! `>=`, `AND`, `OR`, `NOT`, `IN (…)`, `LIKE`, `IS [NOT] NULL` and parentheses, `ORDER BY`
//! over several columns `ASC`/`DESC`, `LIMIT`/`OFFSET` and `?` parameters. Without `LIMIT`
//! it returns at most 100 rows, and never more than 10,000, silently, as SeaTable does.
//! Everything else (joins, functions, `GROUP BY`, writes) answers 400 with a message
//! saying what is not supported.
//!
//! Knobs: [`set_rate_limit`](MockSeaTable::set_rate_limit) (per base and minute, 500 by
//! default; 429 with an empty body, `x-ratelimit-*` headers on every gateway answer),
//! [`set_token_lifetime`](MockSeaTable::set_token_lifetime),
//! [`inject`](MockSeaTable::inject) ([`Fault`]s), and the exchange log
//! [`requests`](MockSeaTable::requests).

mod base;
mod compat;
mod filter;
mod http;
mod multipart;
#[cfg(feature = "realtime")]
mod realtime;
mod sql;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::Value;

use crate::Client;
use crate::{Error, ErrorKind};

pub use crate::server::Operation;

use state::State;

/// A SeaTable stand-in on `127.0.0.1`, holding its bases in memory. Dropping it stops the
/// server.
///
/// ```no_run
/// # async fn run() -> Result<(), seatable_api::Error> {
/// let mock = seatable_api::testing::MockSeaTable::start().await?;
/// println!("serving on {}", mock.url());
/// # Ok(()) }
/// ```
pub struct MockSeaTable {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for MockSeaTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockSeaTable")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Shared {
    state: Mutex<State>,
    /// Where writes are announced to the sockets of the realtime service.
    #[cfg(feature = "realtime")]
    hub: realtime::Hub,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held cannot leave the state half-changed in a way
        // that matters for a test double; keep serving.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for MockSeaTable {
    fn drop(&mut self) {
        // The accept loop owns the connection tasks; aborting it stops them all.
        self.server.abort();
    }
}

/// Options for [`MockSeaTable::builder`].
///
/// ```no_run
/// # async fn run() -> Result<(), seatable_api::Error> {
/// use std::time::Duration;
/// let mock = seatable_api::testing::MockSeaTable::builder()
///     .rate_limit(Some(200))
///     .token_lifetime(Duration::from_secs(60))
///     .start()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct MockBuilder {
    rate_limit: Option<u32>,
    token_lifetime: Duration,
    port: u16,
}

impl MockBuilder {
    /// Gateway requests allowed per base and minute (a sliding window); `None` turns the
    /// limit and its headers off. 500 by default, as on a self-hosted server.
    ///
    /// ```no_run
    /// let builder = seatable_api::testing::MockSeaTable::builder().rate_limit(None);
    /// ```
    pub fn rate_limit(mut self, per_minute: Option<u32>) -> MockBuilder {
        self.rate_limit = per_minute;
        self
    }

    /// How long a Base-Token lives when the request names no `exp`; 3 days by default.
    ///
    /// ```no_run
    /// let builder = seatable_api::testing::MockSeaTable::builder()
    ///     .token_lifetime(std::time::Duration::from_secs(5));
    /// ```
    pub fn token_lifetime(mut self, lifetime: Duration) -> MockBuilder {
        self.token_lifetime = lifetime;
        self
    }

    /// The port to listen on; 0 (the default) takes any free port. A fixed port is for a
    /// server other programs are told about (`seatable-mock --port`); tests run in
    /// parallel and should keep 0.
    ///
    /// ```no_run
    /// let builder = seatable_api::testing::MockSeaTable::builder().port(8000);
    /// ```
    pub fn port(mut self, port: u16) -> MockBuilder {
        self.port = port;
        self
    }

    /// Binds `127.0.0.1` on the chosen port (a free one by default) and starts serving.
    /// Needs a Tokio runtime.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), seatable_api::Error> {
    /// let mock = seatable_api::testing::MockSeaTable::builder().start().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start(self) -> Result<MockSeaTable, Error> {
        let port = self.port;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| {
                Error::new(
                    ErrorKind::Transport,
                    format!("MockSeaTable could not bind 127.0.0.1:{port}: {e}"),
                )
            })?;
        let addr = listener.local_addr().map_err(|e| {
            Error::new(
                ErrorKind::Transport,
                format!("MockSeaTable has no local address: {e}"),
            )
        })?;
        let url = format!("http://{addr}");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(url, self.rate_limit, self.token_lifetime)),
            #[cfg(feature = "realtime")]
            hub: realtime::Hub::default(),
        });
        let server = tokio::spawn(http::serve(shared.clone(), listener));
        Ok(MockSeaTable {
            shared,
            addr,
            server,
        })
    }
}

/// A base held by a [`MockSeaTable`]: what a test needs to reach it.
///
/// ```no_run
/// # fn run(base: seatable_api::testing::MockBase) {
/// println!("{} ({}) with API-Token {}", base.name, base.uuid, base.api_token);
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockBase {
    /// The base UUID (`dtable_uuid`).
    pub uuid: String,
    /// An API-Token (40 hex characters) with read-write permission on the base.
    pub api_token: String,
    /// The base name.
    pub name: String,
    /// The workspace the base lives in.
    pub workspace_id: i64,
}

/// A fault to inject: an answer with another status, with or without processing the
/// request, and/or a delay, for the Nth request of one [`Operation`].
///
/// ```no_run
/// use seatable_api::testing::{Fault, Operation};
/// // The second append answers 503 without storing anything.
/// let fault = Fault::status(Operation::AppendRows, 503).nth(2);
/// // The first update is applied, but answers 502.
/// let applied = Fault::status(Operation::UpdateRows, 502).after_processing();
/// // Every metadata read waits a second first.
/// let slow = Fault::delay(Operation::GetMetadata, std::time::Duration::from_secs(1)).always();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    operation: Operation,
    first: usize,
    times: Option<usize>,
    status: Option<u16>,
    process: bool,
    delay: Option<Duration>,
}

impl Fault {
    /// Answers `status` instead of processing the first matching request. The body is
    /// empty for 429 (as SeaTable's) and `{"error_message": "injected fault: <status>"}`
    /// otherwise.
    ///
    /// ```no_run
    /// let fault = seatable_api::testing::Fault::status(seatable_api::testing::Operation::ListRows, 429);
    /// ```
    pub fn status(operation: Operation, status: u16) -> Fault {
        Fault {
            operation,
            first: 1,
            times: Some(1),
            status: Some(status),
            process: false,
            delay: None,
        }
    }

    /// Waits `delay`, then processes the first matching request normally.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let fault = seatable_api::testing::Fault::delay(seatable_api::testing::Operation::ListRows, Duration::from_millis(200));
    /// ```
    pub fn delay(operation: Operation, delay: Duration) -> Fault {
        Fault {
            operation,
            first: 1,
            times: Some(1),
            status: None,
            process: true,
            delay: Some(delay),
        }
    }

    /// Fires first on the `n`th matching request (1-based) instead of the first.
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::status(Operation::AppendRows, 503).nth(2);
    /// ```
    pub fn nth(mut self, n: usize) -> Fault {
        self.first = n.max(1);
        self
    }

    /// Fires on `n` matching requests in a row (once by default).
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::status(Operation::AppendRows, 503).times(3);
    /// ```
    pub fn times(mut self, n: usize) -> Fault {
        self.times = Some(n);
        self
    }

    /// Fires on every matching request from the first one on.
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::status(Operation::GetMetadata, 500).always();
    /// ```
    pub fn always(mut self) -> Fault {
        self.times = None;
        self
    }

    /// Processes the request first (a write is applied), then answers the fault's status
    /// instead of the real answer.
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::status(Operation::AppendRows, 502).after_processing();
    /// ```
    pub fn after_processing(mut self) -> Fault {
        self.process = true;
        self
    }

    /// Also waits `delay` before answering.
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::status(Operation::AppendRows, 503).with_delay(std::time::Duration::from_millis(50));
    /// ```
    pub fn with_delay(mut self, delay: Duration) -> Fault {
        self.delay = Some(delay);
        self
    }
}

/// One request the mock answered, and its answer.
///
/// ```no_run
/// # fn run(mock: &seatable_api::testing::MockSeaTable) {
/// for exchange in mock.requests() {
///     println!("{} {} -> {}", exchange.method, exchange.path, exchange.status);
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// The operation the request was routed to; `None` for paths the spec does not
    /// describe (such as the download of a file link).
    pub operation: Option<Operation>,
    /// The HTTP method (`GET`).
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, without `?`, when there was one.
    pub query: Option<String>,
    /// The request headers, names in lower case.
    pub request_headers: Vec<(String, String)>,
    /// The request body.
    pub request_body: Vec<u8>,
    /// The answer's status.
    pub status: u16,
    /// The answer's headers, names in lower case.
    pub response_headers: Vec<(String, String)>,
    /// The answer's body.
    pub response_body: Vec<u8>,
}

impl Exchange {
    /// The value of a response header, by case-insensitive name.
    ///
    /// ```no_run
    /// # fn run(exchange: &seatable_api::testing::Exchange) {
    /// println!("{:?}", exchange.response_header("x-ratelimit-remaining"));
    /// # }
    /// ```
    pub fn response_header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The response body as JSON, when it is JSON.
    ///
    /// ```no_run
    /// # fn run(exchange: &seatable_api::testing::Exchange) {
    /// if let Some(body) = exchange.response_json() { println!("{body}"); }
    /// # }
    /// ```
    pub fn response_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.response_body).ok()
    }
}

impl MockSeaTable {
    /// Starts an empty server with the default options (see [`MockBuilder`]).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), seatable_api::Error> {
    /// let mock = seatable_api::testing::MockSeaTable::start().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start() -> Result<MockSeaTable, Error> {
        MockSeaTable::builder().start().await
    }

    /// Options to start a server with.
    ///
    /// ```no_run
    /// let builder = seatable_api::testing::MockSeaTable::builder();
    /// ```
    pub fn builder() -> MockBuilder {
        MockBuilder {
            rate_limit: Some(state::DEFAULT_RATE_LIMIT),
            token_lifetime: state::DEFAULT_TOKEN_LIFETIME,
            port: 0,
        }
    }

    /// The server's URL, `http://127.0.0.1:<port>`.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// let client = seatable_api::Client::new(&mock.url()).unwrap();
    /// # }
    /// ```
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address the server listens on.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// assert!(mock.addr().ip().is_loopback());
    /// # }
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A [`Client`] for this server, with the client's default settings.
    ///
    /// ```no_run
    /// # async fn run(mock: seatable_api::testing::MockSeaTable, base: seatable_api::testing::MockBase) -> Result<(), seatable_api::Error> {
    /// let base_client = mock.client().base_with_api_token(base.api_token.as_str()).await?;
    /// # Ok(()) }
    /// ```
    pub fn client(&self) -> Client {
        // Building a client fails only for a URL it cannot parse or a TLS stack that cannot
        // start; `http://127.0.0.1:<port>` is always valid.
        Client::new(&self.url()).expect("a loopback URL is a valid server URL")
    }

    /// Adds a base whose structure is `metadata`: the answer of `getMetadata`
    /// (`{"metadata": {"tables": […]}}`) or its inner object (`{"tables": […]}`). Fails with
    /// [`ErrorKind::InvalidArgument`] when it does not decode as the spec's `Metadata`, or a
    /// table has no `_id` or a duplicate name.
    ///
    /// ```no_run
    /// # async fn run(mock: seatable_api::testing::MockSeaTable) -> Result<(), seatable_api::Error> {
    /// let base = mock.add_base("Empty", serde_json::json!({"tables": []}))?;
    /// # Ok(()) }
    /// ```
    pub fn add_base(&self, name: &str, metadata: Value) -> Result<MockBase, Error> {
        self.shared.state().add_base(name, metadata)
    }

    /// Stores rows (cells keyed by column name, as `appendRows` takes them) without a
    /// request, and returns their ids.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable, base: &seatable_api::testing::MockBase) -> Result<(), seatable_api::Error> {
    /// let ids = mock.add_rows(base, "Table1", vec![serde_json::json!({"Name": "Ada"})])?;
    /// # Ok(()) }
    /// ```
    pub fn add_rows(
        &self,
        base: &MockBase,
        table: &str,
        rows: Vec<Value>,
    ) -> Result<Vec<String>, Error> {
        self.shared.state().add_rows(&base.uuid, table, rows)
    }

    /// The stored rows of a table in table order, cells keyed by column NAME, with `_id`;
    /// empty cells are left out, link cells hold the linked row ids.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable, base: &seatable_api::testing::MockBase) -> Result<(), seatable_api::Error> {
    /// for row in mock.rows(base, "Table1")? { println!("{row}"); }
    /// # Ok(()) }
    /// ```
    pub fn rows(&self, base: &MockBase, table: &str) -> Result<Vec<Value>, Error> {
        self.shared.state().rows(&base.uuid, table)
    }

    /// The base's structure as `getMetadata` would answer it (`{"metadata": …}`).
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable, base: &seatable_api::testing::MockBase) -> Result<(), seatable_api::Error> {
    /// let metadata = mock.metadata(base)?;
    /// # Ok(()) }
    /// ```
    pub fn metadata(&self, base: &MockBase) -> Result<Value, Error> {
        self.shared.state().metadata(&base.uuid)
    }

    /// The bytes of a stored file of the base, by its path in the asset folder
    /// (`/files/2025-03/report.pdf`).
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable, base: &seatable_api::testing::MockBase) {
    /// let bytes = mock.file(base, "/files/2025-03/report.pdf");
    /// # }
    /// ```
    pub fn file(&self, base: &MockBase, path: &str) -> Option<Vec<u8>> {
        self.shared.state().file(&base.uuid, path)
    }

    /// Every base the server holds, in the order they were added (or loaded).
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// for base in mock.bases() { println!("{} {}", base.name, base.uuid); }
    /// # }
    /// ```
    pub fn bases(&self) -> Vec<MockBase> {
        self.shared.state().base_handles()
    }

    /// Writes the bases (tables, columns, views, rows, links, files), users and tokens to
    /// `path` as a versioned JSON document (see `seatable-mock --state`), through a
    /// temporary file renamed into place, so that a crash never leaves half a file.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) -> Result<(), seatable_api::Error> {
    /// mock.save_state(std::path::Path::new("mock-state.json"))?;
    /// # Ok(()) }
    /// ```
    pub fn save_state(&self, path: &std::path::Path) -> Result<(), Error> {
        let text = self
            .shared
            .state()
            .to_saved()
            .map_err(|e| invalid_state(path, &e))?;
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        let temporary = std::path::PathBuf::from(temporary);
        std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|e| {
                Error::new(
                    ErrorKind::Transport,
                    format!("the state could not be written to {}: {e}", path.display()),
                )
            })
    }

    /// Replaces the bases, users and tokens with those saved in `path` by
    /// [`save_state`](MockSeaTable::save_state), and returns the bases. A file that is not
    /// such a document is refused with [`ErrorKind::InvalidArgument`] naming the file, the
    /// line and column and the field, and the state is left as it was.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) -> Result<(), seatable_api::Error> {
    /// let bases = mock.load_state(std::path::Path::new("mock-state.json"))?;
    /// # Ok(()) }
    /// ```
    pub fn load_state(&self, path: &std::path::Path) -> Result<Vec<MockBase>, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("the state file {} could not be read: {e}", path.display()),
            )
        })?;
        self.shared
            .state()
            .load_saved(&text)
            .map_err(|e| invalid_state(path, &e))
    }

    /// Adds a user account that `login` accepts.
    ///
    /// ```no_run
    /// # async fn run(mock: seatable_api::testing::MockSeaTable) -> Result<(), seatable_api::Error> {
    /// mock.add_user("me@example.com", "secret");
    /// let account = mock.client().login("me@example.com", "secret").await?;
    /// # Ok(()) }
    /// ```
    pub fn add_user(&self, email: &str, password: &str) {
        self.shared.state().add_user(email, password);
    }

    /// Sets the gateway rate limit per base and minute; `None` turns it and its headers
    /// off.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// mock.set_rate_limit(Some(200));
    /// # }
    /// ```
    pub fn set_rate_limit(&self, per_minute: Option<u32>) {
        self.shared.state().set_rate_limit(per_minute);
    }

    /// Sets the lifetime of Base-Tokens issued from now on (without an `exp` parameter).
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// mock.set_token_lifetime(std::time::Duration::from_secs(3));
    /// # }
    /// ```
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.shared.state().token_lifetime = lifetime;
    }

    /// Makes every Base-Token issued so far expired: the next base call with one gets
    /// 403 `Token expired.`.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// mock.expire_base_tokens();
    /// # }
    /// ```
    pub fn expire_base_tokens(&self) {
        self.shared.state().expire_base_tokens();
    }

    /// Adds a fault. Faults count their matching requests independently; when two would
    /// fire on one request, the one added first does.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// use seatable_api::testing::{Fault, Operation};
    /// mock.inject(Fault::status(Operation::AppendRows, 503).nth(2));
    /// # }
    /// ```
    pub fn inject(&self, fault: Fault) {
        self.shared
            .state()
            .faults
            .push(state::ArmedFault { fault, seen: 0 });
    }

    /// Removes every fault.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// mock.clear_faults();
    /// # }
    /// ```
    pub fn clear_faults(&self) {
        self.shared.state().faults.clear();
    }

    /// Every request answered so far, in the order the answers were decided.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// let appends = mock.requests().iter()
    ///     .filter(|e| e.operation == Some(seatable_api::testing::Operation::AppendRows))
    ///     .count();
    /// # }
    /// ```
    pub fn requests(&self) -> Vec<Exchange> {
        self.shared.state().log.clone()
    }

    /// Forgets the requests logged so far.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// mock.clear_requests();
    /// # }
    /// ```
    pub fn clear_requests(&self) {
        self.shared.state().log.clear();
    }
}

fn invalid_state(path: &std::path::Path, why: &str) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("state file {}: {why}", path.display()),
    )
}
