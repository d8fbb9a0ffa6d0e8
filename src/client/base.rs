//! [`BaseClient`]: the operations inside one base, authorised by its Base-Token. Its
//! hand-written methods are here: the token's renewal, the cached metadata, the checks
//! of written rows, and links by table and column name (the typed-row methods stay with
//! their builders in `data/typed_rows.rs`, which hold the client).

#[cfg(feature = "base")]
use std::collections::{BTreeMap, HashSet};
#[cfg(feature = "base")]
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

#[cfg(feature = "base")]
use crate::base::DeleteRowLinksResponse;
#[cfg(feature = "base")]
use crate::data::links::{ids_of, lookup, pairs, LinkIds, Lookup, LINKS_PER_PAGE, ROWS_PER_QUERY};
#[cfg(feature = "base")]
use crate::data::metadata_lookup::{
    columns_of_type, find_column, find_table, find_view, no_column, no_table, no_view,
};
#[cfg(feature = "base")]
use crate::data::write_checks::check_marking_misses;
use crate::transport::base_token::{RenewingToken, SignedToken};
use crate::transport::connection::{Auth, Client};
use crate::transport::error::{Error, ErrorKind};
use crate::transport::request::{BoxFuture, Request, Response, Transport};
use crate::transport::tokens::BaseToken;
use crate::types::BaseAccess;
#[cfg(feature = "base")]
use crate::types::{
    Column, ColumnType, LinkCellItem, Metadata, RowLinksQuery, SuccessResult, Table, View,
};

/// How a base's client gets a new Base-Token.
pub(crate) enum Renewal {
    /// It cannot: the token was handed over by the caller.
    None,
    /// By asking again whoever gave the first token.
    Exchange(Box<dyn BaseTokenSource>),
}

/// Who can hand out a base's token again: the base's API-Token client, or an account
/// with the base's workspace and name. A trait, so that this file does not depend on the
/// clients that open a base.
pub(crate) trait BaseTokenSource: Send + Sync {
    /// The operation that asks, named in errors.
    fn operation(&self) -> &'static str;

    /// A new token for the base, with the base's identity.
    fn base_access(&self) -> BoxFuture<'_, Result<BaseAccess, Error>>;
}

/// The Base-Token in use, numbered so that a renewal is done once for all requests that
/// saw the same token fail.
struct TokenState {
    token: Arc<SignedToken>,
    generation: u64,
    /// When to renew it ahead of its expiry, by this machine's clock; `None` when that
    /// clock cannot tell, and only the server's rejection renews it.
    renew_at: Option<SystemTime>,
    /// When it expires, by this machine's clock, when known.
    expires_at: Option<SystemTime>,
}

impl TokenState {
    /// The state of a token received now.
    fn new(token: BaseToken, generation: u64) -> TokenState {
        let now = SystemTime::now();
        let expires_at = local_expiry(&token, now);
        let renew_at = expires_at.map(|at| {
            let lifetime = at.duration_since(now).unwrap_or(Duration::ZERO);
            // A minute ahead, or a tenth of the lifetime for short-lived tokens.
            at - (lifetime / 10).min(Duration::from_secs(60))
        });
        TokenState {
            token: Arc::new(SignedToken::new(token)),
            generation,
            renew_at,
            expires_at,
        }
    }
}

/// When a token received `now` expires by this machine's clock. The server's clocks
/// decide: with `iat`, the token lives `exp - iat` from now, however the clocks differ;
/// without it, `exp` is taken as it is when it lies ahead. A token whose `exp` has passed
/// by this clock (a clock ahead of the server's) gives `None`: the server, which accepted
/// it a moment ago, judges it, and a rejection renews it (judging by this clock would
/// exchange it again before every request).
fn local_expiry(token: &BaseToken, now: SystemTime) -> Option<SystemTime> {
    let Some(exp) = token.expires_at() else {
        // SeaTable's default lifetime, for a token that does not say.
        return now.checked_add(Duration::from_secs(3 * 24 * 3600));
    };
    if let Some(iat) = token.issued_at() {
        let lifetime = exp.duration_since(iat).ok().filter(|l| !l.is_zero())?;
        return now.checked_add(lifetime);
    }
    (exp > now).then_some(exp)
}

