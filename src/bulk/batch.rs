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

use crate::bulk::report::{push_range, BatchReport, FailedChunk};
use crate::transport::error::{Error, ErrorKind};
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

impl<'a, B: Batch<'a>> IntoFuture for Batched<'a, B> {
    type Output = Result<Vec<B::Output>, Error>;
    type IntoFuture = BoxFuture<'a, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::applied::Applied;

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
