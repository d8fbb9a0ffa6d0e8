//! `date` cells ([`Date`]) and the `ctime` / `mtime` cells ([`Timestamp`]).
//!
//! Both keep the layout of the text they were parsed from (separator, seconds, fraction
//! digits, offset style), so that a cell read from the server is written back exactly as it
//! came; equality compares only the date, time and offset.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, Timelike, Utc,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::CellError;

/// What [`Date::parse`] accepts, for error messages.
pub(crate) const DATE_FORMS: &str =
    "a date as YYYY-MM-DD, YYYY-MM-DD HH:mm or ISO 8601 (2025-03-01T14:30:00+01:00)";
/// What [`Timestamp::parse`] accepts, for error messages.
pub(crate) const TIMESTAMP_FORM: &str =
    "an ISO 8601 time with offset (2021-03-10T16:19:31.761+00:00)";

/// The value of a `date` cell: a day, optionally with a time of day, optionally with a UTC
/// offset.
///
/// - **Read shape** (what the server sends): ISO 8601 with offset, in the base's time zone,
///   `"2030-06-20T00:00:00+02:00"` (a day-only column sends midnight). Legacy answers sent
///   `"2030-06-20"` or `"2030-06-20 23:55"`; those read too.
/// - **Write shape** (what `Serialize` produces): the text the value was parsed or read from,
///   re-printed in the same layout; a value made from chrono types prints as `YYYY-MM-DD`
///   (a [`NaiveDate`]), `YYYY-MM-DD HH:mm[:ss]` (a [`NaiveDateTime`]) or ISO 8601 with
///   offset (a [`DateTime`]). SeaTable accepts all of these; it ignores the time when the
///   column is not "accurate to minute".
///
/// Unparseable text is refused by [`Date::parse`] rather than sent: SeaTable would store
/// it as an empty cell without an error.
///
/// Equality compares date, time and offset as written: `10:00+02:00` and `08:00+00:00` are
/// the same instant but different dates of a base.
///
/// ```no_run
/// use seatable_api::cells::Date;
/// let due = Date::parse("2030-06-20 14:30")?;
/// assert_eq!(due.to_string(), "2030-06-20 14:30");
/// assert_eq!(serde_json::to_value(due).unwrap(), serde_json::json!("2030-06-20 14:30"));
/// # Ok::<(), seatable_api::cells::CellError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Date {
    date: NaiveDate,
    time: Option<(NaiveTime, TimeLayout)>,
    offset: Option<(FixedOffset, OffsetLayout)>,
}

/// How a time of day was written.
#[derive(Clone, Copy, Debug)]
struct TimeLayout {
    /// `T` rather than a space between date and time.
    t_separator: bool,
    /// Seconds written (`HH:mm:ss` rather than `HH:mm`).
    seconds: bool,
    /// Digits after the decimal point of the seconds, 0 to 9.
    fraction_digits: u8,
}

/// How an offset was written.
#[derive(Clone, Copy, Debug)]
enum OffsetLayout {
    /// `Z`
    Zulu,
    /// `+02:00`; `minus_zero` for `-00:00`.
    Colon { minus_zero: bool },
    /// `+0200`
    Compact { minus_zero: bool },
}

/// Why a text is not a date.
enum ParseFailure {
    /// Not in any accepted form.
    Form,
    /// In an accepted form but not a real date or time (`2025-02-30`, `25:00`).
    Range,
}

