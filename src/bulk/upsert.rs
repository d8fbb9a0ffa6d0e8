//! Upsert by key: [`UpsertRows`], what [`BaseClient::upsert_rows`] returns. The keys are
//! looked up first (the same SQL lookup that resolves unknown outcomes), rows whose key
//! exists once are updated, rows whose key is absent appended, both as batches that keep
//! going; the two reports are merged into one over the input.

use std::future::IntoFuture;
use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

use super::lookup::{find_rows, input_keys, quote_name};
use super::report::{push_range, BatchReport, FailedChunk};
use crate::transport::error::{Applied, Error, ErrorKind};
use crate::transport::request::BoxFuture;
use crate::types::{RowInput, RowUpdate};
use crate::BaseClient;

const OPERATION: &str = "upsertRows";

type Progress<'a> = Arc<Mutex<Box<dyn FnMut(Range<usize>, &[String]) + Send + 'a>>>;

/// Rows written by key: built by [`BaseClient::upsert_rows`]. `.await` it (or call
/// [`send`](UpsertRows::send)): `Ok` with the report when every row was written, else the
/// first failure (in input order) with the report over the whole input in
/// [`Error::batch`].
///
/// It costs one lookup per 1000 rows, then the updates and appends in chunks of 1000, with
/// the guarantees of [`KeepGoing`](crate::KeepGoing) (an append whose outcome is unknown is
/// looked up by its keys). A key held by several rows of the table is reported for its
/// row, which is not written. The lookup and the writes are not one transaction: a row
/// with the same key added by someone else between them is not seen, and the append
/// makes a second one.
///
/// ```no_run
/// # async fn run(base: seatable_api::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
/// let report = base.upsert_rows("Contacts", "Email", rows).concurrency(2).await?;
/// println!("{} rows written", report.row_ids().len());
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited or sent"]
pub struct UpsertRows<'a> {
    base: &'a BaseClient,
    table: String,
    key_column: String,
    rows: Vec<RowInput>,
    concurrency: usize,
    max_repeats: Option<u32>,
    on_committed: Option<Progress<'a>>,
}

impl std::fmt::Debug for UpsertRows<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpsertRows")
            .field("table", &self.table)
            .field("key_column", &self.key_column)
            .field("rows", &self.rows.len())
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl BaseClient {
    /// Writes `rows` to `table` by the key column `key_column`: a row whose key is held by
    /// one row of the table updates that row (only the cells it names), the others are
    /// appended. Keys must be present and unique in `rows` (checked before anything is
    /// sent, with the rows named). See [`UpsertRows`].
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// let row = serde_json::json!({"Email": "ann@example.com", "Name": "Ann"});
    /// let rows = vec![row.as_object().unwrap().clone()];
    /// let report = base.upsert_rows("Contacts", "Email", rows).await?;
    /// # Ok(()) }
    /// ```
    pub fn upsert_rows(
        &self,
        table: impl Into<String>,
        key_column: impl Into<String>,
        rows: impl IntoIterator<Item = impl Into<RowInput>>,
    ) -> UpsertRows<'_> {
        UpsertRows {
            base: self,
            table: table.into(),
            key_column: key_column.into(),
            rows: rows.into_iter().map(Into::into).collect(),
            concurrency: 1,
            max_repeats: None,
            on_committed: None,
        }
    }
}

impl<'a> UpsertRows<'a> {
    /// At most `n` write requests in flight at once (default 1; 0 counts as 1).
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
    /// base.upsert_rows("Contacts", "Email", rows).concurrency(2).await?;
    /// # Ok(()) }
    /// ```
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// How often a row is sent again at most after its first try (default 3).
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
    /// base.upsert_rows("Contacts", "Email", rows).max_repeats(1).await?;
    /// # Ok(()) }
    /// ```
    pub fn max_repeats(mut self, n: u32) -> Self {
        self.max_repeats = Some(n);
        self
    }

