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

// Not `files` or `base`: the generated modules are named after spec files, and a local
// module would shadow them.
mod bulk;
mod client;
mod data;
mod file_transfer;
mod transport;

#[cfg(feature = "base")]
#[cfg_attr(docsrs, doc(cfg(feature = "base")))]
pub use data::cells;

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;

#[cfg(feature = "realtime")]
#[cfg_attr(docsrs, doc(cfg(feature = "realtime")))]
pub mod realtime;

#[cfg(feature = "testing")]
pub mod testing;

#[doc(hidden)]
pub mod __private;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/api.rs"));
}

pub use bulk::batch::Batched;
pub use bulk::paging::{PageStream, Truncation};
#[cfg(feature = "base")]
pub use bulk::recover::{KeepGoing, Recoverable};
pub use bulk::report::{BatchReport, FailedChunk};
#[cfg(feature = "base")]
pub use bulk::upsert::UpsertRows;
pub use client::account::AccountClient;
#[cfg(feature = "system-admin")]
#[cfg_attr(docsrs, doc(cfg(feature = "system-admin")))]
pub use client::admin::SystemAdminClient;
#[cfg(feature = "team-admin")]
#[cfg_attr(docsrs, doc(cfg(feature = "team-admin")))]
pub use client::admin::TeamAdminClient;
pub use client::api_token::ApiTokenClient;
pub use client::base::BaseClient;
#[cfg(feature = "scheduler")]
#[cfg_attr(docsrs, doc(cfg(feature = "scheduler")))]
pub use client::scheduler::SchedulerClient;
#[cfg(feature = "base")]
#[cfg_attr(docsrs, doc(cfg(feature = "base")))]
pub use data::row_view::RowView;
#[cfg(feature = "base")]
#[cfg_attr(docsrs, doc(cfg(feature = "base")))]
pub use data::typed_rows::{AppendTypedRows, ListTypedRows, TableInput, TableRow};
#[cfg(feature = "base")]
#[cfg_attr(docsrs, doc(cfg(feature = "base")))]
pub use data::write_checks::{check_table_rows, RowProblem};
#[cfg(all(feature = "files", feature = "base"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "files", feature = "base"))))]
pub use file_transfer::attachments::{AssetSource, Attachment, UploadAttachment, UploadedFile};
pub use file_transfer::file_upload::FileUpload;
pub use generated::*;
pub use transport::connection::{Client, ClientBuilder};
pub use transport::error::{Applied, Error, ErrorKind};
pub use transport::retry::{RateLimit, RetryPolicy};
pub use transport::tokens::{AccountToken, ApiToken, BaseToken, SchedulerToken, Secret};

/// The README's examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExamples;
