//! Rows found by a unique key column, with parameterised SQL: what resolves a chunk whose
//! outcome is unknown, and what splits an upsert into updates and appends.
//!
//! One lookup is `SELECT _id, `Key` FROM `Table` WHERE `Key` IN (?, ?, …) LIMIT 10000`
//! with the keys sent as `parameters`, never spliced into the statement. Names are put in
//! backticks, as SeaTable's SQL documentation asks for names with spaces or special
//! characters. That documentation gives no way to write a backtick inside such a name
//! (SeaTable's MCP server doubles it, MySQL-style, which no published SeaTable answer
//! confirms), so a table or key column whose name holds one is refused before anything is
//! sent rather than guessed at.

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::transport::error::{Error, ErrorKind};
use crate::BaseClient;

/// Keys per lookup statement: the size of one write chunk, so that resolving a chunk
/// costs one request. SeaTable documents no limit on `parameters`; this keeps a statement
/// near 10 KB of placeholders.
pub(crate) const KEYS_PER_LOOKUP: usize = 1000;

/// The `LIMIT` of a lookup: SeaTable's cap on the rows of one statement. Without a `LIMIT`
/// it would answer at most 100 rows, silently.
const LOOKUP_LIMIT: usize = 10_000;

/// The value of a key cell, compared the way the client compares keys: text exactly,
/// numbers by value (so `5` and `5.0` are one key).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum KeyValue {
    Text(String),
    Integer(i64),
    /// A number with a fraction, by its bits (never NaN: JSON has none).
    Float(u64),
}

impl KeyValue {
    /// The key a cell holds; `None` for an empty cell or one that is neither text nor a
    /// number.
    pub(crate) fn of(cell: &Value) -> Option<KeyValue> {
        match cell {
            Value::String(s) if !s.is_empty() => Some(KeyValue::Text(s.clone())),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    return Some(KeyValue::Integer(i));
                }
                let f = n.as_f64()?;
                // Integral values within i64 compare as integers, whatever their spelling.
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    Some(KeyValue::Integer(f as i64))
                } else {
                    Some(KeyValue::Float(f.to_bits()))
                }
            }
            _ => None,
        }
    }

    /// The value bound to a `?` of the lookup.
    fn parameter(&self) -> Value {
        match self {
            KeyValue::Text(s) => Value::String(s.clone()),
            KeyValue::Integer(i) => Value::from(*i),
            KeyValue::Float(bits) => Value::from(f64::from_bits(*bits)),
        }
    }
}

impl fmt::Display for KeyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyValue::Text(s) => write!(f, "{}", Value::String(s.clone())),
            KeyValue::Integer(i) => write!(f, "{i}"),
            KeyValue::Float(bits) => write!(f, "{}", f64::from_bits(*bits)),
        }
    }
}

/// `name` in backticks, for a statement; an error naming `what` (`table`, `key column`)
/// when SeaTable's SQL offers no way to quote it.
pub(crate) fn quote_name(operation: &str, what: &str, name: &str) -> Result<String, Error> {
    let problem = if name.is_empty() {
        Some("is empty")
    } else if name.contains('`') {
        Some(
            "holds a backtick, which SeaTable's SQL documents no way to quote; rename it to \
             look rows up by it",
        )
    } else if name.chars().any(char::is_control) {
        Some("holds a control character")
    } else {
        None
    };
    match problem {
        None => Ok(format!("`{name}`")),
        Some(problem) => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("the {what} name {name:?} {problem}; nothing was sent"),
        )
        .with_operation(operation)),
    }
}

/// The key of each row (`None` for a row that holds no cells), in input order: an error
/// naming the rows when one has no usable key or two rows share one, before anything is
/// sent.
pub(crate) fn input_keys<'r>(
    operation: &str,
    key_column: &str,
    rows: impl IntoIterator<Item = &'r Map<String, Value>>,
) -> Result<Vec<KeyValue>, Error> {
    const SHOWN: usize = 20;
    let mut keys = Vec::new();
    let mut first_row: HashMap<KeyValue, usize> = HashMap::new();
    let mut problems = Vec::new();
    let mut count = 0;
    for (i, row) in rows.into_iter().enumerate() {
        let problem = match row.get(key_column) {
            None => Some(format!("row {i} has no `{key_column}` cell")),
            Some(cell) => match KeyValue::of(cell) {
                None => Some(format!(
                    "row {i}: `{key_column}` is {cell}, not a non-empty text or a number"
                )),
                Some(key) => {
                    let problem = first_row
                        .get(&key)
                        .map(|first| format!("rows {first} and {i} both have the key {key}"));
                    first_row.entry(key.clone()).or_insert(i);
                    keys.push(key);
                    problem
                }
            },
        };
        if let Some(problem) = problem {
            count += 1;
            if problems.len() < SHOWN {
                problems.push(problem);
            }
        }
    }
    if count == 0 {
        return Ok(keys);
    }
    let more = if count > SHOWN {
        format!("\n… and {} more", count - SHOWN)
    } else {
        String::new()
    };
    Err(Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "{count} problem(s) with the key column `{key_column}`, whose values must be \
             present and unique in the input; nothing was sent:\n{}{more}",
            problems.join("\n")
        ),
    )
    .with_operation(operation))
}

