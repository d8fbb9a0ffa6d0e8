//! [`AccountClient`]: the operations of a user account, authorised by its Account-Token.

use crate::client::base::{BaseClient, BaseTokenSource, Renewal};
use crate::transport::connection::{Auth, Client};
use crate::transport::error::Error;
use crate::transport::request::{BoxFuture, Request, Response, Transport};
use crate::transport::tokens::AccountToken;
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
