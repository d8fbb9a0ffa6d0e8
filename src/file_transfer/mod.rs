//! Files going to and from a base: a file to upload ([`FileUpload`]), and attachments
//! uploaded into and downloaded from the base's assets.
//!
//! [`FileUpload`]: crate::FileUpload

#[cfg(all(feature = "files", feature = "base"))]
pub(crate) mod attachments;
pub(crate) mod file_upload;
