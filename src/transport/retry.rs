//! When a failed request is sent again, and how long the client waits first: the
//! [`RetryPolicy`], SeaTable's rate-limit headers ([`RateLimit`]) and the optional
//! client-side limit on requests per minute.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::transport::error::{Applied, Error, ErrorKind};

/// How the client repeats a request that failed in a way that may pass.
///
/// What is repeated:
/// - **429 Too Many Requests**, for every request: the server did not process it. The
///   client waits as long as `Retry-After` or `x-ratelimit-reset` says, or else backs off
///   exponentially with jitter, while the total wait of one call stays within
///   [`rate_limit_budget`](RetryPolicy::rate_limit_budget).
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
/// Every other error (4xx, a decode error) is returned at once. An expired Base-Token is
/// not a retry: the [`BaseClient`](crate::BaseClient) renews the token and repeats the
/// call once.
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
    initial_backoff: Duration,
    max_backoff: Duration,
    rate_limit_budget: Duration,
}

impl Default for RetryPolicy {
    /// Up to 4 repetitions after a failure, back-off from 500 ms doubling up to 30 s, and
    /// up to 2 minutes of waiting for rate limits per call.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            rate_limit_budget: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// A policy that never repeats anything: every failure is returned at once.
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

    /// The most time one call may spend waiting for rate limits (429) before the 429 is
    /// returned as an error; a wait the server asks for that would go beyond it is not
    /// started.
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
        let full = self
            .initial_backoff
            .saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX))
            .min(self.max_backoff);
        let half = full / 2;
        half + half.mul_f64(jitter())
    }

    /// Whether and after what wait `error` is worth another try. `retries` counts the
    /// repetitions so far (429s not included), `rate_waited` the time already spent on
    /// 429s.
    pub(crate) fn decide(
        &self,
        error: &Error,
        idempotent: bool,
        retries: u32,
        rate_limited: u32,
        rate_waited: Duration,
    ) -> Option<Duration> {
        if error.kind() == ErrorKind::RateLimited {
            let wait = error
                .retry_after()
                .unwrap_or_else(|| self.backoff(rate_limited));
            return (rate_waited + wait <= self.rate_limit_budget).then_some(wait);
        }
        if retries >= self.max_retries || !error.is_retryable() {
            return None;
        }
        match error.applied() {
            Applied::No => Some(self.backoff(retries)),
            // Done once already, or maybe: repeating changes nothing for an idempotent
            // request (an answer cut off mid-body, a timeout).
            Applied::Maybe | Applied::Yes if idempotent => Some(self.backoff(retries)),
            _ => None,
        }
    }
}

/// The repetitions of one call so far, as a [`RetryPolicy`] counts them.
#[derive(Default)]
pub(crate) struct Attempts {
    retries: u32,
    rate_limited: u32,
    rate_waited: Duration,
}

impl Attempts {
    /// The wait before repeating after `error`, counted as one more repetition; `None`
    /// when `policy` says to stop.
    pub(crate) fn next(
        &mut self,
        policy: &RetryPolicy,
        error: &Error,
        idempotent: bool,
    ) -> Option<Duration> {
        let wait = policy.decide(
            error,
            idempotent,
            self.retries,
            self.rate_limited,
            self.rate_waited,
        )?;
        if error.kind() == ErrorKind::RateLimited {
            self.rate_limited += 1;
            self.rate_waited += wait;
        } else {
            self.retries += 1;
        }
        Some(wait)
    }

    /// Repetitions so far, 429s included.
    pub(crate) fn repeated(&self) -> u32 {
        self.retries + self.rate_limited
    }
}

/// A number in `0.0..1.0`, different on every call and in every process; good enough to
/// spread retries, not for anything secret.
fn jitter() -> f64 {
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

/// How long a 429 answer asks to wait: `Retry-After` (seconds or an HTTP date), else
/// `x-ratelimit-reset`. `None` when neither says, or what they say is unreadable.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let now = SystemTime::now();
    if let Some(value) = headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()) {
        let value = value.trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(at) = chrono::DateTime::parse_from_rfc2822(value) {
            let at = UNIX_EPOCH + Duration::from_secs(at.timestamp().max(0) as u64);
            return Some(at.duration_since(now).unwrap_or(Duration::ZERO));
        }
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

    #[test]
    fn decides_by_kind_applied_and_idempotence() {
        let policy = RetryPolicy::default().max_retries(2);
        let e503 = Error::from_status("appendRows", 503, "", None);
        let e502 = Error::from_status("appendRows", 502, "", None);
        let e400 = Error::from_status("appendRows", 400, "", None);
        // Certainly not applied: repeated for writes too.
        assert!(policy.decide(&e503, false, 0, 0, Duration::ZERO).is_some());
        // May have been applied: only for idempotent requests.
        assert!(policy.decide(&e502, false, 0, 0, Duration::ZERO).is_none());
        assert!(policy.decide(&e502, true, 0, 0, Duration::ZERO).is_some());
        assert!(policy.decide(&e400, true, 0, 0, Duration::ZERO).is_none());
        // The budget of repetitions.
        assert!(policy.decide(&e503, true, 2, 0, Duration::ZERO).is_none());
        assert!(RetryPolicy::none()
            .decide(&e503, true, 0, 0, Duration::ZERO)
            .is_none());
    }

    #[test]
    fn rate_limits_wait_as_told_within_the_budget() {
        let policy = RetryPolicy::default().rate_limit_budget(Duration::from_secs(10));
        let told = Error::from_status("listRows", 429, "", None)
            .with_retry_after(Some(Duration::from_secs(4)));
        assert_eq!(
            policy.decide(&told, false, 9, 0, Duration::ZERO),
            Some(Duration::from_secs(4)),
            "429s do not use up the repetitions"
        );
        assert_eq!(
            policy.decide(&told, false, 0, 2, Duration::from_secs(6)),
            Some(Duration::from_secs(4))
        );
        assert_eq!(
            policy.decide(&told, false, 0, 3, Duration::from_secs(7)),
            None,
            "would go beyond the budget"
        );
        let untold = Error::from_status("listRows", 429, "", None);
        let wait = policy.decide(&untold, false, 0, 0, Duration::ZERO).unwrap();
        assert!(wait <= Duration::from_millis(500), "{wait:?}");
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
