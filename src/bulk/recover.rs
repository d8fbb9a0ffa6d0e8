//! Batches that keep going: [`KeepGoing`], what `batched().keep_going()` returns for the
//! row writes. It sends every chunk, repeats what is safe to repeat within a bound, resolves
//! chunks whose outcome is unknown by looking their keys up (with
//! [`unique_key`](KeepGoing::unique_key)), and returns one report over the whole input
//! with the id of every stored row.
//!
//! What happens to a chunk, by outcome:
//! - answered and confirmed: committed, with the row ids of the answer;
//! - certainly not applied and worth another try (a refused connection, a 503, a 429 beyond
//!   the retry policy's budget): sent again, at most `max_repeats` times;
//! - refused for good (400, 401, 403, 404: a bad row, no permission, no such table):
//!   failed, not repeated; after a 401, 403 or 404 no further chunk is started, since each
//!   would meet the same answer;
//! - unknown (the connection broke after sending, a timeout, 500/502/504, a cut-off or
//!   unconfirming answer): updates and deletes are sent again (repeating them changes
//!   nothing); appends with a unique key are looked up: rows found are committed with the
//!   ids found, the missing ones sent again; appends without a key are failed with
//!   [`Applied::Maybe`], for the caller to check.

use std::collections::VecDeque;
use std::future::IntoFuture;
use std::ops::Range;

use futures_util::stream::FuturesUnordered;
use futures_util::StreamExt;
use serde_json::{Map, Value};

use super::batch::{Batch, Batched};
use super::lookup::{find_rows, input_keys, quote_name, KeyValue};
use super::report::{push_range, BatchReport, FailedChunk};
use crate::base::{AppendRows, DeleteRows, UpdateRows};
use crate::transport::error::{Applied, Error, ErrorKind};
use crate::transport::request::BoxFuture;
use crate::types::{AppendRowsResult, DeleteRowsResult, RowInput, RowUpdate, SuccessResult};
use crate::BaseClient;

/// How often a unit is sent again by default after its first try.
const DEFAULT_MAX_REPEATS: u32 = 3;

mod sealed {
    /// Keeps [`Recoverable`](super::Recoverable) to the operations this crate knows
    /// how to confirm.
    pub trait Sealed {}
}

impl sealed::Sealed for AppendRows<'_> {}
impl sealed::Sealed for UpdateRows<'_> {}
impl sealed::Sealed for DeleteRows<'_> {}

/// A batched operation whose input the runtime can take apart, send again in parts and
/// confirm unit by unit: the row writes (`appendRows`, `updateRows`, `deleteRows`).
/// Sealed: what confirms a write differs per operation, so only the crate implements it.
pub trait Recoverable<'a>: Batch<'a> + Clone + sealed::Sealed {
    /// One unit of the input: a row, an update, a row id.
    type Unit: Clone + Send + Sync + 'a;

    /// Whether a request whose outcome is unknown may be sent again as it is: true when
    /// repeating it changes nothing (an update sets the same cells, a delete finds the rows
    /// gone).
    const REPEAT_UNKNOWN: bool;

    /// Takes the units out of the request, in order.
    fn take_units(&mut self) -> Vec<Self::Unit>;

    /// Puts `units` into the request (which holds none).
    fn put_units(&mut self, units: Vec<Self::Unit>);

    /// The ids of the rows an answer confirms, one per unit `sent`; `None` when the answer
    /// does not confirm every unit.
    fn confirmed_ids(output: &Self::Output, sent: &[Self::Unit]) -> Option<Vec<String>>;

    /// The cells a unit writes, where its key is.
    fn cells(unit: &Self::Unit) -> Option<&Map<String, Value>>;

    /// The table the request writes to.
    fn table(&self) -> &str;

    /// The base the request writes to.
    fn base(&self) -> &'a BaseClient;
}

impl<'a> Recoverable<'a> for AppendRows<'a> {
    type Unit = RowInput;
    const REPEAT_UNKNOWN: bool = false;

    fn take_units(&mut self) -> Vec<RowInput> {
        std::mem::take(&mut self.body_mut().rows)
    }

    fn put_units(&mut self, units: Vec<RowInput>) {
        self.body_mut().rows = units;
    }

    fn confirmed_ids(output: &AppendRowsResult, sent: &[RowInput]) -> Option<Vec<String>> {
        let confirmed = usize::try_from(output.inserted_row_count).ok() == Some(sent.len())
            && output.row_ids.len() == sent.len();
        confirmed.then(|| output.row_ids.iter().map(|r| r.id.clone()).collect())
    }

    fn cells(unit: &RowInput) -> Option<&Map<String, Value>> {
        Some(unit)
    }

    fn table(&self) -> &str {
        &self.body().table_name
    }

    fn base(&self) -> &'a BaseClient {
        self.client()
    }
}

