//! Batching: the `batched()` of every operation with `x-batch`. The body array (or map)
//! the spec names is split into chunks of at most the spec's maximum, the chunks are sent
//! in order with at most `concurrency` in flight, and a failure is reported with the exact
//! input ranges that were committed, failed or never sent.
//!
//! A plain send of more than the maximum is refused before sending ([`fits`]), so an input
//! that is too large never goes out half-checked.

use std::collections::BTreeMap;
use std::fmt;
use std::future::IntoFuture;
use std::ops::Range;

use futures_util::stream::FuturesUnordered;
use futures_util::StreamExt;

use crate::transport::error::{Applied, Error, ErrorKind};
use crate::transport::request::BoxFuture;

/// A body value that can be cut into chunks: an array by items, a map by entries (in key
/// order).
pub trait Chunks: Default + Sized {
    /// What one unit is called in messages (`items`, `entries`).
    const UNIT: &'static str;

    /// How many units it holds.
    fn count(&self) -> usize;

    /// Consecutive chunks of at most `max` units, in order; none for an empty value.
    fn split(self, max: usize) -> Vec<Self>;
}

impl<T> Chunks for Vec<T> {
    const UNIT: &'static str = "items";

    fn count(&self) -> usize {
        self.len()
    }

    fn split(self, max: usize) -> Vec<Self> {
        let mut out = Vec::with_capacity(self.len().div_ceil(max.max(1)));
        let mut items = self.into_iter().peekable();
        while items.peek().is_some() {
            out.push(items.by_ref().take(max.max(1)).collect());
        }
        out
    }
}

impl<V> Chunks for BTreeMap<String, V> {
    const UNIT: &'static str = "entries";

    fn count(&self) -> usize {
        self.len()
    }

    fn split(self, max: usize) -> Vec<Self> {
        let mut out = Vec::new();
        let mut entries = self.into_iter().peekable();
        while entries.peek().is_some() {
            out.push(entries.by_ref().take(max.max(1)).collect());
        }
        out
    }
}

impl Chunks for serde_json::Map<String, serde_json::Value> {
    const UNIT: &'static str = "entries";

    fn count(&self) -> usize {
        self.len()
    }

    fn split(self, max: usize) -> Vec<Self> {
        let mut out = Vec::new();
        let mut entries = self.into_iter().peekable();
        while entries.peek().is_some() {
            out.push(entries.by_ref().take(max.max(1)).collect());
        }
        out
    }
}

/// The check generated into the plain `send` of an `x-batch` operation: more than `max`
/// units in `field` is an error naming all four, before anything is sent.
///
/// ```no_run
/// use seatable_api::__private::batch::fits;
/// let rows = vec![serde_json::Map::new(); 2500];
/// let e = fits("appendRows", "rows", &rows, 1000).unwrap_err();
/// assert_eq!(e.kind(), seatable_api::ErrorKind::InvalidArgument);
/// ```
pub fn fits<C: Chunks>(operation: &str, field: &str, value: &C, max: usize) -> Result<(), Error> {
    let count = value.count();
    if count <= max {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "`{field}` holds {count} {unit}, more than the {max} one request takes; nothing was \
             sent. Send it with `.batched()`, which splits it into requests of at most {max}",
            unit = C::UNIT
        ),
    )
    .with_operation(operation))
}

/// A generated request builder whose body `x-batch` lets the runtime chunk. Implemented by
/// the generated code only.
pub trait Batch<'a>: Sized + Send + 'a {
    /// The answer to one request.
    type Output: Send + 'a;
    /// The client the request is sent with.
    type Client: Sync + 'a;
    /// The request body, which holds the chunked field.
    type Body: Send + 'a;
    /// The operationId, for errors.
    const OPERATION: &'static str;
    /// The chunked body property, as on the wire.
    const FIELD: &'static str;
    /// What one unit of it is called (`items`, `entries`).
    const UNIT: &'static str;
    /// The most units one request takes.
    const MAX: usize;

    /// How many units the body holds.
    fn count(&self) -> usize;

    /// The client the request goes out with.
    fn client(&self) -> &'a Self::Client;

    /// The request body.
    fn body(&self) -> &Self::Body;

    /// The request body, to change: the keep-going runtime puts into it the units it sends
    /// again.
    fn body_mut(&mut self) -> &mut Self::Body;