    /// Calls `progress` with each input range once it is written, and the ids of its rows
    /// (existing ids for updated rows, new ones for appended rows). Ranges come in the
    /// order they are confirmed.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
    /// base.upsert_rows("Contacts", "Email", rows)
    ///     .on_committed(|range, _ids| eprintln!("rows {range:?} written"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn on_committed(
        mut self,
        progress: impl FnMut(Range<usize>, &[String]) + Send + 'a,
    ) -> Self {
        self.on_committed = Some(Arc::new(Mutex::new(Box::new(progress))));
        self
    }

    /// Looks the keys up, then updates and appends; returns the report over the input.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
    /// let report = base.upsert_rows("Contacts", "Email", rows).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<BatchReport, Error> {
        let total = self.rows.len();
        if total == 0 {
            return Ok(merged(total, &[], &[], 0, 0));
        }
        quote_name(OPERATION, "table", &self.table)?;
        quote_name(OPERATION, "key column", &self.key_column)?;
        let keys = input_keys(OPERATION, &self.key_column, &self.rows)?;
        crate::client::base::check_rows(self.base, OPERATION, &self.table, &self.rows).await?;
        let found = find_rows(self.base, &self.table, &self.key_column, &keys)
            .await
            .map_err(|e| e.with_operation(OPERATION))?;
        let lookups = total.div_ceil(super::lookup::KEYS_PER_LOOKUP);

        let mut updates = (Vec::new(), Vec::new());
        let mut appends = (Vec::new(), Vec::new());
        let mut conflicts = Vec::new();
        for (i, (row, ids)) in self.rows.into_iter().zip(found).enumerate() {
            match ids.as_slice() {
                [] => {
                    appends.0.push(i);
                    appends.1.push(row);
                }
                [id] => {
                    updates.0.push(i);
                    updates.1.push(RowUpdate {
                        row_id: id.clone(),
                        row,
                    });
                }
                _ => conflicts.push((i, ids)),
            }
        }

        let forward = |indices: Vec<usize>| {
            let progress = self.on_committed.clone();
            move |range: Range<usize>, ids: &[String]| {
                if let Some(progress) = &progress {
                    let mut progress = progress.lock().unwrap_or_else(PoisonError::into_inner);
                    for (part, ids) in runs(&indices[range], ids) {
                        progress(part, ids);
                    }
                }
            }
        };
        let max_repeats = self.max_repeats;
        let update_result = if updates.0.is_empty() {
            None
        } else {
            let mut batch = self
                .base
                .update_rows(&self.table, updates.1)
                .batched()
                .keep_going()
                .concurrency(self.concurrency)
                .on_committed(forward(updates.0.clone()));
            if let Some(n) = max_repeats {
                batch = batch.max_repeats(n);
            }
            Some(batch.into_future().await)
        };
        let append_result = if appends.0.is_empty() {
            None
        } else {
            let mut batch = self
                .base
                .append_rows(&self.table, appends.1)
                .batched()
                .keep_going()
                .unique_key(&self.key_column)
                .concurrency(self.concurrency)
                .on_committed(forward(appends.0.clone()));
            if let Some(n) = max_repeats {
                batch = batch.max_repeats(n);
            }
            Some(batch.into_future().await)
        };

        let mut parts = Vec::new();
        let mut first_error: Option<(usize, Error)> = None;
        let mut repeated = 0;
        let mut all_lookups = lookups;
        for (indices, result) in [(updates.0, update_result), (appends.0, append_result)] {
            let Some(result) = result else { continue };
            let (report, error) = match result {
                Ok(report) => (report, None),
                Err(e) => match e.batch().cloned() {
                    Some(report) => (report, Some(e)),
                    // Refused before anything was sent: every row of the part failed.
                    None => {
                        let failure = FailedChunk {
                            range: 0..indices.len(),
                            applied: e.applied(),
                            status: e.status(),
                            message: e.to_string(),
                        };
                        (BatchReport::refused(failure), Some(e))
                    }
                },
            };
            repeated += report.repeated();
            all_lookups += report.lookups();
            if let Some(e) = error {
                let at = report
                    .failed()
                    .iter()
                    .map(|f| indices[f.range.start])
                    .min()
                    .unwrap_or(usize::MAX);
                if first_error.as_ref().is_none_or(|(first, _)| at < *first) {
                    first_error = Some((at, e));
                }
            }
            parts.push((indices, report));
        }
        let mut conflict_chunks = Vec::new();
        for (i, ids) in &conflicts {
            let e = Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "the key {} of row {i} is held by {} rows of `{}` ({}): `{}` is not unique \
                     in the table, so the row was not written",
                    keys[*i],
                    ids.len(),
                    self.table,
                    ids.join(", "),
                    self.key_column
                ),
            )
            .with_operation(OPERATION);
            conflict_chunks.push(FailedChunk {
                range: *i..i + 1,
                applied: Applied::No,
                status: None,
                message: e.to_string(),
            });
            if first_error.as_ref().is_none_or(|(first, _)| *i < *first) {
                first_error = Some((*i, e));
            }
        }
        let report = merged(total, &parts, &conflict_chunks, repeated, all_lookups);
        match first_error {
            None => Ok(report),
            Some((_, e)) => Err(e.with_batch(report)),
        }
    }
}

