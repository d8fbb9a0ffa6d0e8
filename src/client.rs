//! The client types: [`Client`] (no token) and the three that hold a token. Each generated
//! operation is a method of the one that holds the token it needs.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::error::{Error, ErrorKind};
use crate::request::{Body, BoxFuture, Part, Request, Response, Transport};
use crate::tokens::{AccountToken, ApiToken, BaseToken};

struct Inner {
    http: reqwest::Client,
    server_url: String,
}

/// A connection to one SeaTable server; cheap to clone.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("server_url", &self.inner.server_url)
            .finish()
    }
}

/// Settings for a [`Client`].
pub struct ClientBuilder {
    server_url: String,
    http: Option<reqwest::Client>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
}

/// `https://cloud.seatable.io/` and `cloud.seatable.io` name the same server; paths are
/// appended to the normalised form.
fn normalise(url: &str) -> Result<String, Error> {
    let trimmed = url.trim();
    // Decide on the scheme before trimming slashes, so `https://` is not read as a host.
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("https://{}", trimmed.trim_end_matches('/'))
    };
    let invalid = |why: &str| {
        Error::new(
            ErrorKind::InvalidUrl,
            format!("`{url}` is not a usable server URL: {why}"),
        )
    };
    let parsed = url::Url::parse(&with_scheme).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it names no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

impl ClientBuilder {
    /// Uses this `reqwest::Client` (its own timeouts and user agent apply).
    ///
    /// ```no_run
    /// let client = seatable_api::Client::builder("https://cloud.seatable.io")
    ///     .with_http_client(reqwest::Client::new())
    ///     .build()?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Time allowed for a whole request (default 30 s).
    ///
    /// ```no_run
    /// let client = seatable_api::Client::builder("https://cloud.seatable.io")
    ///     .timeout(std::time::Duration::from_secs(60))
    ///     .build()?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to connect (default 10 s).
    ///
    /// ```no_run
    /// let client = seatable_api::Client::builder("https://cloud.seatable.io")
    ///     .connect_timeout(std::time::Duration::from_secs(3))
    ///     .build()?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `seatable-api/<version>`).
    ///
    /// ```no_run
    /// let client = seatable_api::Client::builder("https://cloud.seatable.io")
    ///     .user_agent("my-importer/1.0")
    ///     .build()?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Builds the client.
    ///
    /// ```no_run
    /// let client = seatable_api::Client::builder("cloud.seatable.io").build()?;
    /// assert_eq!(client.server_url(), "https://cloud.seatable.io");
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let server_url = normalise(&self.server_url)?;
        let http = match self.http {
            Some(h) => h,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(|e| {
                    Error::new(ErrorKind::Transport, format!("cannot set up HTTP: {e}"))
                })?,
        };
        Ok(Client {
            inner: Arc::new(Inner { http, server_url }),
        })
    }
}

impl Client {
    /// A client for the server at `server_url` with default settings.
    ///
    /// ```no_run
    /// let client = seatable_api::Client::new("https://cloud.seatable.io/")?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn new(server_url: &str) -> Result<Client, Error> {
        Client::builder(server_url).build()
    }

    /// A builder to change timeouts, the user agent or the HTTP client.
    ///
    /// ```no_run
    /// let builder = seatable_api::Client::builder("https://seatable.example.com");
    /// ```
    pub fn builder(server_url: &str) -> ClientBuilder {
        ClientBuilder {
            server_url: server_url.to_string(),
            http: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: concat!("seatable-api/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }

    /// The normalised server URL, without a trailing slash.
    ///
    /// ```no_run
    /// let client = seatable_api::Client::new("https://cloud.seatable.io/")?;
    /// assert_eq!(client.server_url(), "https://cloud.seatable.io");
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn server_url(&self) -> &str {
        &self.inner.server_url
    }

    /// A client for the operations that need this API-Token.
    ///
    /// ```no_run
    /// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
    /// let api = client.with_api_token("api token");
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn with_api_token(&self, token: impl Into<ApiToken>) -> ApiTokenClient {
        ApiTokenClient {
            client: self.clone(),
            token: token.into(),
        }
    }

    /// A client for the operations that need this Account-Token.
    ///
    /// ```no_run
    /// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
    /// let account = client.with_account_token("account token");
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn with_account_token(&self, token: impl Into<AccountToken>) -> AccountClient {
        AccountClient {
            client: self.clone(),
            token: token.into(),
        }
    }

    /// Exchanges an API-Token for a Base-Token and returns the client of that base.
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

    /// Logs in with user name and password and returns the account's client.
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

    /// Logs in to an account with two-factor authentication, sending the one-time code.
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

    async fn send(&self, token: Option<&str>, request: Request) -> Result<Response, Error> {
        let operation = request.operation;
        let mut url = url::Url::parse(&format!("{}{}", self.inner.server_url, request.path))
            .map_err(|e| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("cannot build the URL: {e}"),
                )
                .with_operation(operation)
            })?;
        if !request.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                pairs.append_pair(name, value);
            }
        }
        let mut builder = self.inner.http.request(request.method, url);
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        if let Some(token) = token {
            builder = builder.header(reqwest::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        builder = match request.body {
            Body::None => builder,
            Body::Json(bytes) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes),
            Body::Form(text) => builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(text),
            Body::Raw(content_type, bytes) => builder
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(bytes),
            Body::Multipart(parts) => {
                let mut form = reqwest::multipart::Form::new();
                for (name, part) in parts {
                    form = match part {
                        Part::Text(text) => form.text(name, text),
                        Part::Bytes(bytes) => form.part(
                            name.clone(),
                            reqwest::multipart::Part::bytes(bytes).file_name(name),
                        ),
                    };
                }
                builder.multipart(form)
            }
        };
        let response = builder
            .send()
            .await
            .map_err(|e| Error::transport(operation, e))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(Error::from_status(operation, status.as_u16(), body));
        }
        Ok(Response {
            operation,
            inner: response,
        })
    }
}

