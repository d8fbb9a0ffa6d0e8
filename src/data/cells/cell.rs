//! [`Cell`]: any cell, typed by its column.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use super::column;
use super::date::{DATE_FORMS, TIMESTAMP_FORM};
use super::duration::DURATION_READ;
use super::{CellError, Date, Duration, FormulaValue, LinkFormulaValue, Timestamp};
use crate::types::{Column, DigitalSignCell, FileCellItem, GeolocationCell, LinkCellItem};

/// One cell, typed by the type of its column. Variants group the column types whose cells
/// have the same Rust type and the same write rules:
///
/// | variant | column types | read-only |
/// |---|---|---|
/// | [`Text`](Cell::Text) | `text`, `long-text`, `email`, `url` | |
/// | [`SingleSelect`](Cell::SingleSelect) | `single-select` (the option name) | |
/// | [`MultipleSelect`](Cell::MultipleSelect) | `multiple-select` (option names) | |
/// | [`Number`](Cell::Number) | `number` | |
/// | [`Rate`](Cell::Rate) | `rate` | |
/// | [`Checkbox`](Cell::Checkbox) | `checkbox` | |
/// | [`Date`](Cell::Date) | `date` | |
/// | [`Duration`](Cell::Duration) | `duration` | |
/// | [`Collaborator`](Cell::Collaborator) | `collaborator` (user ids) | |
/// | [`Image`](Cell::Image) | `image` (URLs) | |
/// | [`File`](Cell::File) | `file` | |
/// | [`Geolocation`](Cell::Geolocation) | `geolocation` | |
/// | [`Department`](Cell::Department) | `department-single-select` (department id) | |
/// | [`Formula`](Cell::Formula) | `formula` | yes |
/// | [`Link`](Cell::Link) | `link` (written through the link operations) | yes |
/// | [`LinkFormula`](Cell::LinkFormula) | `link-formula` | yes |
/// | [`DigitalSign`](Cell::DigitalSign) | `digital-sign` | yes |
/// | [`AutoNumber`](Cell::AutoNumber) | `auto-number` | yes |
/// | [`User`](Cell::User) | `creator`, `last-modifier` (user id) | yes |
/// | [`Timestamp`](Cell::Timestamp) | `ctime`, `mtime` | yes |
/// | [`Empty`](Cell::Empty) | any column: the cell is `null` (`button` cells always are) | |
/// | [`Unknown`](Cell::Unknown) | a column type this version does not know | |
///
/// [`Cell::read`] decodes the JSON the server sends, [`Cell::to_json`] gives exactly that
/// JSON back, [`Cell::to_write_json`] the JSON to send in a row write.
///
/// ```no_run
/// # fn run(column: &seatable_api::types::Column) -> Result<(), seatable_api::cells::CellError> {
/// use seatable_api::cells::Cell;
/// let value = serde_json::json!(5430);
/// let cell = Cell::read(column, &value)?; // a duration column: Cell::Duration(1:30:30)
/// assert_eq!(cell.to_json(), value);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Cell {
    /// An empty cell: `null` (or absent from the row).
    Empty,
    /// `text`, `long-text` (Markdown), `email` or `url`.
    Text(String),
    /// `single-select`: the option's name.
    SingleSelect(String),
    /// `multiple-select`: the options' names.
    MultipleSelect(Vec<String>),
    /// `number` (the column's format only changes the display).
    Number(f64),
    /// `rate`: the number of stars.
    Rate(i64),
    /// `checkbox`. A box that was never set reads as [`Cell::Empty`]: treat it as unticked.
    Checkbox(bool),
    /// `date`.
    Date(Date),
    /// `duration`.
    Duration(Duration),
    /// `collaborator`: user ids (`…@auth.local`).
    Collaborator(Vec<String>),
    /// `image`: image URLs.
    Image(Vec<String>),
    /// `file`: the attached files.
    File(Vec<FileCellItem>),
    /// `geolocation`.
    Geolocation(GeolocationCell),
    /// `department-single-select`: the department id.
    Department(i64),
    /// `formula`: the computed result.
    Formula(FormulaValue),
    /// `link`: the linked rows (at most 50 in list-rows and SQL answers).
    Link(Vec<LinkCellItem>),
    /// `link-formula`: the value computed over the linked rows.
    LinkFormula(LinkFormulaValue),
    /// `digital-sign`: the signature.
    DigitalSign(DigitalSignCell),
    /// `auto-number`: the generated number as text (`"0001"`, `"row-0001"`).
    AutoNumber(String),
    /// `creator` or `last-modifier`: a user id.
    User(String),
    /// `ctime` or `mtime`.
    Timestamp(Timestamp),
    /// A non-null cell of a column type this version does not know (or of a `button`
    /// column, which should never hold one), kept as received and written back unchanged.
    Unknown(Value),
}