struct BaseInner {
    client: Client,
    base_uuid: String,
    /// The base's server as the token exchange named it (`dtable_server`): where the
    /// realtime service is, which may be another host than the client's server.
    dtable_server: Option<String>,
    // Shared by every clone, so that a renewed token reaches them all. A std lock is
    // enough: it is held only to copy or swap the token, never across an `.await`;
    // `renewing` is the lock that makes one request renew the token for all.
    token: RwLock<TokenState>,
    renewal: Renewal,
    renewing: tokio::sync::Mutex<()>,
    /// The base's structure, loaded on first need; written rows are checked against it.
    #[cfg(feature = "base")]
    metadata: tokio::sync::Mutex<Option<Arc<Metadata>>>,
    #[cfg(feature = "base")]
    check_writes: AtomicBool,
}

/// A client bound to one base, holding its Base-Token: rows, tables, columns, SQL, links.
/// Cheap to clone; `Debug` does not show the token.
///
/// ```no_run
/// # async fn run() -> Result<(), seatable_api::Error> {
/// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
/// let base = client.base_with_api_token("api token").await?;
/// let metadata = base.get_metadata().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct BaseClient {
    inner: Arc<BaseInner>,
}

impl std::fmt::Debug for BaseClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BaseClient")
            .field("server_url", &self.inner.client.server_url())
            .field("base_uuid", &self.inner.base_uuid)
            .finish_non_exhaustive()
    }
}

impl BaseClient {
    /// A client for base `base_uuid` with a Base-Token obtained elsewhere.
    ///
    /// ```no_run
    /// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
    /// let base = seatable_api::BaseClient::new(client, "650d8a0d-7e27-46a8-8b18-6cc6f3db2057", "jwt".into());
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn new(client: Client, base_uuid: impl Into<String>, token: BaseToken) -> BaseClient {
        BaseClient::with_renewal(client, base_uuid.into(), token, Renewal::None, None)
    }

    fn with_renewal(
        client: Client,
        base_uuid: String,
        token: BaseToken,
        renewal: Renewal,
        dtable_server: Option<String>,
    ) -> BaseClient {
        BaseClient {
            inner: Arc::new(BaseInner {
                client,
                base_uuid,
                dtable_server,
                token: RwLock::new(TokenState::new(token, 0)),
                renewal,
                renewing: tokio::sync::Mutex::new(()),
                #[cfg(feature = "base")]
                metadata: tokio::sync::Mutex::new(None),
                #[cfg(feature = "base")]
                check_writes: AtomicBool::new(true),
            }),
        }
    }

