//! Attachments of file and image columns: upload in one call with a ready cell value
//! ([`UploadAttachment`], [`UploadedFile`]), and downloads streamed to a writer or a file
//! ([`AssetSource`]).

use std::future::IntoFuture;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use percent_encoding::percent_decode_str;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::cells::Cell;
use crate::client::api_token::ApiTokenClient;
use crate::client::base_identity::BaseIdentity;
use crate::file_transfer::file_upload::{io_error, FileUpload};
use crate::files::UploadFileRequestReplace;
use crate::transport::error::{Applied, Error, ErrorKind, Secrets};
use crate::transport::request::{encode_path, BoxFuture};
use crate::types::FileCellItem;

/// The operation named in errors of the download itself (the GET of the download link).
const DOWNLOAD: &str = "downloadFile";

/// Which kind of column an upload is for. It decides the month folder the file goes to
/// (`images/YYYY-MM` or `files/YYYY-MM`) and the shape of the cell value.
///
/// ```no_run
/// use seatable_api::Attachment;
/// let kind = Attachment::Image;
/// assert_ne!(kind, Attachment::File);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Attachment {
    /// For a `file` column: the cell value is `{"name", "size", "type": "file", "url"}`.
    File,
    /// For an `image` column: the cell value is the image's URL.
    Image,
}

/// A file stored in the base's asset folder by
/// [`ApiTokenClient::upload_attachment`], with the value to put into a cell.
///
/// SeaTable keeps an uploaded file under a new name (`report (1).pdf`) when one of that
/// name exists and `replace` was not set; [`name`](Self::name) is the stored name.
///
/// It serialises as the cell value of one attachment, so it can go straight into a row
/// written with `append_rows` or `update_rows` (cells of file and image columns are lists):
///
/// ```no_run
/// # async fn run(api: seatable_api::ApiTokenClient, base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
/// use seatable_api::{Attachment, FileUpload};
/// let file = FileUpload::new("report.pdf", std::fs::read("report.pdf").unwrap());
/// let stored = api.upload_attachment(file, Attachment::File).await?;
/// let mut row = serde_json::Map::new();
/// row.insert("Name".into(), "Q1".into());
/// row.insert("Report".into(), serde_json::json!([stored]));
/// base.append_rows("Reports", [row]).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadedFile {
    attachment: Attachment,
    name: String,
    size: i64,
    url: String,
    asset_path: String,
}

impl UploadedFile {
    /// The column kind it was uploaded for.
    ///
    /// ```no_run
    /// # fn run(stored: seatable_api::UploadedFile) {
    /// assert_eq!(stored.attachment(), seatable_api::Attachment::File);
    /// # }
    /// ```
    pub fn attachment(&self) -> Attachment {
        self.attachment
    }

    /// The name the server stored the file under (it may differ from the uploaded name).
    ///
    /// ```no_run
    /// # fn run(stored: seatable_api::UploadedFile) {
    /// println!("stored as {}", stored.name());
    /// # }
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The size in bytes the server reported.
    ///
    /// ```no_run
    /// # fn run(stored: seatable_api::UploadedFile) {
    /// println!("{} bytes", stored.size());
    /// # }
    /// ```
    pub fn size(&self) -> i64 {
        self.size
    }

    /// The URL cells refer to the file by:
    /// `<server>/workspace/<workspace_id>/asset/<base_uuid>/<folder>/<name>`, folder and
    /// name percent-encoded.
    ///
    /// ```no_run
    /// # fn run(stored: seatable_api::UploadedFile) {
    /// println!("{}", stored.url());
    /// # }
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The file's path in the base's asset folder, not percent-encoded
    /// (`/files/2025-03/report (1).pdf`): what `getFileDownloadLink` and `deleteAsset`
    /// take.
    ///
    /// ```no_run
    /// # async fn run(api: seatable_api::ApiTokenClient, stored: seatable_api::UploadedFile) -> Result<(), seatable_api::Error> {
    /// api.delete_asset(stored.asset_path()).await?;
    /// # Ok(()) }
    /// ```
    pub fn asset_path(&self) -> &str {
        &self.asset_path
    }

    /// The entry of a `file` cell for this file: `{"name", "size", "type": "file", "url"}`.
    /// (A file column may hold images too; this is the entry for any file uploaded into
    /// one.)
    ///
    /// ```no_run
    /// # fn run(stored: seatable_api::UploadedFile) {
    /// let item = stored.file_item();
    /// assert_eq!(item.type_.as_deref(), Some("file"));
    /// # }
    /// ```
    pub fn file_item(&self) -> FileCellItem {
        FileCellItem {
            name: self.name.clone(),
            size: Some(self.size),
            type_: Some("file".to_string()),
            url: self.url.clone(),
            extra: serde_json::Map::new(),
        }
    }

