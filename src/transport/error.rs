//! One error type for every failure, carrying what a caller needs to react: the operation,
//! the HTTP status, SeaTable's own message and the raw body.

use std::fmt;

use crate::bulk::report::BatchReport;
pub use crate::transport::applied::Applied;

use crate::transport::redact;

pub(crate) use redact::{body_read_limit, Secrets};

/// What kind of failure an [`Error`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server answered with a status that is not 2xx (other than 429).
    Api,
    /// The server answered 429: too many requests.
    RateLimited,
    /// A 2xx answer whose body did not match the expected type.
    Decode,
    /// The request did not get an answer: connection, timeout, TLS, I/O.
    Transport,
    /// An argument could not be encoded into a request.
    InvalidArgument,
    /// The answer was larger than the client reads for this kind of operation (see
    /// [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes));
    /// it was refused before it was all in memory.
    ResponseTooLarge,
    /// The server URL is not usable.
    InvalidUrl,
    /// The server lacks what this client needs: a SeaTable older than 5.3, whose
    /// Base-Token answer says `use_api_gateway: false`, serves base operations on paths
    /// this client does not send to.
    UnsupportedServer,
    /// A call of the blocking client (`seatable_api::blocking`) was made from inside an
    /// async runtime, where it would block a thread that drives other tasks; nothing was
    /// sent.
    InsideAsyncRuntime,
}

/// A failed call.
///
/// Neither `Display`, `Debug`, [`body`](Error::body) nor any error of its
/// [`source`](std::error::Error::source) chain shows a token the request carried (as it
/// is, JSON-escaped, or percent-encoded in a URL) or a token-like field of the answer:
/// they read `***` instead. An error is small whatever the answer: it keeps at most the
/// first 64 KiB of the body (cut bodies end with `…[cut]`) and a few KiB of each message.
///
/// ```no_run
/// # async fn run(base: seatable_api::BaseClient) {
/// match base.get_row("Qm9vLx1TS2y9F1qdI4ZCwA", "Table1").await {
///     Ok(row) => println!("{row:?}"),
///     Err(e) if e.status() == Some(404) => println!("no such row"),
///     Err(e) => eprintln!("{e}"), // e.g. `getRow: HTTP 403: invalid token`
/// }
/// # }
/// ```
pub struct Error(Box<Details>);