impl<'a> Recoverable<'a> for UpdateRows<'a> {
    type Unit = RowUpdate;
    const REPEAT_UNKNOWN: bool = true;

    fn take_units(&mut self) -> Vec<RowUpdate> {
        std::mem::take(&mut self.body_mut().updates)
    }

    fn put_units(&mut self, units: Vec<RowUpdate>) {
        self.body_mut().updates = units;
    }

    fn confirmed_ids(output: &SuccessResult, sent: &[RowUpdate]) -> Option<Vec<String>> {
        output
            .success
            .then(|| sent.iter().map(|u| u.row_id.clone()).collect())
    }

    fn cells(unit: &RowUpdate) -> Option<&Map<String, Value>> {
        Some(&unit.row)
    }

    fn table(&self) -> &str {
        &self.body().table_name
    }

    fn base(&self) -> &'a BaseClient {
        self.client()
    }
}

impl<'a> Recoverable<'a> for DeleteRows<'a> {
    type Unit = String;
    const REPEAT_UNKNOWN: bool = true;

    fn take_units(&mut self) -> Vec<String> {
        std::mem::take(&mut self.body_mut().row_ids)
    }

    fn put_units(&mut self, units: Vec<String>) {
        self.body_mut().row_ids = units;
    }

    fn confirmed_ids(output: &DeleteRowsResult, sent: &[String]) -> Option<Vec<String>> {
        (output.success != Some(false)).then(|| sent.to_vec())
    }

    fn cells(_: &String) -> Option<&Map<String, Value>> {
        None
    }

    fn table(&self) -> &str {
        &self.body().table_name
    }

    fn base(&self) -> &'a BaseClient {
        self.client()
    }
}

type Progress<'a> = Box<dyn FnMut(Range<usize>, &[String]) + Send + 'a>;

/// A batched row write that keeps going after a failed chunk. `.await` it (or call
/// [`send`](KeepGoing::send)): `Ok` with the report when every row was written, else the
/// first failure (in input order) with the same report in [`Error::batch`].
///
/// What happens to a chunk, by outcome:
/// - answered and confirmed: committed, with the row ids of the answer;
/// - certainly not applied and worth another try (a refused connection, a 503, a 429 past
///   the retry policy's budget): sent again, at most [`max_repeats`](Self::max_repeats)
///   times;
/// - refused for good (400, 401, 403, 404): failed, not repeated; after a 401, 403 or 404
///   no further chunk is started, since each would meet the same answer;
/// - unknown (the connection broke after sending, a timeout, 500/502/504, a cut-off or
///   unconfirming answer): updates and deletes are sent again (repeating them changes
///   nothing); appends with a [`unique_key`](KeepGoing::unique_key) are looked up, the
///   rows found committed with the ids found and only the missing ones sent again;
///   appends without a key are failed with [`Applied::Maybe`] for the caller to check
///   (the README's "Recovering a batch" says how).
///
/// ```no_run
/// # async fn run(base: seatable_api::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
/// let report = base
///     .append_rows("Contacts", rows)
///     .batched()
///     .keep_going()
///     .unique_key("Email")
///     .await?;
/// println!("stored, first id {:?}", report.row_ids().first());
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited or sent"]
pub struct KeepGoing<'a, B: Recoverable<'a>> {
    request: B,
    concurrency: usize,
    max_repeats: u32,
    key_column: Option<String>,
    on_committed: Option<Progress<'a>>,
}

impl<'a, B: Recoverable<'a>> std::fmt::Debug for KeepGoing<'a, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeepGoing")
            .field("operation", &B::OPERATION)
            .field("concurrency", &self.concurrency)
            .field("max_repeats", &self.max_repeats)
            .field("key_column", &self.key_column)
            .field("on_committed", &self.on_committed.is_some())
            .finish()
    }
}

