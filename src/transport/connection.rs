//! [`Client`], the connection to one server without a token, how it is configured
//! ([`ClientBuilder`]) and how every request of every client type goes over the wire.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tracing::Instrument;

use crate::transport::body;

#[cfg(all(feature = "files", feature = "base"))]
pub(crate) use body::read_error;

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};

use crate::transport::base_token::{bearer, RenewingToken, SignedToken};
use crate::transport::error::{Error, ErrorKind, Secrets};
use crate::transport::request::{Body, BoxFuture, Part, Request, Response, Transport};
use crate::transport::retry::{asked_wait, Attempts, Limiter, RateLimit, RetryPolicy};

struct Inner {
    http: reqwest::Client,
    server_url: String,
    /// The path of `server_url` (empty, or `/seatable` behind a reverse proxy), to check
    /// that a request's path arrives as written.
    base_path: String,
    retry: RetryPolicy,
    requests_per_minute: Option<u32>,
    max_response_bytes: u64,
    /// The client-side limiters, by base UUID ("" for requests outside a base).
    limiters: Mutex<HashMap<String, Arc<Limiter>>>,
    rate_limit: Mutex<Option<RateLimit>>,
}

/// A connection to one SeaTable server; cheap to clone, and the starting point for the
/// clients that hold a token.
///
/// ```no_run
/// # async fn run() -> Result<(), seatable_api::Error> {
/// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
/// let base = client.base_with_api_token("api token").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("server_url", &self.inner.server_url)
            .finish_non_exhaustive()
    }
}

/// Settings for a [`Client`]: timeouts, user agent, or a `reqwest::Client` of your own.
///
/// ```no_run
/// let client = seatable_api::Client::builder("https://seatable.example.com")
///     .timeout(std::time::Duration::from_secs(60))
///     .user_agent("my-importer/1.0")
///     .build()?;
/// # Ok::<(), seatable_api::Error>(())
/// ```
#[derive(Debug)]
pub struct ClientBuilder {
    server_url: String,
    http: Option<reqwest::Client>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    requests_per_minute: Option<u32>,
    max_response_bytes: u64,
}

/// A bare host means https. Deciding on the scheme before any slash is trimmed keeps
/// `https://` from being read as a host.
fn with_scheme(url: &str) -> String {
    let trimmed = url.trim();
    if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("https://{trimmed}")
    }
}

/// `https://cloud.seatable.io/` and `cloud.seatable.io` name the same server; paths are
/// appended to the normalised form, so it must end without a slash.
fn normalise(url: &str) -> Result<url::Url, Error> {
    let invalid = |why: &str| {
        Error::new(
            ErrorKind::InvalidUrl,
            format!("`{}` is not a usable server URL: {why}", shown(url)),
        )
    };
    let parsed = url::Url::parse(&with_scheme(url)).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it names no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "it must not hold credentials; log in or pass a token instead",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    let mut normal = parsed;
    let path = normal.path().trim_end_matches('/').to_string();
    normal.set_path(&path);
    Ok(normal)
}

/// The URL as the user wrote it, except a password, which must not reach an error message.
fn shown(url: &str) -> String {
    match url::Url::parse(&with_scheme(url)) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        // Unparseable, so find the user part by hand: everything before `@` in the
        // authority.
        Err(_) => {
            let trimmed = url.trim();
            let start = trimmed.find("://").map_or(0, |i| i + 3);
            let end = trimmed[start..]
                .find('/')
                .map_or(trimmed.len(), |i| start + i);
            match trimmed[start..end].rfind('@') {
                Some(at) => format!("{}***@{}", &trimmed[..start], &trimmed[start + at + 1..]),
                None => url.to_string(),
            }
        }
    }
}

impl ClientBuilder {
    /// Uses this `reqwest::Client`; its own timeouts and user agent then apply instead of
    /// this builder's.
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

    /// Time allowed for a whole request, answer included (default 30 s).
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

