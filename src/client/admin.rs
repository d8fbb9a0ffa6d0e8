//! [`TeamAdminClient`] and [`SystemAdminClient`]: the administration operations of an
//! account, each on a type of its own.
//!
//! Both send the account's Account-Token. They are separate types because SeaTable names
//! many user, team-admin and system-admin operations alike (`listUsers`, `listGroups`,
//! `deleteBase`): on its own type each keeps the name a user would guess, and a team
//! operation cannot be called without saying which team.

use crate::client::account::AccountClient;
use crate::transport::error::Error;
use crate::transport::request::{BoxFuture, Request, Response, Transport};

/// The team (organisation) administration operations of one team, authorised by the
/// Account-Token of one of its admins; `org_id` is filled in by the client. Cheap to clone;
/// `Debug` does not show the token.
///
/// ```no_run
/// # async fn run(account: seatable_api::AccountClient) -> Result<(), seatable_api::Error> {
/// let team = account.team_admin(3);
/// println!("administering team {}", team.org_id());
/// # Ok(()) }
/// ```
#[cfg(feature = "team-admin")]
#[derive(Clone, Debug)]
pub struct TeamAdminClient {
    account: AccountClient,
    org_id: i64,
}

#[cfg(feature = "team-admin")]
impl TeamAdminClient {
    /// The id of the team this client administers.
    ///
    /// ```no_run
    /// # fn run(team: seatable_api::TeamAdminClient) {
    /// assert!(team.org_id() > 0);
    /// # }
    /// ```
    pub fn org_id(&self) -> i64 {
        self.org_id
    }

    /// The account whose token this client sends.
    ///
    /// ```no_run
    /// # fn run(team: seatable_api::TeamAdminClient) {
    /// println!("{}", team.account().client().server_url());
    /// # }
    /// ```
    pub fn account(&self) -> &AccountClient {
        &self.account
    }
}

/// The system administration operations of a server, authorised by the Account-Token of an
/// account with the system admin role. Cheap to clone; `Debug` does not show the token.
///
/// ```no_run
/// # async fn run(account: seatable_api::AccountClient) -> Result<(), seatable_api::Error> {
/// let admin = account.system_admin();
/// println!("{}", admin.account().client().server_url());
/// # Ok(()) }
/// ```
#[cfg(feature = "system-admin")]
#[derive(Clone, Debug)]
pub struct SystemAdminClient {
    account: AccountClient,
}

#[cfg(feature = "system-admin")]
impl SystemAdminClient {
    /// The account whose token this client sends.
    ///
    /// ```no_run
    /// # fn run(admin: seatable_api::SystemAdminClient) {
    /// println!("{}", admin.account().client().server_url());
    /// # }
    /// ```
    pub fn account(&self) -> &AccountClient {
        &self.account
    }
}

impl AccountClient {
    /// The team administration operations of team `org_id`, for an account that is one of
    /// its admins. Nothing is sent until an operation is called; a non-admin account gets
    /// 403 answers.
    ///
    /// ```no_run
    /// # fn run(account: seatable_api::AccountClient) {
    /// let team = account.team_admin(3);
    /// # }
    /// ```
    #[cfg(feature = "team-admin")]
    #[cfg_attr(docsrs, doc(cfg(feature = "team-admin")))]
    pub fn team_admin(&self, org_id: i64) -> TeamAdminClient {
        TeamAdminClient {
            account: self.clone(),
            org_id,
        }
    }

    /// The system administration operations, for an account with the system admin role.
    /// Nothing is sent until an operation is called; other accounts get 403 answers.
    ///
    /// ```no_run
    /// # fn run(account: seatable_api::AccountClient) {
    /// let admin = account.system_admin();
    /// # }
    /// ```
    #[cfg(feature = "system-admin")]
    #[cfg_attr(docsrs, doc(cfg(feature = "system-admin")))]
    pub fn system_admin(&self) -> SystemAdminClient {
        SystemAdminClient {
            account: self.clone(),
        }
    }
}

#[cfg(feature = "team-admin")]
impl Transport for TeamAdminClient {
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>> {
        self.account.execute(request)
    }
}

#[cfg(feature = "system-admin")]
impl Transport for SystemAdminClient {
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>> {
        self.account.execute(request)
    }
}
