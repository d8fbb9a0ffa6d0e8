//! The request description generated code fills in, and the response it decodes. Keeping
//! this small and free of HTTP details lets every generated operation follow one shape.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::file_transfer::file_upload::FileUpload;
use crate::transport::error::{Error, Secrets};

/// A boxed, sendable future: what awaiting a generated request builder yields.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Everything but the unreserved characters of RFC 3986 is escaped in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment, so a row id or base name cannot change the path.
///
/// ```no_run
/// assert_eq!(seatable_api::__private::encode_path("My base/2"), "My%20base%2F2");
/// ```
pub fn encode_path(segment: &str) -> std::borrow::Cow<'_, str> {
    // Ids and most names need no escape; they are used as they are.
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if segment.bytes().all(unreserved) {
        return std::borrow::Cow::Borrowed(segment);
    }
    utf8_percent_encode(segment, SEGMENT).into()
}

/// Cloning is cheap for JSON and raw bodies (shared bytes): a repeated request sends the
/// body it was built with.
#[derive(Clone)]
pub(crate) enum Body {
    None,
    Json(bytes::Bytes),
    Form(String),
    Multipart(Vec<(Cow<'static, str>, Part)>),
    Raw(&'static str, bytes::Bytes),
}

#[derive(Clone)]
pub(crate) enum Part {
    Text(String),
    File(FileUpload),
}

/// One HTTP request as a generated operation describes it.
///
/// ```no_run
/// use seatable_api::__private::{Method, Request, Transport};
/// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
/// let path = format!("/api-gateway/api/v2/dtables/{}/rows/", base.base_uuid());
/// let mut request = Request::new("listRows", Method::GET, path);
/// request.query("table_name", "Table1".to_string());
/// let rows: serde_json::Value = base.execute(request).await?.json().await?;
/// # Ok(()) }
/// ```
pub struct Request {
    pub(crate) operation: &'static str,
    pub(crate) method: reqwest::Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Body,
    /// Whether sending it twice has the effect of sending it once; decides which failures
    /// are retried (see [`RetryPolicy`](crate::RetryPolicy)).
    pub(crate) idempotent: bool,
    /// Another server to send it to than the client's (the file server named by an
    /// upload link): its URL up to where `path` begins, without a trailing slash.
    pub(crate) server: Option<url::Url>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("idempotent", &self.idempotent)
            .finish_non_exhaustive()
    }
}

impl Request {
    /// A request for `operation` (its operationId, named in errors). `path` is already
    /// encoded and starts with `/`; a fixed query string in it (`?ret-json=1`) is kept.
    ///
    /// ```no_run
    /// use seatable_api::__private::{Method, Request};
    /// let request = Request::new("ping", Method::GET, "/api2/ping/".to_string());
    /// ```
    pub fn new(operation: &'static str, method: reqwest::Method, path: String) -> Request {
        use reqwest::Method;
        let idempotent = matches!(
            method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        );
        Request {
            idempotent,
            operation,
            method,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
            server: None,
        }
    }

    /// Overrides whether the request is idempotent, which otherwise follows its method
    /// (`GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS` are). The spec's `x-idempotent` sets it,
    /// for `POST` operations that only read.
    ///
    /// ```no_run
    /// # let mut request = seatable_api::__private::Request::new("querySql", seatable_api::__private::Method::POST, "/".into());
    /// request.idempotent(true);
    /// ```
    pub fn idempotent(&mut self, idempotent: bool) {
        self.idempotent = idempotent;
    }

    /// Adds a query parameter (a name may repeat), after any fixed query in the path.
    ///
    /// ```no_run
    /// # let mut request = seatable_api::__private::Request::new("x", seatable_api::__private::Method::GET, "/".into());
    /// request.query("start", 0.to_string());
    /// ```
    pub fn query(&mut self, name: &'static str, value: String) {
        self.query.push((name, value));
    }

    /// Adds a query parameter whose value is JSON text.
    ///
    /// ```no_run
    /// # let mut request = seatable_api::__private::Request::new("x", seatable_api::__private::Method::GET, "/".into());
    /// request.query_json("filter", &serde_json::json!({"Age": 30}))?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn query_json<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let text = serde_json::to_string(value).map_err(|e| self.encoding_failed(e))?;
        self.query.push((name, text));
        Ok(())
    }

    /// Adds a header.
    ///
    /// ```no_run
    /// # let mut request = seatable_api::__private::Request::new("x", seatable_api::__private::Method::GET, "/".into());
    /// request.header("X-SEAFILE-OTP", "123456".to_string());
    /// ```
    pub fn header(&mut self, name: &'static str, value: String) {
        self.headers.push((name, value));
    }

    /// A JSON body, serialised now so an error surfaces before anything is sent.
    ///
    /// ```no_run
    /// # let mut request = seatable_api::__private::Request::new("x", seatable_api::__private::Method::POST, "/".into());
    /// request.json(&serde_json::json!({"table_name": "Table1", "rows": []}))?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn json<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| self.encoding_failed(e))?;
        self.body = Body::Json(bytes.into());
        Ok(())
    }

