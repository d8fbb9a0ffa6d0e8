//! `call()` on the hand-written requests (batches, keep-going writes, upserts, typed rows,
//! attachment uploads): the blocking counterpart of awaiting them, as the generator gives
//! every generated request one.

use super::call;
use crate::bulk::batch::{Batch, Batched};
use crate::transport::error::Error;

impl<'a, B: Batch<'a>> Batched<'a, B> {
    /// Sends every chunk and waits for the last; the blocking counterpart of `.await`
    /// (see [`blocking`](crate::blocking)).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
    /// let answers = base.append_rows("Table1", rows).batched().call()?;
    /// # Ok(()) }
    /// ```
    pub fn call(self) -> Result<Vec<B::Output>, Error> {
        call(self)
    }
}

#[cfg(feature = "base")]
mod base {
    use super::*;
    use crate::blocking::Pages;
    use crate::bulk::recover::{KeepGoing, Recoverable};
    use crate::bulk::report::BatchReport;
    use crate::bulk::upsert::UpsertRows;
    use crate::data::typed_rows::{AppendTypedRows, ListTypedRows, TableRow};

    impl<'a, B: Recoverable<'a>> KeepGoing<'a, B> {
        /// Sends every chunk, repeating those of unknown outcome, and waits for the
        /// report; the blocking counterpart of `.await`.
        ///
        /// ```no_run
        /// # fn run(base: seatable_api::blocking::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
        /// let report = base.append_rows("Table1", rows).batched().keep_going().call()?;
        /// println!("{report}");
        /// # Ok(()) }
        /// ```
        pub fn call(self) -> Result<BatchReport, Error> {
            call(self)
        }
    }

    impl UpsertRows<'_> {
        /// Updates and appends, and waits for the report; the blocking counterpart of
        /// `.await`.
        ///
        /// ```no_run
        /// # fn run(base: seatable_api::blocking::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
        /// let report = base.upsert_rows("Table1", "Email", rows).call()?;
        /// # Ok(()) }
        /// ```
        pub fn call(self) -> Result<BatchReport, Error> {
            call(self)
        }
    }

    impl<'a, R: TableRow + 'a> ListTypedRows<'a, R> {
        /// Reads one page; the blocking counterpart of `.await`.
        ///
        /// ```no_run
        /// # #[derive(serde::Deserialize)] struct ProjectsRow { #[serde(rename = "_id")] id: String }
        /// # impl seatable_api::TableRow for ProjectsRow { const TABLE: &'static str = "Projects"; fn row_id(&self) -> &str { &self.id } }
        /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
        /// let page: Vec<ProjectsRow> = base.list_typed_rows().call()?;
        /// # Ok(()) }
        /// ```
        pub fn call(self) -> Result<Vec<R>, Error> {
            call(self)
        }

        /// Every row, page after page, as an iterator; the blocking counterpart of
        /// [`stream`](ListTypedRows::stream).
        ///
        /// ```no_run
        /// # #[derive(serde::Deserialize)] struct ProjectsRow { #[serde(rename = "_id")] id: String }
        /// # impl seatable_api::TableRow for ProjectsRow { const TABLE: &'static str = "Projects"; fn row_id(&self) -> &str { &self.id } }
        /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
        /// for project in base.list_typed_rows::<ProjectsRow>().iter() {
        ///     println!("{}", project?.id);
        /// }
        /// # Ok(()) }
        /// ```
        pub fn iter(self) -> Pages<'a, R> {
            Pages::new(self.stream())
        }
    }

    impl AppendTypedRows<'_> {
        /// Appends the rows and waits for their ids; the blocking counterpart of `.await`.
        ///
        /// ```no_run
        /// # #[derive(serde::Serialize)] struct ProjectsInput { name: String }
        /// # impl seatable_api::TableInput for ProjectsInput { const TABLE: &'static str = "Projects"; }
        /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
        /// let ids = base.append_typed_rows([ProjectsInput { name: "Apollo".into() }]).call()?;
        /// # Ok(()) }
        /// ```
        pub fn call(self) -> Result<Vec<String>, Error> {
            call(self)
        }
    }
}

#[cfg(all(feature = "files", feature = "base"))]
impl crate::file_transfer::attachments::UploadAttachment<'_> {
    /// Uploads the file and waits for the stored file; the blocking counterpart of `.await`.
    ///
    /// ```no_run
    /// # fn run(api: seatable_api::blocking::ApiTokenClient) -> Result<(), seatable_api::Error> {
    /// use seatable_api::{Attachment, FileUpload};
    /// let file = api.upload_attachment(FileUpload::new("a.txt", b"hi".to_vec()), Attachment::File).call()?;
    /// # Ok(()) }
    /// ```
    pub fn call(self) -> Result<crate::file_transfer::attachments::UploadedFile, Error> {
        call(self)
    }
}