impl<'a> IntoFuture for UpsertRows<'a> {
    type Output = Result<BatchReport, Error>;
    type IntoFuture = BoxFuture<'a, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The runs of consecutive input indices in `indices` (ascending), each with its ids.
fn runs<'i>(indices: &[usize], ids: &'i [String]) -> Vec<(Range<usize>, &'i [String])> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < indices.len() {
        let mut end = start + 1;
        while end < indices.len() && indices[end] == indices[end - 1] + 1 {
            end += 1;
        }
        out.push((indices[start]..indices[end - 1] + 1, &ids[start..end]));
        start = end;
    }
    out
}

/// One report over an input of `total` rows from the reports of its parts (each with the
/// input index of each of its units) and the rows refused on their own.
fn merged(
    total: usize,
    parts: &[(Vec<usize>, BatchReport)],
    refused: &[FailedChunk],
    repeated: usize,
    lookups: usize,
) -> BatchReport {
    #[derive(Clone, PartialEq)]
    enum State<'r> {
        Pending,
        Committed,
        Failed(&'r FailedChunk),
    }
    let mut states = vec![State::Pending; total];
    let mut ids = vec![None; total];
    for (indices, report) in parts {
        for range in report.committed() {
            for i in range.clone() {
                states[indices[i]] = State::Committed;
            }
        }
        for chunk in report.failed() {
            for i in chunk.range.clone() {
                states[indices[i]] = State::Failed(chunk);
            }
        }
        for (i, id) in report.row_ids().iter().enumerate() {
            if let Some(&at) = indices.get(i) {
                ids[at] = id.clone();
            }
        }
    }
    for chunk in refused {
        for i in chunk.range.clone() {
            states[i] = State::Failed(chunk);
        }
    }
    let mut committed = Vec::new();
    let mut not_sent = Vec::new();
    let mut failed: Vec<FailedChunk> = Vec::new();
    for (i, state) in states.iter().enumerate() {
        match state {
            State::Pending => push_range(&mut not_sent, i..i + 1),
            State::Committed => push_range(&mut committed, i..i + 1),
            State::Failed(chunk) => match failed.last_mut() {
                Some(last)
                    if last.range.end == i
                        && last.message == chunk.message
                        && last.applied == chunk.applied =>
                {
                    last.range.end = i + 1
                }
                _ => failed.push(FailedChunk {
                    range: i..i + 1,
                    ..(*chunk).clone()
                }),
            },
        }
    }
    BatchReport::kept_going(
        "rows", "items", total, committed, failed, not_sent, ids, repeated, lookups,
    )
}
