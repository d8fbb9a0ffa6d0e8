//! The computed cells: `formula` ([`FormulaValue`]) and `link-formula`
//! ([`LinkFormulaValue`]).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::date::is_read_shape;
use super::{number_json, CellError, Date};
use crate::types::FormulaResultType;

/// The value of a `formula` cell. The column's `data.result_type` says which variant a
/// cell holds; a formula that fails to evaluate holds an error code such as `#VALUE!`.
///
/// - **Read shape**: by `result_type`: `string` a JSON string, `number` a JSON number,
///   `bool` a JSON boolean, `date` an ISO 8601 string with offset
///   (`"2031-06-20T00:00:00+02:00"`), `array` a JSON array; on error the string `"#VALUE!"`
///   (or another code of [`FormulaValue::ERROR_CODES`]). An empty result is `null`, which
///   reads as [`Cell::Empty`](super::Cell::Empty).
/// - **Write shape**: none. Formula cells are computed by the server and never sent;
///   `Serialize` produces the read shape, so a value can be stored and read back.
///
/// `Deserialize` has no column to ask for the result type: it reads a string in the
/// server's date shape (ISO 8601 with `T`, seconds and offset) as [`FormulaValue::Date`],
/// an error code as [`FormulaValue::Error`], any other string as [`FormulaValue::String`].
/// [`Cell::read`](super::Cell::read) uses the column's `result_type` instead.
///
/// ```no_run
/// use seatable_api::cells::FormulaValue;
/// let v: FormulaValue = serde_json::from_value(serde_json::json!("#VALUE!")).unwrap();
/// assert!(v.is_error());
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FormulaValue {
    /// A `string` result.
    String(String),
    /// A `number` result.
    Number(f64),
    /// A `bool` result.
    Bool(bool),
    /// A `date` result.
    Date(Date),
    /// An `array` result; elements in the cell shape of the formula's `array_type`.
    Array(Vec<Value>),
    /// The formula could not be evaluated: the error code the server shows (`#VALUE!`).
    Error(String),
}

impl FormulaValue {
    /// The error codes SeaTable's formula engine writes into a cell instead of a result.
    pub const ERROR_CODES: &'static [&'static str] = &[
        "#VALUE!", "#NAME?", "#DIV/0!", "#REF!", "#N/A", "#NUM!", "#NULL!", "#ERROR!",
    ];

    /// Whether the formula failed to evaluate.
    ///
    /// ```no_run
    /// use seatable_api::cells::FormulaValue;
    /// assert!(FormulaValue::Error("#VALUE!".into()).is_error());
    /// assert!(!FormulaValue::Number(3.0).is_error());
    /// ```
    pub fn is_error(&self) -> bool {
        matches!(self, FormulaValue::Error(_))
    }

    /// The read shape of the value (numbers without a fraction as JSON integers, the way
    /// the server writes them).
    ///
    /// ```no_run
    /// use seatable_api::cells::FormulaValue;
    /// assert_eq!(FormulaValue::Number(3.0).to_json(), serde_json::json!(3));
    /// ```
    pub fn to_json(&self) -> Value {
        match self {
            FormulaValue::String(text) | FormulaValue::Error(text) => Value::String(text.clone()),
            FormulaValue::Number(number) => number_json(*number),
            FormulaValue::Bool(flag) => Value::Bool(*flag),
            FormulaValue::Date(date) => Value::String(date.to_string()),
            FormulaValue::Array(items) => Value::Array(items.clone()),
        }
    }

    /// Reads a non-null cell of a formula column whose result type is `result_type`.
    pub(crate) fn read(
        result_type: Option<&FormulaResultType>,
        value: &Value,
    ) -> Result<FormulaValue, CellError> {
        FormulaValue::from_json(result_type, value.clone())
    }

    /// [`FormulaValue::read`], taking the value: strings and arrays move into the result.
    fn from_json(
        result_type: Option<&FormulaResultType>,
        value: Value,
    ) -> Result<FormulaValue, CellError> {
        let text = match value {
            Value::Bool(flag) => return Ok(FormulaValue::Bool(flag)),
            Value::Number(number) => {
                return Ok(FormulaValue::Number(number.as_f64().unwrap_or(f64::NAN)))
            }
            Value::Array(items) => return Ok(FormulaValue::Array(items)),
            Value::String(text) => text,
            Value::Null | Value::Object(_) => {
                return Err(CellError::found_json(
                    "a formula result (a string, number, boolean, date or array)",
                    &value,
                ))
            }
        };
        if FormulaValue::ERROR_CODES.contains(&text.as_str()) {
            return Ok(FormulaValue::Error(text));
        }
        match result_type {
            Some(FormulaResultType::Date) => match Date::parse(&text) {
                Ok(date) => Ok(FormulaValue::Date(date)),
                Err(_) => Err(CellError::found_json(
                    "a date result (ISO 8601)",
                    &Value::String(text),
                )),
            },
            None if is_read_shape(&text) => match Date::parse(&text) {
                Ok(date) => Ok(FormulaValue::Date(date)),
                Err(_) => Ok(FormulaValue::String(text)),
            },
            _ => Ok(FormulaValue::String(text)),
        }
    }
}

