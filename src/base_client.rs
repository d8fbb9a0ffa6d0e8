//! [`BaseClient`]: the operations inside one base, authorised by its Base-Token.

#[cfg(feature = "base")]
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use crate::account_client::AccountClient;
use crate::api_token_client::ApiTokenClient;
use crate::client::{Auth, Client};
use crate::error::{Error, ErrorKind};
use crate::request::{BoxFuture, Request, Response, Transport};
use crate::tokens::BaseToken;
use crate::types::BaseAccess;
#[cfg(feature = "base")]
use crate::types::Metadata;
#[cfg(feature = "base")]
use crate::validate::check_table_rows;

/// How a base's client gets a new Base-Token.
pub(crate) enum Renewal {
    /// It cannot: the token was handed over by the caller.
    None,
    /// Exchanging the base's API-Token again.
    Api(ApiTokenClient),
    /// Asking again with the Account-Token.
    Account {
        account: AccountClient,
        workspace_id: i64,
        base_name: String,
    },
}

/// The Base-Token in use, numbered so that a renewal is done once for all requests that
/// saw the same token fail.
struct TokenState {
    token: Arc<SignedToken>,
    generation: u64,
    /// When to renew it ahead of its expiry.
    renew_at: SystemTime,
    /// When it expires (its JWT `exp`, else three days after it was received).
    expires_at: SystemTime,
}

impl TokenState {
    fn new(token: BaseToken, generation: u64) -> TokenState {
        let now = SystemTime::now();
        // SeaTable's default lifetime, for a token that does not say.
        let expires_at = token
            .expires_at()
            .unwrap_or_else(|| now + Duration::from_secs(3 * 24 * 3600));
        let lifetime = expires_at.duration_since(now).unwrap_or(Duration::ZERO);
        // A minute ahead, or a tenth of the lifetime for short-lived tokens.
        let margin = (lifetime / 10).min(Duration::from_secs(60));
        TokenState {
            token: Arc::new(SignedToken::new(token)),
            generation,
            renew_at: expires_at - margin,
            expires_at,
        }
    }
}

/// A Base-Token with its `Authorization` header value, built once per token rather than
/// once per request.
pub(crate) struct SignedToken {
    pub(crate) token: BaseToken,
    /// `Bearer <token>`, marked sensitive; `None` when the token holds characters an HTTP
    /// header cannot carry (the transport then refuses the request with that message).
    pub(crate) header: Option<reqwest::header::HeaderValue>,
}

impl SignedToken {
    fn new(token: BaseToken) -> SignedToken {
        let header = crate::client::bearer(token.expose_secret());
        SignedToken { token, header }
    }
}

struct BaseInner {
    client: Client,
    base_uuid: String,
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
        BaseClient::with_renewal(client, base_uuid.into(), token, Renewal::None)
    }

    fn with_renewal(
        client: Client,
        base_uuid: String,
        token: BaseToken,
        renewal: Renewal,
    ) -> BaseClient {
        BaseClient {
            inner: Arc::new(BaseInner {
                client,
                base_uuid,
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
        Ok(BaseClient::with_renewal(
            client,
            access.dtable_uuid,
            access.access_token.into(),
            renewal,
        ))
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
        if now < renew_at || matches!(self.inner.renewal, Renewal::None) {
            return Ok((token, generation));
        }
        match self.renew(generation).await {
            Ok(_) => Ok(self.state(|s| (Arc::clone(&s.token), s.generation))),
            Err(e) if now < expires_at => {
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
            Renewal::Api(api) => ("getBaseToken", api.get_base_token().await?),
            Renewal::Account {
                account,
                workspace_id,
                base_name,
            } => (
                "getBaseTokenForBase",
                account.get_base_token(*workspace_id, base_name).await?,
            ),
        };
        if access.dtable_uuid != self.inner.base_uuid {
            return Err(Error::new(
                ErrorKind::Decode,
                format!(
                    "the renewed token is for base `{}`, not `{}`",
                    access.dtable_uuid, self.inner.base_uuid
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

impl Transport for BaseClient {
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>> {
        Box::pin(self.inner.client.send(Auth::Base(self), request))
    }
}

/// The check generated into writes of rows (`x-check-rows`): every problem of `rows` as
/// writes to `table`, as one error, before anything is sent.
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
    let metadata = base.metadata().await?;
    let Some(found) = metadata
        .tables
        .iter()
        .find(|t| t.name == table || t.id == table)
    else {
        let names: Vec<&str> = metadata.tables.iter().map(|t| t.name.as_str()).collect();
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "the base has no table `{table}` (its tables: {}); nothing was sent",
                names.join(", ")
            ),
        )
        .with_operation(operation));
    };
    let problems = check_table_rows(found, rows);
    if problems.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    Err(Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "{} problem(s) in the rows for table `{table}`, nothing was sent:\n{}",
            problems.len(),
            listed.join("\n")
        ),
    )
    .with_operation(operation))
}