    /// The client of the base a token exchange (`operation`) answered with.
    pub(crate) fn from_access(
        client: Client,
        operation: &str,
        access: BaseAccess,
        renewal: Renewal,
    ) -> Result<BaseClient, Error> {
        // Every base operation puts the UUID in its path; without one they would all fail
        // far from the cause.
        if access.dtable_uuid.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::Decode,
                "the answer names no base: `dtable_uuid` is empty",
            )
            .with_operation(operation));
        }
        // Such a server answers every base operation of this client with 404; saying why
        // here spares the caller from guessing.
        if access.use_api_gateway == Some(false) {
            return Err(Error::new(
                ErrorKind::UnsupportedServer,
                "the server does not offer the API gateway (`use_api_gateway: false`, a \
                 SeaTable older than 5.3); this client sends base operations only to \
                 `/api-gateway/api/v2/`",
            )
            .with_operation(operation));
        }
        let dtable_server = access.dtable_server.filter(|s| !s.trim().is_empty());
        Ok(BaseClient::with_renewal(
            client,
            access.dtable_uuid,
            access.access_token.into(),
            renewal,
            dtable_server,
        ))
    }

    /// The base's server as the token exchange named it (`dtable_server`, e.g.
    /// `https://cloud.seatable.io/api-gateway/`), or the client's server for a client made
    /// with [`BaseClient::new`]. SeaTable's realtime service is on this host. A plain-HTTP
    /// `dtable_server` named by an HTTPS server is not taken: the Base-Token would travel
    /// unencrypted.
    #[cfg_attr(not(feature = "realtime"), allow(dead_code))]
    pub(crate) fn dtable_server(&self) -> &str {
        let own = self.inner.client.server_url();
        match self.inner.dtable_server.as_deref() {
            Some(named)
                if !(own.starts_with("https:")
                    && named
                        .get(..5)
                        .is_some_and(|s| s.eq_ignore_ascii_case("http:"))) =>
            {
                named
            }
            _ => own,
        }
    }

    /// The UUID of the base.
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::BaseClient) {
    /// println!("{}", base.base_uuid());
    /// # }
    /// ```
    pub fn base_uuid(&self) -> &str {
        &self.inner.base_uuid
    }

    /// When the current Base-Token expires, read from its JWT `exp`; `None` when the
    /// token does not say.
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::BaseClient) {
    /// if let Some(at) = base.token_expires_at() {
    ///     println!("valid until {at:?}");
    /// }
    /// # }
    /// ```
    pub fn token_expires_at(&self) -> Option<SystemTime> {
        self.state(|s| s.token.token.expires_at())
    }

    /// Gets a new Base-Token now, the way this client got its first one (API-Token or
    /// Account-Token). The client does this by itself a minute before the token expires
    /// and when the server rejects it; this is for callers that want to choose the moment.
    /// Fails for a client made with [`BaseClient::new`], which cannot renew its token.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.renew_token().await?;
    /// # Ok(()) }
    /// ```
    pub async fn renew_token(&self) -> Result<(), Error> {
        let generation = self.state(|s| s.generation);
        if self.renew(generation).await? {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::InvalidArgument,
                "this client was given its Base-Token and has no API-Token or Account-Token \
                 to get a new one",
            ))
        }
    }

    fn state<T>(&self, read: impl FnOnce(&TokenState) -> T) -> T {
        // Nothing that can panic runs under the lock, so a poisoned one still holds a
        // whole token.
        read(
            &self
                .inner
                .token
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// The token to send now and its generation; renewed first when its time has come.
    /// When that renewal fails while the old token is still valid, the old one is used.
    pub(crate) async fn current_token(&self) -> Result<(Arc<SignedToken>, u64), Error> {
        let (token, generation, renew_at, expires_at) =
            self.state(|s| (Arc::clone(&s.token), s.generation, s.renew_at, s.expires_at));
        let now = SystemTime::now();
        if renew_at.is_none_or(|at| now < at) || matches!(self.inner.renewal, Renewal::None) {
            return Ok((token, generation));
        }
        match self.renew(generation).await {
            Ok(_) => Ok(self.state(|s| (Arc::clone(&s.token), s.generation))),
            Err(e) if expires_at.is_none_or(|at| now < at) => {
                tracing::warn!(error = %e, "could not renew the Base-Token ahead of its expiry");
                Ok((token, generation))
            }
            Err(e) => Err(e),
        }
    }

    /// Renews the token of `generation`, once however many requests ask at the same time:
    /// the first one fetches, the others wait and find the new token. `false` when the
    /// client cannot renew. The transport calls it when the server rejected the token of
    /// `generation`.
    pub(crate) async fn renew(&self, generation: u64) -> Result<bool, Error> {
        if matches!(self.inner.renewal, Renewal::None) {
            return Ok(false);
        }
        let _renewing = self.inner.renewing.lock().await;
        if self.state(|s| s.generation) != generation {
            return Ok(true);
        }
        let (operation, access) = match &self.inner.renewal {
            Renewal::None => return Ok(false),
            Renewal::Exchange(source) => (source.operation(), source.base_access().await?),
        };
        if access.dtable_uuid != self.inner.base_uuid {
            // The answer's value is quoted only when it has a UUID's shape: a hostile or
            // broken server may echo the request's token there.
            let named = if looks_like_uuid(&access.dtable_uuid) {
                format!("base `{}`", access.dtable_uuid)
            } else {
                format!(
                    "something that is not a base UUID ({} characters)",
                    access.dtable_uuid.chars().count()
                )
            };
            return Err(Error::new(
                ErrorKind::Decode,
                format!(
                    "the renewed token is for {named}, not base `{}`",
                    self.inner.base_uuid
                ),
            )
            .with_operation(operation));
        }
        let renewed = TokenState::new(access.access_token.into(), generation + 1);
        *self
            .inner
            .token
            .write()
            .unwrap_or_else(PoisonError::into_inner) = renewed;
        tracing::debug!(operation, "Base-Token renewed");
        Ok(true)
    }

    /// The server the base lives on.
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::BaseClient) {
    /// println!("{}", base.client().server_url());
    /// # }
    /// ```
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// Turns the checks of written rows on (the default) or off for this client and its
    /// clones. With them on, `append_rows` and `update_rows` compare every row with the
    /// table's columns first and send nothing when one would be stored wrongly (see
    /// [`check_table_rows`](crate::check_table_rows)); the first write loads the metadata.
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::BaseClient) {
    /// base.set_check_writes(false); // e.g. when the columns are known to match
    /// # }
    /// ```
    #[cfg(feature = "base")]
    #[cfg_attr(docsrs, doc(cfg(feature = "base")))]
    pub fn set_check_writes(&self, on: bool) {
        self.inner.check_writes.store(on, Ordering::Relaxed);
    }

    /// The base's structure, loaded once and then kept; [`refresh_metadata`](Self::refresh_metadata)
    /// loads it again (after columns were added, say).
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// let metadata = base.metadata().await?;
    /// println!("{} tables", metadata.tables.len());
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "base")]
    #[cfg_attr(docsrs, doc(cfg(feature = "base")))]
    pub async fn metadata(&self) -> Result<Arc<Metadata>, Error> {
        // Held across the load so that concurrent first calls make one request.
        let mut cached = self.inner.metadata.lock().await;
        if let Some(m) = cached.as_ref() {
            return Ok(Arc::clone(m));
        }
        let loaded = Arc::new(self.get_metadata().await?.metadata);
        *cached = Some(Arc::clone(&loaded));
        Ok(loaded)
    }

    /// Loads the base's structure again and keeps the new one.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// let metadata = base.refresh_metadata().await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "base")]
    #[cfg_attr(docsrs, doc(cfg(feature = "base")))]
    pub async fn refresh_metadata(&self) -> Result<Arc<Metadata>, Error> {
        let mut cached = self.inner.metadata.lock().await;
        let loaded = Arc::new(self.get_metadata().await?.metadata);
        *cached = Some(Arc::clone(&loaded));
        Ok(loaded)
    }
}

