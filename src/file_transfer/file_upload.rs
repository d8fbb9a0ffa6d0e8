//! [`FileUpload`]: a file for a multipart request, with the name the server stores it under.

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
