//! The blocking clients: each wraps the async client of the same name. The generated
//! operations are methods of these types too (emitted next to the async ones), returning
//! the same request builders, which `call()` sends; what is here are the hand-written
//! methods, as sync functions.

use std::time::SystemTime;

use super::call;
use crate::transport::error::Error;
use crate::transport::tokens::{AccountToken, ApiToken};

macro_rules! wrapper {
    ($(#[$doc:meta])* $name:ident, $async:ty) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name {
            inner: $async,
        }

        impl $name {
            /// The async client this one wraps, for what only it offers; its requests run
            /// in blocking code with [`call`](crate::blocking::call).
            pub fn as_async(&self) -> &$async {
                &self.inner
            }

            /// The async client this one wraps.
            pub fn into_async(self) -> $async {
                self.inner
            }
        }

        impl From<$async> for $name {
            fn from(inner: $async) -> Self {
                $name { inner }
            }
        }
    };
}

wrapper!(
    /// A connection to one SeaTable server, for code without an async runtime: the
    /// counterpart of [`crate::Client`]. Cheap to clone.
    ///
    /// ```no_run
    /// let client = seatable_api::blocking::Client::new("https://cloud.seatable.io")?;
    /// let base = client.base_with_api_token("api token")?;
    /// let metadata = base.get_metadata().call()?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    Client,
    crate::Client
);

wrapper!(
    /// The blocking counterpart of [`crate::ApiTokenClient`]: Base-Token exchange and file
    /// operations. Cheap to clone; `Debug` does not show the token.
    ///
    /// ```no_run
    /// let client = seatable_api::blocking::Client::new("https://cloud.seatable.io")?;
    /// let base = client.with_api_token("api token").base()?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    ApiTokenClient,
    crate::ApiTokenClient
);

wrapper!(
    /// The blocking counterpart of [`crate::BaseClient`]: rows, tables, columns, SQL.
    /// Cheap to clone; `Debug` does not show the token.
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// let rows = base.list_rows("Table1").view_name("Open").call()?.rows;
    /// # Ok(()) }
    /// ```
    BaseClient,
    crate::BaseClient
);

wrapper!(
    /// The blocking counterpart of [`crate::AccountClient`]. Cheap to clone; `Debug` does
    /// not show the token.
    ///
    /// ```no_run
    /// let client = seatable_api::blocking::Client::new("https://cloud.seatable.io")?;
    /// let account = client.login("me@example.com", "password")?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    AccountClient,
    crate::AccountClient
);

#[cfg(feature = "team-admin")]
wrapper!(
    /// The blocking counterpart of [`crate::TeamAdminClient`]. Cheap to clone; `Debug` does
    /// not show the token.
    ///
    /// ```no_run
    /// # fn run(account: seatable_api::blocking::AccountClient) {
    /// let team = account.team_admin(3);
    /// # }
    /// ```
    TeamAdminClient,
    crate::TeamAdminClient
);

#[cfg(feature = "system-admin")]
wrapper!(
    /// The blocking counterpart of [`crate::SystemAdminClient`]. Cheap to clone; `Debug`
    /// does not show the token.
    ///
    /// ```no_run
    /// # fn run(account: seatable_api::blocking::AccountClient) {
    /// let admin = account.system_admin();
    /// # }
    /// ```
    SystemAdminClient,
    crate::SystemAdminClient
);

#[cfg(feature = "scheduler")]
wrapper!(
    /// The blocking counterpart of [`crate::SchedulerClient`]. Cheap to clone; `Debug`
    /// does not show the token.
    ///
    /// ```no_run
    /// let client = seatable_api::blocking::Client::new("https://seatable.example.com")?;
    /// let scheduler = client.with_scheduler_token("scheduler token");
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    SchedulerClient,
    crate::SchedulerClient
);