    /// The value of this attachment in its cell, as SeaTable stores it: the
    /// [`file_item`](Self::file_item) object for [`Attachment::File`], the URL string for
    /// [`Attachment::Image`]. A cell holds a list of these.
    ///
    /// ```no_run
    /// # fn run(stored: seatable_api::UploadedFile) {
    /// let row = serde_json::json!({"Photo": [stored.cell_value()]});
    /// # }
    /// ```
    pub fn cell_value(&self) -> serde_json::Value {
        match self.attachment {
            Attachment::Image => serde_json::Value::String(self.url.clone()),
            Attachment::File => serde_json::json!({
                "name": self.name,
                "size": self.size,
                "type": "file",
                "url": self.url,
            }),
        }
    }

    /// A whole cell holding only this attachment: [`Cell::File`] or [`Cell::Image`].
    ///
    /// ```no_run
    /// # fn run(stored: seatable_api::UploadedFile) {
    /// let cell = stored.cell();
    /// let json = cell.to_write_json();
    /// # }
    /// ```
    pub fn cell(&self) -> Cell {
        match self.attachment {
            Attachment::Image => Cell::Image(vec![self.url.clone()]),
            Attachment::File => Cell::File(vec![self.file_item()]),
        }
    }
}

/// Serialises as [`UploadedFile::cell_value`].
impl serde::Serialize for UploadedFile {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.cell_value().serialize(serializer)
    }
}

/// Which stored file to download: a path in the base's asset folder, or the URL a file or
/// image cell holds.
///
/// ```no_run
/// use seatable_api::AssetSource;
/// let by_path = AssetSource::path("/files/2025-03/report.pdf");
/// let by_url = AssetSource::url(
///     "https://cloud.seatable.io/workspace/42/asset/650d8a0d-7e27-46a8-8b18-6cc6f3db2057/files/2025-03/report.pdf",
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssetSource {
    /// A path in the base's asset folder, not percent-encoded: `/files/2025-03/report.pdf`.
    Path(String),
    /// The URL of a file or image cell of this base: `<server>/workspace/<id>/asset/<base
    /// uuid>/<path>` (percent-encoded, as cells hold it), or the same without the server.
    Url(String),
}

impl AssetSource {
    /// A path in the base's asset folder (a missing leading `/` is added).
    ///
    /// ```no_run
    /// let source = seatable_api::AssetSource::path("/images/2025-03/party photo.png");
    /// ```
    pub fn path(path: impl Into<String>) -> AssetSource {
        AssetSource::Path(path.into())
    }

    /// The URL a file or image cell holds.
    ///
    /// ```no_run
    /// # fn run(item: seatable_api::types::FileCellItem) {
    /// let source = seatable_api::AssetSource::url(item.url);
    /// # }
    /// ```
    pub fn url(url: impl Into<String>) -> AssetSource {
        AssetSource::Url(url.into())
    }
}

/// The file of a `file` cell entry, by its URL.
impl From<&FileCellItem> for AssetSource {
    fn from(item: &FileCellItem) -> AssetSource {
        AssetSource::Url(item.url.clone())
    }
}

/// A file just uploaded, by its asset path.
impl From<&UploadedFile> for AssetSource {
    fn from(file: &UploadedFile) -> AssetSource {
        AssetSource::Path(file.asset_path.clone())
    }
}

/// Where an upload's bytes come from.
enum UploadSource {
    File(FileUpload),
    Path(PathBuf),
}

/// An upload of one attachment, built by [`ApiTokenClient::upload_attachment`] or
/// [`ApiTokenClient::upload_attachment_from_path`]: set options, then `.await` it.
///
/// ```no_run
/// # async fn run(api: seatable_api::ApiTokenClient) -> Result<(), seatable_api::Error> {
/// use seatable_api::Attachment;
/// let stored = api
///     .upload_attachment_from_path("scans/invoice.pdf", Attachment::File)
///     .replace(true)
///     .relative_path("files/invoices")
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "an upload does nothing until it is awaited or sent"]
pub struct UploadAttachment<'a> {
    api: &'a ApiTokenClient,
    source: UploadSource,
    attachment: Attachment,
    replace: bool,
    relative_path: Option<String>,
}