    /// What the plain send checks before sending (`x-check-rows`), for the whole input.
    fn check(&self) -> BoxFuture<'_, Result<(), Error>>;

    /// The request split into requests of at most [`MAX`](Batch::MAX) units, in order.
    fn split(self) -> Vec<Self>;

    /// Sends one chunk, without the checks of [`check`](Batch::check).
    fn send_chunk(self) -> BoxFuture<'a, Result<Self::Output, Error>>;
}

/// What [`Batched::on_committed`] calls.
pub(crate) type RangeProgress<'a> = Box<dyn FnMut(Range<usize>) + Send + 'a>;

/// A request whose input may exceed the server's per-request maximum, sent in chunks:
/// what `batched()` returns. `.await` it (or call [`send`](Batched::send)) for one answer
/// per chunk, in input order.
///
/// The whole input is checked first (`x-check-rows`), so a bad row near the end stops the
/// batch before anything is written. The chunks are not one transaction: after the first
/// failure no new chunk is started, chunks already in flight finish, and the error's
/// [`batch`](crate::Error::batch) report says which input ranges were committed, which
/// failed (and whether they may have been applied) and which were never sent. An empty
/// input sends nothing.
///
/// ```no_run
/// # async fn run(base: seatable_api::BaseClient, rows: Vec<seatable_api::types::RowInput>) {
/// match base.append_rows("Table1", rows).batched().concurrency(2).await {
///     Ok(answers) => println!("{} requests", answers.len()),
///     Err(e) => match e.batch() {
///         Some(report) => println!("committed {:?}, not sent {:?}", report.committed(), report.not_sent()),
///         None => println!("nothing was sent: {e}"),
///     },
/// }
/// # }
/// ```
#[must_use = "a request does nothing until it is awaited or sent"]
pub struct Batched<'a, B: Batch<'a>> {
    request: B,
    concurrency: usize,
    on_committed: Option<RangeProgress<'a>>,
    lifetime: std::marker::PhantomData<&'a ()>,
}

impl<'a, B: Batch<'a>> fmt::Debug for Batched<'a, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batched")
            .field("operation", &B::OPERATION)
            .field("concurrency", &self.concurrency)
            .field("on_committed", &self.on_committed.is_some())
            .finish()
    }
}

impl<'a, B: Batch<'a>> Batched<'a, B> {
    /// Wraps a generated request; generated `batched()` methods call this.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) {
    /// let batch = seatable_api::Batched::new(base.delete_rows("Table1", ["id1", "id2"]));
    /// # }
    /// ```
    pub fn new(request: B) -> Self {
        Batched {
            request,
            concurrency: 1,
            on_committed: None,
            lifetime: std::marker::PhantomData,
        }
    }

    /// Calls `progress` with the input range of each chunk as soon as the server has
    /// committed it (in the order answers arrive, which with a concurrency above 1 need
    /// not be input order): the place to advance a progress bar.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
    /// let total = rows.len();
    /// let mut done = 0;
    /// base.append_rows("Table1", rows)
    ///     .batched()
    ///     .on_committed(move |range| {
    ///         done += range.len();
    ///         eprintln!("{done} of {total} rows stored");
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn on_committed(mut self, progress: impl FnMut(Range<usize>) + Send + 'a) -> Self {
        self.on_committed = Some(Box::new(progress));
        self
    }

    /// At most `n` chunks in flight at once (default 1: one after the other; 0 counts as
    /// 1). SeaTable limits requests per minute per base, so more rarely helps much.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, ids: Vec<String>) -> Result<(), seatable_api::Error> {
    /// base.delete_rows("Table1", ids).batched().concurrency(4).await?;
    /// # Ok(()) }
    /// ```
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The request, the concurrency and the progress callback, for the keep-going mode.
    #[cfg_attr(not(feature = "base"), allow(dead_code))]
    pub(crate) fn into_parts(self) -> (B, usize, Option<RangeProgress<'a>>) {
        (self.request, self.concurrency, self.on_committed)
    }

    /// Checks the whole input, sends the chunks and returns their answers in input order.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, ids: Vec<String>) -> Result<(), seatable_api::Error> {
    /// let answers = base.delete_rows("Table1", ids).batched().send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(mut self) -> Result<Vec<B::Output>, Error> {
        if self.request.count() == 0 {
            return Ok(Vec::new());
        }
        self.request.check().await?;
        let chunks = self.request.split();
        let mut ranges = Vec::with_capacity(chunks.len());
        let mut start = 0;
        for chunk in &chunks {
            let end = start + chunk.count();
            ranges.push(start..end);
            start = end;
        }
        let total = start;

        let mut answers: Vec<Option<Result<B::Output, Error>>> =
            std::iter::repeat_with(|| None).take(chunks.len()).collect();
        let mut waiting = chunks.into_iter().enumerate();
        let mut in_flight = FuturesUnordered::new();
        let mut failed = false;
        loop {
            while !failed && in_flight.len() < self.concurrency {
                let Some((i, chunk)) = waiting.next() else {
                    break;
                };
                in_flight.push(async move { (i, chunk.send_chunk().await) });
            }
            let Some((i, answer)) = in_flight.next().await else {
                break;
            };
            failed |= answer.is_err();
            if let (Ok(_), Some(progress)) = (&answer, self.on_committed.as_mut()) {
                progress(ranges[i].clone());
            }
            answers[i] = Some(answer);
        }

        let mut report = BatchReport {
            field: B::FIELD,
            unit: B::UNIT,
            total,
            committed: Vec::new(),
            failed: Vec::new(),
            not_sent: Vec::new(),
            row_ids: Vec::new(),
            repeated: 0,
            lookups: 0,
        };
        let mut outputs = Vec::with_capacity(answers.len());
        let mut first_error = None;
        for (answer, range) in answers.into_iter().zip(ranges) {
            match answer {
                Some(Ok(output)) => {
                    push_range(&mut report.committed, range);
                    outputs.push(output);
                }
                Some(Err(e)) => {
                    report.failed.push(FailedChunk {
                        range,
                        applied: e.applied(),
                        status: e.status(),
                        message: e.to_string(),
                    });
                    first_error.get_or_insert(e);
                }
                None => push_range(&mut report.not_sent, range),
            }
        }
        match first_error {
            None => Ok(outputs),
            Some(e) => Err(e.with_batch(report)),
        }
    }
}