impl Date {
    /// Parses a date as SeaTable accepts it on write: `YYYY-MM-DD`, `YYYY-MM-DD HH:mm`,
    /// `YYYY-MM-DD HH:mm:ss`, or ISO 8601 (`T` separator, optional seconds and fraction,
    /// optional offset `Z`, `±HH:MM` or `±HHMM`). Anything else fails, including dates that
    /// do not exist (`2025-02-30`); SeaTable would silently store those as an empty cell.
    ///
    /// ```no_run
    /// use seatable_api::cells::Date;
    /// assert!(Date::parse("2030-06-20").is_ok());
    /// assert!(Date::parse("2030-06-20T23:55:00+02:00").is_ok());
    /// assert!(Date::parse("20.06.2030").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Date, CellError> {
        parse(text).map_err(|failure| match failure {
            ParseFailure::Form => CellError::found_json(DATE_FORMS, &text.into()),
            ParseFailure::Range => {
                CellError::found_json("a date that exists in the calendar", &text.into())
            }
        })
    }

    /// The day `year`-`month`-`day`, without a time; `None` when it does not exist.
    ///
    /// ```no_run
    /// let day = seatable_api::cells::Date::from_ymd(2030, 6, 20).unwrap();
    /// assert_eq!(day.to_string(), "2030-06-20");
    /// ```
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(year, month, day).map(Date::from)
    }

    /// The calendar day.
    ///
    /// ```no_run
    /// let due = seatable_api::cells::Date::parse("2030-06-20T23:55:00+02:00").unwrap();
    /// assert_eq!(due.date().to_string(), "2030-06-20");
    /// ```
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The time of day, when one was given.
    ///
    /// ```no_run
    /// let due = seatable_api::cells::Date::parse("2030-06-20 23:55").unwrap();
    /// assert_eq!(due.time().unwrap().to_string(), "23:55:00");
    /// ```
    pub fn time(&self) -> Option<NaiveTime> {
        self.time.map(|(time, _)| time)
    }

    /// The UTC offset, when one was given (the server always sends one).
    ///
    /// ```no_run
    /// let due = seatable_api::cells::Date::parse("2030-06-20T00:00:00+02:00").unwrap();
    /// assert_eq!(due.offset().unwrap().local_minus_utc(), 7200);
    /// ```
    pub fn offset(&self) -> Option<FixedOffset> {
        self.offset.map(|(offset, _)| offset)
    }

    /// Date and time as written, ignoring any offset; midnight when there is no time.
    ///
    /// ```no_run
    /// let due = seatable_api::cells::Date::parse("2030-06-20").unwrap();
    /// assert_eq!(due.naive().to_string(), "2030-06-20 00:00:00");
    /// ```
    pub fn naive(&self) -> NaiveDateTime {
        self.date.and_time(self.time().unwrap_or(NaiveTime::MIN))
    }

    /// The instant, when the value has an offset (midnight when there is no time).
    ///
    /// ```no_run
    /// let due = seatable_api::cells::Date::parse("2030-06-20T23:55:00+02:00").unwrap();
    /// assert_eq!(due.to_datetime().unwrap().to_rfc3339(), "2030-06-20T23:55:00+02:00");
    /// ```
    pub fn to_datetime(&self) -> Option<DateTime<FixedOffset>> {
        let offset = self.offset()?;
        self.naive().and_local_timezone(offset).single()
    }

    fn key(&self) -> (NaiveDate, Option<NaiveTime>, Option<i32>) {
        (
            self.date,
            self.time(),
            self.offset().map(|o| o.local_minus_utc()),
        )
    }
}

impl PartialEq for Date {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Date {}

impl Hash for Date {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Date {
            date,
            time: None,
            offset: None,
        }
    }
}

impl From<NaiveDateTime> for Date {
    /// Prints as `YYYY-MM-DD HH:mm`, with seconds (and a fraction) only when not zero.
    fn from(value: NaiveDateTime) -> Self {
        let time = value.time();
        let fraction_digits = fraction_digits_for(time.nanosecond());
        let layout = TimeLayout {
            t_separator: false,
            seconds: time.second() != 0 || fraction_digits != 0,
            fraction_digits,
        };
        Date {
            date: value.date(),
            time: Some((time, layout)),
            offset: None,
        }
    }
}

impl From<DateTime<FixedOffset>> for Date {
    /// Prints as ISO 8601 with seconds and offset, like the server.
    fn from(value: DateTime<FixedOffset>) -> Self {
        let time = value.time();
        Date {
            date: value.date_naive(),
            time: Some((time, iso_layout(time))),
            offset: Some((*value.offset(), OffsetLayout::Colon { minus_zero: false })),
        }
    }
}

