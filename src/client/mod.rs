//! The client types that hold a token, one file each: the type, its hand-written methods,
//! and how a client of the layer below opens it. The generated operations are further
//! methods of the same types.

pub(crate) mod account;
#[cfg(any(feature = "team-admin", feature = "system-admin"))]
pub(crate) mod admin;
pub(crate) mod api_token;
pub(crate) mod base;
#[cfg(all(feature = "files", feature = "base"))]
pub(crate) mod base_identity;
mod entry;
#[cfg(feature = "scheduler")]
pub(crate) mod scheduler;
