//! When a failed request is sent again, and how long the client waits first: the
//! [`RetryPolicy`], SeaTable's rate-limit headers ([`RateLimit`]) and the optional
//! client-side limit on requests per minute.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use reqwest::header::{HeaderMap, RETRY_AFTER};

#[cfg(test)]
use crate::transport::error::Secrets;
use crate::transport::error::{Applied, Error, ErrorKind};

/// How the client repeats a request that failed in a way that may pass.
///
/// What is repeated:
/// - **429 Too Many Requests**, for every request: the server did not process it. The
///   client waits as long as `Retry-After` or `x-ratelimit-reset` says, or else (also when
///   they say "now": `0`, or a date already past by this machine's clock) backs off
///   exponentially with jitter, while the total wait of one call stays within
///   [`rate_limit_budget`](RetryPolicy::rate_limit_budget) and the number of 429s
///   repeated within [`max_rate_limit_retries`](RetryPolicy::max_rate_limit_retries).
/// - **Failures that certainly did nothing** ([`Applied::No`]): a refused or failed
///   connection, and 503 (a gateway turning the request away), for every request, writes
///   included.
/// - **Failures that may have done something** ([`Applied::Maybe`]): timeouts, a connection
///   broken after the request went out or in the middle of the answer, 500, 502 and 504:
///   only for idempotent requests
///   (reads, and writes whose repetition changes nothing: `GET`, `PUT`, `DELETE`, and the
///   `POST` reads the spec marks `x-idempotent`, and a `querySql` whose statement is one
///   `SELECT`). Appending rows is never repeated after
///   such a failure; the error says [`Applied::Maybe`] and the caller decides.
///
/// A `Retry-After` on any other failure that is repeated (a 503 of a server in
/// maintenance, say) is honoured too: the repetition waits at least as long as it asks, and that wait counts against the same
/// [`rate_limit_budget`](RetryPolicy::rate_limit_budget). When the server asks for more
/// than is left of that budget, the client does not start the wait: it returns the error
/// at once, and its message says how long the server asked for and what the budget was.
///
/// Every other error (4xx, a decode error) is returned at once. An expired Base-Token is
/// not a retry: the [`BaseClient`](crate::BaseClient) renews the token and repeats the
/// call once, under every policy, [`RetryPolicy::none`] included.
///
/// ```no_run
/// use std::time::Duration;
/// use seatable_api::RetryPolicy;
/// let client = seatable_api::Client::builder("https://cloud.seatable.io")
///     .retry_policy(
///         RetryPolicy::default()
///             .max_retries(6)
///             .initial_backoff(Duration::from_millis(200))
///             .rate_limit_budget(Duration::from_secs(300)),
///     )
///     .build()?;
/// # Ok::<(), seatable_api::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    max_rate_limit_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    rate_limit_budget: Duration,
}