    /// When and how often failed requests are repeated (default: [`RetryPolicy::default`]).
    ///
    /// ```no_run
    /// let client = seatable_api::Client::builder("https://cloud.seatable.io")
    ///     .retry_policy(seatable_api::RetryPolicy::default().max_retries(8))
    ///     .build()?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends at most `n` requests per minute for each base (and `n` for all requests
    /// outside a base), waiting when a minute's share is used up: a job stays under
    /// SeaTable's rate limit (200 per minute and base on SeaTable Cloud) instead of
    /// running into 429s. Off by default. Repetitions count too.
    ///
    /// ```no_run
    /// let client = seatable_api::Client::builder("https://cloud.seatable.io")
    ///     .requests_per_minute(180)
    ///     .build()?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn requests_per_minute(mut self, n: u32) -> Self {
        self.requests_per_minute = Some(n);
        self
    }

    /// The largest answer body the client reads for one request (default 256 MiB). The
    /// body is read in chunks; an answer whose `Content-Length` is larger is refused
    /// before its body is read, one without (or with a false) `Content-Length` as soon as
    /// the bytes read pass the limit. Either way the call fails with
    /// [`ErrorKind::ResponseTooLarge`], without repeating. Downloads of files
    /// (`download_to_writer`, `download_to_path`) stream to their target and are not
    /// limited. Error answers are read only as far as an [`Error`] keeps (64 KiB).
    ///
    /// ```no_run
    /// let client = seatable_api::Client::builder("https://cloud.seatable.io")
    ///     .max_response_bytes(32 * 1024 * 1024)
    ///     .build()?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Builds the client; fails with [`ErrorKind::InvalidUrl`] when the server URL is not
    /// an http(s) URL of a host.
    ///
    /// ```no_run
    /// let client = seatable_api::Client::builder("cloud.seatable.io").build()?;
    /// assert_eq!(client.server_url(), "https://cloud.seatable.io");
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let url = normalise(&self.server_url)?;
        let http = match self.http {
            Some(h) => h,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(|e| {
                    Error::new(ErrorKind::Transport, "cannot set up the HTTP client").with_source(e)
                })?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_path: url.path().trim_end_matches('/').to_string(),
                server_url: url.as_str().trim_end_matches('/').to_string(),
                retry: self.retry,
                requests_per_minute: self.requests_per_minute,
                max_response_bytes: self.max_response_bytes,
                limiters: Mutex::new(HashMap::new()),
                rate_limit: Mutex::new(None),
            }),
        })
    }
}

impl Client {
    /// A client for the server at `server_url` with default settings. A URL without a
    /// scheme gets `https://`; trailing slashes and surrounding blanks are dropped.
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
            retry: RetryPolicy::default(),
            requests_per_minute: None,
            max_response_bytes: body::DEFAULT_MAX_RESPONSE_BYTES,
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