impl<'a, B: Recoverable<'a>> Batched<'a, B> {
    /// Keeps going after a failed chunk instead of stopping: see [`KeepGoing`]. The
    /// concurrency set so far carries over; a progress callback set with
    /// [`on_committed`](Batched::on_committed) keeps receiving the ranges.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, ids: Vec<String>) -> Result<(), seatable_api::Error> {
    /// let report = base.delete_rows("Table1", ids).batched().keep_going().await?;
    /// # Ok(()) }
    /// ```
    pub fn keep_going(self) -> KeepGoing<'a, B> {
        let (request, concurrency, progress) = self.into_parts();
        KeepGoing {
            request,
            concurrency,
            max_repeats: DEFAULT_MAX_REPEATS,
            key_column: None,
            on_committed: progress.map(|mut progress| {
                Box::new(move |range: Range<usize>, _: &[String]| progress(range)) as Progress<'a>
            }),
        }
    }
}

impl<'a> KeepGoing<'a, AppendRows<'a>> {
    /// Names the column whose value identifies a row: unique in the input (checked before
    /// anything is sent) and, for the rows to be found again, in the table. A chunk whose
    /// outcome is unknown is then looked up by its keys (one SQL request for up to 1000
    /// rows); the rows found count as stored, with the ids found, and only the missing ones
    /// are sent again. A key held by two rows of the table is reported, not guessed at.
    ///
    /// Without a key, such a chunk is reported as failed with [`Applied::Maybe`]; see the
    /// README's "Recovering a batch" for what to do with it.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
    /// base.append_rows("Contacts", rows).batched().keep_going().unique_key("Email").await?;
    /// # Ok(()) }
    /// ```
    pub fn unique_key(mut self, column: impl Into<String>) -> Self {
        self.key_column = Some(column.into());
        self
    }
}

impl<'a, B: Recoverable<'a>> KeepGoing<'a, B> {
    /// At most `n` chunks in flight at once (default: as set on the batch, else 1; 0
    /// counts as 1).
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, ids: Vec<String>) -> Result<(), seatable_api::Error> {
    /// base.delete_rows("Table1", ids).batched().keep_going().concurrency(2).await?;
    /// # Ok(()) }
    /// ```
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// How often a row is sent again at most after its first try (default 3); then it is
    /// reported as failed.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, ids: Vec<String>) -> Result<(), seatable_api::Error> {
    /// base.delete_rows("Table1", ids).batched().keep_going().max_repeats(1).await?;
    /// # Ok(()) }
    /// ```
    pub fn max_repeats(mut self, n: u32) -> Self {
        self.max_repeats = n;
        self
    }

    /// Calls `progress` with each input range as soon as it is known to be stored, and the
    /// ids of its rows in input order (for deletes and updates, the ids sent). Ranges come
    /// in the order they are confirmed, not in input order; every stored row is reported
    /// exactly once.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
    /// base.append_rows("Contacts", rows)
    ///     .batched()
    ///     .keep_going()
    ///     .on_committed(|range, ids| eprintln!("rows {range:?} stored as {} ids", ids.len()))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn on_committed(
        mut self,
        progress: impl FnMut(Range<usize>, &[String]) + Send + 'a,
    ) -> Self {
        self.on_committed = Some(Box::new(progress));
        self
    }

    /// Checks the whole input, sends it, and returns the report over all of it.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, ids: Vec<String>) -> Result<(), seatable_api::Error> {
    /// let report = base.delete_rows("Table1", ids).batched().keep_going().send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<BatchReport, Error> {
        let KeepGoing {
            mut request,
            concurrency,
            max_repeats,
            key_column,
            on_committed,
        } = self;
        let total = request.count();
        let units = request.take_units();
        // Keys first: a repeated key is found without a request.
        let lookup = match key_column {
            None => None,
            Some(column) => {
                quote_name(B::OPERATION, "table", request.table())?;
                quote_name(B::OPERATION, "key column", &column)?;
                let empty = Map::new();
                let cells = units.iter().map(|u| B::cells(u).unwrap_or(&empty));
                let keys = input_keys(B::OPERATION, &column, cells)?;
                Some(Lookup {
                    base: request.base(),
                    table: request.table().to_string(),
                    column,
                    keys,
                })
            }
        };
        if total > 0 {
            // `check` reads the units from the request; they go back out for it.
            request.put_units(units);
            request.check().await?;
        }
        let units = request.take_units();
        let mut run = Run {
            template: request,
            units,
            lookup,
            slots: vec![Slot::Pending; total],
            ids: vec![None; total],
            errors: Vec::new(),
            on_committed,
            repeated: 0,
            lookups: 0,
        };
        run.drive(concurrency, max_repeats).await;
        run.finish()
    }
}