impl fmt::Display for FormulaValue {
    /// Strings, dates and error codes as they are, numbers as JSON writes them, arrays as
    /// JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormulaValue::String(text) | FormulaValue::Error(text) => f.write_str(text),
            FormulaValue::Date(date) => date.fmt(f),
            other => other.to_json().fmt(f),
        }
    }
}

impl Serialize for FormulaValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for FormulaValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        FormulaValue::from_json(None, value).map_err(serde::de::Error::custom)
    }
}

/// The value of a `link-formula` cell, computed over the rows a link column links to.
///
/// - **Read shape**: `count_links` a JSON number (`6`); `rollup` a number (`1.25`) or,
///   for `concatenate`, a string; `lookup`, `findmin` and `findmax` an array of the
///   linked column's values (`[1.4]`); a `date` result type an ISO 8601 string.
/// - **Write shape**: none; link-formula cells are computed by the server. `Serialize`
///   produces the read shape.
///
/// `Deserialize` reads a string in the server's date shape as [`LinkFormulaValue::Date`];
/// [`Cell::read`](super::Cell::read) uses the column's `result_type` instead.
///
/// ```no_run
/// use seatable_api::cells::LinkFormulaValue;
/// let v: LinkFormulaValue = serde_json::from_value(serde_json::json!([1.1, 1.4])).unwrap();
/// assert_eq!(v, LinkFormulaValue::Array(vec![serde_json::json!(1.1), serde_json::json!(1.4)]));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LinkFormulaValue {
    /// A number: a count, or a sum, average, minimum or maximum.
    Number(f64),
    /// A string, for example concatenated values.
    String(String),
    /// A boolean result.
    Bool(bool),
    /// A date result.
    Date(Date),
    /// The looked-up values, in the cell shape of the linked column.
    Array(Vec<Value>),
}

impl LinkFormulaValue {
    /// The read shape of the value.
    ///
    /// ```no_run
    /// use seatable_api::cells::LinkFormulaValue;
    /// assert_eq!(LinkFormulaValue::Number(6.0).to_json(), serde_json::json!(6));
    /// ```
    pub fn to_json(&self) -> Value {
        match self {
            LinkFormulaValue::Number(number) => number_json(*number),
            LinkFormulaValue::String(text) => Value::String(text.clone()),
            LinkFormulaValue::Bool(flag) => Value::Bool(*flag),
            LinkFormulaValue::Date(date) => Value::String(date.to_string()),
            LinkFormulaValue::Array(items) => Value::Array(items.clone()),
        }
    }

    /// Reads a non-null cell of a link-formula column whose result type is `result_type`.
    pub(crate) fn read(
        result_type: Option<&FormulaResultType>,
        value: &Value,
    ) -> Result<LinkFormulaValue, CellError> {
        LinkFormulaValue::from_json(result_type, value.clone())
    }

    /// [`LinkFormulaValue::read`], taking the value: strings and arrays move into the
    /// result.
    fn from_json(
        result_type: Option<&FormulaResultType>,
        value: Value,
    ) -> Result<LinkFormulaValue, CellError> {
        match value {
            Value::Bool(flag) => Ok(LinkFormulaValue::Bool(flag)),
            Value::Number(number) => Ok(LinkFormulaValue::Number(
                number.as_f64().unwrap_or(f64::NAN),
            )),
            Value::Array(items) => Ok(LinkFormulaValue::Array(items)),
            Value::String(text) => match result_type {
                Some(FormulaResultType::Date) => match Date::parse(&text) {
                    Ok(date) => Ok(LinkFormulaValue::Date(date)),
                    Err(_) => Err(CellError::found_json(
                        "a date result (ISO 8601)",
                        &Value::String(text),
                    )),
                },
                None if is_read_shape(&text) => match Date::parse(&text) {
                    Ok(date) => Ok(LinkFormulaValue::Date(date)),
                    Err(_) => Ok(LinkFormulaValue::String(text)),
                },
                _ => Ok(LinkFormulaValue::String(text)),
            },
            Value::Null | Value::Object(_) => Err(CellError::found_json(
                "a link-formula result (a number, string, boolean, date or array)",
                &value,
            )),
        }
    }
}

impl fmt::Display for LinkFormulaValue {
    /// Strings and dates as they are, numbers and arrays as JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkFormulaValue::String(text) => f.write_str(text),
            LinkFormulaValue::Date(date) => date.fmt(f),
            other => other.to_json().fmt(f),
        }
    }
}

impl Serialize for LinkFormulaValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for LinkFormulaValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        LinkFormulaValue::from_json(None, value).map_err(serde::de::Error::custom)
    }
}
