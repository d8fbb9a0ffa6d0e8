//! What generated code calls. Not a stable API for users: it changes with the generator.

pub use bytes::Bytes;
pub use reqwest::Method;
pub use serde;
pub use serde_json;

pub use crate::bulk::batch::{Batch, Batched};
pub use crate::bulk::paging::{PageStream, Truncation};
#[cfg(feature = "base")]
pub use crate::client::base::check_rows;
pub use crate::data::extra_fields::{Extra, ExtraFields, Key};
#[cfg(feature = "base")]
pub use crate::data::row_cells::RowCells;
pub use crate::file_transfer::file_upload::FileUpload;
pub use crate::transport::error::Error;
pub use crate::transport::request::{
    encode_path, BoxFuture, MultipartMap, Request, Response, Transport,
};
pub use crate::transport::tokens::Secret;
#[cfg(feature = "scheduler")]
pub use crate::SchedulerClient;
#[cfg(feature = "system-admin")]
pub use crate::SystemAdminClient;
#[cfg(feature = "team-admin")]
pub use crate::TeamAdminClient;
pub use crate::{AccountClient, ApiTokenClient, BaseClient, Client};

/// The blocking clients and the bridge behind every request's `call()` (`blocking` feature).
#[cfg(feature = "blocking")]
pub mod blocking {
    pub use crate::blocking::*;
}

/// The paging runtime behind `stream()` and `all()` (`x-paginate`).
pub mod paging {
    pub use crate::bulk::paging::{
        is_select, offset, pages, sql, sql_cap, stable_order, truncation, PageParam,
    };
}

/// The batching runtime behind `batched()` and the size check of `send()` (`x-batch`).
pub mod batch {
    pub use crate::bulk::batch::{fits, Chunks};
}

/// The version handshake with `seatable-codegen`: code it generates for a user's own spec
/// (`RustOptions::external()`) calls the function named after its own major and minor
/// version, and only the `seatable-api` of that version defines it. Another pair of
/// versions fails to compile with an error that names the version the generated code
/// needs. Bump the name with the crate's version (a test checks it).
pub const fn seatable_codegen_0_1_needs_seatable_api_0_1() {}

#[cfg(test)]
mod tests {
    #[test]
    fn the_version_handshake_is_named_after_this_version() {
        let version = format!(
            "{}_{}",
            env!("CARGO_PKG_VERSION_MAJOR"),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        let name = format!("fn seatable_codegen_{version}_needs_seatable_api_{version}()");
        assert!(
            include_str!("__private.rs").contains(&name),
            "src/__private.rs must define `{name}`"
        );
    }
}