/// Adds `range` to `ranges`, merged with the last one when they touch.
pub(crate) fn push_range(ranges: &mut Vec<Range<usize>>, range: Range<usize>) {
    match ranges.last_mut() {
        Some(last) if last.end == range.start => last.end = range.end,
        _ => ranges.push(range),
    }
}

impl<'a, B: Batch<'a>> IntoFuture for Batched<'a, B> {
    type Output = Result<Vec<B::Output>, Error>;
    type IntoFuture = BoxFuture<'a, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// What happened to each part of a batched input that failed: reachable from the error
/// with [`Error::batch`]. Ranges index the input as given (a map's entries in key order).
///
/// ```no_run
/// # async fn run(base: seatable_api::BaseClient, rows: Vec<seatable_api::types::RowInput>) {
/// if let Err(e) = base.append_rows("Table1", rows).batched().await {
///     if let Some(report) = e.batch() {
///         for range in report.committed() {
///             println!("rows {range:?} are stored");
///         }
///     }
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchReport {
    field: &'static str,
    unit: &'static str,
    total: usize,
    committed: Vec<Range<usize>>,
    failed: Vec<FailedChunk>,
    not_sent: Vec<Range<usize>>,
    /// Per input index, the id of the row it stored; empty unless the batch kept going.
    row_ids: Vec<Option<String>>,
    repeated: usize,
    lookups: usize,
}

/// One chunk of a batch whose request failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailedChunk {
    /// The input indices the chunk held.
    pub range: Range<usize>,
    /// Whether its request may have changed data anyway.
    pub applied: Applied,
    /// The HTTP status of the answer, if one came.
    pub status: Option<u16>,
    /// The error of that request, as text.
    pub message: String,
}

impl FailedChunk {
    /// A chunk answered with success whose answer does not confirm the write.
    // Only the batched operations of `base` report these.
    #[cfg_attr(not(feature = "base"), allow(dead_code))]
    pub(crate) fn unconfirmed(range: Range<usize>) -> FailedChunk {
        FailedChunk {
            range,
            applied: Applied::Maybe,
            status: None,
            message: "the answer did not confirm the write".to_string(),
        }
    }
}