impl<'a, B: Recoverable<'a>> IntoFuture for KeepGoing<'a, B> {
    type Output = Result<BatchReport, Error>;
    type IntoFuture = BoxFuture<'a, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The key column of an append and the key of every input row.
struct Lookup<'a> {
    base: &'a BaseClient,
    table: String,
    column: String,
    keys: Vec<KeyValue>,
}

/// What became of one input unit.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Slot {
    Pending,
    Committed,
    /// Failed with the error of this index in `Run::errors`.
    Failed(usize),
}

/// Input units sent together, and how often they have been sent again.
struct Job {
    indices: Vec<usize>,
    repeats: u32,
}

/// What one request (and the lookup after it, if any) found out.
enum Outcome {
    Committed(Vec<String>),
    /// Safe to send again.
    Repeat(Error),
    /// Not to be sent again; `stop` when no further chunk would fare better.
    Failed {
        error: Error,
        stop: bool,
    },
    /// The outcome was unknown, and the lookup found, per unit, the ids holding its key.
    Resolved {
        error: Error,
        found: Vec<Vec<String>>,
    },
}

struct Run<'a, B: Recoverable<'a>> {
    template: B,
    units: Vec<B::Unit>,
    lookup: Option<Lookup<'a>>,
    slots: Vec<Slot>,
    ids: Vec<Option<String>>,
    errors: Vec<Error>,
    on_committed: Option<Progress<'a>>,
    repeated: usize,
    lookups: usize,
}

