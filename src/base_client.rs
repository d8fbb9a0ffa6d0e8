//! [`BaseClient`]: the operations inside one base, authorised by its Base-Token.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::request::{BoxFuture, Request, Response, Transport};
use crate::tokens::BaseToken;
use crate::types::{BaseAccess, Metadata};
use crate::validate::check_table_rows;

struct BaseInner {
    client: Client,
    base_uuid: String,
    // Shared by every clone, so that a refreshed token reaches them all. A std lock is
    // enough: it is held only to copy or swap the token, never across an `.await`
    // (a refresh will take a lock of its own, so only one request renews the token).
    token: RwLock<BaseToken>,
    /// The base's structure, loaded on first need; written rows are checked against it.
    metadata: tokio::sync::Mutex<Option<Arc<Metadata>>>,
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
        BaseClient {
            inner: Arc::new(BaseInner {
                client,
                base_uuid: base_uuid.into(),
                token: RwLock::new(token),
                metadata: tokio::sync::Mutex::new(None),
                check_writes: AtomicBool::new(true),
            }),
        }
    }

    /// The client of the base a token exchange (`operation`) answered with.
    pub(crate) fn from_access(
        client: Client,
        operation: &str,
        access: BaseAccess,
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
        Ok(BaseClient::new(
            client,
            access.dtable_uuid,
            access.access_token.into(),
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
        self.token().expires_at()
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
    pub async fn refresh_metadata(&self) -> Result<Arc<Metadata>, Error> {
        let mut cached = self.inner.metadata.lock().await;
        let loaded = Arc::new(self.get_metadata().await?.metadata);
        *cached = Some(Arc::clone(&loaded));
        Ok(loaded)
    }

    fn token(&self) -> BaseToken {
        // Nothing that can panic runs under the lock, so a poisoned one still holds a
        // whole token.
        self.inner
            .token
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Transport for BaseClient {
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>> {
        Box::pin(async move {
            let token = self.token();
            self.inner
                .client
                .send(Some(token.expose_secret()), request)
                .await
        })
    }
}

/// The check generated into writes of rows (`x-check-rows`): every problem of `rows` as
/// writes to `table`, as one error, before anything is sent.
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