impl RenewingToken for BaseClient {
    fn base_uuid(&self) -> &str {
        BaseClient::base_uuid(self)
    }

    fn current_token(&self) -> BoxFuture<'_, Result<(Arc<SignedToken>, u64), Error>> {
        Box::pin(BaseClient::current_token(self))
    }

    fn renew(&self, generation: u64) -> BoxFuture<'_, Result<bool, Error>> {
        Box::pin(BaseClient::renew(self, generation))
    }
}

impl Transport for BaseClient {
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>> {
        Box::pin(self.inner.client.send(Auth::Base(self), request))
    }
}

/// The check generated into writes of rows (`x-check-rows`): every problem of `rows` as
/// writes to `table`, as one error, before anything is sent. A problem that may come from
/// metadata older than the base (an unknown table, column or select option: someone may
/// have added it since) loads the metadata again once before the rows are refused.
#[cfg(feature = "base")]
pub async fn check_rows<'r>(
    base: &BaseClient,
    operation: &'static str,
    table: &str,
    rows: impl IntoIterator<Item = &'r serde_json::Map<String, serde_json::Value>>,
) -> Result<(), Error> {
    if !base.inner.check_writes.load(Ordering::Relaxed) {
        return Ok(());
    }
    let rows: Vec<&serde_json::Map<String, serde_json::Value>> = rows.into_iter().collect();
    let mut metadata = base.metadata().await?;
    let mut reloaded = false;
    loop {
        let Some(found) = find_table(&metadata, table) else {
            if !reloaded {
                reloaded = true;
                metadata = base.refresh_metadata().await?;
                continue;
            }
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{}; nothing was sent", no_table(&metadata, table)),
            )
            .with_operation(operation));
        };
        let problems = check_marking_misses(found, rows.iter().copied());
        if problems.is_empty() {
            return Ok(());
        }
        if !reloaded && problems.iter().any(|(_, miss)| *miss) {
            reloaded = true;
            metadata = base.refresh_metadata().await?;
            continue;
        }
        let listed: Vec<String> = problems.iter().map(|(p, _)| p.to_string()).collect();
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{} problem(s) in the rows for table `{table}`, nothing was sent:\n{}",
                problems.len(),
                listed.join("\n")
            ),
        )
        .with_operation(operation));
    }
}