/// The fields of an [`Error`], boxed so that a `Result<T, Error>` stays one pointer wide
/// on its error side.
#[derive(Debug)]
struct Details {
    kind: ErrorKind,
    operation: Option<String>,
    status: Option<u16>,
    message: Option<String>,
    body: Option<String>,
    retryable: bool,
    applied: Applied,
    /// How long a 429 answer asked to wait.
    retry_after: Option<std::time::Duration>,
    /// How often the request was repeated before this error was returned.
    retries: u32,
    /// Why the client stopped repeating, when that is not obvious (a wait the server
    /// asked for that would exceed the budget).
    note: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
    batch: Option<Box<BatchReport>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Box::new(Details {
            kind,
            operation: None,
            status: None,
            message: Some(message.into()),
            body: None,
            retryable: false,
            applied: Applied::No,
            retry_after: None,
            retries: 0,
            note: None,
            source: None,
            batch: None,
        }))
    }

    pub(crate) fn with_operation(mut self, operation: &str) -> Error {
        self.0.operation = Some(operation.to_string());
        self
    }

    pub(crate) fn with_retry_after(mut self, wait: Option<std::time::Duration>) -> Error {
        self.0.retry_after = wait;
        self
    }

    pub(crate) fn with_applied(mut self, applied: Applied) -> Error {
        self.0.applied = applied;
        self
    }

    pub(crate) fn with_retries(mut self, retries: u32) -> Error {
        self.0.retries = retries;
        self
    }

    pub(crate) fn with_note(mut self, note: String) -> Error {
        self.0.note = Some(note);
        self
    }

    /// This error, the first failure of a batch, with the report of the whole batch; its
    /// `applied` becomes the batch's.
    pub(crate) fn with_batch(mut self, report: BatchReport) -> Error {
        self.0.applied = report.applied();
        self.0.batch = Some(Box::new(report));
        self
    }

    pub(crate) fn with_source(
        mut self,
        e: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        self.0.source = Some(Box::new(e));
        self
    }

    /// An answer with a non-2xx status; SeaTable's message is read from the body. The
    /// secrets the request carried are removed from the body, in case a server echoes
    /// them back; `complete` says whether `body` is the whole body or a prefix.
    pub(crate) fn from_status(
        operation: &str,
        status: u16,
        body: &[u8],
        complete: bool,
        secrets: &Secrets,
    ) -> Error {
        let secrets = secrets.and(secrets_in(body));
        let body = secrets.redact_body(body, complete);
        let (kind, retryable) = match status {
            429 => (ErrorKind::RateLimited, true),
            500 | 502..=504 => (ErrorKind::Api, true),
            _ => (ErrorKind::Api, false),
        };
        // A gateway that answers 503 or 429 turned the request away before SeaTable
        // processed it; a 500, 502 or 504 may come after the work was done.
        let applied = match status {
            500 | 502 | 504 => Applied::Maybe,
            _ => Applied::No,
        };
        Error(Box::new(Details {
            kind,
            operation: Some(operation.to_string()),
            status: Some(status),
            message: seatable_message(&body).map(|m| secrets.message(&m)),
            body: Some(body),
            retryable,
            applied,
            retry_after: None,
            retries: 0,
            note: None,
            source: None,
            batch: None,
        }))
    }

    /// A request that got no (whole) answer; `secrets` are the ones it carried, removed
    /// from reqwest's message, which names the URL.
    pub(crate) fn transport(operation: &str, e: reqwest::Error, secrets: &Secrets) -> Error {
        // A request reqwest refuses to build (a header value with a line break, say) is a
        // bad argument, and sending it again cannot help.
        if e.is_builder() {
            return Error::new(ErrorKind::InvalidArgument, "the request cannot be built")
                .with_operation(operation)
                .with_redacted_source(e, secrets);
        }
        let (message, applied) = if e.is_connect() {
            // Checked first: a connect timeout is a timeout too, but nothing was sent.
            ("could not connect to the server", Applied::No)
        } else if e.is_timeout() {
            ("the request timed out", Applied::Maybe)
        } else {
            // Cut off mid-answer, for example: the server may have acted on the request.
            ("the request failed", Applied::Maybe)
        };
        // Another try may get through; whether it is safe is `applied`'s question.
        Error::new(ErrorKind::Transport, message)
            .with_operation(operation)
            .with_applied(applied)
            .with_retryable(true)
            .with_redacted_source(e, secrets)
    }

    /// An answer larger than `limit` bytes, refused after `read` bytes (or before any,
    /// when its `Content-Length` said so).
    pub(crate) fn too_large(operation: &str, limit: u64, declared: Option<u64>) -> Error {
        let said = match declared {
            Some(length) => format!("the answer announced {length} bytes"),
            None => "the answer went on".to_string(),
        };
        Error::new(
            ErrorKind::ResponseTooLarge,
            format!(
                "{said}, more than the {limit} bytes this client reads for one answer \
                 (`ClientBuilder::max_response_bytes`); it was not read"
            ),
        )
        .with_operation(operation)
        .with_applied(Applied::Yes)
    }

    pub(crate) fn with_retryable(mut self, retryable: bool) -> Error {
        self.0.retryable = retryable;
        self
    }

    /// Keeps `e` as the source, as redacted text when there are secrets to hide.
    fn with_redacted_source(
        mut self,
        e: impl std::error::Error + Send + Sync + 'static,
        secrets: &Secrets,
    ) -> Error {
        self.0.source = Some(if secrets.is_empty() {
            Box::new(e)
        } else {
            secrets.source(&e)
        });
        self
    }

    /// A 2xx answer that did not decode. `at` is the path serde had reached
    /// (`rows[3].Age`), `.` when it failed at the root; `secrets` the ones the request
    /// carried, which an answer may echo.
    pub(crate) fn decode(
        operation: &str,
        at: &str,
        e: serde_json::Error,
        body: &[u8],
        secrets: &Secrets,
    ) -> Error {
        // serde quotes the value it rejected, which may be most of a huge answer.
        let full = redact::prefix(format_args!("{e}"), 8 * 1024);
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let reason = full.strip_suffix(&suffix).unwrap_or(&full);
        let mut message = String::from("response did not match the expected type");
        if e.line() > 0 {
            message.push_str(&format!(" at line {} column {}", e.line(), e.column()));
        }
        if at != "." && !at.is_empty() {
            message.push_str(&format!(" ({at})"));
        }
        message.push_str(": ");
        message.push_str(reason);
        // A token-issuing answer that fails to decode still holds a fresh token, and serde
        // quotes offending values in its message.
        let secrets = secrets.and(secrets_in(body));
        let kept = secrets.redact_body(body, true);
        Error(Box::new(Details {
            kind: ErrorKind::Decode,
            operation: Some(operation.to_string()),
            status: None,
            message: Some(secrets.message(&message)),
            body: Some(kept),
            retryable: false,
            applied: Applied::Yes,
            retry_after: None,
            retries: 0,
            note: None,
            source: Some(secrets.source(&e)),
            batch: None,
        }))
    }

    /// A value that could not be serialised into a request. Generated code calls this;
    /// it is public only for that.
    ///
    /// ```no_run
    /// let e = seatable_api::Error::serialize(std::fmt::Error);
    /// assert_eq!(e.kind(), seatable_api::ErrorKind::InvalidArgument);
    /// ```
    #[doc(hidden)]
    pub fn serialize(e: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("cannot encode the request: {e}"),
        )
        .with_source(e)
    }

    /// What kind of failure this is.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// use seatable_api::ErrorKind;
    /// if let Err(e) = base.get_metadata().await {
    ///     if e.kind() == ErrorKind::RateLimited { /* wait and try later */ }
    /// }
    /// # }
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The HTTP status, when the server answered with one that is not 2xx.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// if let Err(e) = base.get_row("row id", "Table1").await {
    ///     assert_eq!(e.status(), Some(404));
    /// }
    /// # }
    /// ```
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// SeaTable's message (`error_msg`, `error_message`, `detail` or `non_field_errors` of
    /// the body), or this client's description of the failure. `None` when the server
    /// said nothing readable (a 429 has an empty body).
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// if let Err(e) = base.list_rows("Nope").await {
    ///     println!("{}", e.message().unwrap_or("no message"));
    /// }
    /// # }
    /// ```
    pub fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }

    /// The operationId of the failed call.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// if let Err(e) = base.get_metadata().await {
    ///     assert_eq!(e.operation(), Some("getMetadata"));
    /// }
    /// # }
    /// ```
    pub fn operation(&self) -> Option<&str> {
        self.0.operation.as_deref()
    }

    /// The raw body of a failed or undecodable answer, so nothing the server said is lost
    /// (token values in it are replaced by `***`).
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// if let Err(e) = base.get_metadata().await {
    ///     eprintln!("server said: {}", e.body().unwrap_or(""));
    /// }
    /// # }
    /// ```
    pub fn body(&self) -> Option<&str> {
        self.0.body.as_deref()
    }

    /// Whether trying again later may succeed: 429, 500, 502, 503, 504, and every failure
    /// to get an answer (connection, timeout, a broken connection). Whether repeating is
    /// *safe* (a write may have happened) is [`applied`](Self::applied)'s answer.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// if let Err(e) = base.get_metadata().await {
    ///     if e.is_retryable() { /* back off and repeat */ }
    /// }
    /// # }
    /// ```
    pub fn is_retryable(&self) -> bool {
        self.0.retryable
    }

    /// Whether the failed request may have changed data on the server; a write whose
    /// answer is [`Applied::No`] can be sent again without doing it twice.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// use seatable_api::Applied;
    /// if let Err(e) = base.append_rows("Table1", Vec::<seatable_api::types::RowInput>::new()).await {
    ///     match e.applied() {
    ///         Applied::No => { /* safe to send again */ }
    ///         Applied::Maybe => { /* look before sending again */ }
    ///         Applied::Yes => { /* stored; only the answer was unreadable */ }
    ///     }
    /// }
    /// # }
    /// ```
    pub fn applied(&self) -> Applied {
        self.0.applied
    }

    /// How long the server asked to wait before the next request (the `Retry-After` of a
    /// failed answer, or a 429's `x-ratelimit-reset`), when it said.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// if let Err(e) = base.get_metadata().await {
    ///     if let Some(wait) = e.retry_after() {
    ///         tokio::time::sleep(wait).await;
    ///     }
    /// }
    /// # }
    /// ```
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.0.retry_after
    }

    /// How often the client repeated the request (see [`RetryPolicy`](crate::RetryPolicy))
    /// before giving up with this error.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// if let Err(e) = base.get_metadata().await {
    ///     println!("gave up after {} retries", e.retries());
    /// }
    /// # }
    /// ```
    pub fn retries(&self) -> u32 {
        self.0.retries
    }

    /// For a batched call (`batched()`), which input ranges were committed, which failed
    /// and which were never sent. The error itself is the first failed chunk's, except
    /// that [`applied`](Error::applied) covers the whole batch: `Yes` once any chunk was
    /// committed. `Display` lists the ranges too.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, rows: Vec<seatable_api::types::RowInput>) {
    /// if let Err(e) = base.append_rows("Table1", rows).batched().await {
    ///     if let Some(report) = e.batch() {
    ///         println!("committed {:?}, never sent {:?}", report.committed(), report.not_sent());
    ///     }
    /// }
    /// # }
    /// ```
    pub fn batch(&self) -> Option<&BatchReport> {
        self.0.batch.as_deref()
    }
}

