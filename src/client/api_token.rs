//! [`ApiTokenClient`]: the operations authorised by the API-Token of one base.

use crate::client::base::{BaseClient, BaseTokenSource, Renewal};
#[cfg(all(feature = "files", feature = "base"))]
use crate::file_transfer::attachments::BaseIdentityCache;
use crate::transport::connection::{Auth, Client};
use crate::transport::error::Error;
use crate::transport::request::{BoxFuture, Request, Response, Transport};
use crate::transport::tokens::ApiToken;
use crate::types::BaseAccess;

/// A client holding the API-Token of one base: Base-Token exchange and file operations.
/// Cheap to clone; `Debug` does not show the token.
///
/// ```no_run
/// # async fn run() -> Result<(), seatable_api::Error> {
/// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
/// let api = client.with_api_token("api token");
/// let access = api.get_base_token().exp("5h").await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ApiTokenClient {
    client: Client,
    token: ApiToken,
    /// The base's UUID and workspace, learned once when a file helper needs them.
    #[cfg(all(feature = "files", feature = "base"))]
    identity: BaseIdentityCache,
}

impl ApiTokenClient {
    pub(crate) fn new(client: Client, token: ApiToken) -> ApiTokenClient {
        ApiTokenClient {
            client,
            token,
            #[cfg(all(feature = "files", feature = "base"))]
            identity: BaseIdentityCache::default(),
        }
    }

    /// Exchanges the API-Token for a Base-Token (`getBaseToken`) and returns the base's
    /// client.
    ///
    /// ```no_run
    /// # async fn run(api: seatable_api::ApiTokenClient) -> Result<(), seatable_api::Error> {
    /// let base = api.base().await?;
    /// # Ok(()) }
    /// ```
    pub async fn base(&self) -> Result<BaseClient, Error> {
        let access = self.get_base_token().await?;
        let renewal = Renewal::Exchange(Box::new(self.clone()));
        BaseClient::from_access(self.client.clone(), "getBaseToken", access, renewal)
    }

    /// The server the base lives on.
    ///
    /// ```no_run
    /// # fn run(api: seatable_api::ApiTokenClient) {
    /// println!("{}", api.client().server_url());
    /// # }
    /// ```
    pub fn client(&self) -> &Client {
        &self.client
    }

    #[cfg(all(feature = "files", feature = "base"))]
    pub(crate) fn identity_cache(&self) -> &BaseIdentityCache {
        &self.identity
    }
}

impl Transport for ApiTokenClient {
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>> {
        Box::pin(
            self.client
                .send(Auth::Static(self.token.expose_secret()), request),
        )
    }
}

impl BaseTokenSource for ApiTokenClient {
    fn operation(&self) -> &'static str {
        "getBaseToken"
    }

    fn base_access(&self) -> BoxFuture<'_, Result<BaseAccess, Error>> {
        Box::pin(async move { self.get_base_token().await })
    }
}