#[cfg(feature = "base")]
impl BaseClient {
    /// Runs `find` on the cached metadata; when it finds nothing, loads the metadata again
    /// once (the base may have changed since) and runs it again. A second miss is an
    /// [`ErrorKind::InvalidArgument`] saying what was not found and what there is.
    async fn look_up<T>(&self, find: impl Fn(&Metadata) -> Result<T, String>) -> Result<T, Error> {
        let cached = self.metadata().await?;
        if let Ok(found) = find(&cached) {
            return Ok(found);
        }
        let fresh = self.refresh_metadata().await?;
        find(&fresh).map_err(|message| Error::new(ErrorKind::InvalidArgument, message))
    }

    /// The table named `table` (or with that `_id`), from the cached metadata; loaded
    /// again once when it is not there, since the table may be new.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// let table = base.table("Contacts").await?;
    /// println!("{} has {} columns", table.name, table.columns.len());
    /// # Ok(()) }
    /// ```
    pub async fn table(&self, table: &str) -> Result<Table, Error> {
        self.look_up(|m| {
            find_table(m, table)
                .cloned()
                .ok_or_else(|| no_table(m, table))
        })
        .await
    }

    /// The column named `column` (or with that key) of `table`, from the cached metadata;
    /// loaded again once when either is not there. The error names the missing table or
    /// the column and the table it is not in.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// let column = base.column("Contacts", "Email").await?;
    /// println!("{}", column.tag());
    /// # Ok(()) }
    /// ```
    pub async fn column(&self, table: &str, column: &str) -> Result<Column, Error> {
        self.look_up(|m| {
            let t = find_table(m, table).ok_or_else(|| no_table(m, table))?;
            find_column(t, column)
                .cloned()
                .ok_or_else(|| no_column(t, column))
        })
        .await
    }

    /// The view named `view` (or with that `_id`) of `table`, from the cached metadata;
    /// loaded again once when either is not there.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// let view = base.view("Contacts", "Default View").await?;
    /// println!("{}", view.id);
    /// # Ok(()) }
    /// ```
    pub async fn view(&self, table: &str, view: &str) -> Result<View, Error> {
        self.look_up(|m| {
            let t = find_table(m, table).ok_or_else(|| no_table(m, table))?;
            find_view(t, view).cloned().ok_or_else(|| no_view(t, view))
        })
        .await
    }

