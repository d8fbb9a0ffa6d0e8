//! The request description generated code fills in, and the response it decodes. Keeping
//! this small and free of HTTP details lets every generated operation follow one shape.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Error;

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
pub fn encode_path(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

pub(crate) enum Body {
    None,
    Json(Vec<u8>),
    Form(String),
    Multipart(Vec<(Cow<'static, str>, Part)>),
    Raw(&'static str, Vec<u8>),
}

pub(crate) enum Part {
    Text(String),
    Bytes(Vec<u8>),
}

/// One HTTP request as a generated operation describes it.
pub struct Request {
    pub(crate) operation: &'static str,
    pub(crate) method: reqwest::Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Body,
}

impl Request {
    /// A request for `operation` (its operationId); `path` is encoded and starts with `/`.
    pub fn new(operation: &'static str, method: reqwest::Method, path: String) -> Request {
        Request {
            operation,
            method,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
        }
    }

    /// Adds a query parameter (a name may repeat).
    pub fn query(&mut self, name: &'static str, value: String) {
        self.query.push((name, value));
    }

    /// Adds a query parameter whose value is JSON text.
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
    pub fn header(&mut self, name: &'static str, value: String) {
        self.headers.push((name, value));
    }

    /// A JSON body, serialised now so an error surfaces before anything is sent.
    pub fn json<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| self.encoding_failed(e))?;
        self.body = Body::Json(bytes);
        Ok(())
    }

    /// An `application/x-www-form-urlencoded` body.
    pub fn form<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
        let text = serde_urlencoded::to_string(body).map_err(|e| self.encoding_failed(e))?;
        self.body = Body::Form(text);
        Ok(())
    }

    fn parts(&mut self) -> &mut Vec<(Cow<'static, str>, Part)> {
        if !matches!(self.body, Body::Multipart(_)) {
            self.body = Body::Multipart(Vec::new());
        }
        match &mut self.body {
            Body::Multipart(parts) => parts,
            _ => unreachable!("set just above"),
        }
    }

    /// A text field of a multipart body.
    pub fn multipart_text(&mut self, name: &'static str, value: String) {
        self.parts().push((Cow::Borrowed(name), Part::Text(value)));
    }

    /// A file field of a multipart body.
    pub fn multipart_bytes(&mut self, name: &'static str, value: Vec<u8>) {
        self.parts().push((Cow::Borrowed(name), Part::Bytes(value)));
    }

    /// A multipart field whose value is JSON text (objects and arrays).
    pub fn multipart_json<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let text = serde_json::to_string(value).map_err(|e| self.encoding_failed(e))?;
        self.parts().push((Cow::Borrowed(name), Part::Text(text)));
        Ok(())
    }

    /// Multipart fields from a free-form map: strings as they are, anything else as JSON.
    pub fn multipart_map<V: Serialize>(&mut self, map: &impl MultipartMap<V>) -> Result<(), Error> {
        for (name, value) in map.entries() {
            let text = match serde_json::to_value(value).map_err(|e| self.encoding_failed(e))? {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            self.parts()
                .push((Cow::Owned(name.to_string()), Part::Text(text)));
        }
        Ok(())
    }

    /// A body of any other media type, sent as given.
    pub fn raw(&mut self, content_type: &'static str, body: Vec<u8>) {
        self.body = Body::Raw(content_type, body);
    }

    fn encoding_failed(&self, e: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::serialize(e).with_operation(self.operation)
    }

    /// The operationId this request belongs to.
    pub fn operation(&self) -> &'static str {
        self.operation
    }
}

/// Maps a generated body may send as multipart fields.
pub trait MultipartMap<V> {
    /// The entries, in order.
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
pub struct Response {
    pub(crate) operation: &'static str,
    pub(crate) inner: reqwest::Response,
}

impl Response {
    /// Decodes the JSON body; on mismatch the error keeps the body text and serde's position.
    pub async fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        let operation = self.operation;
        let bytes = self
            .inner
            .bytes()
            .await
            .map_err(|e| Error::transport(operation, e))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::decode(operation, e, String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// The body as bytes (downloads, zip exports).
    pub async fn bytes(self) -> Result<bytes::Bytes, Error> {
        let operation = self.operation;
        self.inner
            .bytes()
            .await
            .map_err(|e| Error::transport(operation, e))
    }

    /// Reads and drops the body, for operations that answer nothing of use.
    pub async fn empty(self) -> Result<(), Error> {
        self.bytes().await.map(drop)
    }
}

/// Sends requests with the token its implementor holds. Implemented by the client types.
pub trait Transport {
    /// Sends `request`, maps a non-2xx answer to [`Error`] and returns the response.
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(encode_path("abc-1_2.3~"), "abc-1_2.3~");
        assert_eq!(encode_path("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
        assert_eq!(encode_path("Ölpreis"), "%C3%96lpreis");
    }
}