impl Transport for Client {
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>> {
        Box::pin(self.send(None, request))
    }
}

/// A client holding an Account-Token: the user, team-admin and system-admin operations.
#[derive(Clone, Debug)]
pub struct AccountClient {
    client: Client,
    token: AccountToken,
}

impl AccountClient {
    /// Gets a Base-Token for the base `base_name` in workspace `workspace_id` and returns
    /// that base's client.
    ///
    /// ```no_run
    /// # async fn run(account: seatable_api::AccountClient) -> Result<(), seatable_api::Error> {
    /// let base = account.base(42, "Projects").await?;
    /// # Ok(()) }
    /// ```
    pub async fn base(&self, workspace_id: i64, base_name: &str) -> Result<BaseClient, Error> {
        let access = self.get_base_token(workspace_id, base_name).await?;
        Ok(BaseClient::new(
            self.client.clone(),
            access.dtable_uuid,
            access.access_token.into(),
        ))
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
        Box::pin(self.client.send(Some(self.token.expose_secret()), request))
    }
}

/// A client holding the API-Token of one base: Base-Token exchange and file operations.
#[derive(Clone, Debug)]
pub struct ApiTokenClient {
    client: Client,
    token: ApiToken,
}

impl ApiTokenClient {
    /// Exchanges the API-Token for a Base-Token and returns the base's client.
    ///
    /// ```no_run
    /// # async fn run(api: seatable_api::ApiTokenClient) -> Result<(), seatable_api::Error> {
    /// let base = api.base().await?;
    /// # Ok(()) }
    /// ```
    pub async fn base(&self) -> Result<BaseClient, Error> {
        let access = self.get_base_token().await?;
        Ok(BaseClient::new(
            self.client.clone(),
            access.dtable_uuid,
            access.access_token.into(),
        ))
    }
}

impl Transport for ApiTokenClient {
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>> {
        Box::pin(self.client.send(Some(self.token.expose_secret()), request))
    }
}

struct BaseInner {
    client: Client,
    base_uuid: String,
    // Behind a lock so that refreshing the token later does not need `&mut self`.
    token: tokio::sync::RwLock<BaseToken>,
}

/// A client bound to one base, holding its Base-Token: rows, tables, columns, SQL, links.
#[derive(Clone)]
pub struct BaseClient {
    inner: Arc<BaseInner>,
}

impl std::fmt::Debug for BaseClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BaseClient")
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
                token: tokio::sync::RwLock::new(token),
            }),
        }
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

    /// When the current Base-Token expires, if it says.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// if let Some(at) = base.token_expires_at().await { println!("{at:?}"); }
    /// # }
    /// ```
    pub async fn token_expires_at(&self) -> Option<SystemTime> {
        self.inner.token.read().await.expires_at()
    }

    async fn send(&self, request: Request) -> Result<Response, Error> {
        let token = self.inner.token.read().await.clone();
        self.inner
            .client
            .send(Some(token.expose_secret()), request)
            .await
    }
}

impl Transport for BaseClient {
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>> {
        Box::pin(self.send(request))
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn server_urls_are_normalised() {
        let ok = [
            ("https://cloud.seatable.io", "https://cloud.seatable.io"),
            ("https://cloud.seatable.io/", "https://cloud.seatable.io"),
            ("  cloud.seatable.io//  ", "https://cloud.seatable.io"),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
            (
                "https://example.com/seatable/",
                "https://example.com/seatable",
            ),
        ];
        for (input, expected) in ok {
            assert_eq!(normalise(input).unwrap(), expected, "{input}");
        }
        for bad in ["ftp://example.com", "https://", "", "https://x.io/?a=1"] {
            let e = normalise(bad).unwrap_err();
            assert!(
                e.to_string().contains("is not a usable server URL"),
                "{bad}: {e}"
            );
        }
    }
}