impl std::fmt::Debug for UploadAttachment<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadAttachment")
            .field("attachment", &self.attachment)
            .field("replace", &self.replace)
            .field("relative_path", &self.relative_path)
            .finish_non_exhaustive()
    }
}

impl<'a> UploadAttachment<'a> {
    /// `true` overwrites a file of the same name in the target folder; `false` (the
    /// default) keeps it, and the server stores the upload under a new name such as
    /// `report (1).pdf`.
    ///
    /// ```no_run
    /// # async fn run(api: seatable_api::ApiTokenClient, file: seatable_api::FileUpload) -> Result<(), seatable_api::Error> {
    /// let stored = api.upload_attachment(file, seatable_api::Attachment::File).replace(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn replace(mut self, replace: bool) -> Self {
        self.replace = replace;
        self
    }

    /// Stores the file in this folder of the base's asset folder (`files/invoices`)
    /// instead of the current month's `files/YYYY-MM` or `images/YYYY-MM`. Leading and
    /// trailing slashes are dropped; `.` and `..` are refused. Missing folders are created.
    ///
    /// ```no_run
    /// # async fn run(api: seatable_api::ApiTokenClient, file: seatable_api::FileUpload) -> Result<(), seatable_api::Error> {
    /// let stored = api
    ///     .upload_attachment(file, seatable_api::Attachment::Image)
    ///     .relative_path("images/logos")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn relative_path(mut self, folder: impl Into<String>) -> Self {
        self.relative_path = Some(folder.into());
        self
    }

    /// Sends the upload: `getUploadLink`, then (only when the link's answer does not name
    /// the workspace and this client has not learned it yet) `getBaseToken`, then
    /// `uploadFile`.
    ///
    /// ```no_run
    /// # async fn run(api: seatable_api::ApiTokenClient, file: seatable_api::FileUpload) -> Result<(), seatable_api::Error> {
    /// let stored = api.upload_attachment(file, seatable_api::Attachment::File).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<UploadedFile, Error> {
        let file = match self.source {
            UploadSource::File(file) => file,
            UploadSource::Path(path) => FileUpload::from_path(&path).await?,
        };
        let folder = match &self.relative_path {
            Some(folder) => Some(clean_folder(folder)?),
            None => None,
        };
        let link = self.api.get_upload_link().await?;
        let upload_id = upload_id_of(&link.upload_link)?;
        // Learned before the upload, so that a base whose workspace cannot be found
        // leaves no stored file without a cell value.
        let workspace_id = match link.workspace_id {
            Some(id) => id,
            None => self
                .api
                .base_identity()
                .await?
                .workspace_id
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::Decode,
                        "neither getUploadLink nor getBaseToken named the base's workspace, \
                     which the cell URL needs; nothing was uploaded",
                    )
                    .with_operation("getBaseToken")
                    .with_applied(Applied::No)
                })?,
        };
        let folder = folder.unwrap_or_else(|| match self.attachment {
            Attachment::Image => link.img_relative_path.trim_matches('/').to_string(),
            Attachment::File => link.file_relative_path.trim_matches('/').to_string(),
        });
        let replace = if self.replace {
            UploadFileRequestReplace::Overwrite
        } else {
            UploadFileRequestReplace::KeepBoth
        };
        let stored = self
            .api
            .with_upload_link(&link.upload_link)?
            .upload_file(upload_id, file, link.parent_path.clone(), folder.clone())
            .replace(replace)
            .await?;
        let [stored] = <[_; 1]>::try_from(stored).map_err(|all: Vec<_>| {
            Error::new(
                ErrorKind::Decode,
                format!(
                    "the file server answered with {} stored files instead of one",
                    all.len()
                ),
            )
            .with_operation("uploadFile")
            .with_applied(Applied::Maybe)
        })?;
        let server = self.api.client().server_url();
        let parent = encoded_segments(&link.parent_path);
        let mut url = format!("{server}/workspace/{workspace_id}{parent}");
        let mut asset_path = String::new();
        for segment in folder.split('/').filter(|s| !s.is_empty()) {
            url.push('/');
            url.push_str(&encode_path(segment));
            asset_path.push('/');
            asset_path.push_str(segment);
        }
        url.push('/');
        url.push_str(&encode_path(&stored.name));
        asset_path.push('/');
        asset_path.push_str(&stored.name);
        Ok(UploadedFile {
            attachment: self.attachment,
            name: stored.name,
            size: stored.size,
            url,
            asset_path,
        })
    }
}