const STRING: &str = "a string";
const STRINGS: &str = "a list of strings";

impl Cell {
    /// Decodes `value`, the JSON of one cell as the server sends it, by the type of
    /// `column` (a formula by its `data.result_type`). `null` is [`Cell::Empty`] for every
    /// column type. The error names the column, what its type needs and what was found.
    ///
    /// ```no_run
    /// # fn run(table: &seatable_api::types::Table) -> Result<(), seatable_api::cells::CellError> {
    /// use seatable_api::cells::Cell;
    /// let column = &table.columns[0];
    /// match Cell::read(column, &serde_json::json!("ABC"))? {
    ///     Cell::Text(text) => println!("text {text}"),
    ///     other => println!("something else: {other:?}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn read(column: &Column, value: &Value) -> Result<Cell, CellError> {
        read(column, value).map_err(|e| e.with_column(column::name(column)))
    }

    /// The cell as the server sends it, so that `Cell::read(column, &cell.to_json())` gives
    /// the cell back and `cell.to_json()` equals the JSON it was read from. Numbers without
    /// a fraction become JSON integers, as the server writes them; a number that is not
    /// finite has no JSON form and becomes `null`.
    ///
    /// ```no_run
    /// use seatable_api::cells::{Cell, Duration};
    /// assert_eq!(Cell::Duration(Duration::from_secs(5430)).to_json(), serde_json::json!(5430));
    /// assert_eq!(Cell::Number(500.0).to_json(), serde_json::json!(500));
    /// ```
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Empty => Value::Null,
            Cell::Text(text)
            | Cell::SingleSelect(text)
            | Cell::AutoNumber(text)
            | Cell::User(text) => Value::String(text.clone()),
            Cell::MultipleSelect(items) | Cell::Collaborator(items) | Cell::Image(items) => {
                Value::Array(items.iter().cloned().map(Value::String).collect())
            }
            Cell::Number(number) => number_json(*number),
            Cell::Rate(number) | Cell::Department(number) => Value::from(*number),
            Cell::Checkbox(flag) => Value::Bool(*flag),
            Cell::Date(date) => Value::String(date.to_string()),
            Cell::Duration(duration) => Value::from(duration.as_secs()),
            Cell::File(files) => to_value(files),
            Cell::Geolocation(place) => {
                let mut value = to_value(place);
                // lat and lng are f64 in Rust but JSON integers when whole (`"lat": 50`).
                if let Value::Object(object) = &mut value {
                    for (field, number) in [("lat", place.lat), ("lng", place.lng)] {
                        if let Some(number) = number {
                            object.insert(field.to_string(), number_json(number));
                        }
                    }
                }
                value
            }
            Cell::Formula(result) => result.to_json(),
            Cell::Link(links) => to_value(links),
            Cell::LinkFormula(result) => result.to_json(),
            Cell::DigitalSign(signature) => to_value(signature),
            Cell::Timestamp(time) => Value::String(time.to_string()),
            Cell::Unknown(value) => value.clone(),
        }
    }

    /// The cell as a row write sends it (`appendRows`, `updateRows`), or `None` for a cell
    /// of a read-only column type (formula, link-formula, link, digital-sign, auto-number,
    /// creator, last-modifier, ctime, mtime), which must not be sent.
    ///
    /// The write shape equals the read shape except for durations, which are written as
    /// `"h:mm:ss"` (see [`Duration`]). [`Cell::Empty`] writes `null`, clearing the cell;
    /// [`Cell::Unknown`] writes its value back unchanged.
    ///
    /// ```no_run
    /// use seatable_api::cells::{Cell, Duration};
    /// let cell = Cell::Duration(Duration::from_secs(5430));
    /// assert_eq!(cell.to_write_json(), Some(serde_json::json!("1:30:30")));
    /// assert_eq!(Cell::User("a@auth.local".into()).to_write_json(), None);
    /// ```
    pub fn to_write_json(&self) -> Option<Value> {
        match self {
            Cell::Formula(_)
            | Cell::Link(_)
            | Cell::LinkFormula(_)
            | Cell::DigitalSign(_)
            | Cell::AutoNumber(_)
            | Cell::User(_)
            | Cell::Timestamp(_) => None,
            Cell::Duration(duration) => Some(to_value(duration)),
            other => Some(other.to_json()),
        }
    }

    /// Whether the cell is empty (`null`).
    ///
    /// ```no_run
    /// assert!(seatable_api::cells::Cell::Empty.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// A short name of the variant, as error messages use it: `empty`, `text`,
    /// `single-select`, …, `formula`, `unknown`.
    ///
    /// ```no_run
    /// assert_eq!(seatable_api::cells::Cell::Number(1.0).kind(), "number");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Cell::Empty => "empty",
            Cell::Text(_) => "text",
            Cell::SingleSelect(_) => "single-select",
            Cell::MultipleSelect(_) => "multiple-select",
            Cell::Number(_) => "number",
            Cell::Rate(_) => "rate",
            Cell::Checkbox(_) => "checkbox",
            Cell::Date(_) => "date",
            Cell::Duration(_) => "duration",
            Cell::Collaborator(_) => "collaborator",
            Cell::Image(_) => "image",
            Cell::File(_) => "file",
            Cell::Geolocation(_) => "geolocation",
            Cell::Department(_) => "department",
            Cell::Formula(_) => "formula",
            Cell::Link(_) => "link",
            Cell::LinkFormula(_) => "link-formula",
            Cell::DigitalSign(_) => "digital-sign",
            Cell::AutoNumber(_) => "auto-number",
            Cell::User(_) => "user",
            Cell::Timestamp(_) => "timestamp",
            Cell::Unknown(_) => "unknown",
        }
    }
}