impl<'a, B: Recoverable<'a>> Run<'a, B> {
    async fn drive(&mut self, concurrency: usize, max_repeats: u32) {
        let total = self.units.len();
        let mut queue: VecDeque<Job> = (0..total)
            .step_by(B::MAX.max(1))
            .map(|start| Job {
                indices: (start..(start + B::MAX.max(1)).min(total)).collect(),
                repeats: 0,
            })
            .collect();
        let mut in_flight = FuturesUnordered::new();
        let mut stopped = false;
        loop {
            while !stopped && in_flight.len() < concurrency {
                let Some(job) = queue.pop_front() else { break };
                in_flight.push(self.attempt(job));
            }
            let Some((job, outcome)) = in_flight.next().await else {
                break;
            };
            match outcome {
                Outcome::Committed(ids) => self.commit(&job.indices, ids),
                Outcome::Repeat(error) => {
                    if job.repeats < max_repeats {
                        self.repeated += 1;
                        queue.push_back(Job {
                            indices: job.indices,
                            repeats: job.repeats + 1,
                        });
                    } else {
                        self.fail(&job.indices, error);
                    }
                }
                Outcome::Failed { error, stop } => {
                    stopped |= stop;
                    self.fail(&job.indices, error);
                }
                Outcome::Resolved { error, found } => {
                    self.lookups += 1;
                    let mut stored = (Vec::new(), Vec::new());
                    let mut missing = Vec::new();
                    for (&i, ids) in job.indices.iter().zip(found) {
                        match ids.len() {
                            0 => missing.push(i),
                            1 => {
                                stored.0.push(i);
                                stored.1.extend(ids);
                            }
                            _ => self.conflict(i, &ids),
                        }
                    }
                    self.commit(&stored.0, stored.1);
                    if missing.is_empty() {
                        continue;
                    }
                    if job.repeats < max_repeats {
                        self.repeated += 1;
                        queue.push_back(Job {
                            indices: missing,
                            repeats: job.repeats + 1,
                        });
                    } else {
                        self.fail(&missing, error);
                    }
                }
            }
        }
    }

    /// Sends the units of `job` and judges the answer; for an unknown outcome of an
    /// append with a key, looks the keys up.
    fn attempt(&self, job: Job) -> BoxFuture<'a, (Job, Outcome)> {
        let sent: Vec<B::Unit> = job.indices.iter().map(|&i| self.units[i].clone()).collect();
        let mut request = self.template.clone();
        request.put_units(sent.clone());
        let lookup = self.lookup.as_ref().map(|l| {
            let keys: Vec<KeyValue> = job.indices.iter().map(|&i| l.keys[i].clone()).collect();
            (l.base, l.table.clone(), l.column.clone(), keys)
        });
        Box::pin(async move {
            let unknown = match request.send_chunk().await {
                Ok(output) => match B::confirmed_ids(&output, &sent) {
                    Some(ids) => return (job, Outcome::Committed(ids)),
                    None => Error::new(ErrorKind::Decode, "the answer did not confirm the write")
                        .with_operation(B::OPERATION)
                        .with_applied(Applied::Maybe),
                },
                Err(e) => match e.applied() {
                    Applied::No if e.is_retryable() => return (job, Outcome::Repeat(e)),
                    Applied::No => {
                        let stop = matches!(e.status(), Some(401 | 403 | 404));
                        return (job, Outcome::Failed { error: e, stop });
                    }
                    Applied::Maybe | Applied::Yes => e,
                },
            };
            if B::REPEAT_UNKNOWN {
                return (job, Outcome::Repeat(unknown));
            }
            let Some((base, table, column, keys)) = lookup else {
                return (
                    job,
                    Outcome::Failed {
                        error: unknown,
                        stop: false,
                    },
                );
            };
            let outcome = match find_rows(base, &table, &column, &keys).await {
                Ok(found) => Outcome::Resolved {
                    error: unknown,
                    found,
                },
                // The lookup is a read, repeated by the transport already; what is left is
                // the unknown outcome, with the reason it stayed unknown.
                Err(e) => Outcome::Failed {
                    error: unknown.with_note(format!("looking its keys up failed: {e}")),
                    stop: false,
                },
            };
            (job, outcome)
        })
    }

    /// Marks `indices` (ascending) stored with `ids`, and reports each run of consecutive
    /// indices to the progress callback.
    fn commit(&mut self, indices: &[usize], ids: Vec<String>) {
        for (&i, id) in indices.iter().zip(&ids) {
            self.slots[i] = Slot::Committed;
            self.ids[i] = Some(id.clone());
        }
        let Some(progress) = self.on_committed.as_mut() else {
            return;
        };
        let mut start = 0;
        while start < indices.len() {
            let mut end = start + 1;
            while end < indices.len() && indices[end] == indices[end - 1] + 1 {
                end += 1;
            }
            progress(indices[start]..indices[end - 1] + 1, &ids[start..end]);
            start = end;
        }
    }

    fn fail(&mut self, indices: &[usize], error: Error) {
        let n = self.errors.len();
        self.errors.push(error);
        for &i in indices {
            self.slots[i] = Slot::Failed(n);
        }
    }

    /// Unit `i`'s key is held by several rows of the table: it is stored (at least once),
    /// but which row is its own cannot be told.
    fn conflict(&mut self, i: usize, ids: &[String]) {
        let Some(lookup) = &self.lookup else { return };
        let error = Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "the key {} of row {i} is held by {} rows of `{}` ({}): `{}` is not unique \
                 in the table, so the row was not sent again",
                lookup.keys[i],
                ids.len(),
                lookup.table,
                ids.join(", "),
                lookup.column
            ),
        )
        .with_operation(B::OPERATION)
        .with_applied(Applied::Maybe);
        self.fail(&[i], error);
    }

    fn finish(self) -> Result<BatchReport, Error> {
        let mut committed = Vec::new();
        let mut not_sent = Vec::new();
        let mut failed: Vec<FailedChunk> = Vec::new();
        let mut first_failure = None;
        let mut open: Option<(usize, Range<usize>)> = None;
        let close = |open: &mut Option<(usize, Range<usize>)>, failed: &mut Vec<FailedChunk>| {
            if let Some((n, range)) = open.take() {
                let e: &Error = &self.errors[n];
                failed.push(FailedChunk {
                    range,
                    applied: e.applied(),
                    status: e.status(),
                    message: e.to_string(),
                });
            }
        };
        for (i, slot) in self.slots.iter().enumerate() {
            match *slot {
                Slot::Failed(n) => {
                    first_failure.get_or_insert(n);
                    match &mut open {
                        Some((m, range)) if *m == n && range.end == i => range.end = i + 1,
                        _ => {
                            close(&mut open, &mut failed);
                            open = Some((n, i..i + 1));
                        }
                    }
                    continue;
                }
                Slot::Committed => push_range(&mut committed, i..i + 1),
                Slot::Pending => push_range(&mut not_sent, i..i + 1),
            }
            close(&mut open, &mut failed);
        }
        close(&mut open, &mut failed);
        let report = BatchReport::kept_going(
            B::FIELD,
            B::UNIT,
            self.slots.len(),
            committed,
            failed,
            not_sent,
            self.ids,
            self.repeated,
            self.lookups,
        );
        let Some(n) = first_failure else {
            return Ok(report);
        };
        let mut errors = self.errors;
        Err(errors.swap_remove(n).with_batch(report))
    }
}