impl<'a> IntoFuture for UploadAttachment<'a> {
    type Output = Result<UploadedFile, Error>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// `/asset/<uuid>` with every segment percent-encoded, without a trailing slash.
fn encoded_segments(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| format!("/{}", encode_path(s)))
        .collect()
}

/// The folder below the asset folder, without leading or trailing slashes.
fn clean_folder(folder: &str) -> Result<String, Error> {
    let trimmed = folder.trim_matches('/');
    if trimmed
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
        && !trimmed.is_empty()
    {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "the folder `{folder}` has an empty, `.` or `..` segment; nothing was uploaded"
            ),
        )
        .with_operation("uploadFile"));
    }
    Ok(trimmed.to_string())
}

/// The upload id: the last path segment of a link such as
/// `https://cloud.seatable.io/seafhttp/upload-api/83e701c8-…`.
fn upload_id_of(link: &str) -> Result<String, Error> {
    // The link authorises uploads by itself, so it is not repeated in the error.
    let malformed = |why: &str| {
        Error::new(
            ErrorKind::Decode,
            format!(
                "the upload link is malformed: {why} (expected `<server>/seafhttp/upload-api/<upload id>`); nothing was uploaded"
            ),
        )
        .with_operation("getUploadLink")
        .with_applied(Applied::No)
    };
    let parsed = url::Url::parse(link).map_err(|_| malformed("it is not a URL"))?;
    let mut segments: Vec<&str> = parsed.path().split('/').collect();
    if segments.last() == Some(&"") {
        segments.pop();
    }
    match segments.as_slice() {
        [.., "upload-api", id] if !id.is_empty() => {
            let id = percent_decode_str(id)
                .decode_utf8()
                .map_err(|_| malformed("its upload id is not UTF-8"))?;
            Ok(id.into_owned())
        }
        _ => Err(malformed(
            "its path does not end in `/upload-api/<upload id>`",
        )),
    }
}

/// Which server a URL belongs to: scheme, host and port.
fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    a.origin() == b.origin()
}

/// A base UUID with or without dashes, in any case.
fn uuid_key(uuid: &str) -> String {
    uuid.chars()
        .filter(|c| *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn not_an_asset_url(cell_url: &str, why: String) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("`{cell_url}` is not an asset URL of this base: {why}"),
    )
    .with_operation("getFileDownloadLink")
}

/// The base UUID and the asset path a cell URL names, checked against the server (which
/// needs no request, unlike the base).
fn parse_asset_url(server_url: &str, cell_url: &str) -> Result<(String, String), Error> {
    let refuse = |why: String| not_an_asset_url(cell_url, why);
    if cell_url.starts_with("custom-asset://") {
        return Err(refuse(
            "it names a file of the custom folder; download those with getCustomDownloadLink"
                .to_string(),
        ));
    }
    let server = url::Url::parse(server_url).map_err(|e| refuse(e.to_string()))?;
    let server_path = server.path().trim_end_matches('/');
    let path = if cell_url.starts_with('/') {
        // A URL without the server, as some cells hold it.
        cell_url
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .to_string()
    } else {
        let parsed = url::Url::parse(cell_url).map_err(|e| refuse(format!("{e}")))?;
        if !same_origin(&parsed, &server) {
            return Err(refuse(format!("it is not on the server {server_url}")));
        }
        let full = parsed.path();
        match full.strip_prefix(server_path) {
            Some(rest) if rest.starts_with('/') => rest.to_string(),
            _ => return Err(refuse(format!("it is not below {server_url}"))),
        }
    };
    let segments: Vec<&str> = path.split('/').collect();
    let ["", "workspace", workspace, asset, uuid, rest @ ..] = segments.as_slice() else {
        return Err(refuse(
            "its path is not `/workspace/<id>/asset/<base uuid>/<file>`".to_string(),
        ));
    };
    if workspace.is_empty() || !workspace.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse(format!("`{workspace}` is not a workspace id")));
    }
    if !matches!(*asset, "asset" | "asset-preview") {
        return Err(refuse(
            "its path is not `/workspace/<id>/asset/<base uuid>/<file>`".to_string(),
        ));
    }
    if rest.is_empty() || rest.iter().any(|s| s.is_empty()) {
        return Err(refuse("it names no file".to_string()));
    }
    let mut decoded = String::new();
    for segment in rest {
        let segment = percent_decode_str(segment)
            .decode_utf8()
            .map_err(|_| refuse("its path is not UTF-8 once decoded".to_string()))?;
        if segment == "." || segment == ".." || segment.contains('/') {
            return Err(refuse(format!("it has a `{segment}` segment")));
        }
        decoded.push('/');
        decoded.push_str(&segment);
    }
    Ok((uuid.to_string(), decoded))
}