impl From<DateTime<Utc>> for Date {
    /// Prints as ISO 8601 with seconds and offset `+00:00`.
    fn from(value: DateTime<Utc>) -> Self {
        Date::from(value.fixed_offset())
    }
}

impl FromStr for Date {
    type Err = CellError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Date::parse(text)
    }
}

impl fmt::Display for Date {
    /// The write shape: the text the value was parsed from, in the same layout.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_date(f, self.date)?;
        if let Some((time, layout)) = self.time {
            write_time(f, time, layout)?;
        }
        if let Some((offset, layout)) = self.offset {
            write_offset(f, offset, layout)?;
        }
        Ok(())
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ParseStr("a date string", Date::parse))
    }
}

/// Parses the string where the deserializer holds it, without copying it first (a page of
/// rows has several dates per row).
struct ParseStr<T>(&'static str, fn(&str) -> Result<T, CellError>);

impl<T> serde::de::Visitor<'_> for ParseStr<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
        (self.1)(text).map_err(E::custom)
    }
}

/// The value of a `ctime` or `mtime` cell (and of the row fields `_ctime`, `_mtime`): an
/// instant with the offset the server wrote it in. Read-only: SeaTable sets these itself.
///
/// - **Read shape**: ISO 8601 with offset, `"2021-03-10T16:19:31.761+00:00"`.
/// - **Write shape** (`Serialize`): the same text, re-printed in the layout it was read in
///   (only useful for storing it elsewhere; the server ignores writes to these columns).
///
/// ```no_run
/// use seatable_api::cells::Timestamp;
/// let created = Timestamp::parse("2021-03-10T16:19:31.761+00:00")?;
/// assert_eq!(created.to_utc().timestamp(), 1615393171);
/// # Ok::<(), seatable_api::cells::CellError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp(Date);

impl Timestamp {
    /// Parses an ISO 8601 time with offset (`2021-03-10T16:19:31.761+00:00`, `…Z`).
    ///
    /// ```no_run
    /// use seatable_api::cells::Timestamp;
    /// assert!(Timestamp::parse("2021-03-10T16:19:31.761+00:00").is_ok());
    /// assert!(Timestamp::parse("2021-03-10").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Timestamp, CellError> {
        match parse(text) {
            Ok(date) if date.time.is_some() && date.offset.is_some() => Ok(Timestamp(date)),
            Err(ParseFailure::Range) => Err(CellError::found_json(
                "a time that exists in the calendar",
                &text.into(),
            )),
            _ => Err(CellError::found_json(TIMESTAMP_FORM, &text.into())),
        }
    }

    /// The instant with the offset it was written in.
    ///
    /// ```no_run
    /// let t = seatable_api::cells::Timestamp::parse("2021-03-10T16:19:31.761+00:00").unwrap();
    /// assert_eq!(t.to_datetime().timestamp_subsec_millis(), 761);
    /// ```
    pub fn to_datetime(&self) -> DateTime<FixedOffset> {
        let offset = self.0.offset().unwrap_or(Utc.fix());
        let naive = self.0.naive();
        // A fixed offset maps every local time to one instant; only a time at the very
        // edge of chrono's range has none, and then the local time is taken as UTC.
        naive
            .and_local_timezone(offset)
            .single()
            .unwrap_or_else(|| DateTime::from_naive_utc_and_offset(naive, offset))
    }

    /// The instant in UTC.
    ///
    /// ```no_run
    /// let t = seatable_api::cells::Timestamp::parse("2021-03-10T17:19:31+01:00").unwrap();
    /// assert_eq!(t.to_utc().to_rfc3339(), "2021-03-10T16:19:31+00:00");
    /// ```
    pub fn to_utc(&self) -> DateTime<Utc> {
        self.to_datetime().with_timezone(&Utc)
    }
}

impl From<DateTime<FixedOffset>> for Timestamp {
    /// Prints as ISO 8601 with seconds, the fraction only when not zero, and the offset.
    fn from(value: DateTime<FixedOffset>) -> Self {
        Timestamp(Date::from(value))
    }
}