    /// The columns of `table` of type `column_type`, in the table's order, from the cached
    /// metadata. When there are none (or no such table) the metadata is loaded again once;
    /// no column of the type is then an empty list, no table an error.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// use seatable_api::types::ColumnType;
    /// for column in base.columns_of_type("Contacts", ColumnType::Date).await? {
    ///     println!("{:?}", column.name());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn columns_of_type(
        &self,
        table: &str,
        column_type: ColumnType,
    ) -> Result<Vec<Column>, Error> {
        let find = |m: &Metadata, allow_empty: bool| {
            let t = find_table(m, table).ok_or_else(|| no_table(m, table))?;
            let found: Vec<Column> = columns_of_type(t, &column_type)
                .into_iter()
                .cloned()
                .collect();
            if found.is_empty() && !allow_empty {
                return Err(String::new());
            }
            Ok(found)
        };
        let cached = self.metadata().await?;
        if let Ok(found) = find(&cached, false) {
            return Ok(found);
        }
        let fresh = self.refresh_metadata().await?;
        find(&fresh, true).map_err(|message| Error::new(ErrorKind::InvalidArgument, message))
    }

    /// The ids of the link column `link_column` of `table`, from the cached metadata;
    /// on a miss the metadata is loaded again once, since the column may be new.
    async fn link_ids(
        &self,
        operation: &str,
        table: &str,
        link_column: &str,
    ) -> Result<LinkIds, Error> {
        let mut metadata = self.metadata().await?;
        if !matches!(lookup(&metadata, table, link_column), Lookup::Found(..)) {
            metadata = self.refresh_metadata().await?;
        }
        let not_found = |message: String| {
            Error::new(ErrorKind::InvalidArgument, message).with_operation(operation)
        };
        match lookup(&metadata, table, link_column) {
            Lookup::Found(t, c) => ids_of(operation, t, c),
            Lookup::NoTable => {
                let names: Vec<&str> = metadata.tables.iter().map(|t| t.name.as_str()).collect();
                Err(not_found(format!(
                    "the base has no table `{table}` (its tables: {}); nothing was sent",
                    names.join(", ")
                )))
            }
            Lookup::NoColumn(t) => {
                let names: Vec<&str> = t.columns.iter().map(crate::cells::column_name).collect();
                Err(not_found(format!(
                    "table `{}` has no column `{link_column}` (its columns: {}); nothing was sent",
                    t.name,
                    names.join(", ")
                )))
            }
        }
    }

    async fn checked_map(
        &self,
        operation: &str,
        table: &str,
        link_column: &str,
        links: &BTreeMap<String, Vec<String>>,
    ) -> Result<LinkIds, Error> {
        if links.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "no rows given; nothing was sent",
            )
            .with_operation(operation));
        }
        self.link_ids(operation, table, link_column).await
    }

    /// Links row `row_id` of `table` to the rows `other_row_ids` of the other table,
    /// through the link column named `link_column` (`createRowLinks`). Existing links stay;
    /// linking rows that are linked already is an error of the server.
    ///
    /// The table is named by name (or id), the column by name (or key); the link's ids
    /// come from the metadata, which is loaded again once when either is not found. An
    /// unknown table or column, or a column that is not a link column, fails with
    /// [`ErrorKind::InvalidArgument`] before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.add_links("Contacts", "Projects", "Qtf7xPmoRaiFyQPO1aENTj", ["G5rbgqudTKKfAm1-cjnjbQ"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_links<I, S>(
        &self,
        table: &str,
        link_column: &str,
        row_id: impl Into<String>,
        other_row_ids: I,
    ) -> Result<SuccessResult, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.add_links_map(table, link_column, pairs(row_id, other_row_ids))
            .await
    }

    /// [`add_links`](Self::add_links) for several rows in one request: row id of `table`
    /// → the row ids of the other table to link it to.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// use std::collections::BTreeMap;
    /// let links = BTreeMap::from([
    ///     ("Qtf7xPmoRaiFyQPO1aENTj".to_string(), vec!["G5rbgqudTKKfAm1-cjnjbQ".to_string()]),
    ///     ("PSnPPXD6SranQwA4_MhN8A".to_string(), vec!["XzdZfL2oS-aILnhfagTWEg".to_string()]),
    /// ]);
    /// base.add_links_map("Contacts", "Projects", links).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_links_map(
        &self,
        table: &str,
        link_column: &str,
        links: BTreeMap<String, Vec<String>>,
    ) -> Result<SuccessResult, Error> {
        let ids = self
            .checked_map("createRowLinks", table, link_column, &links)
            .await?;
        self.create_row_links(ids.link_id, ids.table_id, ids.other_table_id, links)
            .await
    }

    /// Makes `other_row_ids` the complete set of rows linked to row `row_id` of `table`
    /// through `link_column` (`updateRowLinks`): links not listed are removed; an empty
    /// list removes all. Names are resolved as for [`add_links`](Self::add_links).
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.set_links("Contacts", "Projects", "Qtf7xPmoRaiFyQPO1aENTj", Vec::<String>::new()).await?; // unlink all
    /// # Ok(()) }
    /// ```
    pub async fn set_links<I, S>(
        &self,
        table: &str,
        link_column: &str,
        row_id: impl Into<String>,
        other_row_ids: I,
    ) -> Result<SuccessResult, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.set_links_map(table, link_column, pairs(row_id, other_row_ids))
            .await
    }

    /// [`set_links`](Self::set_links) for several rows in one request; rows not named keep
    /// their links.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// use std::collections::BTreeMap;
    /// let links = BTreeMap::from([("Qtf7xPmoRaiFyQPO1aENTj".to_string(), vec![])]);
    /// base.set_links_map("Contacts", "Projects", links).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_links_map(
        &self,
        table: &str,
        link_column: &str,
        links: BTreeMap<String, Vec<String>>,
    ) -> Result<SuccessResult, Error> {
        let ids = self
            .checked_map("updateRowLinks", table, link_column, &links)
            .await?;
        self.update_row_links(ids.link_id, ids.table_id, ids.other_table_id, links)
            .await
    }

    /// Removes the links between row `row_id` of `table` and the rows `other_row_ids`
    /// (`deleteRowLinks`); its other links stay. Names are resolved as for
    /// [`add_links`](Self::add_links). (SeaTable counts pairs that were not linked as
    /// removed too.)
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.remove_links("Contacts", "Projects", "Qtf7xPmoRaiFyQPO1aENTj", ["G5rbgqudTKKfAm1-cjnjbQ"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove_links<I, S>(
        &self,
        table: &str,
        link_column: &str,
        row_id: impl Into<String>,
        other_row_ids: I,
    ) -> Result<DeleteRowLinksResponse, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.remove_links_map(table, link_column, pairs(row_id, other_row_ids))
            .await
    }

    /// [`remove_links`](Self::remove_links) for several rows in one request.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// use std::collections::BTreeMap;
    /// let links = BTreeMap::from([
    ///     ("Qtf7xPmoRaiFyQPO1aENTj".to_string(), vec!["G5rbgqudTKKfAm1-cjnjbQ".to_string()]),
    /// ]);
    /// base.remove_links_map("Contacts", "Projects", links).await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove_links_map(
        &self,
        table: &str,
        link_column: &str,
        links: BTreeMap<String, Vec<String>>,
    ) -> Result<DeleteRowLinksResponse, Error> {
        let ids = self
            .checked_map("deleteRowLinks", table, link_column, &links)
            .await?;
        self.delete_row_links(ids.link_id, ids.table_id, ids.other_table_id, links)
            .await
    }

    /// Every row linked to each of `row_ids` of `table` through `link_column`
    /// (`listRowLinks`), not only the 50 a link cell shows: each row's links are read in
    /// pages of 100 until a page comes back short, for up to 100 rows per request. Every
    /// requested row is in the answer, with an empty list when it has no links. Linked
    /// rows come in SeaTable's order (by their creation time).
    ///
    /// Names are resolved as for [`add_links`](Self::add_links), so a column that is not a
    /// link column fails before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// let linked = base.list_links("Contacts", "Projects", ["Qtf7xPmoRaiFyQPO1aENTj"]).await?;
    /// for (row_id, others) in &linked {
    ///     for other in others {
    ///         println!("{row_id} → {} ({:?})", other.row_id, other.display_value);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_links<I, S>(
        &self,
        table: &str,
        link_column: &str,
        row_ids: I,
    ) -> Result<BTreeMap<String, Vec<LinkCellItem>>, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        const OPERATION: &str = "listRowLinks";
        let ids = self.link_ids(OPERATION, table, link_column).await?;
        let mut linked: BTreeMap<String, Vec<LinkCellItem>> = BTreeMap::new();
        let mut seen: BTreeMap<String, HashSet<String>> = BTreeMap::new();
        let mut pending: Vec<(String, i64)> = Vec::new();
        for row_id in row_ids {
            let row_id = row_id.into();
            if !linked.contains_key(&row_id) {
                linked.insert(row_id.clone(), Vec::new());
                pending.push((row_id, 0));
            }
        }
        while !pending.is_empty() {
            let mut next = Vec::new();
            for chunk in pending.chunks(ROWS_PER_QUERY) {
                let queries = chunk.iter().map(|(row_id, offset)| RowLinksQuery {
                    row_id: row_id.clone(),
                    offset: Some(*offset),
                    limit: Some(LINKS_PER_PAGE),
                });
                let mut answer = self
                    .list_row_links(ids.table_name.clone(), ids.column_name.clone(), queries)
                    .await?;
                for (row_id, offset) in chunk {
                    let page = answer.remove(row_id).unwrap_or_default();
                    let page_len = page.len() as i64;
                    let full = page_len >= LINKS_PER_PAGE;
                    let known = seen.entry(row_id.clone()).or_default();
                    let list = linked.entry(row_id.clone()).or_default();
                    let mut new = 0;
                    for item in page {
                        // Pages that overlap (links added meanwhile) repeat a row once.
                        if known.insert(item.row_id.clone()) {
                            list.push(item);
                            new += 1;
                        }
                    }
                    // A server that ignored `offset` would send the same page forever.
                    if full && new == 0 {
                        return Err(Error::new(
                            ErrorKind::Decode,
                            format!(
                                "the server answered the same linked rows of row `{row_id}` \
                                 again at offset {offset}; stopped paging"
                            ),
                        )
                        .with_operation(OPERATION));
                    }
                    if full {
                        next.push((row_id.clone(), offset + page_len));
                    }
                }
            }
            pending = next;
        }
        Ok(linked)
    }
}