/// Refuses a cell URL of another base: its path would name a different file, or none.
fn check_base(cell_url: &str, url_uuid: &str, base_uuid: &str) -> Result<(), Error> {
    if uuid_key(url_uuid) == uuid_key(base_uuid) {
        return Ok(());
    }
    Err(not_an_asset_url(
        cell_url,
        format!("it belongs to base {url_uuid}, and this API-Token to base {base_uuid}"),
    ))
}

/// A path in the asset folder as `getFileDownloadLink` takes it: starting with `/`.
fn clean_asset_path(path: &str) -> Result<String, Error> {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "the asset path is empty; it names a file such as `/files/2025-03/report.pdf`",
        )
        .with_operation("getFileDownloadLink"));
    }
    Ok(format!("/{trimmed}"))
}

/// Removes a half-written download unless it was renamed into place.
struct PartFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.keep {
            // Runs on errors and when the download is dropped half-way; a file that
            // cannot be removed is left for the user to see rather than a panic.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Distinguishes the temporary files of concurrent downloads in one process.
static PART_COUNTER: AtomicU64 = AtomicU64::new(0);

impl ApiTokenClient {
    /// Uploads `file` for a `file` or `image` column and returns the stored file with its
    /// ready cell value ([`UploadedFile::cell_value`]): one call for SeaTable's
    /// `getUploadLink` → `uploadFile`. The file goes to the current month's folder
    /// (`files/YYYY-MM` or `images/YYYY-MM`) unless
    /// [`relative_path`](UploadAttachment::relative_path) says otherwise.
    ///
    /// The upload is sent to the server the upload link names, which may be a file server
    /// on a host of its own (without the API-Token, which only the client's own server
    /// sees); the cell URL is formed from this client's server URL. The client's
    /// [`timeout`](crate::ClientBuilder::timeout) covers the whole upload.
    ///
    /// ```no_run
    /// # async fn run(api: seatable_api::ApiTokenClient) -> Result<(), seatable_api::Error> {
    /// use seatable_api::{Attachment, FileUpload};
    /// let logo = FileUpload::new("logo.png", std::fs::read("logo.png").unwrap()).mime_type("image/png");
    /// let stored = api.upload_attachment(logo, Attachment::Image).await?;
    /// println!("{}", stored.url());
    /// # Ok(()) }
    /// ```
    pub fn upload_attachment(
        &self,
        file: FileUpload,
        attachment: Attachment,
    ) -> UploadAttachment<'_> {
        UploadAttachment {
            api: self,
            source: UploadSource::File(file),
            attachment,
            replace: false,
            relative_path: None,
        }
    }

