//! The Base-Token as the connection sees it: signed once per token, and renewed by the
//! client that holds it, which the connection knows only through [`RenewingToken`].

use std::sync::Arc;

use reqwest::header::HeaderValue;

use crate::transport::error::Error;
use crate::transport::request::BoxFuture;
use crate::transport::tokens::BaseToken;

/// A Base-Token with its `Authorization` header value, built once per token rather than
/// once per request.
pub(crate) struct SignedToken {
    pub(crate) token: BaseToken,
    /// `Bearer <token>`, marked sensitive; `None` when the token holds characters an HTTP
    /// header cannot carry (the transport then refuses the request with that message).
    pub(crate) header: Option<HeaderValue>,
}

impl SignedToken {
    pub(crate) fn new(token: BaseToken) -> SignedToken {
        let header = bearer(token.expose_secret());
        SignedToken { token, header }
    }
}

/// `Bearer <token>` as a header value marked sensitive, which keeps it out of HTTP-level
/// debug logs; `None` when the token holds characters a header cannot carry.
pub(crate) fn bearer(token: &str) -> Option<HeaderValue> {
    let mut text = String::with_capacity(7 + token.len());
    text.push_str("Bearer ");
    text.push_str(token);
    let mut value = HeaderValue::from_str(&text).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// What the connection asks of a base's client around each request. A trait, so that the
/// transport does not depend on the client types built on it.
pub(crate) trait RenewingToken: Sync {
    /// The base the token is for; requests are rate-limited per base.
    fn base_uuid(&self) -> &str;

    /// The token to send now and its generation, renewed first when its time has come.
    fn current_token(&self) -> BoxFuture<'_, Result<(Arc<SignedToken>, u64), Error>>;

    /// Renews the token of `generation` after the server rejected it; `false` when the
    /// holder cannot renew.
    fn renew(&self, generation: u64) -> BoxFuture<'_, Result<bool, Error>>;
}