impl Default for RetryPolicy {
    /// Up to 4 repetitions after a failure, back-off from 500 ms doubling up to 30 s, and
    /// up to 2 minutes of waiting for rate limits (and 20 repeated 429s) per call.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            max_rate_limit_retries: 20,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            rate_limit_budget: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// A policy that never repeats anything: every failure, 429 included, is returned at
    /// once, after exactly one try. (A Base-Token the server rejects is still renewed and
    /// the call sent once more with the new token; that is not a repetition of a failure.)
    ///
    /// ```no_run
    /// let client = seatable_api::Client::builder("https://cloud.seatable.io")
    ///     .retry_policy(seatable_api::RetryPolicy::none())
    ///     .build()?;
    /// # Ok::<(), seatable_api::Error>(())
    /// ```
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            max_rate_limit_retries: 0,
            rate_limit_budget: Duration::ZERO,
            ..RetryPolicy::default()
        }
    }

    /// How often a request that failed (other than with 429) is repeated at most.
    ///
    /// ```no_run
    /// let policy = seatable_api::RetryPolicy::default().max_retries(2);
    /// ```
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// How often a request answered with 429 is repeated at most, however short the waits
    /// (a server that says `Retry-After: 0` again and again would otherwise be asked
    /// again and again).
    ///
    /// ```no_run
    /// let policy = seatable_api::RetryPolicy::default().max_rate_limit_retries(5);
    /// ```
    pub fn max_rate_limit_retries(mut self, n: u32) -> Self {
        self.max_rate_limit_retries = n;
        self
    }

    /// The first back-off; each further one doubles, up to
    /// [`max_backoff`](Self::max_backoff). The wait is drawn between half and all of it
    /// (jitter), so that many clients do not come back at the same instant.
    ///
    /// ```no_run
    /// let policy = seatable_api::RetryPolicy::default()
    ///     .initial_backoff(std::time::Duration::from_millis(100));
    /// ```
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// The longest single back-off.
    ///
    /// ```no_run
    /// let policy = seatable_api::RetryPolicy::default()
    ///     .max_backoff(std::time::Duration::from_secs(10));
    /// ```
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// The most time one call may spend waiting for rate limits (429) and for the
    /// `Retry-After` of a 503 before the error is returned; a wait the server asks for
    /// that would go beyond it is not started (the error then says so).
    ///
    /// ```no_run
    /// let policy = seatable_api::RetryPolicy::default()
    ///     .rate_limit_budget(std::time::Duration::from_secs(600));
    /// ```
    pub fn rate_limit_budget(mut self, budget: Duration) -> Self {
        self.rate_limit_budget = budget;
        self
    }

    /// The back-off before repetition `retry` (0 for the first), jitter included.
    fn backoff(&self, retry: u32) -> Duration {
        backoff(self.initial_backoff, self.max_backoff, retry)
    }

    /// Whether and after what wait `error` is worth another try, given the repetitions
    /// of the call so far.
    pub(crate) fn decide(&self, error: &Error, idempotent: bool, so_far: &Attempts) -> Decision {
        let told = error.retry_after().filter(|wait| !wait.is_zero());
        if error.kind() == ErrorKind::RateLimited {
            if so_far.rate_limited >= self.max_rate_limit_retries {
                return Decision::Stop;
            }
            // "Now" (0, or a date past by this clock) from a server that just refused is
            // no advice; backing off keeps a confused server from being hammered.
            let wait = told.unwrap_or_else(|| self.backoff(so_far.rate_limited));
            return self.within_budget(wait, told.is_some(), so_far);
        }
        if so_far.retries >= self.max_retries || !error.is_retryable() {
            return Decision::Stop;
        }
        let safe = match error.applied() {
            Applied::No => true,
            // Done once already, or maybe: repeating changes nothing for an idempotent
            // request (an answer cut off mid-body, a timeout).
            Applied::Maybe | Applied::Yes => idempotent,
        };
        if !safe {
            return Decision::Stop;
        }
        let backoff = self.backoff(so_far.retries);
        match told {
            // A 503 with `Retry-After`: a server in maintenance says when to come back.
            Some(told) => self.within_budget(told.max(backoff), true, so_far),
            None => Decision::Wait(backoff),
        }
    }

    fn within_budget(&self, wait: Duration, told: bool, so_far: &Attempts) -> Decision {
        let left = self.rate_limit_budget.saturating_sub(so_far.waited);
        if wait <= left {
            return Decision::Wait(wait);
        }
        if !told {
            return Decision::Stop;
        }
        Decision::GiveUp(format!(
            "the server asked to wait {}, more than the {} left of the retry policy's \
             rate-limit budget of {}; not waiting",
            shown(wait),
            shown(left),
            shown(self.rate_limit_budget)
        ))
    }
}

/// What to do after a failed attempt.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Repeat after this wait.
    Wait(Duration),
    /// Return the error.
    Stop,
    /// Return the error, with this note on why the wait the server asked for was not
    /// started.
    GiveUp(String),
}

/// A duration as a person reads it: `3 s`, `250 ms`, `5124095576030431 s`.
fn shown(wait: Duration) -> String {
    if wait < Duration::from_secs(1) {
        format!("{} ms", wait.as_millis())
    } else {
        format!("{} s", wait.as_secs())
    }
}

