//! What a batch did with each part of its input: the report an error of a batched call
//! carries ([`Error::batch`](crate::Error::batch)), and what a batch that kept going returns.

use std::fmt;
use std::ops::Range;

use crate::transport::applied::Applied;

/// What happened to each part of a batched input that failed: reachable from the error
/// with [`Error::batch`](crate::Error::batch). Ranges index the input as given (a map's entries in key order).
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
    pub(crate) field: &'static str,
    pub(crate) unit: &'static str,
    pub(crate) total: usize,
    pub(crate) committed: Vec<Range<usize>>,
    pub(crate) failed: Vec<FailedChunk>,
    pub(crate) not_sent: Vec<Range<usize>>,
    /// Per input index, the id of the row it stored; empty unless the batch kept going.
    pub(crate) row_ids: Vec<Option<String>>,
    pub(crate) repeated: usize,
    pub(crate) lookups: usize,
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

    /// A report of the units `0..failure.range.end`, all refused with `failure` before any
    /// was sent.
    #[cfg_attr(not(feature = "base"), allow(dead_code))]
    pub(crate) fn refused(failure: FailedChunk) -> BatchReport {
        let total = failure.range.end;
        BatchReport {
            field: "rows",
            unit: "items",
            total,
            committed: Vec::new(),
            failed: vec![failure],
            not_sent: Vec::new(),
            row_ids: vec![None; total],
            repeated: 0,
            lookups: 0,
        }
    }

    /// For a batch that kept going ([`Batched::keep_going`](crate::Batched::keep_going)): the id of the row each input
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

/// Adds `range` to `ranges`, merged with the last one when they touch.
pub(crate) fn push_range(ranges: &mut Vec<Range<usize>>, range: Range<usize>) {
    match ranges.last_mut() {
        Some(last) if last.end == range.start => last.end = range.end,
        _ => ranges.push(range),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touching_ranges_merge() {
        let mut ranges = Vec::new();
        push_range(&mut ranges, 0..10);
        push_range(&mut ranges, 10..20);
        push_range(&mut ranges, 30..40);
        assert_eq!(ranges, [0..20, 30..40]);
    }
}
