//! The one fault model of [`MockSeaTable`](super::MockSeaTable): what a [`Fault`] does to
//! the request it fires on, from another status to a connection cut mid-answer.

use std::time::Duration;

use crate::server::Operation;

/// A fault to inject with [`MockSeaTable::inject`](super::MockSeaTable::inject), for the
/// Nth request of one [`Operation`] (the first by default; see [`nth`](Fault::nth),
/// [`times`](Fault::times), [`always`](Fault::always)).
///
/// What it does, by constructor:
/// - [`status`](Fault::status): answers another status (with
///   [`with_header`](Fault::with_header) and [`with_json`](Fault::with_json) for the
///   answer's headers and body);
/// - [`delay`](Fault::delay): waits, then answers normally;
/// - [`reset`](Fault::reset): resets the connection (TCP RST) without an answer;
/// - [`truncated`](Fault::truncated): sends the real answer's head and half its body, then
///   closes the connection;
/// - [`trickle`](Fault::trickle): sends the real answer slowly, a few bytes at a time;
/// - [`expire_tokens`](Fault::expire_tokens): expires every Base-Token issued so far, then
///   answers normally (so this request, if it has a Base-Token, gets 403 `Token expired.`);
/// - [`refuse_connections`](Fault::refuse_connections) and
///   [`close_connections`](Fault::close_connections): resets this request's connection and
///   turns every connection away for a while.
///
/// By default a fault acts *instead of* processing the request: nothing is written.
/// [`after_processing`](Fault::after_processing) processes the request first (a write is
/// applied), then acts. [`truncated`](Fault::truncated), [`trickle`](Fault::trickle),
/// [`delay`](Fault::delay) and [`expire_tokens`](Fault::expire_tokens) always process it.
///
/// ```no_run
/// use std::time::Duration;
/// use seatable_api::testing::{Fault, Operation};
/// // The second append answers 503 without storing anything.
/// let fault = Fault::status(Operation::AppendRows, 503).nth(2);
/// // The first update is applied, but its connection is reset before the answer.
/// let applied = Fault::reset(Operation::UpdateRows).after_processing();
/// // Every metadata read waits a second first.
/// let slow = Fault::delay(Operation::GetMetadata, Duration::from_secs(1)).always();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub(crate) operation: Operation,
    pub(crate) first: usize,
    pub(crate) times: Option<usize>,
    pub(crate) action: Action,
    pub(crate) process_first: bool,
    pub(crate) delay: Option<Duration>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Vec<u8>>,
}

/// What a fault does once its turn has come (and, with `process_first`, the request has
/// been processed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Answer this status instead of the real answer.
    Status(u16),
    /// The real answer (after the fault's delay, or its token expiry).
    Pass,
    /// Expire every Base-Token issued so far, then the real answer.
    ExpireTokens,
    /// Reset the connection unanswered.
    Reset,
    /// The real answer's head and half its body, then close.
    Truncate,
    /// The real answer, `chunk` bytes at a time with `pause` between them.
    Trickle { chunk: usize, pause: Duration },
    /// Reset the connection unanswered, and turn connections away for `duration`.
    Refuse { how: Refusal, duration: Duration },
}

/// How connections are turned away while a refusal lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The port is closed: connecting fails with "connection refused".
    Refuse,
    /// Connections are accepted and closed at once, before a byte is read.
    CloseOnAccept,
}

impl Fault {
    fn new(operation: Operation, action: Action) -> Fault {
        Fault {
            operation,
            first: 1,
            times: Some(1),
            action,
            process_first: false,
            delay: None,
            headers: Vec::new(),
            body: None,
        }
    }

    /// Answers `status` instead of processing the first matching request. The body is
    /// empty for 429 (as SeaTable's, with `x-ratelimit-*` headers allowing the next
    /// request a second later) and `{"error_message": "injected fault: <status>"}`
    /// otherwise.
    ///
    /// ```no_run
    /// let fault = seatable_api::testing::Fault::status(seatable_api::testing::Operation::ListRows, 429);
    /// ```
    pub fn status(operation: Operation, status: u16) -> Fault {
        Fault::new(operation, Action::Status(status))
    }

    /// Waits `delay`, then processes the first matching request normally. With
    /// [`after_processing`](Fault::after_processing) the request is processed at once (a
    /// write is applied even if the client gives up waiting) and the answer waits.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let fault = seatable_api::testing::Fault::delay(seatable_api::testing::Operation::ListRows, Duration::from_millis(200));
    /// ```
    pub fn delay(operation: Operation, delay: Duration) -> Fault {
        let mut fault = Fault::new(operation, Action::Pass);
        fault.delay = Some(delay);
        fault
    }

    /// Resets the connection (TCP RST) of the first matching request without answering
    /// and, unless [`after_processing`](Fault::after_processing), without processing it.
    /// The client sees a transport error and cannot tell whether a write happened.
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let before = Fault::reset(Operation::AppendRows);
    /// let after = Fault::reset(Operation::AppendRows).after_processing();
    /// ```
    pub fn reset(operation: Operation) -> Fault {
        Fault::new(operation, Action::Reset)
    }

