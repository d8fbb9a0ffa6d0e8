//! `duration` cells.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::CellError;

/// What a duration cell holds, for error messages.
pub(crate) const DURATION_READ: &str = "whole seconds (an integer)";
/// What [`Duration::parse`] accepts, for error messages.
pub(crate) const DURATION_FORMS: &str = "a duration as h:mm or h:mm:ss";

/// The value of a `duration` cell, in whole seconds.
///
/// - **Read shape** (what the server sends): a JSON integer of seconds, `5430` for
///   1:30:30, whatever the column's display format (`h:mm` or `h:mm:ss`). A float with a
///   fraction is refused, a float without one (`5430.0`) is read as the integer.
/// - **Write shape** (`Serialize`): the string `"h:mm:ss"`, always with seconds
///   (`"1:30:30"`, `"1:30:00"`, `"0:00:05"`, `"25:00:00"`), which SeaTable parses for both
///   display formats. A negative duration is written as its integer seconds instead
///   (`-5430`): SeaTable's `h:mm` parser is not known to take a sign.
///
/// `Deserialize` takes both shapes, so a written value reads back.
///
/// ```no_run
/// use seatable_api::cells::Duration;
/// let d = Duration::from_secs(5430);
/// assert_eq!(d.to_string(), "1:30:30");
/// assert_eq!(serde_json::to_value(d).unwrap(), serde_json::json!("1:30:30"));
/// assert_eq!(serde_json::from_value::<Duration>(serde_json::json!(5430)).unwrap(), d);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Duration {
    seconds: i64,
}

impl Duration {
    /// A duration of `seconds` seconds (negative ones allowed; see the write shape).
    ///
    /// ```no_run
    /// assert_eq!(seatable_api::cells::Duration::from_secs(90).to_string(), "0:01:30");
    /// ```
    pub const fn from_secs(seconds: i64) -> Duration {
        Duration { seconds }
    }

    /// The duration in whole seconds.
    ///
    /// ```no_run
    /// assert_eq!(seatable_api::cells::Duration::from_secs(90).as_secs(), 90);
    /// ```
    pub const fn as_secs(&self) -> i64 {
        self.seconds
    }

    /// Parses `h:mm` or `h:mm:ss` (any number of hour digits, two-digit minutes and
    /// seconds below 60, an optional leading `-`), as written by [`Display`](fmt::Display).
    ///
    /// ```no_run
    /// use seatable_api::cells::Duration;
    /// assert_eq!(Duration::parse("1:30").unwrap().as_secs(), 5400);
    /// assert_eq!(Duration::parse("1:30:30").unwrap().as_secs(), 5430);
    /// assert!(Duration::parse("90 minutes").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Duration, CellError> {
        parse_hms(text).ok_or_else(|| CellError::found_json(DURATION_FORMS, &text.into()))
    }

    /// The duration as a [`std::time::Duration`]; `None` when negative.
    ///
    /// ```no_run
    /// let d = seatable_api::cells::Duration::from_secs(90);
    /// assert_eq!(d.to_std(), Some(std::time::Duration::from_secs(90)));
    /// ```
    pub fn to_std(&self) -> Option<std::time::Duration> {
        u64::try_from(self.seconds)
            .ok()
            .map(std::time::Duration::from_secs)
    }

    /// Reads the server's shape: integer seconds, or a float without a fraction.
    pub(crate) fn from_json(value: &serde_json::Value) -> Option<Duration> {
        if let Some(seconds) = value.as_i64() {
            return Some(Duration::from_secs(seconds));
        }
        let seconds = value.as_f64()?;
        whole_seconds(seconds)
    }
}

fn whole_seconds(seconds: f64) -> Option<Duration> {
    // The bounds keep the cast exact: every integral f64 in them is an i64.
    let in_range = (-9.007_199_254_740_992e15..=9.007_199_254_740_992e15).contains(&seconds);
    (in_range && seconds.fract() == 0.0).then(|| Duration::from_secs(seconds as i64))
}

fn parse_hms(text: &str) -> Option<Duration> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut parts = rest.split(':');
    let hours = parts.next()?;
    let minutes = parts.next()?;
    let seconds = parts.next();
    if parts.next().is_some() || hours.is_empty() || !hours.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let two_digits = |part: &str| -> Option<i64> {
        let value: i64 = (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())??;
        (value < 60).then_some(value)
    };
    let total = hours
        .parse::<i64>()
        .ok()?
        .checked_mul(3600)?
        .checked_add(two_digits(minutes)? * 60)?
        .checked_add(match seconds {
            Some(seconds) => two_digits(seconds)?,
            None => 0,
        })?;
    Some(Duration::from_secs(if negative { -total } else { total }))
}

impl FromStr for Duration {
    type Err = CellError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Duration::parse(text)
    }
}

impl From<Duration> for i64 {
    fn from(value: Duration) -> Self {
        value.seconds
    }
}

impl fmt::Display for Duration {
    /// `h:mm:ss`, with a leading `-` when negative.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.seconds < 0 { "-" } else { "" };
        let magnitude = self.seconds.unsigned_abs();
        write!(
            f,
            "{sign}{}:{:02}:{:02}",
            magnitude / 3600,
            magnitude % 3600 / 60,
            magnitude % 60
        )
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.seconds < 0 {
            serializer.serialize_i64(self.seconds)
        } else {
            serializer.collect_str(self)
        }
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DurationVisitor)
    }
}

struct DurationVisitor;

impl serde::de::Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration as integer seconds or \"h:mm[:ss]\"")
    }

    fn visit_i64<E: serde::de::Error>(self, seconds: i64) -> Result<Duration, E> {
        Ok(Duration::from_secs(seconds))
    }

    fn visit_u64<E: serde::de::Error>(self, seconds: u64) -> Result<Duration, E> {
        i64::try_from(seconds)
            .map(Duration::from_secs)
            .map_err(|_| E::custom(format!("duration of {seconds} seconds is too long")))
    }

    fn visit_f64<E: serde::de::Error>(self, seconds: f64) -> Result<Duration, E> {
        whole_seconds(seconds)
            .ok_or_else(|| E::custom(format!("expected {DURATION_READ}, found {seconds}")))
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Duration, E> {
        Duration::parse(text).map_err(E::custom)
    }
}
