//! How a [`Client`], which holds no token, opens the clients that hold one. These methods
//! live here, above the client types, rather than with the connection in `transport`, so
//! that the transport depends on no client type.

use crate::client::account::AccountClient;
use crate::client::api_token::ApiTokenClient;
use crate::client::base::BaseClient;
#[cfg(feature = "scheduler")]
use crate::client::scheduler::SchedulerClient;
use crate::transport::connection::Client;
use crate::transport::error::Error;
#[cfg(feature = "scheduler")]
use crate::transport::tokens::SchedulerToken;
use crate::transport::tokens::{AccountToken, ApiToken};

impl Client {
    /// A client for the operations that need this API-Token.
    ///
    /// ```no_run
    /// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
    /// let api = client.with_api_token("api token");
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn with_api_token(&self, token: impl Into<ApiToken>) -> ApiTokenClient {
        ApiTokenClient::new(self.clone(), token.into())
    }

    /// A client for the operations that need this Account-Token.
    ///
    /// ```no_run
    /// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
    /// let account = client.with_account_token("account token");
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn with_account_token(&self, token: impl Into<AccountToken>) -> AccountClient {
        AccountClient::new(self.clone(), token.into())
    }

    /// A client for the Python scheduler's operations, which need the scheduler's own token.
    ///
    /// ```no_run
    /// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
    /// let scheduler = client.with_scheduler_token("scheduler token");
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    #[cfg(feature = "scheduler")]
    #[cfg_attr(docsrs, doc(cfg(feature = "scheduler")))]
    pub fn with_scheduler_token(&self, token: impl Into<SchedulerToken>) -> SchedulerClient {
        SchedulerClient::new(self.clone(), token.into())
    }

    /// Exchanges an API-Token for a Base-Token (`getBaseToken`) and returns the client of
    /// that base.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), seatable_api::Error> {
    /// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
    /// let base = client.base_with_api_token("api token").await?;
    /// # Ok(()) }
    /// ```
    pub async fn base_with_api_token(
        &self,
        token: impl Into<ApiToken>,
    ) -> Result<BaseClient, Error> {
        self.with_api_token(token).base().await
    }

    /// Logs in with user name and password (`login`) and returns the account's client.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), seatable_api::Error> {
    /// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
    /// let account = client.login("me@example.com", "password").await?;
    /// # Ok(()) }
    /// ```
    pub async fn login(&self, username: &str, password: &str) -> Result<AccountClient, Error> {
        let answer = self.get_account_token(username, password).await?;
        Ok(self.with_account_token(AccountToken::from(answer.token)))
    }

    /// Logs in to an account with two-factor authentication, sending the one-time code in
    /// `X-SEAFILE-OTP`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), seatable_api::Error> {
    /// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
    /// let account = client.login_with_otp("me@example.com", "password", "123456").await?;
    /// # Ok(()) }
    /// ```
    pub async fn login_with_otp(
        &self,
        username: &str,
        password: &str,
        otp: &str,
    ) -> Result<AccountClient, Error> {
        let answer = self.get_account_token(username, password).otp(otp).await?;
        Ok(self.with_account_token(AccountToken::from(answer.token)))
    }
}