/// The repetitions of one call so far, as a [`RetryPolicy`] counts them.
#[derive(Default)]
pub(crate) struct Attempts {
    retries: u32,
    rate_limited: u32,
    /// Time spent on waits the server asked for (429s, a 503's `Retry-After`).
    waited: Duration,
    /// Why the last wait the server asked for was not started.
    gave_up: Option<String>,
}

impl Attempts {
    /// The wait before repeating after `error`, counted as one more repetition; `None`
    /// when `policy` says to stop ([`finish`](Self::finish) then makes the error to
    /// return).
    pub(crate) fn next(
        &mut self,
        policy: &RetryPolicy,
        error: &Error,
        idempotent: bool,
    ) -> Option<Duration> {
        let wait = match policy.decide(error, idempotent, self) {
            Decision::Wait(wait) => wait,
            Decision::Stop => return None,
            Decision::GiveUp(note) => {
                self.gave_up = Some(note);
                return None;
            }
        };
        if error.kind() == ErrorKind::RateLimited {
            self.rate_limited = self.rate_limited.saturating_add(1);
            self.waited = self.waited.saturating_add(wait);
        } else {
            self.retries = self.retries.saturating_add(1);
            if error.retry_after().is_some_and(|w| !w.is_zero()) {
                self.waited = self.waited.saturating_add(wait);
            }
        }
        Some(wait)
    }

    /// Repetitions so far, 429s included.
    pub(crate) fn repeated(&self) -> u32 {
        self.retries.saturating_add(self.rate_limited)
    }

    /// `error` as the call returns it: with the count of repetitions, and the reason a
    /// wait the server asked for was not started.
    pub(crate) fn finish(&mut self, error: Error) -> Error {
        let error = error.with_retries(self.repeated());
        match self.gave_up.take() {
            Some(note) => error.with_note(note),
            None => error,
        }
    }
}

/// A number in `0.0..1.0`, different on every call and in every process; good enough to
/// spread retries, not for anything secret.
pub(crate) fn jitter() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64);
    let mut x = nanos
        ^ COUNTER
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .rotate_left(17);
    // splitmix64
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// The rate-limit state SeaTable reported with its last answer (`x-ratelimit-limit`,
/// `x-ratelimit-remaining`, `x-ratelimit-reset`). SeaTable counts per base in a sliding
/// window; the window's length is not part of the headers.
///
/// ```no_run
/// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
/// base.get_metadata().await?;
/// if let Some(limit) = base.client().rate_limit() {
///     println!("{:?} of {:?} requests left", limit.remaining, limit.limit);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed in the window.
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// When the window frees up again.
    pub reset: Option<SystemTime>,
}

impl RateLimit {
    /// The values of the `x-ratelimit-*` headers, `None` when there is none.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        // One pass over the few headers of an answer: a lookup by name would hash each
        // of the three names on every answer.
        let mut limit = RateLimit {
            limit: None,
            remaining: None,
            reset: None,
        };
        for (name, value) in headers {
            let Some(field) = name.as_str().strip_prefix("x-ratelimit-") else {
                continue;
            };
            let number = || value.to_str().ok()?.trim().parse::<u64>().ok();
            match field {
                "limit" => limit.limit = number(),
                "remaining" => limit.remaining = number(),
                "reset" => limit.reset = number().and_then(reset_time),
                _ => {}
            }
        }
        (limit.limit.is_some() || limit.remaining.is_some() || limit.reset.is_some())
            .then_some(limit)
    }
}

/// SeaTable sends Unix seconds; a small number can only be seconds from now.
fn reset_time(value: u64) -> Option<SystemTime> {
    if value < 1_000_000_000 {
        SystemTime::now().checked_add(Duration::from_secs(value))
    } else {
        UNIX_EPOCH.checked_add(Duration::from_secs(value))
    }
}