/// SeaTable answers errors in several shapes, depending on the service behind the path.
fn seatable_message(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    for key in ["error_msg", "error_message", "detail"] {
        if let Some(m) = value
            .get(key)
            .and_then(|v| v.as_str())
            .filter(|m| !m.is_empty())
        {
            return Some(m.to_string());
        }
    }
    let list = value.get("non_field_errors")?.as_array()?;
    let joined: Vec<&str> = list.iter().filter_map(|v| v.as_str()).collect();
    (!joined.is_empty()).then(|| joined.join("; "))
}

/// String values of JSON fields named like a secret (`token`, `access_token`, `api_token`,
/// `password`), anywhere in the body. The runtime cannot know the response type's
/// `format: password` fields, but SeaTable names every secret this way. The body is read
/// as text, so that an answer cut off after (or inside) the token, which is no JSON any
/// more, still gives it up; the first 4 MiB are read (token-issuing answers are a few
/// hundred bytes).
pub(crate) fn secrets_in(body: &[u8]) -> Vec<String> {
    const SCANNED: usize = 4 << 20;
    let text = String::from_utf8_lossy(&body[..body.len().min(SCANNED)]);
    let mut out = Vec::new();
    let mut key: Option<String> = None;
    let mut rest = text.as_ref();
    while let Some(open) = rest.find('"') {
        let between = &rest[..open];
        let after = &rest[open + 1..];
        let (literal, closed) = match string_end(after) {
            Some(end) => (&after[..end], true),
            None => (after, false),
        };
        // Garbage around the colon (a mangled answer) does not hide the value.
        let secret_key = key.take().filter(|_| {
            between.contains(':')
                && between.len() <= 16
                && !between.contains([',', '{', '}', '[', ']'])
        });
        if let Some(k) = secret_key {
            let k = k.to_ascii_lowercase();
            if k.ends_with("token") || k.contains("password") {
                // Both as written and as decoded, since either may be echoed.
                out.push(literal.to_string());
                if let Ok(decoded) = serde_json::from_str::<String>(&format!("\"{literal}\"")) {
                    out.push(decoded);
                }
            }
        }
        if !closed {
            break;
        }
        rest = &after[literal.len() + 1..];
        let trimmed = rest.trim_start();
        if trimmed.starts_with(':') {
            key = Some(
                serde_json::from_str::<String>(&format!("\"{literal}\""))
                    .unwrap_or_else(|_| literal.to_string()),
            );
        }
    }
    out
}

