//! What generated code calls. Not a stable API for users: it changes with the generator.

pub use bytes::Bytes;
pub use reqwest::Method;
pub use serde;
pub use serde_json;

pub use crate::base_client::check_rows;
pub use crate::de::{Extra, ExtraFields, Key};
pub use crate::error::Error;
pub use crate::file_upload::FileUpload;
pub use crate::request::{encode_path, BoxFuture, MultipartMap, Request, Response, Transport};
pub use crate::tokens::Secret;
pub use crate::{
    AccountClient, ApiTokenClient, BaseClient, Client, SchedulerClient, SystemAdminClient,
    TeamAdminClient,
};
