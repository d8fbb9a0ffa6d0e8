//! [`FileUpload`]: a file for a multipart request, with the name the server stores it under.

use std::path::Path;

use crate::transport::error::{Error, ErrorKind};

/// A file to upload: its contents and the file name the server sees. SeaTable's file
/// server stores an upload under this name, and its import endpoints read the file type
/// from its extension (`.csv`, `.xlsx`, `.dtable`), so the name matters.
///
/// ```no_run
/// let file = seatable_api::FileUpload::new("report.pdf", std::fs::read("report.pdf").unwrap())
///     .mime_type("application/pdf");
/// assert_eq!(file.file_name(), "report.pdf");
/// ```
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileUpload {
    file_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mime_type: Option<String>,
    bytes: Vec<u8>,
}

impl FileUpload {
    /// A file named `file_name` holding `bytes`.
    ///
    /// ```no_run
    /// let file = seatable_api::FileUpload::new("people.csv", b"Name\nAda\n".to_vec());
    /// ```
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> FileUpload {
        FileUpload {
            file_name: file_name.into(),
            mime_type: None,
            bytes: bytes.into(),
        }
    }

    /// Sends this `Content-Type` with the part (default `application/octet-stream`, with
    /// which the server goes by the file name).
    ///
    /// ```no_run
    /// let file = seatable_api::FileUpload::new("logo.png", vec![0x89, b'P', b'N', b'G'])
    ///     .mime_type("image/png");
    /// ```
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> FileUpload {
        self.mime_type = Some(mime_type.into());
        self
    }

    /// The name the server will see.
    ///
    /// ```no_run
    /// # let file = seatable_api::FileUpload::new("a.txt", Vec::new());
    /// println!("{}", file.file_name());
    /// ```
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The contents.
    ///
    /// ```no_run
    /// # let file = seatable_api::FileUpload::new("a.txt", b"hi".to_vec());
    /// assert_eq!(file.bytes(), b"hi");
    /// ```
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn into_parts(self) -> (String, Option<String>, Vec<u8>) {
        (self.file_name, self.mime_type, self.bytes)
    }

    /// Reads the file at `path`: the file name is taken from the path, the MIME type
    /// guessed from the extension for common types (`.pdf`, `.png`, `.jpg`, `.csv`,
    /// `.xlsx`, …) and otherwise left to the default.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), seatable_api::Error> {
    /// let file = seatable_api::FileUpload::from_path("photos/party.png").await?;
    /// assert_eq!(file.file_name(), "party.png");
    /// # Ok(()) }
    /// ```
    pub async fn from_path(path: impl AsRef<Path>) -> Result<FileUpload, Error> {
        let path = path.as_ref();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "`{}` does not end in a file name in UTF-8, which the upload needs",
                        path.display()
                    ),
                )
            })?
            .to_string();
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|e| io_error(format!("cannot read `{}`", path.display()), e))?;
        let file = FileUpload::new(name, bytes);
        Ok(match mime_for(path) {
            Some(mime) => file.mime_type(mime),
            None => file,
        })
    }
}

/// Shows the name and size, not the contents.
impl std::fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileUpload")
            .field("file_name", &self.file_name)
            .field("mime_type", &self.mime_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A MIME type for common file extensions; `None` leaves the server to go by the name.
fn mime_for(path: &Path) -> Option<&'static str> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match extension.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "heic" => "image/heic",
        "txt" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "xml" => "application/xml",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        _ => return None,
    })
}

/// A failure of the file system, as an error of the transport with its cause kept.
pub(crate) fn io_error(what: String, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Transport, format!("{what}: {e}")).with_source(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_extensions_get_a_mime_type() {
        assert_eq!(
            mime_for(Path::new("a/b/Report.PDF")),
            Some("application/pdf")
        );
        assert_eq!(mime_for(Path::new("x.jpeg")), Some("image/jpeg"));
        assert_eq!(mime_for(Path::new("x.unknownext")), None);
        assert_eq!(mime_for(Path::new("noext")), None);
    }
}
