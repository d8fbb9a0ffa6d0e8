//! One error type for every failure, carrying what a caller needs to react: the operation,
//! the HTTP status, SeaTable's own message and the raw body.

use std::fmt;

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
    /// The server URL is not usable.
    InvalidUrl,
}

/// A failed call. `Display` never shows a token.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    operation: Option<String>,
    status: Option<u16>,
    message: Option<String>,
    body: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            operation: None,
            status: None,
            message: Some(message.into()),
            body: None,
            source: None,
        }
    }

    pub(crate) fn with_operation(mut self, operation: &str) -> Error {
        self.operation = Some(operation.to_string());
        self
    }

    /// An answer with a non-2xx status; SeaTable's message is read from the body.
    pub(crate) fn from_status(operation: &str, status: u16, body: String) -> Error {
        let kind = if status == 429 {
            ErrorKind::RateLimited
        } else {
            ErrorKind::Api
        };
        Error {
            kind,
            operation: Some(operation.to_string()),
            status: Some(status),
            message: seatable_message(&body),
            body: Some(body),
            source: None,
        }
    }

    pub(crate) fn transport(operation: &str, e: reqwest::Error) -> Error {
        let message = if e.is_timeout() {
            "the request timed out".to_string()
        } else if e.is_connect() {
            "could not connect to the server".to_string()
        } else {
            "the request failed".to_string()
        };
        // reqwest's Display includes the URL, which never holds a token (tokens go in headers).
        Error {
            kind: ErrorKind::Transport,
            operation: Some(operation.to_string()),
            status: None,
            message: Some(message),
            body: None,
            source: Some(Box::new(e)),
        }
    }

    pub(crate) fn decode(operation: &str, e: serde_json::Error, body: String) -> Error {
        Error {
            kind: ErrorKind::Decode,
            operation: Some(operation.to_string()),
            status: None,
            message: Some(format!("the response did not match the expected type: {e}")),
            body: Some(body),
            source: Some(Box::new(e)),
        }
    }

    /// A value that could not be serialised into a request (used by generated code).
    pub fn serialize(e: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error {
            kind: ErrorKind::InvalidArgument,
            operation: None,
            status: None,
            message: Some(format!("cannot encode the request: {e}")),
            body: None,
            source: Some(Box::new(e)),
        }
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
        self.kind
    }

    /// The HTTP status, when the server answered.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// if let Err(e) = base.get_row("row id", "Table1").await {
    ///     assert_eq!(e.status(), Some(404));
    /// }
    /// # }
    /// ```
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// SeaTable's message (`error_msg`, `error_message`, `detail` or `non_field_errors` of
    /// the body), or this client's description of the failure.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// if let Err(e) = base.list_rows("Nope").await {
    ///     println!("{}", e.message().unwrap_or("no message"));
    /// }
    /// # }
    /// ```
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
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
        self.operation.as_deref()
    }

    /// The raw body of a failed or undecodable answer, so nothing the server said is lost.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// if let Err(e) = base.get_metadata().await {
    ///     eprintln!("server said: {}", e.body().unwrap_or(""));
    /// }
    /// # }
    /// ```
    pub fn body(&self) -> Option<&str> {
        self.body.as_deref()
    }

    /// Whether trying again later may succeed: 429, 502, 503, 504, connection failures and
    /// timeouts.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// if let Err(e) = base.get_metadata().await {
    ///     if e.is_retryable() { /* back off and repeat */ }
    /// }
    /// # }
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::RateLimited | ErrorKind::Transport => true,
            ErrorKind::Api => matches!(self.status, Some(502..=504)),
            _ => false,
        }
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = &self.operation {
            write!(f, "{op}: ")?;
        }
        if let Some(status) = self.status {
            write!(f, "HTTP {status}")?;
            if self.message.is_some() {
                f.write_str(": ")?;
            }
        }
        match (&self.message, self.kind) {
            (Some(m), _) => f.write_str(m),
            (None, ErrorKind::RateLimited) => f.write_str(" (rate limited)"),
            (None, _) => Ok(()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
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
                r#"{"non_field_errors": ["Unable to log in."]}"#,
                Some("Unable to log in."),
            ),
            ("", None),
            ("<html>Bad Gateway</html>", None),
        ];
        for (body, expected) in cases {
            let e = Error::from_status("getRow", 403, body.to_string());
            assert_eq!(e.message(), expected, "{body}");
            assert_eq!(e.body(), Some(body));
        }
    }

    #[test]
    fn classifies_statuses() {
        let e = Error::from_status("listRows", 429, String::new());
        assert_eq!((e.kind(), e.is_retryable()), (ErrorKind::RateLimited, true));
        assert_eq!(e.to_string(), "listRows: HTTP 429 (rate limited)");
        let e = Error::from_status("getRow", 404, r#"{"error_msg":"row _id not exits"}"#.into());
        assert_eq!((e.kind(), e.is_retryable()), (ErrorKind::Api, false));
        assert_eq!(e.to_string(), "getRow: HTTP 404: row _id not exits");
        assert!(Error::from_status("x", 502, "<html/>".into()).is_retryable());
        assert!(!Error::from_status("x", 500, String::new()).is_retryable());
    }
}