impl BatchReport {
    /// A report of an input of `total` units in `field`, for failures found after all
    /// chunks were answered (an answer that does not confirm, say).
    // Only the batched operations of `base` report these.
    #[cfg_attr(not(feature = "base"), allow(dead_code))]
    pub(crate) fn after_answers(
        field: &'static str,
        unit: &'static str,
        total: usize,
        committed: Vec<Range<usize>>,
        failed: Vec<FailedChunk>,
    ) -> BatchReport {
        BatchReport {
            field,
            unit,
            total,
            committed,
            failed,
            not_sent: Vec::new(),
            row_ids: Vec::new(),
            repeated: 0,
            lookups: 0,
        }
    }

    /// The report of a batch that kept going: every input index accounted for, with the
    /// id of each stored row.
    #[allow(clippy::too_many_arguments)]
    #[cfg_attr(not(feature = "base"), allow(dead_code))]
    pub(crate) fn kept_going(
        field: &'static str,
        unit: &'static str,
        total: usize,
        committed: Vec<Range<usize>>,
        failed: Vec<FailedChunk>,
        not_sent: Vec<Range<usize>>,
        row_ids: Vec<Option<String>>,
        repeated: usize,
        lookups: usize,
    ) -> BatchReport {
        BatchReport {
            field,
            unit,
            total,
            committed,
            failed,
            not_sent,
            row_ids,
            repeated,
            lookups,
        }
    }

    /// A report of `total` units all refused with `error` before any was sent.
    #[cfg_attr(not(feature = "base"), allow(dead_code))]
    pub(crate) fn refused(total: usize, error: &Error) -> BatchReport {
        BatchReport {
            field: "rows",
            unit: "items",
            total,
            committed: Vec::new(),
            failed: vec![FailedChunk {
                range: 0..total,
                applied: error.applied(),
                status: error.status(),
                message: error.to_string(),
            }],
            not_sent: Vec::new(),
            row_ids: vec![None; total],
            repeated: 0,
            lookups: 0,
        }
    }

    /// For a batch that kept going ([`Batched::keep_going`]): the id of the row each input
    /// index stored, in input order, `None` where it stored none (failed or not sent). For
    /// updates and deletes these are the ids sent. Empty for a batch that stopped at its
    /// first failure.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient, rows: Vec<seatable_api::types::RowInput>) -> Result<(), seatable_api::Error> {
    /// let report = base.append_rows("Table1", rows).batched().keep_going().await?;
    /// let ids: Vec<&str> = report.row_ids().iter().flatten().map(String::as_str).collect();
    /// # Ok(()) }
    /// ```
    pub fn row_ids(&self) -> &[Option<String>] {
        &self.row_ids
    }

    /// How many times a batch that kept going sent rows again (a chunk, or the missing
    /// rows of one).
    ///
    /// ```no_run
    /// # fn run(report: seatable_api::BatchReport) {
    /// println!("{} requests sent again", report.repeated());
    /// # }
    /// ```
    pub fn repeated(&self) -> usize {
        self.repeated
    }

    /// How many key lookups (SQL requests) resolved chunks whose outcome was unknown.
    ///
    /// ```no_run
    /// # fn run(report: seatable_api::BatchReport) {
    /// println!("{} chunks looked up", report.lookups());
    /// # }
    /// ```
    pub fn lookups(&self) -> usize {
        self.lookups
    }

    /// Whether every unit of the input was committed.
    ///
    /// ```no_run
    /// # fn run(report: seatable_api::BatchReport) {
    /// assert!(report.is_complete());
    /// # }
    /// ```
    pub fn is_complete(&self) -> bool {
        self.committed.iter().map(|r| r.len()).sum::<usize>() == self.total
    }

    /// The input ranges whose requests were answered with success: stored.
    ///
    /// ```no_run
    /// # fn run(e: seatable_api::Error) {
    /// let stored = e.batch().map_or(0, |r| r.committed().iter().map(|r| r.len()).sum());
    /// # }
    /// ```
    pub fn committed(&self) -> &[Range<usize>] {
        &self.committed
    }

    /// The chunks whose requests failed, with whether each may have been applied.
    ///
    /// ```no_run
    /// use seatable_api::Applied;
    /// # fn run(e: seatable_api::Error) {
    /// for chunk in e.batch().map(|r| r.failed()).unwrap_or_default() {
    ///     if chunk.applied == Applied::Maybe {
    ///         println!("look at {:?} before sending it again", chunk.range);
    ///     }
    /// }
    /// # }
    /// ```
    pub fn failed(&self) -> &[FailedChunk] {
        &self.failed
    }

