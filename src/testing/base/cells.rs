//! Cell normalisation on write: what SeaTable stores for a value a client sends, per
//! column type (appendRows, updateRows, addBigDataRows, a workflow's new row).
//!
//! From the recorded answers and `seatable-facts.md`: dates come back as ISO 8601 with the
//! server's offset (`2030-06-20T23:55:00+02:00`), and a date column not "accurate to
//! minute" drops the time; durations are numbers of seconds (`1:30` → 5400); a checkbox
//! is true only for JSON `true` (the integer `1` is stored as false); an unreadable date
//! is stored empty; unknown select options are added to the column; ratings above the
//! column's maximum are kept; unknown column names and read-only columns are dropped.
//! Where a rule below is not among those facts, its comment says it is inferred.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use chrono::{TimeZone, Timelike, Utc, Weekday};
use serde_json::{json, Map, Value};

use super::options::add_option;
use super::{column_key, column_name, column_type, MockTable, StoredColumn};

/// Column types whose cells a row write cannot set (written values are ignored, as
/// SeaTable ignores them). `auto-number` is not among them: SeaTable's API accepts and
/// stores writes to it (seatable-facts.md, API_ISSUES #4).
pub(crate) const READ_ONLY_TYPES: [&str; 8] = [
    "link",
    "formula",
    "link-formula",
    "button",
    "creator",
    "ctime",
    "last-modifier",
    "mtime",
];

/// The time zone dates are stored in. SeaTable uses its server's `TIME_ZONE` setting; the
/// stand-in keeps one per base, UTC unless a test sets another with
/// `MockSeaTable::set_time_zone`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Zone {
    /// A fixed offset from UTC, such as `+02:00`.
    Fixed(FixedOffset),
    /// Central European time: +01:00, and +02:00 from the last Sunday of March to the last
    /// Sunday of October, switching at 01:00 UTC (Europe/Berlin, Paris, Vienna…). The
    /// recorded answers come from such a server (`2031-12-31T00:00:00+01:00`).
    CentralEurope,
}

impl Default for Zone {
    fn default() -> Zone {
        Zone::Fixed(FixedOffset::east_opt(0).expect("zero is a valid offset"))
    }
}

/// Zone names that mean [`Zone::CentralEurope`].
const CENTRAL_EUROPE: [&str; 12] = [
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Warsaw",
];

impl Zone {
    /// `UTC`, an offset (`+02:00`, `-05:30`) or a Central European zone name
    /// (`Europe/Berlin`); an error says what is accepted.
    pub fn parse(text: &str) -> Result<Zone, String> {
        if text.eq_ignore_ascii_case("utc") || text == "Z" {
            return Ok(Zone::default());
        }
        if CENTRAL_EUROPE.contains(&text) {
            return Ok(Zone::CentralEurope);
        }
        parse_offset(text).map(Zone::Fixed).ok_or_else(|| {
            format!(
                "time zone `{text}` is not understood: give `UTC`, an offset such as `+02:00`, \
                 or one of {}",
                CENTRAL_EUROPE.join(", ")
            )
        })
    }

    /// The text `parse` reads back as this zone.
    pub fn name(self) -> String {
        match self {
            Zone::Fixed(offset) => offset.to_string(),
            Zone::CentralEurope => CENTRAL_EUROPE[0].to_string(),
        }
    }

    fn offset_at_utc(self, instant: NaiveDateTime) -> FixedOffset {
        match self {
            Zone::Fixed(offset) => offset,
            Zone::CentralEurope => {
                let year = instant.year();
                let starts = last_sunday(year, 3).and_hms_opt(1, 0, 0);
                let ends = last_sunday(year, 10).and_hms_opt(1, 0, 0);
                let summer =
                    matches!((starts, ends), (Some(s), Some(e)) if instant >= s && instant < e);
                FixedOffset::east_opt(if summer { 7200 } else { 3600 })
                    .expect("one or two hours is a valid offset")
            }
        }
    }

    /// The offset of a local wall time (a time skipped or repeated at a switch takes the
    /// offset before it).
    fn offset_at_local(self, local: NaiveDateTime) -> FixedOffset {
        let standard = self.offset_at_utc(local - Duration::hours(1));
        self.offset_at_utc(local - Duration::seconds(standard.local_minus_utc() as i64))
    }

    /// A local wall time as stored: ISO 8601 with this zone's offset, whole seconds.
    pub fn format_local(self, local: NaiveDateTime) -> String {
        let offset = self.offset_at_local(local);
        match offset.from_local_datetime(&local).single() {
            Some(at) => at.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            None => format!("{}{}", local.format("%Y-%m-%dT%H:%M:%S"), offset),
        }
    }

