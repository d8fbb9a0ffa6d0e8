//! [`AccountClient`]: the operations of a user account, authorised by its Account-Token.

use crate::client::api_token::ApiTokenClient;
use crate::client::base::{BaseClient, BaseTokenSource, Renewal};
use crate::transport::connection::{Auth, Client};
use crate::transport::error::Error;
use crate::transport::request::{BoxFuture, Request, Response, Transport};
use crate::transport::tokens::{AccountToken, ApiToken};
use crate::types::BaseAccess;

/// A client holding an Account-Token: the user, team-admin and system-admin operations.
/// Cheap to clone; `Debug` does not show the token.
///
/// ```no_run
/// # async fn run() -> Result<(), seatable_api::Error> {
/// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
/// let account = client.login("me@example.com", "password").await?;
/// let base = account.base(42, "Projects").await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct AccountClient {
    client: Client,
    token: AccountToken,
}

impl AccountClient {
    pub(crate) fn new(client: Client, token: AccountToken) -> AccountClient {
        AccountClient { client, token }
    }

    /// Gets a Base-Token for the base `base_name` in workspace `workspace_id`
    /// (`getBaseTokenForBase`) and returns that base's client.
    ///
    /// ```no_run
    /// # async fn run(account: seatable_api::AccountClient) -> Result<(), seatable_api::Error> {
    /// let base = account.base(42, "Projects").await?;
    /// # Ok(()) }
    /// ```
    pub async fn base(&self, workspace_id: i64, base_name: &str) -> Result<BaseClient, Error> {
        let access = self.get_base_token(workspace_id, base_name).await?;
        let renewal = Renewal::Exchange(Box::new(AccountBase {
            account: self.clone(),
            workspace_id,
            base_name: base_name.to_string(),
        }));
        BaseClient::from_access(self.client.clone(), "getBaseTokenForBase", access, renewal)
    }

    /// A client holding a temporary API-Token for the base `base_name` in workspace
    /// `workspace_id` (`createTempApiToken`), for what needs an API-Token: uploads,
    /// downloads and the other file operations, as the official Python SDK's
    /// `Account.get_base` does. The token is valid for one hour; ask for a new client
    /// after that. Its [`base`](ApiTokenClient::base) opens the base with it; for long jobs
    /// on rows prefer [`base`](Self::base), whose Base-Token the account renews.
    ///
    /// The temporary token names its base, so the file helpers need no further request to
    /// learn it.
    ///
    /// ```no_run
    /// # async fn run(account: seatable_api::AccountClient) -> Result<(), seatable_api::Error> {
    /// use seatable_api::{Attachment, FileUpload};
    /// let files = account.api_token_client(42, "Projects").await?;
    /// let stored = files
    ///     .upload_attachment(FileUpload::new("a.txt", b"hi".to_vec()), Attachment::File)
    ///     .await?;
    /// let base = account.base(42, "Projects").await?;
    /// # Ok(()) }
    /// ```
    pub async fn api_token_client(
        &self,
        workspace_id: i64,
        base_name: &str,
    ) -> Result<ApiTokenClient, Error> {
        let answer = self.create_temp_api_token(workspace_id, base_name).await?;
        let token = ApiToken::from(answer.api_token);
        #[cfg(all(feature = "files", feature = "base"))]
        let uuid = token.base_uuid_claim();
        let api = self.client.with_api_token(token);
        #[cfg(all(feature = "files", feature = "base"))]
        if let Some(uuid) = uuid {
            api.identity_cache().remember(&uuid, Some(workspace_id));
        }
        Ok(api)
    }

    /// The server this account lives on.
    ///
    /// ```no_run
    /// # fn run(account: seatable_api::AccountClient) {
    /// println!("{}", account.client().server_url());
    /// # }
    /// ```
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl Transport for AccountClient {
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>> {
        Box::pin(
            self.client
                .send(Auth::Static(self.token.expose_secret()), request),
        )
    }
}

/// A base named by its workspace and name, whose token the account asks for again.
struct AccountBase {
    account: AccountClient,
    workspace_id: i64,
    base_name: String,
}

impl BaseTokenSource for AccountBase {
    fn operation(&self) -> &'static str {
        "getBaseTokenForBase"
    }

    fn base_access(&self) -> BoxFuture<'_, Result<BaseAccess, Error>> {
        Box::pin(async move {
            self.account
                .get_base_token(self.workspace_id, &self.base_name)
                .await
        })
    }
}
