//! How a request reaches the server and what comes back: the connection ([`Client`]) with
//! its settings, requests and answers, retries and rate limits, tokens, and the one error
//! type. It knows nothing of the client types built on it.
//!
//! [`Client`]: crate::Client

pub(crate) mod applied;
pub(crate) mod base_token;
mod body;
pub(crate) mod connection;
pub(crate) mod error;
mod redact;
pub(crate) mod request;
pub(crate) mod retry;
pub(crate) mod tokens;
