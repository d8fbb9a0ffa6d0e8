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
//! The 384 operations live in the generated modules, one per area ([`auth`], [`base`],
//! [`files`], [`account`], [`team_admin`], [`system_admin`], [`scheduler`]), as methods of
//! the client that holds the token they need: [`Client`] (none), [`AccountClient`],
//! [`ApiTokenClient`], [`BaseClient`], [`TeamAdminClient`], [`SystemAdminClient`],
//! [`SchedulerClient`]. The models are in [`types`].

#![warn(missing_docs)]

// `*_client` names, because the generated modules are named after spec files (`base`,
// `account`), and a local module would shadow them.
mod account_client;
mod admin_clients;
mod api_token_client;
mod attachments;
mod base_client;
mod batch;
mod client;
mod de;
mod error;
mod file_upload;
mod links;
mod paging;
mod request;
mod retry;
mod row_access;
mod scheduler_client;
mod tokens;
mod typed_rows;
mod validate;

pub mod cells;

#[cfg(feature = "testing")]
pub mod testing;

#[doc(hidden)]
pub mod __private;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/api.rs"));
}

pub use account_client::AccountClient;
pub use admin_clients::{SystemAdminClient, TeamAdminClient};
pub use api_token_client::ApiTokenClient;
pub use attachments::{AssetSource, Attachment, UploadAttachment, UploadedFile};
pub use base_client::BaseClient;
pub use batch::{BatchReport, Batched, FailedChunk};
pub use client::{Client, ClientBuilder};
pub use error::{Applied, Error, ErrorKind};
pub use file_upload::FileUpload;
pub use generated::*;
pub use paging::{PageStream, Truncation};
pub use retry::{RateLimit, RetryPolicy};
pub use row_access::RowView;
pub use scheduler_client::SchedulerClient;
pub use tokens::{AccountToken, ApiToken, BaseToken, SchedulerToken, Secret};
pub use typed_rows::{AppendTypedRows, ListTypedRows, TableInput, TableRow};
pub use validate::{check_table_rows, RowProblem};

/// The README's examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExamples;