impl From<DateTime<Utc>> for Timestamp {
    /// Prints as ISO 8601 with offset `+00:00`.
    fn from(value: DateTime<Utc>) -> Self {
        Timestamp(Date::from(value))
    }
}

impl From<Timestamp> for Date {
    fn from(value: Timestamp) -> Self {
        value.0
    }
}

impl FromStr for Timestamp {
    type Err = CellError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(text)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ParseStr("a time stamp string", Timestamp::parse))
    }
}

/// Whether `text` is exactly in the server's read shape of a date: ISO 8601 with `T`,
/// seconds and an offset. Used to tell dates from strings where no column type says which.
pub(crate) fn is_read_shape(text: &str) -> bool {
    matches!(
        parse(text),
        Ok(Date {
            time: Some((
                _,
                TimeLayout {
                    t_separator: true,
                    seconds: true,
                    ..
                }
            )),
            offset: Some(_),
            ..
        })
    )
}

/// The layout the server uses: `T`, seconds, the fraction only when not zero.
fn iso_layout(time: NaiveTime) -> TimeLayout {
    TimeLayout {
        t_separator: true,
        seconds: true,
        fraction_digits: fraction_digits_for(time.nanosecond()),
    }
}

/// 0, 3, 6 or 9: the fewest of these that show `nanos` exactly.
fn fraction_digits_for(nanos: u32) -> u8 {
    if nanos == 0 {
        0
    } else if nanos % 1_000_000 == 0 {
        3
    } else if nanos % 1_000 == 0 {
        6
    } else {
        9
    }
}

/// Parses the forms of [`Date::parse`]. Every field sits at a fixed position except the
/// fraction of a second, so the text is read by index after one length check per part,
/// and each part's digits are checked together.
fn parse(text: &str) -> Result<Date, ParseFailure> {
    let b = text.as_bytes();
    if b.len() < 10 {
        return Err(ParseFailure::Form);
    }
    let (century, century_ok) = pair(b, 0);
    let (year, year_ok) = pair(b, 2);
    let (month, month_ok) = pair(b, 5);
    let (day, day_ok) = pair(b, 8);
    if !(century_ok & year_ok & month_ok & day_ok & (b[4] == b'-') & (b[7] == b'-')) {
        return Err(ParseFailure::Form);
    }
    let year = (century * 100 + year) as i32;
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(ParseFailure::Range)?;
    if b.len() == 10 {
        return Ok(Date::from(date));
    }

    let t_separator = match b[10] {
        b'T' => true,
        b' ' => false,
        _ => return Err(ParseFailure::Form),
    };
    if b.len() < 16 {
        return Err(ParseFailure::Form);
    }
    let (hour, hour_ok) = pair(b, 11);
    let (minute, minute_ok) = pair(b, 14);
    if !(hour_ok & minute_ok & (b[13] == b':')) {
        return Err(ParseFailure::Form);
    }
    let mut layout = TimeLayout {
        t_separator,
        seconds: false,
        fraction_digits: 0,
    };
    let (mut second, mut nanos) = (0, 0);
    let mut at = 16;
    if b.get(at) == Some(&b':') {
        if b.len() < 19 {
            return Err(ParseFailure::Form);
        }
        let (value, ok) = pair(b, 17);
        if !ok {
            return Err(ParseFailure::Form);
        }
        second = value;
        layout.seconds = true;
        at = 19;
        if b.get(at) == Some(&b'.') {
            at += 1;
            // 1 to 9 digits: a tenth one is an error, not a rounding.
            let (mut fraction, mut count) = (0u32, 0usize);
            while let Some(&byte) = b.get(at + count) {
                let digit = byte.wrapping_sub(b'0');
                if digit >= 10 {
                    break;
                }
                if count == 9 {
                    return Err(ParseFailure::Form);
                }
                fraction = fraction * 10 + u32::from(digit);
                count += 1;
            }
            if count == 0 {
                return Err(ParseFailure::Form);
            }
            nanos = fraction * POWERS_OF_TEN[9 - count];
            layout.fraction_digits = count as u8;
            at += count;
        }
    }
    // `from_hms_nano_opt` would take a nanosecond part of 1e9 or more as a leap second; the
    // parser never produces one, so hour 24 and second 60 fail here.
    let time =
        NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).ok_or(ParseFailure::Range)?;
    let mut value = Date {
        date,
        time: Some((time, layout)),
        offset: None,
    };
    let Some((&sign, rest)) = b[at..].split_first() else {
        return Ok(value);
    };

    let (offset, offset_layout) = match sign {
        b'Z' if rest.is_empty() => (0, OffsetLayout::Zulu),
        b'+' | b'-' => {
            // `HH:MM` or `HHMM`, and nothing after.
            let colon = rest.get(2) == Some(&b':');
            let minutes_at = if colon { 3 } else { 2 };
            if rest.len() < minutes_at + 2 {
                return Err(ParseFailure::Form);
            }
            let (hours, hours_ok) = pair(rest, 0);
            let (minutes, minutes_ok) = pair(rest, minutes_at);
            if !(hours_ok & minutes_ok) {
                return Err(ParseFailure::Form);
            }
            if hours > 23 || minutes > 59 {
                return Err(ParseFailure::Range);
            }
            if rest.len() != minutes_at + 2 {
                return Err(ParseFailure::Form);
            }
            let magnitude = (hours * 3600 + minutes * 60) as i32;
            let minus_zero = sign == b'-' && magnitude == 0;
            let seconds = if sign == b'-' { -magnitude } else { magnitude };
            let layout = if colon {
                OffsetLayout::Colon { minus_zero }
            } else {
                OffsetLayout::Compact { minus_zero }
            };
            (seconds, layout)
        }
        _ => return Err(ParseFailure::Form),
    };
    let offset = FixedOffset::east_opt(offset).ok_or(ParseFailure::Range)?;
    value.offset = Some((offset, offset_layout));
    Ok(value)
}