/// 32 hex digits, with or without the four hyphens of the 8-4-4-4-12 form.
fn looks_like_uuid(text: &str) -> bool {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    let hyphens = text.len() - hex.len();
    hex.len() == 32
        && hex.chars().all(|c| c.is_ascii_hexdigit())
        && (hyphens == 0 || (hyphens == 4 && text.split('-').map(str::len).eq([8, 4, 4, 4, 12])))
}

#[cfg(test)]
mod tests {
    use super::looks_like_uuid;

    #[test]
    fn only_uuid_shapes_are_quoted_from_an_answer() {
        assert!(looks_like_uuid("0fdc05ad-4b4e-4ee0-8cf8-29723d526869"));
        assert!(looks_like_uuid("0fdc05ad4b4e4ee08cf829723d526869"));
        // An API-Token (40 hex digits), a JWT, hyphens in the wrong places: not shown.
        assert!(!looks_like_uuid("f7e19a50e9b658479c7c1d97ffba64ec4a3eee11"));
        assert!(!looks_like_uuid("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln"));
        assert!(!looks_like_uuid("0fdc05ad4-b4e-4ee0-8cf8-29723d526869"));
        assert!(!looks_like_uuid("0fdc05ad-4b4e-4ee0-8cf8-29723d52686g"));
    }
}