    /// An instant in this zone's wall time.
    fn local_of(self, instant: DateTime<FixedOffset>) -> NaiveDateTime {
        let utc = instant.naive_utc();
        utc + Duration::seconds(self.offset_at_utc(utc).local_minus_utc() as i64)
    }

    /// Now, as wall time in this zone.
    pub fn now_local(self) -> NaiveDateTime {
        self.local_of(DateTime::<Utc>::from(std::time::SystemTime::now()).fixed_offset())
    }
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .unwrap_or_default();
    let mut day = first_of_next - Duration::days(1);
    while day.weekday() != Weekday::Sun {
        day -= Duration::days(1);
    }
    day
}

/// `+02:00`, `+0200`, `-05:30`, `Z`.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    if text == "Z" {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// A date as a client writes it, in the column's `format` (which decides day-first
/// against month-first for `a/b/YYYY`): the date, the time when one was given, and the
/// offset when one was given.
fn parse_date(
    text: &str,
    day_first: bool,
) -> Option<(NaiveDate, Option<NaiveTime>, Option<FixedOffset>)> {
    let text = text.trim();
    // ISO 8601 / RFC 3339 with an offset.
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some((at.date_naive(), Some(at.time()), Some(*at.offset())));
    }
    let (date_part, rest) = match text.find([' ', 'T']) {
        Some(i) => (&text[..i], text[i + 1..].trim()),
        None => (text, ""),
    };
    let fields: Vec<&str> = date_part.split(['-', '/', '.']).collect();
    let [a, b, c] = fields.as_slice() else {
        return None;
    };
    let number = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (a, b, c) = (number(a)?, number(b)?, number(c)?);
    let separator_dot = date_part.contains('.');
    let date = if fields[0].len() == 4 {
        NaiveDate::from_ymd_opt(a as i32, b, c)
    } else if fields[2].len() == 4 {
        // `DD.MM.YYYY` is always day first; `a/b/YYYY` follows the column's format.
        if separator_dot || day_first {
            NaiveDate::from_ymd_opt(c as i32, b, a)
        } else {
            NaiveDate::from_ymd_opt(c as i32, a, b)
        }
    } else {
        None
    }?;
    if rest.is_empty() {
        return Some((date, None, None));
    }
    // A time, then perhaps an offset.
    let (time_part, offset) = match rest.find(['+', 'Z']).or_else(|| rest.rfind('-')) {
        Some(i) => (&rest[..i], Some(parse_offset(rest[i..].trim())?)),
        None => (rest, None),
    };
    let time_part = time_part.trim();
    let time = ["%H:%M:%S%.f", "%H:%M:%S", "%H:%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(time_part, f).ok())?;
    Some((date, Some(time), offset))
}

/// A date cell as stored, or `None` for a value SeaTable cannot read (stored empty).
fn date_cell(column: &StoredColumn, value: &Value, zone: Zone) -> Option<Value> {
    let text = value.as_str()?;
    let format = column
        .get("data")
        .and_then(|d| d.get("format"))
        .and_then(Value::as_str)
        .unwrap_or("YYYY-MM-DD");
    let (date, time, offset) = parse_date(text, format.starts_with("DD"))?;
    let local = match (time, offset) {
        (Some(time), Some(offset)) => {
            let at = offset.from_local_datetime(&date.and_time(time)).single()?;
            zone.local_of(at)
        }
        (Some(time), None) => date.and_time(time),
        (None, _) => date.and_time(NaiveTime::MIN),
    };
    // A column not "accurate to minute" keeps the day only; one that is keeps hours and
    // minutes (that seconds are dropped too is inferred: the formats show none).
    let local = if format.contains("HH:mm") {
        let time = NaiveTime::from_hms_opt(local.time().hour(), local.time().minute(), 0)?;
        local.date().and_time(time)
    } else {
        local.date().and_time(NaiveTime::MIN)
    };
    Some(json!(zone.format_local(local)))
}