    /// The input ranges never sent, because an earlier chunk failed: safe to send again.
    ///
    /// ```no_run
    /// # fn run(e: seatable_api::Error) {
    /// let retry: Vec<std::ops::Range<usize>> = e.batch().map(|r| r.not_sent().to_vec()).unwrap_or_default();
    /// # }
    /// ```
    pub fn not_sent(&self) -> &[Range<usize>] {
        &self.not_sent
    }

    /// How many units the whole input held.
    ///
    /// ```no_run
    /// # fn run(e: seatable_api::Error) {
    /// let total = e.batch().map_or(0, |r| r.total());
    /// # }
    /// ```
    pub fn total(&self) -> usize {
        self.total
    }

    /// Whether any part of the batch may have changed data: [`Applied::Yes`] when a chunk
    /// was committed, else the most a failed chunk may have done.
    pub(crate) fn applied(&self) -> Applied {
        if !self.committed.is_empty() {
            return Applied::Yes;
        }
        let any = |a: Applied| self.failed.iter().any(|f| f.applied == a);
        if any(Applied::Yes) {
            Applied::Yes
        } else if any(Applied::Maybe) {
            Applied::Maybe
        } else {
            Applied::No
        }
    }
}

/// Ranges or failed chunks shown in a report's text; the rest are counted. A batch that
/// kept going can fail every second row, and its error should stay readable.
const SHOWN: usize = 10;

fn list(ranges: &[Range<usize>]) -> String {
    let mut parts: Vec<String> = ranges
        .iter()
        .take(SHOWN)
        .map(|r| format!("{}..{}", r.start, r.end))
        .collect();
    if ranges.len() > SHOWN {
        parts.push(format!("… {} more", ranges.len() - SHOWN));
    }
    parts.join(", ")
}

impl fmt::Display for BatchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "batch of {} {} of `{}`:",
            self.total, self.unit, self.field
        )?;
        let mut parts = Vec::new();
        if !self.committed.is_empty() {
            parts.push(format!("committed {}", list(&self.committed)));
        }
        for chunk in self.failed.iter().take(SHOWN) {
            let applied = match chunk.applied {
                Applied::No => "not applied",
                Applied::Maybe => "may have been applied",
                Applied::Yes => "applied, answer unreadable",
            };
            parts.push(format!(
                "failed {}..{} ({applied})",
                chunk.range.start, chunk.range.end
            ));
        }
        if self.failed.len() > SHOWN {
            parts.push(format!("{} more failed ranges", self.failed.len() - SHOWN));
        }
        if !self.not_sent.is_empty() {
            parts.push(format!("not sent {}", list(&self.not_sent)));
        }
        write!(f, " {}", parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_and_maps_split_in_order() {
        let sizes: Vec<usize> = (0..2501)
            .collect::<Vec<u32>>()
            .split(1000)
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, [1000, 1000, 501]);
        assert!(Vec::<u8>::new().split(10).is_empty());
        let map: BTreeMap<String, u8> = (0..5).map(|i| (format!("k{i}"), i)).collect();
        let parts = map.split(2);
        let keys: Vec<Vec<&str>> = parts
            .iter()
            .map(|p| p.keys().map(String::as_str).collect())
            .collect();
        assert_eq!(keys, [vec!["k0", "k1"], vec!["k2", "k3"], vec!["k4"]]);
    }

    #[test]
    fn touching_ranges_merge() {
        let mut ranges = Vec::new();
        push_range(&mut ranges, 0..10);
        push_range(&mut ranges, 10..20);
        push_range(&mut ranges, 30..40);
        assert_eq!(ranges, [0..20, 30..40]);
    }

    #[test]
    fn too_many_names_operation_field_count_and_limit() {
        let e = fits("deleteRows", "row_ids", &vec![0u8; 10001], 10000).unwrap_err();
        assert_eq!(e.applied(), Applied::No);
        assert_eq!(
            e.to_string(),
            "deleteRows: `row_ids` holds 10001 items, more than the 10000 one request takes; \
             nothing was sent. Send it with `.batched()`, which splits it into requests of at \
             most 10000"
        );
        assert!(fits("deleteRows", "row_ids", &vec![0u8; 10000], 10000).is_ok());
    }
}
