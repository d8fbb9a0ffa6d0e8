//! What generated code calls. Not a stable API for users: it changes with the generator.

pub use bytes::Bytes;
pub use reqwest::Method;
pub use serde;
pub use serde_json;

pub use crate::bulk::batch::{Batch, Batched};
pub use crate::bulk::paging::{PageStream, Truncation};
pub use crate::client::base::check_rows;
pub use crate::data::extra_fields::{Extra, ExtraFields, Key};
pub use crate::file_transfer::file_upload::FileUpload;
pub use crate::transport::error::Error;
pub use crate::transport::request::{
    encode_path, BoxFuture, MultipartMap, Request, Response, Transport,
};
pub use crate::transport::tokens::Secret;
pub use crate::{
    AccountClient, ApiTokenClient, BaseClient, Client, SchedulerClient, SystemAdminClient,
    TeamAdminClient,
};

/// The paging runtime behind `stream()` and `all()` (`x-paginate`).
pub mod paging {
    pub use crate::bulk::paging::{is_select, offset, pages, sql, sql_cap, truncation, PageParam};
}

/// The batching runtime behind `batched()` and the size check of `send()` (`x-batch`).
pub mod batch {
    pub use crate::bulk::batch::{fits, Chunks};
}