/// Where the JSON string starting at `text` (after its opening quote) ends.
fn string_end(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return Some(i),
            _ => {}
        }
    }
    None
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = &self.0.operation {
            write!(f, "{op}: ")?;
        }
        if let Some(status) = self.0.status {
            write!(f, "HTTP {status}")?;
            if self.0.message.is_some() {
                f.write_str(": ")?;
            }
        }
        match (&self.0.message, self.0.kind) {
            (Some(m), _) => f.write_str(m)?,
            (None, ErrorKind::RateLimited) => f.write_str(" (rate limited)")?,
            (None, _) => {}
        }
        if let Some(note) = &self.0.note {
            write!(f, " ({note})")?;
        }
        match self.0.retries {
            0 => {}
            1 => f.write_str(" (after 1 retry)")?,
            n => write!(f, " (after {n} retries)")?,
        }
        match &self.0.batch {
            Some(report) => write!(f, " ({report})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source.as_deref().map(|e| e as _)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_error_shape() {
        let cases = [
            (
                r#"{"error_msg": "Permission denied."}"#,
                Some("Permission denied."),
            ),
            (
                r#"{"error_message": "no such table: t"}"#,
                Some("no such table: t"),
            ),
            (r#"{"detail": "Invalid token"}"#, Some("Invalid token")),
            (
                r#"{"non_field_errors": ["Unable to log in.", "Try again."]}"#,
                Some("Unable to log in.; Try again."),
            ),
            (r#"{"error_msg": ""}"#, None),
            (r#"{"error_msg": 42}"#, None),
            ("[1, 2]", None),
            ("", None),
            ("<html>Bad Gateway</html>", None),
        ];
        for (body, expected) in cases {
            let e = Error::from_status("getRow", 403, body.as_bytes(), true, &Secrets::default());
            assert_eq!(e.message(), expected, "{body}");
            assert_eq!(e.body(), Some(body));
        }
    }

    #[test]
    fn classifies_statuses() {
        use Applied::{Maybe, No};
        let cases = [
            (400, ErrorKind::Api, false, No),
            (401, ErrorKind::Api, false, No),
            (404, ErrorKind::Api, false, No),
            (429, ErrorKind::RateLimited, true, No),
            (500, ErrorKind::Api, true, Maybe),
            (501, ErrorKind::Api, false, No),
            (502, ErrorKind::Api, true, Maybe),
            (503, ErrorKind::Api, true, No),
            (504, ErrorKind::Api, true, Maybe),
        ];
        for (status, kind, retryable, applied) in cases {
            let e = Error::from_status("x", status, b"", true, &Secrets::default());
            assert_eq!(
                (e.kind(), e.is_retryable(), e.applied()),
                (kind, retryable, applied),
                "{status}"
            );
        }
    }

    #[test]
    fn display_names_operation_status_and_message() {
        let e = Error::from_status("listRows", 429, "".as_bytes(), true, &Secrets::default());
        assert_eq!(e.to_string(), "listRows: HTTP 429 (rate limited)");
        let e = Error::from_status(
            "getRow",
            404,
            r#"{"error_msg":"row _id not exits"}"#.as_bytes(),
            true,
            &Secrets::default(),
        );
        assert_eq!(e.to_string(), "getRow: HTTP 404: row _id not exits");
        let e = Error::from_status(
            "getMetadata",
            502,
            "<html/>".as_bytes(),
            true,
            &Secrets::default(),
        );
        assert_eq!(e.to_string(), "getMetadata: HTTP 502");
        let e = Error::new(ErrorKind::InvalidUrl, "bad");
        assert_eq!(e.to_string(), "bad");
    }

    #[test]
    fn the_sent_token_never_stays_in_a_body() {
        let token = "0123456789abcdef0123456789abcdef01234567";
        let body = format!(r#"{{"detail": "Invalid token {token}"}}"#);
        let e = Error::from_status(
            "getBaseToken",
            401,
            body.as_bytes(),
            true,
            &Secrets::new([token]),
        );
        assert_eq!(e.body(), Some(r#"{"detail": "Invalid token ***"}"#));
        assert_eq!(e.to_string(), "getBaseToken: HTTP 401: Invalid token ***");
        assert!(!format!("{e:?}").contains(token));
    }

    #[test]
    fn decode_errors_name_position_path_and_hide_token_fields() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Access {
            access_token: String,
            workspace_id: i64,
        }
        let body = r#"{"access_token": "eyJhbGciOiJIUzI1NiJ9.e30.sig", "workspace_id": "x"}"#;
        let mut de = serde_json::Deserializer::from_str(body);
        let mut track = serde_path_to_error::Track::new();
        let e = serde::Deserialize::deserialize(serde_path_to_error::Deserializer::new(
            &mut de, &mut track,
        ))
        .map(|_: Access| ())
        .unwrap_err();
        let e = Error::decode(
            "getBaseToken",
            &track.path().to_string(),
            e,
            body.as_bytes(),
            &Secrets::default(),
        );
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert_eq!(e.applied(), Applied::Yes, "a 2xx answer came");
        assert_eq!(
            e.to_string(),
            "getBaseToken: response did not match the expected type at line 1 column 68 \
             (workspace_id): invalid type: string \"x\", expected i64"
        );
        assert_eq!(
            e.body(),
            Some(r#"{"access_token": "***", "workspace_id": "x"}"#)
        );
        assert!(!format!("{e:?}").contains("eyJhbGciOiJIUzI1NiJ9"));
    }

    #[test]
    fn token_fields_are_found_in_cut_and_broken_answers() {
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl";
        for body in [
            format!(r#"{{"app_name": "x", "access_token": "{token}", "dtable_uuid": "#),
            format!(r#"{{"access_token": "{token}"#),
            format!(r#"[{{"nested": {{"Api_Token" : "{token}"}}}}, 1"#),
            format!(r#"{{"password": "{token}", "broken": ]"#),
            format!("{{\"access_token\":\u{fffd}\u{fffd}\"x{token}\""),
        ] {
            let e = Error::from_status(
                "getBaseToken",
                500,
                body.as_bytes(),
                false,
                &Secrets::default(),
            );
            assert!(!format!("{e:?}").contains("c2lnbmF0dXJl"), "{body}: {e:?}");
        }
        let kept = secrets_in(br#"{"name": "access_token", "token": "a\"b\u0063defghij"}"#);
        assert_eq!(kept, [r#"a\"b\u0063defghij"#, r#"a"bcdefghij"#]);
    }

    #[test]
    fn transport_failures_say_what_happened() {
        let e = Error::serialize(std::fmt::Error).with_operation("appendRows");
        assert_eq!(
            (e.kind(), e.is_retryable()),
            (ErrorKind::InvalidArgument, false)
        );
        assert_eq!(e.applied(), Applied::No, "never sent");
        assert_eq!(
            e.to_string(),
            "appendRows: cannot encode the request: an error occurred when formatting an argument"
        );
        assert!(std::error::Error::source(&e).is_some());
    }
}