/// How long a failed answer with `status` asks to wait before the next try: its
/// `Retry-After`, sent with any status (a 503 of a server in maintenance, a 500 of a busy
/// one); for a 429 also `x-ratelimit-reset`. SeaTable's gateway sends the rate-limit
/// headers with every answer, so for other statuses they say nothing about the failure.
pub(crate) fn asked_wait(status: u16, headers: &HeaderMap) -> Option<Duration> {
    if status == 429 {
        retry_after(headers)
    } else {
        retry_after_header(headers, SystemTime::now())
    }
}

/// How long a 429 answer asks to wait: `Retry-After` (seconds or an HTTP date), else
/// `x-ratelimit-reset`. `None` when neither says, or what they say is unreadable.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let now = SystemTime::now();
    if let Some(wait) = retry_after_header(headers, now) {
        return Some(wait);
    }
    let reset = RateLimit::from_headers(headers)?.reset?;
    // The reset is given in whole seconds; waiting into the next one avoids coming back
    // a moment too early.
    Some(
        reset
            .duration_since(now)
            .unwrap_or(Duration::ZERO)
            .saturating_add(Duration::from_millis(200)),
    )
}

/// The `Retry-After` header alone: seconds, or an HTTP date (one already past means now).
fn retry_after_header(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = UNIX_EPOCH.checked_add(Duration::from_secs(at.timestamp().max(0) as u64))?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// At most `per_minute` requests in any 60 seconds (a sliding window, as SeaTable counts),
/// waiting for the oldest to leave the window when full.
pub(crate) struct Limiter {
    per_minute: u32,
    window: Duration,
    started: tokio::sync::Mutex<VecDeque<Instant>>,
}

impl Limiter {
    pub(crate) fn new(per_minute: u32) -> Limiter {
        Limiter::with_window(per_minute, Duration::from_secs(60))
    }

    pub(crate) fn with_window(per_minute: u32, window: Duration) -> Limiter {
        Limiter {
            per_minute: per_minute.max(1),
            window,
            started: tokio::sync::Mutex::new(VecDeque::new()),
        }
    }

    /// Waits until one more request fits into the window, and counts it. Waiters are
    /// served in order (tokio's mutex is fair).
    pub(crate) async fn acquire(&self) {
        let mut started = self.started.lock().await;
        loop {
            let now = Instant::now();
            while started
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.window)
            {
                started.pop_front();
            }
            if started.len() < self.per_minute as usize {
                started.push_back(now);
                return;
            }
            let oldest = started.front().copied().unwrap_or(now);
            tokio::time::sleep_until(oldest + self.window).await;
        }
    }
}