impl Client {
    /// A client for the server at `server_url` with default settings (see
    /// [`crate::Client::new`]); for other settings build a [`crate::Client`] with
    /// [`crate::Client::builder`] and convert it with `From`.
    ///
    /// ```no_run
    /// let client = seatable_api::blocking::Client::new("https://cloud.seatable.io")?;
    /// let custom: seatable_api::blocking::Client = seatable_api::Client::builder("https://cloud.seatable.io")
    ///     .timeout(std::time::Duration::from_secs(60))
    ///     .build()?
    ///     .into();
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn new(server_url: &str) -> Result<Client, Error> {
        crate::Client::new(server_url).map(Client::from)
    }

    /// The normalised server URL, without a trailing slash.
    ///
    /// ```no_run
    /// let client = seatable_api::blocking::Client::new("cloud.seatable.io")?;
    /// assert_eq!(client.server_url(), "https://cloud.seatable.io");
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn server_url(&self) -> &str {
        self.inner.server_url()
    }

    /// A client for the operations that need this API-Token.
    ///
    /// ```no_run
    /// let client = seatable_api::blocking::Client::new("https://cloud.seatable.io")?;
    /// let api = client.with_api_token("api token");
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn with_api_token(&self, token: impl Into<ApiToken>) -> ApiTokenClient {
        self.inner.with_api_token(token).into()
    }

    /// A client for the operations that need this Account-Token.
    ///
    /// ```no_run
    /// let client = seatable_api::blocking::Client::new("https://cloud.seatable.io")?;
    /// let account = client.with_account_token("account token");
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn with_account_token(&self, token: impl Into<AccountToken>) -> AccountClient {
        self.inner.with_account_token(token).into()
    }

    /// A client for the Python scheduler's operations.
    ///
    /// ```no_run
    /// let client = seatable_api::blocking::Client::new("https://cloud.seatable.io")?;
    /// let scheduler = client.with_scheduler_token("scheduler token");
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    #[cfg(feature = "scheduler")]
    #[cfg_attr(docsrs, doc(cfg(feature = "scheduler")))]
    pub fn with_scheduler_token(
        &self,
        token: impl Into<crate::transport::tokens::SchedulerToken>,
    ) -> SchedulerClient {
        self.inner.with_scheduler_token(token).into()
    }

    /// Exchanges an API-Token for a Base-Token (`getBaseToken`) and returns the client of
    /// that base.
    ///
    /// ```no_run
    /// let client = seatable_api::blocking::Client::new("https://cloud.seatable.io")?;
    /// let base = client.base_with_api_token("api token")?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn base_with_api_token(&self, token: impl Into<ApiToken>) -> Result<BaseClient, Error> {
        self.with_api_token(token).base()
    }

    /// Logs in with user name and password (`login`) and returns the account's client.
    ///
    /// ```no_run
    /// let client = seatable_api::blocking::Client::new("https://cloud.seatable.io")?;
    /// let account = client.login("me@example.com", "password")?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn login(&self, username: &str, password: &str) -> Result<AccountClient, Error> {
        call(self.inner.login(username, password)).map(AccountClient::from)
    }

    /// Logs in with two-factor authentication, sending the one-time code in
    /// `X-SEAFILE-OTP`.
    ///
    /// ```no_run
    /// let client = seatable_api::blocking::Client::new("https://cloud.seatable.io")?;
    /// let account = client.login_with_otp("me@example.com", "password", "123456")?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn login_with_otp(
        &self,
        username: &str,
        password: &str,
        otp: &str,
    ) -> Result<AccountClient, Error> {
        call(self.inner.login_with_otp(username, password, otp)).map(AccountClient::from)
    }
}

impl ApiTokenClient {
    /// Exchanges the API-Token for a Base-Token (`getBaseToken`) and returns the base's
    /// client, which renews the Base-Token by itself.
    ///
    /// ```no_run
    /// # fn run(api: seatable_api::blocking::ApiTokenClient) -> Result<(), seatable_api::Error> {
    /// let base = api.base()?;
    /// # Ok(()) }
    /// ```
    pub fn base(&self) -> Result<BaseClient, Error> {
        call(self.inner.base()).map(BaseClient::from)
    }

