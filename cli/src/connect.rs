//! Opens the client an operation's token kind needs, once per run: API-Token → Base-Token
//! by the runtime's exchange, Account-Token from the settings or by a login.

use seatable_api::__private::{Request, Response, Transport};
use seatable_api::{AccountClient, BaseClient, Client};

use crate::config::Settings;
use crate::failure::Failure;
use crate::table::Token;

/// The clients of one run.
#[derive(Debug)]
pub struct Session {
    settings: Settings,
    client: Option<Client>,
    base: Option<BaseClient>,
    account: Option<AccountClient>,
}

impl Session {
    /// A session that connects when a command first needs it.
    pub fn new(settings: Settings) -> Session {
        Session {
            settings,
            client: None,
            base: None,
            account: None,
        }
    }

    /// The client without a token.
    pub fn client(&mut self) -> Result<Client, Failure> {
        if let Some(c) = &self.client {
            return Ok(c.clone());
        }
        let server = self.settings.server.clone().ok_or_else(|| {
            Failure::config(
                "no server: give --server URL, set SEATABLE_SERVER_URL, or name one in a profile",
            )
        })?;
        let client = Client::new(&server)?;
        self.client = Some(client.clone());
        Ok(client)
    }

    fn api_token(&self) -> Result<String, Failure> {
        self.settings.profile.api_token.clone().ok_or_else(|| {
            Failure::config(
                "no API-Token: give --token, set SEATABLE_API_TOKEN, or name one in a profile",
            )
        })
    }

    /// The Base-Token client, exchanged for the API-Token.
    pub async fn base(&mut self) -> Result<BaseClient, Failure> {
        if let Some(b) = &self.base {
            return Ok(b.clone());
        }
        let client = self.client()?;
        let token = self.api_token()?;
        let base = client.base_with_api_token(token).await?;
        self.base = Some(base.clone());
        Ok(base)
    }

    /// The Account-Token client: the token as given, or a login.
    pub async fn account(&mut self) -> Result<AccountClient, Failure> {
        if let Some(a) = &self.account {
            return Ok(a.clone());
        }
        let client = self.client()?;
        let profile = &self.settings.profile;
        let account = match (&profile.account_token, &profile.username, &profile.password) {
            (Some(token), _, _) => client.with_account_token(token.clone()),
            (None, Some(user), Some(password)) => client.login(user, password).await?,
            _ => {
                return Err(Failure::config(
                    "no Account-Token: set SEATABLE_ACCOUNT_TOKEN, or SEATABLE_USERNAME and \
                     SEATABLE_PASSWORD, or name them in a profile",
                ))
            }
        };
        self.account = Some(account.clone());
        Ok(account)
    }

    /// Sends `request` with the token `token` names; `org_id` is the team of a team-admin
    /// operation.
    pub async fn execute(
        &mut self,
        token: Token,
        org_id: Option<i64>,
        request: Request,
    ) -> Result<Response, Failure> {
        let answer = match token {
            Token::None => self.client()?.execute(request).await,
            Token::Api => {
                let api = self.client()?.with_api_token(self.api_token()?);
                api.execute(request).await
            }
            Token::Base => self.base().await?.execute(request).await,
            Token::Account => self.account().await?.execute(request).await,
            Token::TeamAdmin => {
                let org_id = org_id.ok_or_else(|| Failure::input("--org-id is needed"))?;
                self.account()
                    .await?
                    .team_admin(org_id)
                    .execute(request)
                    .await
            }
            Token::SystemAdmin => self.account().await?.system_admin().execute(request).await,
            Token::Scheduler => {
                let token = self
                    .settings
                    .profile
                    .scheduler_token
                    .clone()
                    .ok_or_else(|| {
                        Failure::config(
                        "no scheduler token: set SEATABLE_SCHEDULER_TOKEN or name one in a profile",
                    )
                    })?;
                self.client()?
                    .with_scheduler_token(token)
                    .execute(request)
                    .await
            }
        };
        Ok(answer?)
    }
}