/// Exponential back-off with jitter: `initial` doubled per `attempt` (0 for the first),
/// at most `max`, then a random point in its upper half, so that clients that failed
/// together do not come back together. Saturating: no duration overflows.
pub(crate) fn backoff(initial: Duration, max: Duration, attempt: u32) -> Duration {
    let full = initial
        .saturating_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX))
        .min(max);
    let half = full / 2;
    // `mul_f64` panics when rounding carries a huge duration past `Duration::MAX`.
    let jittered = Duration::try_from_secs_f64(half.as_secs_f64() * jitter()).unwrap_or(half);
    half.saturating_add(jittered.min(half))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stops_at_the_maximum() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        for _ in 0..200 {
            let first = policy.backoff(0);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = policy.backoff(2);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let late = policy.backoff(40);
            assert!(late >= Duration::from_millis(500) && late <= Duration::from_millis(1000));
        }
        let spread: std::collections::BTreeSet<Duration> =
            (0..50).map(|_| policy.backoff(3)).collect();
        assert!(spread.len() > 10, "jitter spreads the waits: {spread:?}");
    }

    fn so_far(retries: u32, rate_limited: u32, waited: Duration) -> Attempts {
        Attempts {
            retries,
            rate_limited,
            waited,
            gave_up: None,
        }
    }

    fn wait(decision: Decision) -> Option<Duration> {
        match decision {
            Decision::Wait(wait) => Some(wait),
            _ => None,
        }
    }

    #[test]
    fn decides_by_kind_applied_and_idempotence() {
        let policy = RetryPolicy::default().max_retries(2);
        let e503 = Error::from_status("appendRows", 503, "".as_bytes(), true, &Secrets::default());
        let e502 = Error::from_status("appendRows", 502, "".as_bytes(), true, &Secrets::default());
        let e400 = Error::from_status("appendRows", 400, "".as_bytes(), true, &Secrets::default());
        let start = so_far(0, 0, Duration::ZERO);
        // Certainly not applied: repeated for writes too.
        assert!(wait(policy.decide(&e503, false, &start)).is_some());
        // May have been applied: only for idempotent requests.
        assert_eq!(policy.decide(&e502, false, &start), Decision::Stop);
        assert!(wait(policy.decide(&e502, true, &start)).is_some());
        assert_eq!(policy.decide(&e400, true, &start), Decision::Stop);
        // The budget of repetitions.
        assert_eq!(
            policy.decide(&e503, true, &so_far(2, 0, Duration::ZERO)),
            Decision::Stop
        );
        assert_eq!(
            RetryPolicy::none().decide(&e503, true, &start),
            Decision::Stop
        );
    }

    #[test]
    fn rate_limits_wait_as_told_within_the_budget() {
        let policy = RetryPolicy::default().rate_limit_budget(Duration::from_secs(10));
        let told = Error::from_status("listRows", 429, "".as_bytes(), true, &Secrets::default())
            .with_retry_after(Some(Duration::from_secs(4)));
        assert_eq!(
            policy.decide(&told, false, &so_far(9, 0, Duration::ZERO)),
            Decision::Wait(Duration::from_secs(4)),
            "429s do not use up the repetitions"
        );
        assert_eq!(
            policy.decide(&told, false, &so_far(0, 2, Duration::from_secs(6))),
            Decision::Wait(Duration::from_secs(4))
        );
        assert_eq!(
            policy.decide(&told, false, &so_far(0, 3, Duration::from_secs(7))),
            Decision::GiveUp(
                "the server asked to wait 4 s, more than the 3 s left of the retry policy's \
                 rate-limit budget of 10 s; not waiting"
                    .into()
            ),
            "would go beyond the budget"
        );
        let untold = Error::from_status("listRows", 429, "".as_bytes(), true, &Secrets::default());
        let first = wait(policy.decide(&untold, false, &so_far(0, 0, Duration::ZERO))).unwrap();
        assert!(first <= Duration::from_millis(500), "{first:?}");
    }

    #[test]
    fn absurd_waits_neither_overflow_nor_are_slept() {
        // The issue's panic: 1 s waited, then a 429 asking for u64::MAX seconds.
        let policy = RetryPolicy::default();
        let absurd = Error::from_status("listRows", 429, "".as_bytes(), true, &Secrets::default())
            .with_retry_after(Some(Duration::from_secs(u64::MAX)));
        let decision = policy.decide(&absurd, true, &so_far(0, 1, Duration::from_secs(1)));
        assert!(
            matches!(&decision, Decision::GiveUp(note) if note.contains("18446744073709551615 s")),
            "{decision:?}"
        );
        let e = Error::from_status("listRows", 503, "".as_bytes(), true, &Secrets::default())
            .with_retry_after(Some(Duration::MAX));
        let mut attempts = so_far(0, 0, Duration::MAX);
        assert_eq!(attempts.next(&policy, &e, true), None);
        let e = attempts.finish(e);
        assert!(e.to_string().contains("not waiting"), "{e}");
        // A policy of extreme durations backs off without panicking.
        let extreme = RetryPolicy::default()
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX)
            .rate_limit_budget(Duration::MAX);
        for retry in [0, 1, 31, 32, u32::MAX] {
            assert!(extreme.backoff(retry) >= Duration::MAX / 2);
        }
        let mut attempts = so_far(u32::MAX - 1, u32::MAX - 1, Duration::ZERO);
        let untold = Error::from_status("listRows", 429, "".as_bytes(), true, &Secrets::default());
        let unlimited = extreme.clone().max_rate_limit_retries(u32::MAX);
        assert!(attempts.next(&unlimited, &untold, true).is_some());
        assert_eq!(attempts.repeated(), u32::MAX, "saturates");
    }

    #[test]
    fn zero_waits_back_off_and_429s_are_counted() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_rate_limit_retries(3);
        let now = Error::from_status("listRows", 429, "".as_bytes(), true, &Secrets::default())
            .with_retry_after(Some(Duration::ZERO));
        let mut attempts = Attempts::default();
        for _ in 0..3 {
            let wait = attempts.next(&policy, &now, true).expect("repeated");
            assert!(wait >= Duration::from_millis(50), "backs off: {wait:?}");
        }
        assert_eq!(attempts.next(&policy, &now, true), None, "a count limit");
        assert_eq!(attempts.repeated(), 3);
        let mut once = Attempts::default();
        assert_eq!(once.next(&RetryPolicy::none(), &now, true), None);
    }

    #[test]
    fn a_503_s_retry_after_is_honoured_within_the_budget() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .rate_limit_budget(Duration::from_secs(10));
        let maintenance =
            Error::from_status("appendRows", 503, "".as_bytes(), true, &Secrets::default())
                .with_retry_after(Some(Duration::from_secs(3)));
        let mut attempts = Attempts::default();
        assert_eq!(
            attempts.next(&policy, &maintenance, false),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            attempts.next(&policy, &maintenance, false),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            attempts.next(&policy, &maintenance, false),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            attempts.next(&policy, &maintenance, false),
            None,
            "9 s of 10 spent"
        );
        let e = attempts.finish(maintenance);
        assert_eq!(
            e.to_string(),
            "appendRows: HTTP 503 (the server asked to wait 3 s, more than the 1 s left of \
             the retry policy's rate-limit budget of 10 s; not waiting) (after 3 retries)"
        );
    }

    #[test]
    fn reads_retry_after_and_the_rate_limit_headers() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
        let soon = SystemTime::now() + Duration::from_secs(30);
        let secs = soon.duration_since(UNIX_EPOCH).unwrap().as_secs();
        let wait = retry_after(&headers(&[("x-ratelimit-reset", &secs.to_string())])).unwrap();
        assert!(
            wait > Duration::from_secs(28) && wait <= Duration::from_secs(31),
            "{wait:?}"
        );
        let date = chrono::DateTime::<chrono::Utc>::from(soon).to_rfc2822();
        let wait = retry_after(&headers(&[("retry-after", &date)])).unwrap();
        assert!(wait > Duration::from_secs(28) && wait <= Duration::from_secs(31));
        assert_eq!(
            retry_after(&headers(&[(
                "retry-after",
                "Wed, 21 Oct 2015 07:28:00 GMT"
            )])),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        // Only a 429 reads the rate-limit reset; any status reads `Retry-After`.
        let reset = headers(&[("x-ratelimit-reset", &secs.to_string())]);
        assert!(asked_wait(429, &reset).is_some());
        assert_eq!(asked_wait(503, &reset), None);
        assert_eq!(
            asked_wait(500, &headers(&[("retry-after", "3")])),
            Some(Duration::from_secs(3))
        );
        assert_eq!(retry_after(&HeaderMap::new()), None);

        let limit = RateLimit::from_headers(&headers(&[
            ("x-ratelimit-limit", "200"),
            ("x-ratelimit-remaining", "17"),
            ("x-ratelimit-reset", "1700000000"),
        ]))
        .unwrap();
        assert_eq!(limit.limit, Some(200));
        assert_eq!(limit.remaining, Some(17));
        assert_eq!(
            limit.reset,
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        assert_eq!(RateLimit::from_headers(&HeaderMap::new()), None);
        assert_eq!(
            RateLimit::from_headers(&headers(&[("x-ratelimit-limit", "many")])),
            None
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_limiter_keeps_to_its_window() {
        let limiter = Limiter::with_window(3, Duration::from_secs(60));
        let start = tokio::time::Instant::now();
        for _ in 0..3 {
            limiter.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(60));
        limiter.acquire().await;
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(60));
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(120));
    }
}