fn read(column: &Column, value: &Value) -> Result<Cell, CellError> {
    if value.is_null() {
        return Ok(Cell::Empty);
    }
    let wrong = |expected: &str| CellError::found_json(expected, value);
    let string = || {
        value
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| wrong(STRING))
    };
    let strings = || {
        value
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .map(|item| item.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
            })
            .ok_or_else(|| wrong(STRINGS))
    };
    let integer = |expected: &str| value.as_i64().ok_or_else(|| wrong(expected));
    Ok(match column.tag() {
        "text" | "long-text" | "email" | "url" => Cell::Text(string()?),
        "single-select" => Cell::SingleSelect(string()?),
        "auto-number" => Cell::AutoNumber(string()?),
        "creator" | "last-modifier" => Cell::User(
            value
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| wrong("a user id (a string)"))?,
        ),
        "multiple-select" => Cell::MultipleSelect(strings()?),
        "collaborator" => Cell::Collaborator(strings()?),
        "image" => Cell::Image(strings()?),
        "number" => Cell::Number(value.as_f64().ok_or_else(|| wrong("a number"))?),
        "rate" => Cell::Rate(integer("a whole number of stars")?),
        "department-single-select" => Cell::Department(integer("a department id (an integer)")?),
        "checkbox" => Cell::Checkbox(value.as_bool().ok_or_else(|| wrong("true or false"))?),
        "date" => match value.as_str() {
            Some(text) => Cell::Date(Date::parse(text).map_err(|_| wrong(DATE_FORMS))?),
            None => return Err(wrong(DATE_FORMS)),
        },
        "duration" => {
            Cell::Duration(Duration::from_json(value).ok_or_else(|| wrong(DURATION_READ))?)
        }
        "ctime" | "mtime" => match value.as_str() {
            Some(text) => {
                Cell::Timestamp(Timestamp::parse(text).map_err(|_| wrong(TIMESTAMP_FORM))?)
            }
            None => return Err(wrong(TIMESTAMP_FORM)),
        },
        "file" => Cell::File(
            decode_list(value, |file: &mut FileCellItem| &mut file.extra).ok_or_else(|| {
                wrong("a list of files ({\"name\", \"size\", \"type\", \"url\"})")
            })?,
        ),
        "link" => Cell::Link(
            decode_list(value, |link: &mut LinkCellItem| &mut link.extra)
                .ok_or_else(|| wrong("a list of links ({\"row_id\", \"display_value\"})"))?,
        ),
        "geolocation" => Cell::Geolocation(
            decode_object(value, |place: &mut GeolocationCell| &mut place.extra).ok_or_else(
                || wrong("a geolocation object ({\"lat\", \"lng\"}, {\"country_region\"}, …)"),
            )?,
        ),
        "digital-sign" => Cell::DigitalSign(
            decode_object(value, |signature: &mut DigitalSignCell| {
                &mut signature.extra
            })
            .ok_or_else(|| {
                wrong("a signature ({\"username\", \"sign_image_url\", \"sign_time\"})")
            })?,
        ),
        "formula" => Cell::Formula(FormulaValue::read(
            column::result_type(column).as_ref(),
            value,
        )?),
        "link-formula" => Cell::LinkFormula(LinkFormulaValue::read(
            column::result_type(column).as_ref(),
            value,
        )?),
        // `button` and types this version does not know.
        _ => Cell::Unknown(value.clone()),
    })
}

