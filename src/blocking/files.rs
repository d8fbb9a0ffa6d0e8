//! The attachment downloads of [`ApiTokenClient`], as sync functions: into a
//! [`std::io::Write`] or a file.

use std::io::Write;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;

use super::{call, ApiTokenClient};
use crate::file_transfer::attachments::AssetSource;
use crate::transport::error::Error;

#[cfg_attr(docsrs, doc(cfg(all(feature = "files", feature = "base"))))]
impl ApiTokenClient {
    /// The asset path of a stored file, from the URL a `file` or `image` cell holds,
    /// checked to belong to this client's base (see [`crate::ApiTokenClient::asset_path`]).
    ///
    /// ```no_run
    /// # fn run(api: seatable_api::blocking::ApiTokenClient, url: &str) -> Result<(), seatable_api::Error> {
    /// let path = api.asset_path(url)?;
    /// # Ok(()) }
    /// ```
    pub fn asset_path(&self, cell_url: &str) -> Result<String, Error> {
        call(self.as_async().asset_path(cell_url))
    }

    /// Downloads a stored file into `writer`, chunk by chunk as it arrives, and returns the
    /// number of bytes written (see [`crate::ApiTokenClient::download_to_writer`]). The
    /// writer is written from the calling thread; it is flushed at the end, and on an
    /// error it may hold part of the file.
    ///
    /// ```no_run
    /// # fn run(api: seatable_api::blocking::ApiTokenClient) -> Result<(), seatable_api::Error> {
    /// use seatable_api::AssetSource;
    /// let mut out = std::io::stdout();
    /// api.download_to_writer(AssetSource::path("/files/2025-03/report.pdf"), &mut out)?;
    /// # Ok(()) }
    /// ```
    pub fn download_to_writer<W: Write + ?Sized>(
        &self,
        source: impl Into<AssetSource>,
        writer: &mut W,
    ) -> Result<u64, Error> {
        let mut writer = SyncWriter(writer);
        call(self.as_async().download_to_writer(source, &mut writer))
    }

    /// Downloads a stored file to `target`, replacing it only once the whole file has
    /// arrived (see [`crate::ApiTokenClient::download_to_path`]).
    ///
    /// ```no_run
    /// # fn run(api: seatable_api::blocking::ApiTokenClient) -> Result<(), seatable_api::Error> {
    /// use seatable_api::AssetSource;
    /// api.download_to_path(AssetSource::path("/files/2025-03/report.pdf"), "report.pdf")?;
    /// # Ok(()) }
    /// ```
    pub fn download_to_path(
        &self,
        source: impl Into<AssetSource>,
        target: impl AsRef<Path>,
    ) -> Result<u64, Error> {
        call(self.as_async().download_to_path(source, target))
    }
}

/// A sync writer seen as an async one. Writing in `poll_write` blocks the polling thread,
/// which is right here: a blocking call's future is polled on the caller's own thread
/// (`block_on`), never on the runtime's worker.
struct SyncWriter<'a, W: Write + ?Sized>(&'a mut W);

impl<W: Write + ?Sized> AsyncWrite for SyncWriter<'_, W> {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(self.get_mut().0.write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(self.get_mut().0.flush())
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(self.get_mut().0.flush())
    }
}