    /// Uploads `file` for a `file` or `image` column (see
    /// [`crate::ApiTokenClient::upload_attachment`]); `call()` sends it.
    ///
    /// ```no_run
    /// # fn run(api: seatable_api::blocking::ApiTokenClient) -> Result<(), seatable_api::Error> {
    /// use seatable_api::{Attachment, FileUpload};
    /// let file = api.upload_attachment(FileUpload::new("a.txt", b"hi".to_vec()), Attachment::File).call()?;
    /// println!("{}", file.url());
    /// # Ok(()) }
    /// ```
    #[cfg(all(feature = "files", feature = "base"))]
    #[cfg_attr(docsrs, doc(cfg(all(feature = "files", feature = "base"))))]
    pub fn upload_attachment(
        &self,
        file: crate::FileUpload,
        attachment: crate::Attachment,
    ) -> crate::UploadAttachment<'_> {
        self.inner.upload_attachment(file, attachment)
    }
}

impl AccountClient {
    /// Gets a Base-Token for the base `base_name` in workspace `workspace_id`
    /// (`getBaseTokenForBase`) and returns that base's client.
    ///
    /// ```no_run
    /// # fn run(account: seatable_api::blocking::AccountClient) -> Result<(), seatable_api::Error> {
    /// let base = account.base(42, "Projects")?;
    /// # Ok(()) }
    /// ```
    pub fn base(&self, workspace_id: i64, base_name: &str) -> Result<BaseClient, Error> {
        call(self.inner.base(workspace_id, base_name)).map(BaseClient::from)
    }

    /// The team administration operations of team `org_id`.
    ///
    /// ```no_run
    /// # fn run(account: seatable_api::blocking::AccountClient) {
    /// let team = account.team_admin(3);
    /// # }
    /// ```
    #[cfg(feature = "team-admin")]
    #[cfg_attr(docsrs, doc(cfg(feature = "team-admin")))]
    pub fn team_admin(&self, org_id: i64) -> TeamAdminClient {
        self.inner.team_admin(org_id).into()
    }

    /// The system administration operations.
    ///
    /// ```no_run
    /// # fn run(account: seatable_api::blocking::AccountClient) {
    /// let admin = account.system_admin();
    /// # }
    /// ```
    #[cfg(feature = "system-admin")]
    #[cfg_attr(docsrs, doc(cfg(feature = "system-admin")))]
    pub fn system_admin(&self) -> SystemAdminClient {
        self.inner.system_admin().into()
    }
}

impl BaseClient {
    /// The UUID of the base.
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) {
    /// println!("{}", base.base_uuid());
    /// # }
    /// ```
    pub fn base_uuid(&self) -> &str {
        self.inner.base_uuid()
    }

    /// When the current Base-Token expires, read from its JWT `exp`.
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) {
    /// println!("{:?}", base.token_expires_at());
    /// # }
    /// ```
    pub fn token_expires_at(&self) -> Option<SystemTime> {
        self.inner.token_expires_at()
    }

    /// Gets a new Base-Token now (see [`crate::BaseClient::renew_token`]).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.renew_token()?;
    /// # Ok(()) }
    /// ```
    pub fn renew_token(&self) -> Result<(), Error> {
        call(self.inner.renew_token())
    }
}

#[cfg(feature = "base")]
#[cfg_attr(docsrs, doc(cfg(feature = "base")))]
impl BaseClient {
    /// Turns the checks of written rows on (the default) or off (see
    /// [`crate::BaseClient::set_check_writes`]).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) {
    /// base.set_check_writes(false);
    /// # }
    /// ```
    pub fn set_check_writes(&self, on: bool) {
        self.inner.set_check_writes(on);
    }

