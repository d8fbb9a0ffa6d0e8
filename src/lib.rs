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
//! The 384 operations live in the generated modules, one per area (`auth`, `base`,
//! `files`, `account`, `team_admin`, `system_admin`, `scheduler`), as methods of
//! the client that holds the token they need: [`Client`] (none), [`AccountClient`],
//! [`ApiTokenClient`], [`BaseClient`], `TeamAdminClient`, `SystemAdminClient`,
//! `SchedulerClient`. The models are in [`types`].
//!
//! Each area but `auth` (the tokens) is a cargo feature of the same name (`team-admin` for
//! `team_admin`); `base` and `files` are on by default, `full` turns on every area. An area
//! that is off is not compiled, nor are the models only it uses. See the README.

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// `*_client` names, because the generated modules are named after spec files (`base`,
// `account`), and a local module would shadow them.
mod account_client;
#[cfg(any(feature = "team-admin", feature = "system-admin"))]
mod admin_clients;
mod api_token_client;
#[cfg(all(feature = "files", feature = "base"))]
mod attachments;
mod base_client;
mod batch;
mod client;
mod de;
mod error;
mod file_upload;
#[cfg(feature = "base")]
mod links;
mod paging;
mod request;
mod retry;
#[cfg(feature = "base")]
mod row_access;
#[cfg(feature = "scheduler")]
mod scheduler_client;
mod tokens;
#[cfg(feature = "base")]
mod typed_rows;
#[cfg(feature = "base")]
mod validate;

#[cfg(feature = "base")]
#[cfg_attr(docsrs, doc(cfg(feature = "base")))]
pub mod cells;

#[cfg(feature = "testing")]
pub mod testing;

#[doc(hidden)]
pub mod __private;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/api.rs"));
}

pub use account_client::AccountClient;
#[cfg(feature = "system-admin")]
#[cfg_attr(docsrs, doc(cfg(feature = "system-admin")))]
pub use admin_clients::SystemAdminClient;
#[cfg(feature = "team-admin")]
#[cfg_attr(docsrs, doc(cfg(feature = "team-admin")))]
pub use admin_clients::TeamAdminClient;
pub use api_token_client::ApiTokenClient;
#[cfg(all(feature = "files", feature = "base"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "files", feature = "base"))))]
pub use attachments::{AssetSource, Attachment, UploadAttachment, UploadedFile};
pub use base_client::BaseClient;
pub use batch::{BatchReport, Batched, FailedChunk};
pub use client::{Client, ClientBuilder};
pub use error::{Applied, Error, ErrorKind};
pub use file_upload::FileUpload;
pub use generated::*;
pub use paging::{PageStream, Truncation};
pub use retry::{RateLimit, RetryPolicy};
#[cfg(feature = "base")]
#[cfg_attr(docsrs, doc(cfg(feature = "base")))]
pub use row_access::RowView;
#[cfg(feature = "scheduler")]
#[cfg_attr(docsrs, doc(cfg(feature = "scheduler")))]
pub use scheduler_client::SchedulerClient;
pub use tokens::{AccountToken, ApiToken, BaseToken, SchedulerToken, Secret};
#[cfg(feature = "base")]
#[cfg_attr(docsrs, doc(cfg(feature = "base")))]
pub use typed_rows::{AppendTypedRows, ListTypedRows, TableInput, TableRow};
#[cfg(feature = "base")]
#[cfg_attr(docsrs, doc(cfg(feature = "base")))]
pub use validate::{check_table_rows, RowProblem};

/// The README's examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExamples;