    /// What is repeated, and how often.
    // Used by the attachment downloads (`files` with `base`).
    #[cfg_attr(not(all(feature = "files", feature = "base")), allow(dead_code))]
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The HTTP client every request goes through.
    // Used by the attachment downloads (`files` with `base`).
    #[cfg_attr(not(all(feature = "files", feature = "base")), allow(dead_code))]
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    fn url(&self, request: &Request) -> Result<url::Url, Error> {
        let operation = request.operation;
        let invalid = |message: String| {
            Error::new(ErrorKind::InvalidArgument, message).with_operation(operation)
        };
        let (server_url, base_path) = match &request.server {
            Some(server) => (
                server.as_str().trim_end_matches('/'),
                server.path().trim_end_matches('/'),
            ),
            None => (
                self.inner.server_url.as_str(),
                self.inner.base_path.as_str(),
            ),
        };
        let mut text = String::with_capacity(server_url.len() + request.path.len());
        text.push_str(server_url);
        text.push_str(&request.path);
        let mut url =
            url::Url::parse(&text).map_err(|e| invalid(format!("cannot build the URL: {e}")))?;
        // Every URL parser resolves `.` and `..` segments, even percent-encoded ones, so a
        // row id or base name of `..` would silently address another endpoint.
        let path = request.path.split('?').next().unwrap_or_default();
        let kept = url
            .path()
            .strip_prefix(base_path)
            .is_some_and(|rest| rest == path);
        if !kept {
            return Err(invalid(format!(
                "the path `{base_path}{path}` would be sent as `{}`; a path parameter may not be `.` or `..`",
                url.path()
            )));
        }
        if !request.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    /// Sends `request` signed by `auth`, repeating it as the [`RetryPolicy`] allows and
    /// renewing an expired Base-Token once; what every client's [`Transport`] does.
    pub(crate) async fn send(&self, auth: Auth<'_>, request: Request) -> Result<Response, Error> {
        let span = tracing::debug_span!(
            "seatable.request",
            operation = request.operation,
            method = %request.method,
            status = tracing::field::Empty,
            retries = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        self.send_with_retries(auth, request, span.clone())
            .instrument(span)
            .await
    }

    async fn send_with_retries(
        &self,
        auth: Auth<'_>,
        request: Request,
        span: tracing::Span,
    ) -> Result<Response, Error> {
        let started = std::time::Instant::now();
        // The first attempt takes the URL; a repetition (rare) builds it again.
        let mut url = Some(self.url(&request)?);
        // A token that never changes is turned into a header once for all attempts.
        let fixed = match &auth {
            Auth::Static(token) => Some(bearer(token).ok_or_else(|| unsendable_token(&request))?),
            _ => None,
        };
        let limiter = self.limiter(&auth);
        // A password sent in a form (login) is as secret as a token.
        let carried = form_secrets(&request.body);
        let mut attempts = Attempts::default();
        let mut renewed = false;
        loop {
            if let Some(limiter) = &limiter {
                limiter.acquire().await;
            }
            let (token, generation) = match &auth {
                Auth::None => (None, 0),
                Auth::Static(token) => (Some(Token::Borrowed(token)), 0),
                Auth::Base(base) => {
                    let (token, generation) = base.current_token().await?;
                    (Some(Token::Shared(token)), generation)
                }
            };
            let header = match &token {
                None => None,
                Some(Token::Borrowed(_)) => fixed.clone(),
                Some(Token::Shared(signed)) => Some(
                    signed
                        .header
                        .clone()
                        .ok_or_else(|| unsendable_token(&request))?,
                ),
            };
            let attempt_url = match url.take() {
                Some(url) => url,
                None => self.url(&request)?,
            };
            let secrets = Secrets::new(
                token
                    .as_ref()
                    .map(Token::as_str)
                    .into_iter()
                    .chain(carried.iter().map(String::as_str)),
            );
            let result = self.send_once(attempt_url, &request, header, secrets).await;
            let error = match result {
                Ok(response) => {
                    span.record("status", response.status);
                    span.record("retries", attempts.repeated());
                    span.record("duration_ms", started.elapsed().as_millis() as u64);
                    tracing::debug!("answered");
                    return Ok(response);
                }
                Err(error) => error,
            };
            if let Some(status) = error.status() {
                span.record("status", status);
            }
            if let Auth::Base(base) = &auth {
                // A rejected token was not acted upon, so any request may be repeated
                // with a new one; once, in case the new one is rejected too.
                if !renewed && token_rejected(&error) {
                    renewed = true;
                    if base.renew(generation).await? {
                        tracing::debug!("Base-Token renewed after the server rejected it");
                        continue;
                    }
                }
            }
            let Some(wait) = attempts.next(&self.inner.retry, &error, request.idempotent) else {
                span.record("retries", attempts.repeated());
                span.record("duration_ms", started.elapsed().as_millis() as u64);
                tracing::debug!(error = %error, "failed");
                return Err(attempts.finish(error));
            };
            tracing::info!(
                error = %error,
                wait_ms = wait.as_millis() as u64,
                "repeating the request"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// The client-side limiter the request counts against: one per base, one for all
    /// requests without a base.
    fn limiter(&self, auth: &Auth<'_>) -> Option<Arc<Limiter>> {
        let per_minute = self.inner.requests_per_minute?;
        let scope = match auth {
            Auth::Base(base) => base.base_uuid(),
            _ => "",
        };
        let mut limiters = self
            .inner
            .limiters
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Some(Arc::clone(
            limiters
                .entry(scope.to_string())
                .or_insert_with(|| Arc::new(Limiter::new(per_minute))),
        ))
    }

    /// One attempt: the request as built, with `authorization`; `secrets` (its token
    /// among them) are kept out of any error.
    async fn send_once(
        &self,
        url: url::Url,
        request: &Request,
        authorization: Option<HeaderValue>,
        secrets: Secrets,
    ) -> Result<Response, Error> {
        let operation = request.operation;
        let mut builder = self.inner.http.request(request.method.clone(), url);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        if let Some(value) = authorization {
            builder = builder.header(AUTHORIZATION, value);
        }
        builder = match &request.body {
            Body::None => builder,
            Body::Json(bytes) => builder
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Form(text) => builder
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(text.clone()),
            Body::Raw(content_type, bytes) => builder
                .header(CONTENT_TYPE, *content_type)
                .body(bytes.clone()),
            Body::Multipart(parts) => builder.multipart(multipart(operation, parts)?),
        };
        let mut response = builder
            .send()
            .await
            .map_err(|e| Error::transport(operation, e, &secrets))?;
        if let Some(limit) = RateLimit::from_headers(response.headers()) {
            *self
                .inner
                .rate_limit
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(limit);
        }
        let status = response.status();
        if !status.is_success() {
            let wait = asked_wait(status.as_u16(), response.headers());
            let (body, complete) = body::read_error(&mut response, &secrets).await;
            return Err(
                Error::from_status(operation, status.as_u16(), &body, complete, &secrets)
                    .with_retry_after(wait),
            );
        }
        let limit = self.inner.max_response_bytes;
        let body = body::read_success(response, operation, limit, &secrets).await?;
        Ok(Response {
            operation,
            status: status.as_u16(),
            body,
            secrets,
        })
    }

    /// The rate-limit state of the last answer that reported one (`x-ratelimit-*`).
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.list_rows("Table1").await?;
    /// if let Some(limit) = base.client().rate_limit() {
    ///     println!("{:?} requests left until {:?}", limit.remaining, limit.reset);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner
            .rate_limit
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A multipart form from the request's parts; built anew for each attempt, as a form is
/// consumed by sending.
fn multipart(
    operation: &str,
    parts: &[(Cow<'static, str>, Part)],
) -> Result<reqwest::multipart::Form, Error> {
    let mut form = reqwest::multipart::Form::new();
    for (name, part) in parts {
        form = match part {
            Part::Text(text) => form.text(name.clone(), text.clone()),
            Part::File(file) => {
                let (file_name, mime, bytes) = file.clone().into_parts();
                // Browsers and curl always label a file part; some multipart parsers
                // reject one without a Content-Type.
                let mime = mime.unwrap_or_else(|| "application/octet-stream".into());
                let part = reqwest::multipart::Part::bytes(bytes)
                    .file_name(file_name)
                    .mime_str(&mime)
                    .map_err(|e| {
                        Error::new(
                            ErrorKind::InvalidArgument,
                            format!("`{mime}` is not a MIME type"),
                        )
                        .with_operation(operation)
                        .with_source(e)
                    })?;
                form.part(name.clone(), part)
            }
        };
    }
    Ok(form)
}

/// The values of the fields of a form body named like a secret (`password`, `…token`).
fn form_secrets(body: &Body) -> Vec<String> {
    let Body::Form(text) = body else {
        return Vec::new();
    };
    url::form_urlencoded::parse(text.as_bytes())
        .filter(|(name, _)| {
            let name = name.to_ascii_lowercase();
            name.contains("password") || name.ends_with("token")
        })
        .map(|(_, value)| value.into_owned())
        .collect()
}

/// Whether the server refused the token itself: 401, or SeaTable's 403 `Token expired.`.
fn token_rejected(error: &Error) -> bool {
    match error.status() {
        Some(401) => true,
        Some(403) => error
            .message()
            .is_some_and(|m| m.to_ascii_lowercase().contains("expired")),
        _ => false,
    }
}

/// A token as sent: borrowed from its client, or shared with a base's client.
enum Token<'a> {
    Borrowed(&'a str),
    Shared(Arc<SignedToken>),
}

impl Token<'_> {
    fn as_str(&self) -> &str {
        match self {
            Token::Borrowed(token) => token,
            Token::Shared(signed) => signed.token.expose_secret(),
        }
    }
}

fn unsendable_token(request: &Request) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        "the token holds characters an HTTP header cannot carry",
    )
    .with_operation(request.operation)
}

/// Who signs a request.
pub(crate) enum Auth<'a> {
    /// Nobody: ping, login.
    None,
    /// A token that does not change (Account-, API-, scheduler token).
    Static(&'a str),
    /// The Base-Token of a base, renewed before it expires and when it is rejected.
    Base(&'a dyn RenewingToken),
}

impl Transport for Client {
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>> {
        Box::pin(self.send(Auth::None, request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_url_is_not_repeated() {
        let e = Client::new("https://me:hunter22@exa mple.com/x").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("`https://***@exa mple.com/x` is not a usable server URL: "),
            "{e}"
        );
        for input in ["https://me:hunter22@x.io", "me:hunter22@x.io"] {
            let e = Client::new(input).unwrap_err();
            assert_eq!(
                e.to_string(),
                "`https://me:***@x.io/` is not a usable server URL: it must not hold \
                 credentials; log in or pass a token instead"
            );
        }
    }

    #[test]
    fn dot_segments_are_refused_before_sending() {
        let client = Client::new("https://x.io/seatable").unwrap();
        let request = Request::new(
            "getRow",
            reqwest::Method::GET,
            "/api/rows/../x/?ret-json=1".into(),
        );
        let e = client.url(&request).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            e.to_string(),
            "getRow: the path `/seatable/api/rows/../x/` would be sent as `/seatable/api/x/`; \
             a path parameter may not be `.` or `..`"
        );
        let mut request = Request::new(
            "upload",
            reqwest::Method::POST,
            "/seafhttp/upload-api/a%2F.b?ret-json=1".into(),
        );
        request.query("replace", "1".into());
        request.query("replace", "0 &".into());
        assert_eq!(
            client.url(&request).unwrap().as_str(),
            "https://x.io/seatable/seafhttp/upload-api/a%2F.b?ret-json=1&replace=1&replace=0+%26"
        );
    }
}
