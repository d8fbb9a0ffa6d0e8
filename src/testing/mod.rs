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
//! Faults, one model for every layer ([`Fault`], added with
//! [`inject`](MockSeaTable::inject), firing on the Nth request of an operation, before or
//! after the request is processed): another status (with its own headers and body), a
//! delay, a connection reset, an answer truncated mid-body or trickled out slowly, every
//! Base-Token expired at a chosen request, and connections refused or closed on accept
//! for a while (also without a request: [`refuse_connections`](MockSeaTable::refuse_connections),
//! [`close_connections`](MockSeaTable::close_connections)).
//!
//! ```no_run
//! # async fn run(mock: seatable_api::testing::MockSeaTable) {
//! use seatable_api::testing::{Delivery, Fault, Operation};
//! // The second append is stored, then its connection is reset: the client cannot know.
//! mock.inject(Fault::reset(Operation::AppendRows).after_processing().nth(2));
//! // … run the code under test, then look at what happened:
//! let resets = mock.requests().iter().filter(|e| e.delivery == Delivery::Reset).count();
//! # }
//! ```
//!
//! Knobs: [`set_rate_limit`](MockSeaTable::set_rate_limit) (per base and minute, 500 by
//! default; 429 with an empty body, `x-ratelimit-*` headers on every gateway answer),
//! [`set_token_lifetime`](MockSeaTable::set_token_lifetime), and the exchange log
//! [`requests`](MockSeaTable::requests) (each request with its answer, whether it was
//! processed, what the client was sent, the fault that fired, its connection and times;
//! the newest 4096 kept, see [`MockBuilder::log_capacity`]). Tokens are minted by
//! [`mint_jwt`], which tests of other servers can use too.

mod base;
mod exchange;
mod fault;
mod filter;
mod http;
mod jwt;
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
pub use exchange::{Delivery, Exchange};
pub use fault::Fault;
pub use jwt::{mint_jwt, MINTED_SIGNATURE_MARK};

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
    /// Apart from the state, so that logging never waits for a request being processed.
    log: Mutex<exchange::ExchangeLog>,
    /// Connection refusals ([`Fault::refuse_connections`]) and the connection count.
    connections: http::Connections,
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

    fn log(&self) -> MutexGuard<'_, exchange::ExchangeLog> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
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
    log_capacity: usize,
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

    /// How many exchanges [`MockSeaTable::requests`] keeps: the newest `capacity`, older
    /// ones are dropped. 4096 by default, far more than a test reads, while a long run
    /// (a benchmark, a server left running) does not keep every body it saw; 0 keeps none.
    ///
    /// ```no_run
    /// let builder = seatable_api::testing::MockSeaTable::builder().log_capacity(100_000);
    /// ```
    pub fn log_capacity(mut self, capacity: usize) -> MockBuilder {
        self.log_capacity = capacity;
        self
    }

    /// Binds a free port on `127.0.0.1` and starts serving. Needs a Tokio runtime.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), seatable_api::Error> {
    /// let mock = seatable_api::testing::MockSeaTable::builder().start().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start(self) -> Result<MockSeaTable, Error> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| {
                Error::new(
                    ErrorKind::Transport,
                    format!("MockSeaTable could not bind 127.0.0.1: {e}"),
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
            log: Mutex::new(exchange::ExchangeLog::new(self.log_capacity)),
            connections: http::Connections::default(),
            #[cfg(feature = "realtime")]
            hub: realtime::Hub::default(),
        });
        let server = tokio::spawn(http::serve(shared.clone(), listener, addr));
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
            log_capacity: exchange::DEFAULT_LOG_CAPACITY,
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

    /// Turns every connection away for `duration`: the port is closed (connecting fails
    /// with "connection refused") and idle kept-alive connections are closed; a request
    /// arriving meanwhile on a connection still open is reset unanswered.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// mock.refuse_connections(std::time::Duration::from_millis(300));
    /// # }
    /// ```
    pub fn refuse_connections(&self, duration: Duration) {
        self.shared
            .connections
            .refuse(fault::Refusal::Refuse, duration);
    }

    /// Like [`refuse_connections`](Self::refuse_connections), but new connections are
    /// accepted and closed at once, before a byte is read.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// mock.close_connections(std::time::Duration::from_millis(300));
    /// # }
    /// ```
    pub fn close_connections(&self, duration: Duration) {
        self.shared
            .connections
            .refuse(fault::Refusal::CloseOnAccept, duration);
    }

    /// The newest requests received (see [`MockBuilder::log_capacity`]; 4096 by default),
    /// in the order they were read, each with what became of it: an exchange is logged
    /// when its request has been read, and completed when the server is done with it
    /// ([`Exchange::delivery`]).
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// let appends = mock.requests().iter()
    ///     .filter(|e| e.operation == Some(seatable_api::testing::Operation::AppendRows))
    ///     .count();
    /// # }
    /// ```
    pub fn requests(&self) -> Vec<Exchange> {
        self.shared.log().all()
    }

    /// Forgets the requests logged so far.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// mock.clear_requests();
    /// # }
    /// ```
    pub fn clear_requests(&self) {
        self.shared.log().clear();
    }
}
