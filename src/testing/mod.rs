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
//!   `listColumns`, `insertColumn`, `appendColumns`, `deleteColumn`; `listViews`,
//!   `createView`, `getView`; `listRows` (`start`, `limit` up to 1000, `view_name` with
//!   the view's filters, sorts and hidden columns, `order_by` and `direction` (applied,
//!   as SeaTable documents, only with `start` and `limit`),
//!   `convert_keys`), `getRow`, `appendRows` and `updateRows` (1000 rows at most),
//!   `deleteRows` (10,000 at most); `createRowLinks`, `updateRowLinks`, `deleteRowLinks`,
//!   `listRowLinks`, with link cells in row reads; `querySql` for `SELECT` (see below);
//!   `filterRows` with the text, number and emptiness predicates (`contains`, `is`,
//!   `greater`, `is_empty`, …; others answer 400 naming them).
//! - The row side of a base, as SeaTable does it silently: cells normalised on every
//!   write (dates as ISO 8601 with the base's offset, see
//!   [`set_time_zone`](MockSeaTable::set_time_zone); durations in seconds; a checkbox
//!   true only for `true`; unreadable dates, numbers and durations stored empty; unknown
//!   select options added to the column; ratings above the maximum kept; unknown and
//!   read-only columns dropped); computed cells (auto-numbers with their prefix and
//!   digits, `ctime`/`mtime`/creator/last-modifier columns from the row's system fields,
//!   the writer taken from the Base-Token, and formulas with arithmetic, `&`,
//!   comparisons, `{Column}` references and `concatenate`, `if`, `round`, `upper`,
//!   `lower`, `and`, `or`, `not`, `abs`, `len`, `trim`, `sum`, `max`, `min`, `average` —
//!   anything else reads as `null`, a failing formula as `#VALUE!`); `lockRows`,
//!   `unlockRows`; row comments (`listRowComments`, `createRowComment`, `getRowComment`,
//!   `deleteRowComment`, `countRowComments`, `listCommentsWithinDays`,
//!   `countCommentsPerRow`); big data (`addBigDataRows`, `moveRowsToBigData` by the
//!   view's filters, `moveRowsToNormalBackend`, `listBigDataOperations`,
//!   `restoreBigDataOperation`; big-data rows are read by `querySql` and through
//!   `archive` views, not by a plain `listRows`); `listOperationLog` (every write),
//!   `listRowActivities` (created, changed cells with old values, deleted);
//!   `autoLinkRows`/`getAutoLinkTask`; `createSnapshot`; `submitWorkflowTask` (workflows
//!   made with [`add_workflow`](MockSeaTable::add_workflow)).
//! - Schema: tables, views and columns in SeaTable's full shape (every key of the recorded
//!   answers: a view's `colors`, `column_colors`, `groups`, `formula_rows`, `link_rows`,
//!   `private_for`…; a column's permission fields, `data` and `description` even when
//!   null); `duplicateTable` (`<name>(copy)`, rows under new ids when asked; link columns
//!   stay with the original); `updateView` (name, lock, `filter_conjunction`, filters,
//!   sorts, groupbys, hidden columns by column key; `[{}]` clears a list) and `deleteView`
//!   (400 for a table's only view); rows read through a view are filtered by text, number,
//!   date (`is_before`, `is_within`… with `filter_term_modifier`), single- and
//!   multiple-select (option ids or names), collaborator and checkbox predicates, and
//!   sorted (single-selects by option order); `filterRows` judges its conditions with the
//!   same predicates by column type and, given `view_name`, works within the view's rows
//!   and order; `updateColumn` (rename, resize, freeze, `move_column` to the right of the
//!   target, `modify_column_type` converting the cells: text ↔ numbers, checkboxes, dates,
//!   selects get options; other types empty them; the column's own type again sets its
//!   `data` only); `deleteColumn` drops the column from the views' settings;
//!   `addSelectOptions`, `updateSelectOptions` (renamed options renamed in the cells),
//!   `deleteSelectOptions` (the cells lose them), `updateColumnCascade` (stored by option
//!   ids in the child column).
//! - Users and notifications: `listCollaborators` (the owner, plus users added with
//!   [`MockSeaTable::add_collaborator`]); `listNotifications`, `markNotificationsSeen`,
//!   `markNotificationSeen`, `deleteNotifications` for the user named in the Base-Token
//!   (one from an API-Token names nobody and sees none; `seen` only as `true`/`false`),
//!   notifications added with [`MockSeaTable::add_notification`];
//!   `sendToastNotification` (to any non-empty user id), read back with
//!   [`MockSeaTable::toasts`].
//! - Files: `getUploadLink`, `uploadFile` (multipart), `getFileDownloadLink` and the
//!   download of the returned link; `deleteAsset`; the custom folder (`/custom` of the
//!   asset folder): `getCustomUploadLink` (a missing folder is made by the upload),
//!   `listCustomFolder`, `getCustomFileMetadata` (a UUID given on first request),
//!   `getCustomDownloadLink`, `deleteCustomAsset`; `getAppUserInfo` for the base's users.
//!   Folders exist while they hold a file; [`MockSeaTable::put_file`] stores one directly.
//! - Auth: `ping`, `pingWithAccountToken`, `getServerInfo` (the spec's example);
//!   `listApiTokens`, `createApiToken`, `updateApiToken`, `deleteApiToken` for a base of an
//!   Account-Token user: a created API-Token works for `getBaseToken` and the file
//!   operations until deleted, and one with permission `r` gives Base-Tokens whose writes
//!   get 403.
//! - Account (see [`MockSeaTable::add_user`]): `getAccountInfo`, `listWorkspaces` (a
//!   personal workspace, id 1, and one per group), `listBases`, `createBase` (a real mock
//!   base with one table), `updateBase` (rename), `deleteBase`, `copyBase` (tables and
//!   rows), favourites (`listFavoriteBases`, `favoriteBase`, `unfavoriteBase`), groups
//!   (`listGroups`, `createGroup`, `getGroup`, `updateGroup`, `deleteGroup`) and their
//!   members (`listGroupMembers`, `addGroupMember`, `removeGroupMember`);
//!   [`MockSeaTable::base`] finds a base made through the API.
//! - Every other operation of the spec answers, once the request carries a token of the
//!   kind it needs, with the spec's example of its success response, or a body built from
//!   the response's schema where the spec gives no example.
//!   [`respond`](MockSeaTable::respond) sets the answer of any operation (checked against
//!   the spec, [`spec_check`]), [`respond_unchecked`](MockSeaTable::respond_unchecked) any
//!   answer at all.
//! - Boolean query parameters are read as clients send them: `true`, `True` or `1`.
//! - Standalone and saved: the `seatable-mock` binary serves it to clients in any language
//!   ([`MockBuilder::port`], bases from files, users, rate limit, token lifetime), and
//!   [`save_state`](MockSeaTable::save_state) / [`load_state`](MockSeaTable::load_state)
//!   keep everything a client can build up (bases with rows, links, files, comments, logs,
//!   big data, tasks, snapshots, workflows, notifications, toasts; users, tokens, created
//!   API-Tokens, groups, favourites) in a versioned JSON file between runs.
//! - Requests as SeaTable's official Python SDK sends them, where they differ from the spec
//!   and SeaTable accepts them: `Token` for `Bearer`, `…/sql` without the trailing slash,
//!   links by table name, `listRowLinks` by `table_id` and `link_column_key`,
//!   `convert_keys=True`, related users at `/api/v2.1/dtables/{uuid}/related-users/`
//!   (each case and how we know: the `compat` module).
//! - Realtime (with the `realtime` feature): SeaTable's Socket.IO service at
//!   `/api-gateway/socket.io/` (websocket transport), `join-room` acknowledged or refused
//!   by token, and every write that changes rows, columns or tables sent to the base's
//!   sockets as `update-dtable`, so `BaseClient::events` sees a test's own writes.
//!
//! `querySql` runs one `SELECT` over one table, parsed by `sqlparser` (MySQL dialect):
//! the select list (`*`, columns, aliases, the aggregates `COUNT(*)`, `COUNT(col)`,
//! `SUM`, `AVG`, `MIN`, `MAX`), `WHERE` with `=`, `!=`, `<>`, `<`, `>`, `<=`, `>=`, `AND`,
//! `OR`, `NOT`, `IN (…)`, `LIKE` (in about text × pattern steps, however many `%`s),
//! `IS [NOT] NULL` and parentheses, `GROUP BY` columns, `ORDER BY` over several columns,
//! aliases or aggregates `ASC`/`DESC`, `LIMIT`/`OFFSET`, `?` parameters and `server_only`
//! (leaves out big-data rows). Without `LIMIT` it returns at most 100 rows, and never
//! more than 10,000, silently, as SeaTable does. Everything else (joins, other
//! functions, `HAVING`, writes) answers 400 with a message saying what is not supported.
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

