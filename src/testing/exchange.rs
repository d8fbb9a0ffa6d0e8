//! The exchange log of [`MockSeaTable`](super::MockSeaTable): each request with what
//! became of it, the newest few thousand kept.

use std::collections::VecDeque;
use std::time::Instant;

use serde_json::Value;

use super::Fault;
use crate::server::Operation;

/// How many exchanges the log keeps by default. A test reads tens to hundreds (the
/// 20,000-row imports of this crate's own tests make under 100 requests); a long run (a
/// benchmark, a `seatable-mock` serving for hours) would otherwise keep every request
/// and answer body in memory, up to a megabyte each for a page of rows. 4096 is far above
/// what a test reads and bounds the log to a few hundred megabytes at worst, a few
/// megabytes for ordinary requests.
pub(crate) const DEFAULT_LOG_CAPACITY: usize = 4096;

/// One request the mock received, and what became of it.
///
/// ```no_run
/// # fn run(mock: &seatable_api::testing::MockSeaTable) {
/// for exchange in mock.requests() {
///     println!("{} {} -> {} ({:?})", exchange.method, exchange.path, exchange.status, exchange.delivery);
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// The operation the request was routed to; `None` for paths the spec does not
    /// describe (such as the download of a file link).
    pub operation: Option<Operation>,
    /// The HTTP method (`GET`).
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, without `?`, when there was one.
    pub query: Option<String>,
    /// The request headers, names in lower case.
    pub request_headers: Vec<(String, String)>,
    /// The request body.
    pub request_body: Vec<u8>,
    /// The answer's status; 0 while the answer is [`Pending`](Delivery::Pending) and when
    /// the connection was [`Reset`](Delivery::Reset) without one.
    pub status: u16,
    /// The answer's headers, names in lower case.
    pub response_headers: Vec<(String, String)>,
    /// The answer's whole body (also when only part of it was sent).
    pub response_body: Vec<u8>,
    /// Whether the request was handled as SeaTable would (a write applied); false when a
    /// fault answered or dropped it instead.
    pub processed: bool,
    /// What the client was sent.
    pub delivery: Delivery,
    /// The injected fault that fired on this request, if any.
    pub fault: Option<Fault>,
    /// Which connection the request came on, numbered from 0 in accept order.
    pub connection: u64,
    /// When the request had been read.
    pub received_at: Instant,
    /// When the server was done with it (answer handed over, connection reset, client
    /// gone); `None` while pending.
    pub finished_at: Option<Instant>,
}

/// What a client was sent for one request.
///
/// ```no_run
/// # fn run(mock: &seatable_api::testing::MockSeaTable) {
/// use seatable_api::testing::Delivery;
/// let resets = mock.requests().iter().filter(|e| e.delivery == Delivery::Reset).count();
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// Not answered yet: being processed or delayed.
    Pending,
    /// The whole answer (possibly slowly, see [`Fault::trickle`]).
    Whole,
    /// The connection was reset without an answer.
    Reset,
    /// The head and part of the body were sent, then the connection was closed.
    Truncated,
    /// The client hung up (a timeout, say) before the answer was ready; a delayed
    /// request is still processed, as a real server would.
    Abandoned,
}

impl Exchange {
    /// The value of a response header, by case-insensitive name.
    ///
    /// ```no_run
    /// # fn run(exchange: &seatable_api::testing::Exchange) {
    /// println!("{:?}", exchange.response_header("x-ratelimit-remaining"));
    /// # }
    /// ```
    pub fn response_header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of a request header, by case-insensitive name.
    ///
    /// ```no_run
    /// # fn run(exchange: &seatable_api::testing::Exchange) {
    /// println!("{:?}", exchange.request_header("authorization"));
    /// # }
    /// ```
    pub fn request_header(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The response body as JSON, when it is JSON.
    ///
    /// ```no_run
    /// # fn run(exchange: &seatable_api::testing::Exchange) {
    /// if let Some(body) = exchange.response_json() { println!("{body}"); }
    /// # }
    /// ```
    pub fn response_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.response_body).ok()
    }

    /// The request body as JSON, when it is JSON.
    ///
    /// ```no_run
    /// # fn run(exchange: &seatable_api::testing::Exchange) {
    /// if let Some(body) = exchange.request_json() { println!("{body}"); }
    /// # }
    /// ```
    pub fn request_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.request_body).ok()
    }
}

/// The newest exchanges, each with a sequence number so that a pending one can be
/// completed after newer ones arrived (or after it was itself dropped from the log).
pub(crate) struct ExchangeLog {
    entries: VecDeque<(u64, Exchange)>,
    capacity: usize,
    next: u64,
}

impl ExchangeLog {
    pub fn new(capacity: usize) -> ExchangeLog {
        ExchangeLog {
            entries: VecDeque::new(),
            capacity,
            next: 0,
        }
    }

    /// Logs an exchange; its number, for [`update`](Self::update).
    pub fn push(&mut self, exchange: Exchange) -> u64 {
        let seq = self.next;
        self.next += 1;
        if self.capacity == 0 {
            return seq;
        }
        while self.entries.len() >= self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back((seq, exchange));
        seq
    }

    /// Changes exchange `seq`, when it is still in the log.
    pub fn update(&mut self, seq: u64, change: impl FnOnce(&mut Exchange)) {
        // Numbers grow along the deque, so a binary search finds it.
        let at = self.entries.partition_point(|(s, _)| *s < seq);
        if let Some((s, exchange)) = self.entries.get_mut(at) {
            if *s == seq {
                change(exchange);
            }
        }
    }

    pub fn all(&self) -> Vec<Exchange> {
        self.entries.iter().map(|(_, e)| e.clone()).collect()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}
