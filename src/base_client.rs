//! [`BaseClient`]: the operations inside one base, authorised by its Base-Token.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::request::{BoxFuture, Request, Response, Transport};
use crate::tokens::BaseToken;
use crate::types::BaseAccess;

struct BaseInner {
    client: Client,
    base_uuid: String,
    // Shared by every clone, so that a refreshed token reaches them all. A std lock is
    // enough: it is held only to copy or swap the token, never across an `.await`
    // (a refresh will take a lock of its own, so only one request renews the token).
    token: RwLock<BaseToken>,
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