    /// Like [`upload_attachment`](Self::upload_attachment), reading the file at `path`
    /// when sent (see [`FileUpload::from_path`] for its name and MIME type).
    ///
    /// ```no_run
    /// # async fn run(api: seatable_api::ApiTokenClient) -> Result<(), seatable_api::Error> {
    /// let stored = api
    ///     .upload_attachment_from_path("report.pdf", seatable_api::Attachment::File)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_attachment_from_path(
        &self,
        path: impl Into<PathBuf>,
        attachment: Attachment,
    ) -> UploadAttachment<'_> {
        UploadAttachment {
            api: self,
            source: UploadSource::Path(path.into()),
            attachment,
            replace: false,
            relative_path: None,
        }
    }

    /// The path in the base's asset folder that the URL of a file or image cell points to
    /// (`/files/2025-03/report (1).pdf`, percent-decoded). Fails with
    /// [`ErrorKind::InvalidArgument`] when the URL is not on this client's server, not an
    /// asset URL, or of another base than this API-Token's. The base is known without a
    /// request once this client (or a clone) opened it with [`base`](Self::base), as the
    /// official SDKs' `Base.auth()` does, or was made by
    /// [`AccountClient::api_token_client`](crate::AccountClient::api_token_client);
    /// otherwise learning it takes one `getBaseToken` request the first time.
    ///
    /// ```no_run
    /// # async fn run(api: seatable_api::ApiTokenClient, item: seatable_api::types::FileCellItem) -> Result<(), seatable_api::Error> {
    /// let path = api.asset_path(&item.url).await?;
    /// api.delete_asset(path).await?;
    /// # Ok(()) }
    /// ```
    pub async fn asset_path(&self, cell_url: &str) -> Result<String, Error> {
        let (url_uuid, path) = parse_asset_url(self.client().server_url(), cell_url)?;
        let identity = self.base_identity().await?;
        check_base(cell_url, &url_uuid, &identity.uuid)?;
        Ok(path)
    }

    /// Downloads a stored file into `writer`, chunk by chunk as it arrives (never the
    /// whole file in memory), and returns the number of bytes written. The writer is
    /// flushed at the end; on an error it may hold part of the file.
    ///
    /// Two requests: `getFileDownloadLink` with the API-Token, then a GET of the returned
    /// link WITHOUT any `Authorization` header (the link carries its own short-lived
    /// token). The link may point to another host than this client's server (a separate
    /// file server); that is followed, since no token goes with it. Until the first byte
    /// is written, a failed GET of the link is repeated as the client's
    /// [`RetryPolicy`](crate::RetryPolicy) repeats any read; a failure after that is
    /// returned.
    ///
    /// The client's [`timeout`](crate::ClientBuilder::timeout) (30 s by default) covers the
    /// whole download; raise it for large files.
    ///
    /// ```no_run
    /// # async fn run(api: seatable_api::ApiTokenClient) -> Result<(), seatable_api::Error> {
    /// use seatable_api::AssetSource;
    /// let mut bytes = Vec::new();
    /// let n = api
    ///     .download_to_writer(AssetSource::path("/files/2025-03/report.pdf"), &mut bytes)
    ///     .await?;
    /// assert_eq!(n as usize, bytes.len());
    /// # Ok(()) }
    /// ```
    pub async fn download_to_writer<W>(
        &self,
        source: impl Into<AssetSource>,
        writer: &mut W,
    ) -> Result<u64, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let response = self.open_download(source.into()).await?;
        stream_into(response, writer, "the writer").await
    }

    /// Downloads a stored file to `target`, streamed into a temporary file in the same
    /// folder that is renamed to `target` only when the download is complete: a failed
    /// (or dropped) download leaves no partial file, and an existing `target` is replaced
    /// only by a whole file. Returns the number of bytes written. Requests as for
    /// [`download_to_writer`](Self::download_to_writer).
    ///
    /// ```no_run
    /// # async fn run(api: seatable_api::ApiTokenClient, item: seatable_api::types::FileCellItem) -> Result<(), seatable_api::Error> {
    /// let n = api.download_to_path(&item, format!("downloads/{}", item.name)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn download_to_path(
        &self,
        source: impl Into<AssetSource>,
        target: impl AsRef<Path>,
    ) -> Result<u64, Error> {
        let target = target.as_ref();
        let name = target.file_name().ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("`{}` does not end in a file name", target.display()),
            )
            .with_operation(DOWNLOAD)
        })?;
        let response = self.open_download(source.into()).await?;
        let mut part_name = std::ffi::OsString::from(".");
        part_name.push(name);
        part_name.push(format!(
            ".{}-{}.part",
            std::process::id(),
            PART_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let part_path = target.with_file_name(part_name);
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&part_path)
            .await
            .map_err(|e| {
                io_error(format!("cannot create `{}`", part_path.display()), e)
                    .with_operation(DOWNLOAD)
            })?;
        let mut part = PartFile {
            path: part_path,
            keep: false,
        };
        let shown = format!("`{}`", part.path.display());
        let written = stream_into(response, &mut file, &shown).await?;
        file.sync_all()
            .await
            .map_err(|e| io_error(format!("cannot write {shown}"), e).with_operation(DOWNLOAD))?;
        drop(file);
        tokio::fs::rename(&part.path, target).await.map_err(|e| {
            io_error(
                format!("cannot rename {shown} to `{}`", target.display()),
                e,
            )
            .with_operation(DOWNLOAD)
        })?;
        part.keep = true;
        Ok(written)
    }

    /// The download link's answer, status checked, body not yet read.
    async fn open_download(&self, source: AssetSource) -> Result<reqwest::Response, Error> {
        let path = match source {
            AssetSource::Path(path) => clean_asset_path(&path)?,
            AssetSource::Url(url) => self.asset_path(&url).await?,
        };
        let link = self.get_file_download_link(path).await?.download_link;
        // The link is a credential of its own: it stays out of every message.
        let url = url::Url::parse(&link).map_err(|_| {
            Error::new(
                ErrorKind::Decode,
                "the download link the server answered with is not a URL",
            )
            .with_operation("getFileDownloadLink")
            .with_applied(Applied::Yes)
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::new(
                ErrorKind::Decode,
                format!(
                    "the download link the server answered with is not an http(s) URL but `{}:`",
                    url.scheme()
                ),
            )
            .with_operation("getFileDownloadLink")
            .with_applied(Applied::Yes));
        }
        // Nothing has been written yet, so a failed GET is repeated as any read is.
        let policy = self.client().retry_policy();
        let mut attempts = crate::transport::retry::Attempts::default();
        loop {
            let error = match fetch_download(self.client().http(), &url).await {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            let Some(wait) = attempts.next(policy, &error, true) else {
                return Err(attempts.finish(error));
            };
            tracing::info!(error = %error, wait_ms = wait.as_millis() as u64, "repeating the download");
            tokio::time::sleep(wait).await;
        }
    }

    /// The base of this API-Token, from `getBaseToken` the first time.
    async fn base_identity(&self) -> Result<&BaseIdentity, Error> {
        self.identity_cache()
            .get_or_try_init(|| async {
                let access = self.get_base_token().await?;
                Ok(BaseIdentity {
                    uuid: access.dtable_uuid,
                    workspace_id: access.workspace_id,
                })
            })
            .await
    }
}