/// A duration in seconds: a number as given, `h:mm` or `h:mm:ss` text, or digits.
/// Inferred: `1:30` means one hour thirty whatever the column's `duration_format` (the
/// recorded `h:mm` and `h:mm:ss` columns both hold whole seconds).
fn duration_cell(value: &Value) -> Option<Value> {
    match value {
        Value::Number(_) => Some(value.clone()),
        Value::String(text) => {
            let text = text.trim();
            if let Ok(seconds) = text.parse::<i64>() {
                return Some(json!(seconds));
            }
            let parts: Vec<i64> = text
                .split(':')
                .map(|p| p.trim().parse::<i64>().ok().filter(|n| *n >= 0))
                .collect::<Option<_>>()?;
            match parts.as_slice() {
                [h, m] if *m < 60 => Some(json!(h * 3600 + m * 60)),
                [h, m, s] if *m < 60 && *s < 60 => Some(json!(h * 3600 + m * 60 + s)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Inferred: a number column stores JSON numbers, and numeric text as its number;
/// anything else is stored empty.
fn number_cell(value: &Value) -> Option<Value> {
    match value {
        Value::Number(_) => Some(value.clone()),
        Value::String(text) => {
            let text = text.trim();
            if let Ok(i) = text.parse::<i64>() {
                return Some(json!(i));
            }
            text.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
        }
        _ => None,
    }
}

/// What is stored for `value` written to `column`: `None` leaves the cell empty. Select
/// options the column lacks are added to it.
pub(crate) fn normalise(column: &mut StoredColumn, value: &Value, zone: Zone) -> Option<Value> {
    if value.is_null() {
        return None;
    }
    match column_type(column) {
        "date" => date_cell(column, value, zone),
        "duration" => duration_cell(value),
        // Only JSON `true` is true: `1`, `"true"` and the like are stored as false.
        "checkbox" => Some(json!(value == &Value::Bool(true))),
        "number" => number_cell(value),
        // Ratings are not checked against `rate_max_number` (an 8 is kept when the
        // maximum is 7), as SeaTable does; non-numbers are inferred to be stored empty.
        "rate" => number_cell(value),
        "single-select" => {
            let name = value.as_str()?;
            add_option(column, name);
            Some(json!(name))
        }
        "multiple-select" => {
            // Inferred: a single name is taken as a list of one.
            let names: Vec<String> = match value {
                Value::String(s) => vec![s.clone()],
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                _ => return None,
            };
            for name in &names {
                add_option(column, name);
            }
            (!names.is_empty()).then(|| json!(names))
        }
        _ => Some(value.clone()),
    }
}

/// Writes the cells of `input` (keyed by column name) into `row`, normalised; names
/// matching no column and read-only columns are skipped, as SeaTable does. Returns the
/// keys of the cells written.
pub(crate) fn write_cells(
    table: &mut MockTable,
    row: &mut Map<String, Value>,
    input: &Map<String, Value>,
    zone: Zone,
) -> Vec<String> {
    let mut written = Vec::new();
    for column in table.columns.iter_mut() {
        let Some(value) = input.get(column_name(column)) else {
            continue;
        };
        if READ_ONLY_TYPES.contains(&column_type(column)) {
            continue;
        }
        let key = column_key(column).to_string();
        match normalise(column, value, zone) {
            Some(stored) => {
                row.insert(key.clone(), stored);
            }
            None => {
                row.remove(&key);
            }
        }
        written.push(key);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date_column(format: &str) -> StoredColumn {
        json!({"key": "D", "name": "D", "type": "date", "data": {"format": format}})
            .as_object()
            .cloned()
            .unwrap()
    }

    #[test]
    fn dates_are_stored_in_the_zone_with_its_offset() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let minute = date_column("YYYY-MM-DD HH:mm");
        let day = date_column("YYYY-MM-DD");
        let cases = [
            (&minute, "2030/06/20 23:55", "2030-06-20T23:55:00+02:00"),
            (&minute, "2031-12-31 11:30", "2031-12-31T11:30:00+01:00"),
            (&day, "2031-12-31 11:30", "2031-12-31T00:00:00+01:00"),
            (&minute, "2030-06-20T21:55:00Z", "2030-06-20T23:55:00+02:00"),
            (&day, "20.06.2030", "2030-06-20T00:00:00+02:00"),
            (&day, "6/20/2030", "2030-06-20T00:00:00+02:00"),
        ];
        for (column, input, stored) in cases {
            assert_eq!(
                date_cell(column, &json!(input), berlin),
                Some(json!(stored)),
                "{input}"
            );
        }
        let day_first = date_column("DD/MM/YYYY");
        assert_eq!(
            date_cell(&day_first, &json!("05/06/2030"), Zone::default()),
            Some(json!("2030-06-05T00:00:00+00:00"))
        );
        assert_eq!(date_cell(&day, &json!("next tuesday"), berlin), None);
        assert_eq!(date_cell(&day, &json!("2030-02-30"), berlin), None);
    }

    #[test]
    fn zones_parse_and_refuse_clearly() {
        assert_eq!(
            Zone::parse("+02:00").unwrap(),
            Zone::Fixed(FixedOffset::east_opt(7200).unwrap())
        );
        let e = Zone::parse("Mars/Olympus").unwrap_err();
        assert!(
            e.starts_with("time zone `Mars/Olympus` is not understood"),
            "{e}"
        );
    }

    #[test]
    fn durations_become_seconds() {
        assert_eq!(duration_cell(&json!("1:30")), Some(json!(5400)));
        assert_eq!(duration_cell(&json!("1:30:30")), Some(json!(5430)));
        assert_eq!(duration_cell(&json!(90)), Some(json!(90)));
        assert_eq!(duration_cell(&json!("1:75")), None);
    }
}