    /// The base's structure, loaded once and then kept.
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// println!("{} tables", base.metadata()?.tables.len());
    /// # Ok(()) }
    /// ```
    pub fn metadata(&self) -> Result<std::sync::Arc<crate::types::Metadata>, Error> {
        call(self.inner.metadata())
    }

    /// Loads the base's structure again and keeps the new one.
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// let metadata = base.refresh_metadata()?;
    /// # Ok(()) }
    /// ```
    pub fn refresh_metadata(&self) -> Result<std::sync::Arc<crate::types::Metadata>, Error> {
        call(self.inner.refresh_metadata())
    }

    /// Appends the rows, or updates those whose `key_column` matches (see
    /// [`crate::BaseClient::upsert_rows`]); `call()` sends them.
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
    /// let report = base.upsert_rows("Contacts", "Email", rows).call()?;
    /// # Ok(()) }
    /// ```
    pub fn upsert_rows(
        &self,
        table: impl Into<String>,
        key_column: impl Into<String>,
        rows: impl IntoIterator<Item = impl Into<crate::types::RowInput>>,
    ) -> crate::UpsertRows<'_> {
        self.inner.upsert_rows(table, key_column, rows)
    }

    /// Reads rows of `R`'s table as `R` (see [`crate::BaseClient::list_typed_rows`]);
    /// `call()` reads one page, `iter()` every row.
    ///
    /// ```no_run
    /// # #[derive(serde::Deserialize)] struct ProjectsRow { #[serde(rename = "_id")] id: String }
    /// # impl seatable_api::TableRow for ProjectsRow { const TABLE: &'static str = "Projects"; fn row_id(&self) -> &str { &self.id } }
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// let page: Vec<ProjectsRow> = base.list_typed_rows().call()?;
    /// # Ok(()) }
    /// ```
    pub fn list_typed_rows<R: crate::TableRow>(&self) -> crate::ListTypedRows<'_, R> {
        self.inner.list_typed_rows()
    }

    /// Reads the row with id `row_id` of `R`'s table as `R`.
    ///
    /// ```no_run
    /// # #[derive(serde::Deserialize)] struct ProjectsRow { #[serde(rename = "_id")] id: String }
    /// # impl seatable_api::TableRow for ProjectsRow { const TABLE: &'static str = "Projects"; fn row_id(&self) -> &str { &self.id } }
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// let project: ProjectsRow = base.get_typed_row("Qtf7xPmoRaiFyQPO1aENTj")?;
    /// # Ok(()) }
    /// ```
    pub fn get_typed_row<R: crate::TableRow>(&self, row_id: impl Into<String>) -> Result<R, Error> {
        call(self.inner.get_typed_row(row_id))
    }

    /// Appends rows of `I`'s table (see [`crate::BaseClient::append_typed_rows`]);
    /// `call()` sends them.
    ///
    /// ```no_run
    /// # #[derive(serde::Serialize)] struct ProjectsInput { name: String }
    /// # impl seatable_api::TableInput for ProjectsInput { const TABLE: &'static str = "Projects"; }
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// let ids = base.append_typed_rows([ProjectsInput { name: "Apollo".into() }]).call()?;
    /// # Ok(()) }
    /// ```
    pub fn append_typed_rows<I: crate::TableInput>(
        &self,
        rows: impl IntoIterator<Item = I>,
    ) -> crate::AppendTypedRows<'_> {
        self.inner.append_typed_rows(rows)
    }
}

#[cfg(feature = "team-admin")]
impl TeamAdminClient {
    /// The id of the team this client administers.
    ///
    /// ```no_run
    /// # fn run(team: seatable_api::blocking::TeamAdminClient) {
    /// assert!(team.org_id() > 0);
    /// # }
    /// ```
    pub fn org_id(&self) -> i64 {
        self.inner.org_id()
    }
}