/// One GET of a download link: the answer with its status checked, body not yet read.
async fn fetch_download(
    http: &reqwest::Client,
    url: &url::Url,
) -> Result<reqwest::Response, Error> {
    let mut response = http
        .get(url.clone())
        .send()
        .await
        .map_err(|e| Error::transport(DOWNLOAD, e.without_url(), &Secrets::default()))?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let wait = crate::transport::retry::asked_wait(status.as_u16(), response.headers());
    let (body, complete) =
        crate::transport::connection::read_error(&mut response, &Secrets::default()).await;
    Err(Error::from_status(
        DOWNLOAD,
        status.as_u16(),
        &body,
        complete,
        &Secrets::default(),
    )
    .with_retry_after(wait))
}

/// Copies the body into `writer` chunk by chunk and flushes it.
async fn stream_into<W>(
    mut response: reqwest::Response,
    writer: &mut W,
    shown: &str,
) -> Result<u64, Error>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut written: u64 = 0;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Error::transport(DOWNLOAD, e.without_url(), &Secrets::default()))?
    {
        writer.write_all(&chunk).await.map_err(|e| {
            io_error(format!("cannot write to {shown}"), e).with_operation(DOWNLOAD)
        })?;
        written += chunk.len() as u64;
    }
    writer
        .flush()
        .await
        .map_err(|e| io_error(format!("cannot write to {shown}"), e).with_operation(DOWNLOAD))?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "650d8a0d-7e27-46a8-8b18-6cc6f3db2057";

    fn asset_path_in_url(server: &str, base_uuid: &str, url: &str) -> Result<String, Error> {
        let (url_uuid, path) = parse_asset_url(server, url)?;
        check_base(url, &url_uuid, base_uuid)?;
        Ok(path)
    }

    #[test]
    fn the_upload_id_is_the_last_segment_of_the_link() {
        let id = upload_id_of(
            "https://cloud.seatable.io/seafhttp/upload-api/83e701c8-84ba-498c-91b1-ddb3789edb7e",
        )
        .unwrap();
        assert_eq!(id, "83e701c8-84ba-498c-91b1-ddb3789edb7e");
        let id = upload_id_of("https://x.io/seatable/seafhttp/upload-api/abc/").unwrap();
        assert_eq!(id, "abc", "a trailing slash is allowed");
        for (link, why) in [
            ("not a url", "it is not a URL"),
            (
                "https://x.io/seafhttp/upload-api/",
                "its path does not end in `/upload-api/<upload id>`",
            ),
            (
                "https://x.io/seafhttp/files/abc",
                "its path does not end in `/upload-api/<upload id>`",
            ),
        ] {
            let e = upload_id_of(link).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Decode);
            assert_eq!(
                e.to_string(),
                format!(
                    "getUploadLink: the upload link is malformed: {why} (expected \
                     `<server>/seafhttp/upload-api/<upload id>`); nothing was uploaded"
                )
            );
        }
    }

    #[test]
    fn cell_urls_become_asset_paths() {
        let server = "https://cloud.seatable.io";
        let url = format!("{server}/workspace/42/asset/{UUID}/files/2025-03/report%20(1).pdf");
        assert_eq!(
            asset_path_in_url(server, UUID, &url).unwrap(),
            "/files/2025-03/report (1).pdf"
        );
        let relative = format!("/workspace/42/asset/{UUID}/images/2025-03/a%C3%A4.png");
        assert_eq!(
            asset_path_in_url(server, UUID, &relative).unwrap(),
            "/images/2025-03/aä.png"
        );
        let dashless = "650d8a0d7e2746a88b186CC6F3DB2057";
        let url = format!("{server}/workspace/42/asset-preview/{dashless}/files/x.txt");
        assert_eq!(
            asset_path_in_url(server, UUID, &url).unwrap(),
            "/files/x.txt"
        );
        let proxied = format!("https://x.io/seatable/workspace/1/asset/{UUID}/files/a.txt");
        assert_eq!(
            asset_path_in_url("https://x.io/seatable", UUID, &proxied).unwrap(),
            "/files/a.txt"
        );
    }

    #[test]
    fn urls_of_other_servers_bases_or_shapes_are_refused() {
        let server = "https://cloud.seatable.io";
        let other = "11111111-2222-3333-4444-555555555555";
        let cases = [
            (
                format!("https://evil.example/workspace/42/asset/{UUID}/files/a.txt"),
                "it is not on the server https://cloud.seatable.io".to_string(),
            ),
            (
                format!("http://cloud.seatable.io/workspace/42/asset/{UUID}/files/a.txt"),
                "it is not on the server https://cloud.seatable.io".to_string(),
            ),
            (
                format!("{server}/workspace/42/asset/{other}/files/a.txt"),
                format!("it belongs to base {other}, and this API-Token to base {UUID}"),
            ),
            (
                format!("{server}/workspace/x/asset/{UUID}/files/a.txt"),
                "`x` is not a workspace id".to_string(),
            ),
            (
                format!("{server}/dtable/42/asset/{UUID}/files/a.txt"),
                "its path is not `/workspace/<id>/asset/<base uuid>/<file>`".to_string(),
            ),
            (
                format!("{server}/workspace/42/asset/{UUID}/"),
                "it names no file".to_string(),
            ),
            (
                // (In a URL with the server, the URL parser resolves `..` itself.)
                format!("/workspace/42/asset/{UUID}/files/%2E%2E/a"),
                "it has a `..` segment".to_string(),
            ),
            (
                "custom-asset://2bbe9499-e1df-4086-bdd3-d130d6c91bd3.pdf".to_string(),
                "it names a file of the custom folder; download those with getCustomDownloadLink"
                    .to_string(),
            ),
        ];
        for (url, why) in cases {
            let e = asset_path_in_url(server, UUID, &url).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{url}");
            assert_eq!(
                e.to_string(),
                format!("getFileDownloadLink: `{url}` is not an asset URL of this base: {why}")
            );
        }
    }

    #[test]
    fn folders_are_trimmed_and_checked() {
        assert_eq!(clean_folder("/files/invoices/").unwrap(), "files/invoices");
        assert_eq!(clean_folder("").unwrap(), "");
        let e = clean_folder("files/../x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "uploadFile: the folder `files/../x` has an empty, `.` or `..` segment; nothing was uploaded"
        );
        assert!(clean_folder("a//b").is_err());
    }

    #[test]
    fn the_cell_value_has_the_stored_shape() {
        let file = UploadedFile {
            attachment: Attachment::File,
            name: "report (1).pdf".into(),
            size: 12,
            url: "https://x.io/workspace/4/asset/u/files/2025-03/report%20%281%29.pdf".into(),
            asset_path: "/files/2025-03/report (1).pdf".into(),
        };
        let expected = serde_json::json!({
            "name": "report (1).pdf",
            "size": 12,
            "type": "file",
            "url": "https://x.io/workspace/4/asset/u/files/2025-03/report%20%281%29.pdf"
        });
        assert_eq!(file.cell_value(), expected);
        assert_eq!(serde_json::to_value(&file).unwrap(), expected);
        assert_eq!(
            serde_json::to_value(file.file_item()).unwrap(),
            expected,
            "the typed entry serialises the same"
        );
        assert_eq!(file.cell().to_json(), serde_json::json!([expected]));
        let image = UploadedFile {
            attachment: Attachment::Image,
            ..file
        };
        assert_eq!(image.cell_value(), serde_json::json!(image.url));
        assert_eq!(image.cell().to_json(), serde_json::json!([image.url]));
    }
}