mod account;
mod auth;
mod base;
mod compat;
mod examples;
mod exchange;
mod fault;
mod files;
mod filter;
mod http;
mod jwt;
mod multipart;
mod pattern;
#[cfg(feature = "realtime")]
mod realtime;
mod respond;
pub mod spec_check;
mod sql;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::Value;

use crate::Client;
use crate::{Error, ErrorKind};

pub use crate::server::Operation;
pub use examples::{default_answer, DefaultAnswer, DefaultAnswerSource};
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
    /// empty cells are left out, link cells hold the linked row ids, and rows in big-data
    /// storage carry `_archived: true`. Cells are as stored: normalised, auto-numbers
    /// included, formulas and the time and author columns (computed on read) left out.
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

    /// Sets the time zone dates of the base are stored in: `UTC` (the default), an offset
    /// (`+02:00`) or a Central European zone name (`Europe/Berlin`, with its summer
    /// time). SeaTable takes it from its server's `TIME_ZONE` setting; a date written as
    /// `2030/06/20 23:55` reads back as `2030-06-20T23:55:00+02:00` in `Europe/Berlin`.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable, base: &seatable_api::testing::MockBase) -> Result<(), seatable_api::Error> {
    /// mock.set_time_zone(base, "Europe/Berlin")?;
    /// # Ok(()) }
    /// ```
    pub fn set_time_zone(&self, base: &MockBase, zone: &str) -> Result<(), Error> {
        let zone =
            base::Zone::parse(zone).map_err(|e| Error::new(ErrorKind::InvalidArgument, e))?;
        self.shared.state().base_mut(&base.uuid)?.records.zone = zone;
        Ok(())
    }

    /// Adds a workflow whose tasks start with rows of `table`, and returns its token for
    /// `submitWorkflowTask`. Fails when the base has no such table.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable, base: &seatable_api::testing::MockBase) -> Result<(), seatable_api::Error> {
    /// let token = mock.add_workflow(base, "Table1")?;
    /// # Ok(()) }
    /// ```
    pub fn add_workflow(&self, base: &MockBase, table: &str) -> Result<String, Error> {
        let mut state = self.shared.state();
        let token = state.uuid();
        let data = state.base_mut(&base.uuid)?;
        if !data.tables.iter().any(|t| t.info.name == table) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("the base has no table `{table}`"),
            ));
        }
        data.records
            .workflows
            .insert(token.clone(), table.to_string());
        Ok(token)
    }

    /// Stores a file in the base's asset folder as an upload would, by its path there
    /// (`/files/2025-03/report.pdf`; `/custom/Invoices/b347.pdf` for the custom folder,
    /// whose folders exist while they hold a file).
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable, base: &seatable_api::testing::MockBase) -> Result<(), seatable_api::Error> {
    /// mock.put_file(base, "/custom/Invoices/b347.pdf", b"%PDF-1.7".to_vec())?;
    /// # Ok(()) }
    /// ```
    pub fn put_file(&self, base: &MockBase, path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        self.shared.state().put_file(&base.uuid, path, bytes)
    }

    /// Adds a user to the base (`listCollaborators`, `getAppUserInfo`, toast recipients).
    /// Every base starts with its owner, the user id the stand-in writes into `_creator`.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable, base: &seatable_api::testing::MockBase) -> Result<(), seatable_api::Error> {
    /// mock.add_collaborator(base, "8cb2a6da65687600f42905bf1647fd3f@auth.local", "Jasmin Tee", "jasmin@example.com")?;
    /// # Ok(()) }
    /// ```
    pub fn add_collaborator(
        &self,
        base: &MockBase,
        user_id: &str,
        name: &str,
        contact_email: &str,
    ) -> Result<(), Error> {
        let mut state = self.shared.state();
        let data = state.base_mut(&base.uuid)?;
        data.collaborators.retain(|u| u.email != user_id);
        data.collaborators.push(crate::types::RelatedUser {
            email: user_id.to_string(),
            name: name.to_string(),
            contact_email: Some(contact_email.to_string()),
            avatar_url: Some("https://mock-seatable.invalid/media/avatars/default.png".into()),
            id_in_org: Some(String::new()),
            is_admin: Some(false),
            name_pinyin: Some(String::new()),
            extra: serde_json::Map::new(),
        });
        Ok(())
    }

    /// Adds an unread notification of the base for `username` (the user name a
    /// Base-Token from `getBaseTokenForBase` carries: the login e-mail), as SeaTable
    /// creates them for comments and collaborator cells; returns its id.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable, base: &seatable_api::testing::MockBase) -> Result<(), seatable_api::Error> {
    /// let id = mock.add_notification(base, "me@example.com", "selected_collaborator",
    ///     serde_json::json!({"author": "x@auth.local", "table_id": "0000", "row_id": "Qtf7xPmoRaiFyQPO1aENTj"}))?;
    /// # Ok(()) }
    /// ```
    pub fn add_notification(
        &self,
        base: &MockBase,
        username: &str,
        msg_type: &str,
        detail: Value,
    ) -> Result<i64, Error> {
        let mut state = self.shared.state();
        Ok(state
            .base_mut(&base.uuid)?
            .add_notification(username, msg_type, detail))
    }

    /// The toasts sent to the base's users with `sendToastNotification`, oldest first,
    /// each `{"to_user", "toast_type", "detail"}`.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable, base: &seatable_api::testing::MockBase) -> Result<(), seatable_api::Error> {
    /// let toasts = mock.toasts(base)?;
    /// # Ok(()) }
    /// ```
    pub fn toasts(&self, base: &MockBase) -> Result<Vec<Value>, Error> {
        let mut state = self.shared.state();
        Ok(state.base_mut(&base.uuid)?.toasts.clone())
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

    /// Writes the bases (tables, columns, views, rows, links, files, comments, logs, tasks,
    /// snapshots, workflows, notifications, toasts…), users, tokens and account data to
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

fn invalid_state(path: &std::path::Path, why: &str) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("state file {}: {why}", path.display()),
    )
}
