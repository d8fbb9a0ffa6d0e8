//! Operations that span several requests, driven by the spec's hints and called by the
//! generated builders: paging streams (`x-paginate`) and batch chunking (`x-batch`).

pub(crate) mod batch;
#[cfg(feature = "base")]
pub(crate) mod lookup;
pub(crate) mod paging;
#[cfg(feature = "base")]
pub(crate) mod recover;
pub(crate) mod report;
#[cfg(feature = "base")]
pub(crate) mod upsert;
