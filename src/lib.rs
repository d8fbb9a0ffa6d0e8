//! A typed client for the SeaTable REST API, generated from the OpenAPI description in
//! `spec/` by `seatable-codegen`.
//!
//! ```no_run
//! # async fn run() -> Result<(), seatable_api::Error> {
//! let client = seatable_api::Client::new("https://cloud.seatable.io")?;
//! let base = client.base_with_api_token("api token").await?;
//! let metadata = base.get_metadata().await?;
//! for table in &metadata.metadata.tables {
//!     println!("{} has {} columns", table.name, table.columns.len());
//! }
//! # Ok(()) }
//! ```
//!
//! The operations live in the generated modules ([`auth`], [`base`]) as methods of the
//! client that holds the token they need; the models are in [`types`].

mod client;
mod error;
mod request;
mod tokens;

#[doc(hidden)]
pub mod __private;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/api.rs"));
}

pub use client::{AccountClient, ApiTokenClient, BaseClient, Client, ClientBuilder};
pub use error::{Error, ErrorKind};
pub use generated::*;
pub use tokens::{AccountToken, ApiToken, BaseToken, Secret};