    /// An `application/x-www-form-urlencoded` body.
    ///
    /// ```no_run
    /// # let mut request = seatable_api::__private::Request::new("x", seatable_api::__private::Method::POST, "/".into());
    /// request.form(&[("username", "me@example.com"), ("password", "secret")])?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn form<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
        let text = serde_urlencoded::to_string(body).map_err(|e| self.encoding_failed(e))?;
        self.body = Body::Form(text);
        Ok(())
    }

    fn push_part(&mut self, name: Cow<'static, str>, part: Part) {
        match &mut self.body {
            Body::Multipart(parts) => parts.push((name, part)),
            // The first field turns the request into a multipart one.
            other => *other = Body::Multipart(vec![(name, part)]),
        }
    }

    /// A text field of a multipart body.
    ///
    /// ```no_run
    /// # let mut request = seatable_api::__private::Request::new("x", seatable_api::__private::Method::POST, "/".into());
    /// request.multipart_text("parent_dir", "/asset/uuid/files".to_string());
    /// ```
    pub fn multipart_text(&mut self, name: &'static str, value: String) {
        self.push_part(Cow::Borrowed(name), Part::Text(value));
    }

    /// A file field of a multipart body, sent under the file's own name.
    ///
    /// ```no_run
    /// # let mut request = seatable_api::__private::Request::new("x", seatable_api::__private::Method::POST, "/".into());
    /// request.multipart_file("file", seatable_api::FileUpload::new("notes.txt", b"hello".to_vec()));
    /// ```
    pub fn multipart_file(&mut self, name: &'static str, file: FileUpload) {
        self.push_part(Cow::Borrowed(name), Part::File(file));
    }

    /// A multipart field whose value is JSON text (objects and arrays).
    ///
    /// ```no_run
    /// # let mut request = seatable_api::__private::Request::new("x", seatable_api::__private::Method::POST, "/".into());
    /// request.multipart_json("row", &serde_json::json!({"Name": "x"}))?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn multipart_json<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let text = serde_json::to_string(value).map_err(|e| self.encoding_failed(e))?;
        self.push_part(Cow::Borrowed(name), Part::Text(text));
        Ok(())
    }

    /// Multipart fields from a free-form map: strings as they are, anything else as JSON.
    ///
    /// ```no_run
    /// # let mut request = seatable_api::__private::Request::new("x", seatable_api::__private::Method::POST, "/".into());
    /// let mut fields = serde_json::Map::new();
    /// fields.insert("replace".into(), serde_json::json!(true));
    /// request.multipart_map(&fields)?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn multipart_map<V: Serialize>(&mut self, map: &impl MultipartMap<V>) -> Result<(), Error> {
        for (name, value) in map.entries() {
            let text = match serde_json::to_value(value).map_err(|e| self.encoding_failed(e))? {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            self.push_part(Cow::Owned(name.to_string()), Part::Text(text));
        }
        Ok(())
    }

    /// A body of any other media type, sent as given.
    ///
    /// ```no_run
    /// # let mut request = seatable_api::__private::Request::new("x", seatable_api::__private::Method::PUT, "/".into());
    /// request.raw("text/csv", b"Name,Age\nAda,36\n".to_vec());
    /// ```
    pub fn raw(&mut self, content_type: &'static str, body: Vec<u8>) {
        self.body = Body::Raw(content_type, body.into());
    }

    fn encoding_failed(&self, e: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::serialize(e).with_operation(self.operation)
    }

    /// The operationId this request belongs to.
    ///
    /// ```no_run
    /// # let request = seatable_api::__private::Request::new("ping", seatable_api::__private::Method::GET, "/api2/ping/".into());
    /// assert_eq!(request.operation(), "ping");
    /// ```
    pub fn operation(&self) -> &'static str {
        self.operation
    }
}

/// Maps a generated body may send as multipart fields.
pub trait MultipartMap<V> {
    /// The entries, in order.
    ///
    /// ```no_run
    /// use seatable_api::__private::MultipartMap;
    /// let map = std::collections::BTreeMap::from([("a".to_string(), 1)]);
    /// assert_eq!(map.entries(), [("a", &1)]);
    /// ```
    fn entries(&self) -> Vec<(&str, &V)>;
}

impl MultipartMap<serde_json::Value> for serde_json::Map<String, serde_json::Value> {
    fn entries(&self) -> Vec<(&str, &serde_json::Value)> {
        self.iter().map(|(k, v)| (k.as_str(), v)).collect()
    }
}

impl<V> MultipartMap<V> for std::collections::BTreeMap<String, V> {
    fn entries(&self) -> Vec<(&str, &V)> {
        self.iter().map(|(k, v)| (k.as_str(), v)).collect()
    }
}