/// 10 to the power of the index.
const POWERS_OF_TEN: [u32; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// The two bytes at `at` as a number, and whether both are ASCII digits. The caller has
/// checked that they exist.
#[inline(always)]
fn pair(b: &[u8], at: usize) -> (u32, bool) {
    let (high, low) = (b[at].wrapping_sub(b'0'), b[at + 1].wrapping_sub(b'0'));
    (
        u32::from(high) * 10 + u32::from(low),
        (high < 10) & (low < 10),
    )
}

fn write_date(f: &mut fmt::Formatter<'_>, date: NaiveDate) -> fmt::Result {
    let year = date.year();
    if (0..=9999).contains(&year) {
        write!(f, "{year:04}")?;
    } else {
        // ISO 8601 expanded years; SeaTable (and `Date::parse`) only take four digits.
        write!(f, "{year:+05}")?;
    }
    write!(f, "-{:02}-{:02}", date.month(), date.day())
}

fn write_time(f: &mut fmt::Formatter<'_>, time: NaiveTime, layout: TimeLayout) -> fmt::Result {
    let separator = if layout.t_separator { 'T' } else { ' ' };
    write!(f, "{separator}{:02}:{:02}", time.hour(), time.minute())?;
    // A value built with `HH:mm` layout always has zero seconds; a leap-second nanosecond
    // part (from chrono values) is folded into the fraction.
    if layout.seconds {
        write!(f, ":{:02}", time.second())?;
        if layout.fraction_digits > 0 {
            let digits = format!("{:09}", time.nanosecond() % 1_000_000_000);
            f.write_str(".")?;
            f.write_str(&digits[..usize::from(layout.fraction_digits.min(9))])?;
        }
    }
    Ok(())
}

fn write_offset(
    f: &mut fmt::Formatter<'_>,
    offset: FixedOffset,
    layout: OffsetLayout,
) -> fmt::Result {
    let seconds = offset.local_minus_utc();
    let (colon, minus_zero) = match layout {
        OffsetLayout::Zulu if seconds == 0 => return f.write_str("Z"),
        OffsetLayout::Zulu => (true, false),
        OffsetLayout::Colon { minus_zero } => (true, minus_zero),
        OffsetLayout::Compact { minus_zero } => (false, minus_zero),
    };
    let sign = if seconds < 0 || (seconds == 0 && minus_zero) {
        '-'
    } else {
        '+'
    };
    let magnitude = seconds.unsigned_abs();
    let (hours, minutes) = (magnitude / 3600, magnitude % 3600 / 60);
    if colon {
        write!(f, "{sign}{hours:02}:{minutes:02}")
    } else {
        write!(f, "{sign}{hours:02}{minutes:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text `parse` reads, printed back in its layout, or the kind of failure.
    fn reads(text: &str) -> String {
        match parse(text) {
            Ok(date) => date.to_string(),
            Err(ParseFailure::Form) => "form".into(),
            Err(ParseFailure::Range) => "range".into(),
        }
    }

    #[test]
    fn every_accepted_form_reads_back_as_written() {
        for text in [
            "2030-06-20",
            "2030-06-20 14:30",
            "2030-06-20 14:30:05",
            "2030-06-20T14:30",
            "2030-06-20T14:30:05Z",
            "2030-06-20T14:30:05.7+02:00",
            "2021-03-10T16:19:31.761+00:00",
            "2021-03-10T16:19:31.761123-00:00",
            "2021-03-10T16:19:31.761123456+0530",
            "2021-03-10T16:19:31-0000",
            "2021-03-10T16:19-12:30",
            "0000-01-01T00:00:00.000000001+23:59",
        ] {
            assert_eq!(reads(text), text);
        }
    }

    #[test]
    fn fields_offsets_and_fractions_have_their_values() {
        let date = parse("2021-03-10T16:19:31.761+05:30").ok().unwrap();
        assert_eq!(date.naive().to_string(), "2021-03-10 16:19:31.761");
        assert_eq!(date.offset().map(|o| o.local_minus_utc()), Some(19800));
        let date = parse("2021-03-10 16:19:31.000000009-0130").ok().unwrap();
        assert_eq!(date.time().map(|t| t.nanosecond()), Some(9));
        assert_eq!(date.offset().map(|o| o.local_minus_utc()), Some(-5400));
        let date = parse("2021-03-10T16:19:31.5Z").ok().unwrap();
        assert_eq!(date.time().map(|t| t.nanosecond()), Some(500_000_000));
        assert_eq!(date.offset().map(|o| o.local_minus_utc()), Some(0));
    }

    #[test]
    fn malformed_text_is_a_form_error_and_impossible_values_a_range_error() {
        for text in [
            "",
            "2030-06-2",
            "2030/06/20",
            "2030-06-20x",
            "2030-06-20T",
            "2030-06-20T14",
            "2030-06-20T14:3",
            "2030-06-20T14-30",
            "2030-06-20t14:30",
            "2030-06-20T14:30:",
            "2030-06-20T14:30:5",
            "2030-06-20T14:30:05.",
            "2030-06-20T14:30:05.1234567891",
            "2030-06-20T14:30:05,5",
            "2030-06-20T14:30:05ZZ",
            "2030-06-20T14:30:05+2",
            "2030-06-20T14:30:05+02:0",
            "2030-06-20T14:30:05+02:00:00",
            "2030-06-20T14:30:05+020",
            "2030-06-20T14:30:05 +02:00",
            "2O30-06-20",
            "+2030-06-20",
        ] {
            assert_eq!(reads(text), "form", "{text:?}");
        }
        for text in [
            "2030-02-29",
            "2030-13-01",
            "2030-00-10",
            "2030-06-20T24:00",
            "2030-06-20T23:60",
            "2030-06-20T23:59:60",
            "2030-06-20T10:00:00+24:00",
            "2030-06-20T10:00:00+05:60",
            // A range error in the date wins over a malformed rest.
            "2030-02-30Tnonsense",
        ] {
            assert_eq!(reads(text), "range", "{text:?}");
        }
    }
}
