//! What generated code calls. Not a stable API for users: it changes with the generator.

pub use bytes::Bytes;
pub use reqwest::Method;
pub use serde;
pub use serde_json;

#[cfg(feature = "base")]
pub use crate::base_client::check_rows;
pub use crate::batch::{Batch, Batched};
pub use crate::de::{Extra, ExtraFields, Key};
pub use crate::error::Error;
pub use crate::file_upload::FileUpload;
pub use crate::paging::{PageStream, Truncation};
pub use crate::request::{encode_path, BoxFuture, MultipartMap, Request, Response, Transport};
pub use crate::tokens::Secret;
#[cfg(feature = "scheduler")]
pub use crate::SchedulerClient;
#[cfg(feature = "system-admin")]
pub use crate::SystemAdminClient;
#[cfg(feature = "team-admin")]
pub use crate::TeamAdminClient;
pub use crate::{AccountClient, ApiTokenClient, BaseClient, Client};

/// The paging runtime behind `stream()` and `all()` (`x-paginate`).
pub mod paging {
    pub use crate::paging::{is_select, offset, pages, sql, sql_cap, truncation, PageParam};
}

/// The batching runtime behind `batched()` and the size check of `send()` (`x-batch`).
pub mod batch {
    pub use crate::batch::{fits, Chunks};
}