/// A 2xx answer, ready to decode.
///
/// ```no_run
/// # async fn run(response: seatable_api::__private::Response) -> Result<(), seatable_api::Error> {
/// response.empty().await?;
/// # Ok(()) }
/// ```
pub struct Response {
    pub(crate) operation: &'static str,
    pub(crate) status: u16,
    /// The whole body, read by the transport, so that an answer cut off mid-body counts
    /// as a failed attempt (and is repeated where that is safe).
    pub(crate) body: bytes::Bytes,
    /// The secrets the request carried, kept out of a decode error.
    pub(crate) secrets: Secrets,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Response {
    /// Decodes the JSON body; on mismatch the error keeps the body text, serde's line and
    /// column and the path of the field that did not fit (`rows[3].Age`).
    ///
    /// ```no_run
    /// # async fn run(response: seatable_api::__private::Response) -> Result<(), seatable_api::Error> {
    /// let value: serde_json::Value = response.json().await?;
    /// # Ok(()) }
    /// ```
    pub async fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        decode_json(self.operation, &self.body, &self.secrets)
    }

    /// The body as bytes (downloads, zip exports).
    ///
    /// ```no_run
    /// # async fn run(response: seatable_api::__private::Response) -> Result<(), seatable_api::Error> {
    /// let file: bytes::Bytes = response.bytes().await?;
    /// # Ok(()) }
    /// ```
    pub async fn bytes(self) -> Result<bytes::Bytes, Error> {
        Ok(self.body)
    }

    /// Drops the body, for operations that answer nothing of use.
    ///
    /// ```no_run
    /// # async fn run(response: seatable_api::__private::Response) -> Result<(), seatable_api::Error> {
    /// response.empty().await?;
    /// # Ok(()) }
    /// ```
    pub async fn empty(self) -> Result<(), Error> {
        Ok(())
    }

    /// The HTTP status of the answer (2xx).
    ///
    /// ```no_run
    /// # fn run(response: seatable_api::__private::Response) {
    /// assert!((200..300).contains(&response.status()));
    /// # }
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }
}

/// Decodes a JSON body read already (see [`Response::json`]).
pub(crate) fn decode_json<T: DeserializeOwned>(
    operation: &str,
    bytes: &[u8],
    secrets: &Secrets,
) -> Result<T, Error> {
    // Tracking the path costs a good part of the decoding time (an allocation per object
    // key), so only a failed decode is repeated with it; decoding is deterministic, so the
    // second attempt fails at the same place with the same error.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut track = serde_path_to_error::Track::new();
    let mut json = serde_json::Deserializer::from_slice(bytes);
    let decoded = T::deserialize(serde_path_to_error::Deserializer::new(
        &mut json, &mut track,
    ))
    .and_then(|value| json.end().map(|()| value));
    decoded.map_err(|e| Error::decode(operation, &track.path().to_string(), e, bytes, secrets))
}

/// Sends requests with the token its implementor holds (`Authorization: Bearer <token>`;
/// none for [`Client`](crate::Client)). Implemented by the client types.
pub trait Transport {
    /// Sends `request`, maps a non-2xx answer to [`Error`] and returns the response.
    ///
    /// ```no_run
    /// use seatable_api::__private::{Method, Request, Transport};
    /// # async fn run(client: seatable_api::Client) -> Result<(), seatable_api::Error> {
    /// let request = Request::new("ping", Method::GET, "/api2/ping/".to_string());
    /// let pong: String = client.execute(request).await?.json().await?;
    /// # Ok(()) }
    /// ```
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(request: &Request) -> Vec<&str> {
        match &request.body {
            Body::Multipart(parts) => parts.iter().map(|(name, _)| name.as_ref()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn multipart_fields_keep_their_order() {
        let mut request = Request::new("uploadFile", reqwest::Method::POST, "/x".into());
        request.json(&1).unwrap();
        request.multipart_text("parent_dir", "/a".into());
        request.multipart_file("file", crate::FileUpload::new("a.bin", vec![1, 2]));
        request
            .multipart_json("meta", &serde_json::json!({"a": 1}))
            .unwrap();
        let extra = std::collections::BTreeMap::from([("z".to_string(), serde_json::json!(true))]);
        request.multipart_map(&extra).unwrap();
        assert_eq!(names(&request), ["parent_dir", "file", "meta", "z"]);
        match &request.body {
            Body::Multipart(parts) => match (&parts[2].1, &parts[3].1) {
                (Part::Text(meta), Part::Text(z)) => {
                    assert_eq!((&meta[..], &z[..]), (r#"{"a":1}"#, "true"))
                }
                _ => panic!("text parts expected"),
            },
            _ => panic!("multipart expected"),
        }
    }

    #[test]
    fn encoding_errors_name_the_operation() {
        let mut request = Request::new("appendRows", reqwest::Method::POST, "/x".into());
        let keyed_by_pairs = std::collections::BTreeMap::from([((1, 2), 3)]);
        let e = request.json(&keyed_by_pairs).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument);
        assert_eq!(
            e.to_string(),
            "appendRows: cannot encode the request: key must be a string"
        );
        let e = request
            .form(&serde_json::json!({"a": {"b": 1}}))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "appendRows: cannot encode the request: unsupported value"
        );
        assert!(matches!(request.body, Body::None), "nothing half-set");
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(encode_path("abc-1_2.3~"), "abc-1_2.3~");
        assert_eq!(encode_path("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
        assert_eq!(encode_path("Ölpreis"), "%C3%96lpreis");
    }
}