/// For each of `keys`, the ids of the rows of `table` whose `key_column` holds it (none,
/// one, or several when the column is not unique in the table), in
/// `keys.len().div_ceil(KEYS_PER_LOOKUP)` requests.
pub(crate) async fn find_rows(
    base: &BaseClient,
    table: &str,
    key_column: &str,
    keys: &[KeyValue],
) -> Result<Vec<Vec<String>>, Error> {
    const OPERATION: &str = "querySql";
    let quoted_table = quote_name(OPERATION, "table", table)?;
    let quoted_key = quote_name(OPERATION, "key column", key_column)?;
    let mut found = Vec::with_capacity(keys.len());
    for part in keys.chunks(KEYS_PER_LOOKUP) {
        let placeholders = vec!["?"; part.len()].join(", ");
        let statement = format!(
            "SELECT _id, {quoted_key} FROM {quoted_table} WHERE {quoted_key} IN \
             ({placeholders}) LIMIT {LOOKUP_LIMIT}"
        );
        let answer = base
            .query_sql(statement)
            .parameters(part.iter().map(KeyValue::parameter))
            .convert_keys(true)
            .send()
            .await?;
        if answer.success == Some(false) {
            return Err(Error::new(
                ErrorKind::Api,
                format!(
                    "the key lookup failed: {}",
                    answer.error_message.as_deref().unwrap_or("no reason given")
                ),
            )
            .with_operation(OPERATION));
        }
        if answer.results.len() >= LOOKUP_LIMIT {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{LOOKUP_LIMIT} or more rows of `{table}` hold {} keys of `{key_column}`: \
                     the column is not a unique key",
                    part.len()
                ),
            )
            .with_operation(OPERATION));
        }
        let position: HashMap<&KeyValue, usize> =
            part.iter().enumerate().map(|(i, k)| (k, i)).collect();
        let mut ids = vec![Vec::new(); part.len()];
        for row in answer.results {
            let (Some(id), Some(key)) = (row.id, row.extra.get(key_column).and_then(KeyValue::of))
            else {
                continue;
            };
            // SeaTable may compare more loosely than the client (case, spaces); only exact
            // matches count.
            if let Some(&i) = position.get(&key) {
                ids[i].push(id);
            }
        }
        found.extend(ids);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value_and_text_exactly() {
        assert_eq!(KeyValue::of(&json!(5)), KeyValue::of(&json!(5.0)));
        assert_ne!(KeyValue::of(&json!("5")), KeyValue::of(&json!(5)));
        assert_ne!(KeyValue::of(&json!("a")), KeyValue::of(&json!("A")));
        assert_eq!(KeyValue::of(&json!("")), None);
        assert_eq!(KeyValue::of(&json!(null)), None);
        assert_eq!(KeyValue::of(&json!(true)), None);
        assert_eq!(KeyValue::of(&json!(2.5)).unwrap().to_string(), "2.5");
        assert_eq!(KeyValue::of(&json!("x")).unwrap().to_string(), "\"x\"");
    }

    #[test]
    fn names_are_quoted_and_a_backtick_is_refused() {
        assert_eq!(quote_name("op", "table", "My Table").unwrap(), "`My Table`");
        let e = quote_name("op", "key column", "a`b").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            e.to_string(),
            "op: the key column name \"a`b\" holds a backtick, which SeaTable's SQL documents \
             no way to quote; rename it to look rows up by it; nothing was sent"
        );
        assert!(quote_name("op", "table", "").is_err());
        assert!(quote_name("op", "table", "a\nb").is_err());
    }

    #[test]
    fn missing_bad_and_repeated_keys_are_named_by_row() {
        let rows: Vec<Map<String, Value>> = [
            json!({"Key": "a"}),
            json!({"Other": 1}),
            json!({"Key": "a"}),
            json!({"Key": [1]}),
            json!({"Key": 7}),
        ]
        .iter()
        .map(|r| r.as_object().unwrap().clone())
        .collect();
        let e = input_keys("appendRows", "Key", &rows).unwrap_err();
        assert_eq!(
            e.to_string(),
            "appendRows: 3 problem(s) with the key column `Key`, whose values must be present \
             and unique in the input; nothing was sent:\nrow 1 has no `Key` cell\nrows 0 and 2 \
             both have the key \"a\"\nrow 3: `Key` is [1], not a non-empty text or a number"
        );
        let keys = input_keys("appendRows", "Key", &rows[4..]).unwrap();
        assert_eq!(keys, [KeyValue::Integer(7)]);
    }
}