    /// Processes the first matching request, sends the real answer's head (with its whole
    /// `content-length`) and the first half of its body, then closes the connection.
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::truncated(Operation::ListRows);
    /// ```
    pub fn truncated(operation: Operation) -> Fault {
        let mut fault = Fault::new(operation, Action::Truncate);
        fault.process_first = true;
        fault
    }

    /// Processes the first matching request and sends its real answer slowly: `chunk`
    /// bytes of the body at a time (at least one), `pause` between them. A client whose
    /// timeout covers the whole answer times out while reading it.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::trickle(Operation::ListRows, 16, Duration::from_millis(50));
    /// ```
    pub fn trickle(operation: Operation, chunk: usize, pause: Duration) -> Fault {
        let mut fault = Fault::new(
            operation,
            Action::Trickle {
                chunk: chunk.max(1),
                pause,
            },
        );
        fault.process_first = true;
        fault
    }

    /// Makes every Base-Token issued so far expired, then processes the first matching
    /// request normally: with such a token it gets 403 `{"error_msg": "Token expired."}`,
    /// as does every later request with it. A token expiring mid-run, at a chosen request.
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::expire_tokens(Operation::AppendRows).nth(3);
    /// ```
    pub fn expire_tokens(operation: Operation) -> Fault {
        Fault::new(operation, Action::ExpireTokens)
    }

    /// Resets the connection of the first matching request unanswered (unprocessed, unless
    /// [`after_processing`](Fault::after_processing)), then refuses every connection for
    /// `duration`: the port is closed, and idle kept-alive connections are closed too.
    /// [`MockSeaTable::refuse_connections`](super::MockSeaTable::refuse_connections) does
    /// the same without a request.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::refuse_connections(Operation::AppendRows, Duration::from_millis(300));
    /// ```
    pub fn refuse_connections(operation: Operation, duration: Duration) -> Fault {
        Fault::new(
            operation,
            Action::Refuse {
                how: Refusal::Refuse,
                duration,
            },
        )
    }

    /// Like [`refuse_connections`](Fault::refuse_connections), but new connections are
    /// accepted and closed at once, before a byte is read (a proxy or load balancer with
    /// no backend).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::close_connections(Operation::ListRows, Duration::from_millis(300));
    /// ```
    pub fn close_connections(operation: Operation, duration: Duration) -> Fault {
        Fault::new(
            operation,
            Action::Refuse {
                how: Refusal::CloseOnAccept,
                duration,
            },
        )
    }

    /// Fires first on the `n`th matching request (1-based) instead of the first.
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::status(Operation::AppendRows, 503).nth(2);
    /// ```
    pub fn nth(mut self, n: usize) -> Fault {
        self.first = n.max(1);
        self
    }

    /// Fires on `n` matching requests in a row (once by default).
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::status(Operation::AppendRows, 503).times(3);
    /// ```
    pub fn times(mut self, n: usize) -> Fault {
        self.times = Some(n);
        self
    }

    /// Fires on every matching request from the first one on.
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::status(Operation::GetMetadata, 500).always();
    /// ```
    pub fn always(mut self) -> Fault {
        self.times = None;
        self
    }

    /// Processes the request first (a write is applied), then acts: answers the fault's
    /// status instead of the real answer, resets the connection, or waits before
    /// answering.
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::status(Operation::AppendRows, 502).after_processing();
    /// ```
    pub fn after_processing(mut self) -> Fault {
        self.process_first = true;
        self
    }

    /// Also waits `delay`: before processing, or, with
    /// [`after_processing`](Fault::after_processing), between processing and acting.
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::status(Operation::AppendRows, 503).with_delay(std::time::Duration::from_millis(50));
    /// ```
    pub fn with_delay(mut self, delay: Duration) -> Fault {
        self.delay = Some(delay);
        self
    }

    /// Adds a header to a [`status`](Fault::status) answer (`retry-after`, say); a header
    /// of the same name that the answer would carry otherwise is replaced.
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::status(Operation::AppendRows, 429).with_header("retry-after", "2");
    /// ```
    pub fn with_header(mut self, name: &str, value: &str) -> Fault {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// Sets the JSON body of a [`status`](Fault::status) answer instead of the default
    /// one (SeaTable's error shapes differ by service: `{"error_msg": …}`,
    /// `{"error_message": …}`, `{"detail": …}`).
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// let fault = Fault::status(Operation::AppendRows, 403)
    ///     .with_json(serde_json::json!({"error_msg": "You don't have permission."}));
    /// ```
    pub fn with_json(mut self, body: serde_json::Value) -> Fault {
        self.body = Some(body.to_string().into_bytes());
        self.headers.retain(|(n, _)| n != "content-type");
        self.headers
            .push(("content-type".into(), "application/json".into()));
        self
    }

    /// The operation whose requests the fault counts.
    ///
    /// ```no_run
    /// use seatable_api::testing::{Fault, Operation};
    /// assert_eq!(Fault::reset(Operation::ListRows).operation(), Operation::ListRows);
    /// ```
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// Whether the request it fires on is processed (so a write is applied).
    pub(crate) fn processes(&self) -> bool {
        self.process_first || matches!(self.action, Action::Pass | Action::ExpireTokens)
    }
}