/// The JSON of a number the way SeaTable's server (JavaScript, Go) writes it: a whole
/// number within the exactly representable range as an integer, anything else as a float,
/// a non-finite number (which JSON cannot hold) as `null`.
pub(crate) fn number_json(number: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if number.fract() == 0.0 && number.abs() < EXACT {
        Value::from(number as i64)
    } else {
        serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
    }
}

fn to_value<T: Serialize>(value: &T) -> Value {
    // The cell types serialize to JSON without fail (string keys, no custom errors).
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Decodes one object of a generated cell type, keeping the keys it holds as `null`: the
/// generated types skip absent options on output, so a `"size": null` would otherwise come
/// back as no `size` at all. Such keys go into `extra`, which is written out flattened.
fn decode_object<T: DeserializeOwned + Serialize>(
    value: &Value,
    extra: fn(&mut T) -> &mut Map<String, Value>,
) -> Option<T> {
    let object = value.as_object()?;
    let mut decoded: T = serde_json::from_value(value.clone()).ok()?;
    if object.values().any(Value::is_null) {
        let written = to_value(&decoded);
        for (key, item) in object {
            if item.is_null() && written.get(key).is_none() {
                extra(&mut decoded).insert(key.clone(), Value::Null);
            }
        }
    }
    Some(decoded)
}

fn decode_list<T: DeserializeOwned + Serialize>(
    value: &Value,
    extra: fn(&mut T) -> &mut Map<String, Value>,
) -> Option<Vec<T>> {
    value
        .as_array()?
        .iter()
        .map(|item| decode_object(item, extra))
        .collect()
}
