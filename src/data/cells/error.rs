//! The one error of cell decoding and typed row access.

use std::fmt;

use serde_json::Value;

/// Why a cell could not be read as asked.
///
/// Its message names the row (when known), the column, what was expected and what was
/// found, for example
/// ``row `Qtf7xPmoRaiFyQPO1aENTj`, column `Price`: expected a number, found "12 €"``.
///
/// ```no_run
/// # fn run(row: &seatable_api::types::Row, table: &seatable_api::types::Table) {
/// use seatable_api::cells::CellErrorKind;
/// match row.view(table).get::<f64>("Price") {
///     Ok(price) => println!("{price:?}"),
///     Err(e) if e.kind() == CellErrorKind::NoSuchColumn => eprintln!("schema changed: {e}"),
///     Err(e) => eprintln!("{e}"),
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellError(Box<Details>);

/// Boxed so that `Result<_, CellError>` stays one pointer wide on the error side.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Details {
    kind: CellErrorKind,
    table: Option<String>,
    row_id: Option<String>,
    column: Option<String>,
    expected: String,
    found: String,
}

/// What kind of problem a [`CellError`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CellErrorKind {
    /// The value has another shape than the column type (or the requested Rust type) needs.
    WrongShape,
    /// A value was required but the cell is empty (`null` or absent).
    Empty,
    /// The table has no column of that name or key.
    NoSuchColumn,
}

/// The longest excerpt of a found value quoted in a message, in characters.
const EXCERPT: usize = 60;

impl CellError {
    /// An error saying that `expected` was wanted and `found` was there. `found` is shown as
    /// given; [`CellError::found_json`] quotes a JSON value instead.
    ///
    /// ```no_run
    /// let e = seatable_api::cells::CellError::new("an even number", "7").with_column("Pairs");
    /// assert_eq!(e.to_string(), "column `Pairs`: expected an even number, found 7");
    /// ```
    pub fn new(expected: impl Into<String>, found: impl Into<String>) -> Self {
        CellError(Box::new(Details {
            kind: CellErrorKind::WrongShape,
            table: None,
            row_id: None,
            column: None,
            expected: expected.into(),
            found: found.into(),
        }))
    }

    /// An error for a JSON value of the wrong shape; the value is quoted as JSON, cut to
    /// 60 characters.
    ///
    /// ```no_run
    /// let e = seatable_api::cells::CellError::found_json("a number", &serde_json::json!("12 €"));
    /// assert_eq!(e.to_string(), "expected a number, found \"12 €\"");
    /// ```
    pub fn found_json(expected: impl Into<String>, found: &Value) -> Self {
        CellError::new(expected, excerpt(found))
    }

    /// An error for a column that is not in the table.
    ///
    /// ```no_run
    /// let e = seatable_api::cells::CellError::no_such_column("Tasks", "Prcie");
    /// assert_eq!(e.to_string(), "table `Tasks` has no column `Prcie`");
    /// ```
    pub fn no_such_column(table: impl Into<String>, column: impl Into<String>) -> Self {
        CellError(Box::new(Details {
            kind: CellErrorKind::NoSuchColumn,
            table: Some(table.into()),
            row_id: None,
            column: Some(column.into()),
            expected: "a column of that name or key".to_string(),
            found: "none".to_string(),
        }))
    }

    /// An error for an empty cell where a value was required.
    ///
    /// ```no_run
    /// let e = seatable_api::cells::CellError::empty("a number").with_column("Price");
    /// assert_eq!(e.to_string(), "column `Price`: expected a number, found an empty cell");
    /// ```
    pub fn empty(expected: impl Into<String>) -> Self {
        let mut error = CellError::new(expected, "an empty cell");
        error.0.kind = CellErrorKind::Empty;
        error
    }

    /// The same error, naming the column.
    ///
    /// ```no_run
    /// let e = seatable_api::cells::CellError::new("a number", "true").with_column("Price");
    /// assert_eq!(e.column(), Some("Price"));
    /// ```
    pub fn with_column(mut self, column: impl Into<String>) -> Self {
        self.0.column = Some(column.into());
        self
    }

    /// The same error, naming the row (its `_id`).
    ///
    /// ```no_run
    /// let e = seatable_api::cells::CellError::new("a number", "true").with_row_id("Qtf7xPmoRaiFyQPO1aENTj");
    /// assert_eq!(e.row_id(), Some("Qtf7xPmoRaiFyQPO1aENTj"));
    /// ```
    pub fn with_row_id(mut self, row_id: impl Into<String>) -> Self {
        self.0.row_id = Some(row_id.into());
        self
    }

    /// The kind of problem.
    ///
    /// ```no_run
    /// use seatable_api::cells::{CellError, CellErrorKind};
    /// assert_eq!(CellError::no_such_column("Tasks", "Prcie").kind(), CellErrorKind::NoSuchColumn);
    /// ```
    pub fn kind(&self) -> CellErrorKind {
        self.0.kind
    }

    /// The table, when the error is about a missing column.
    ///
    /// ```no_run
    /// let e = seatable_api::cells::CellError::no_such_column("Tasks", "Prcie");
    /// assert_eq!(e.table(), Some("Tasks"));
    /// ```
    pub fn table(&self) -> Option<&str> {
        self.0.table.as_deref()
    }

    /// The row's `_id`, when known.
    ///
    /// ```no_run
    /// let e = seatable_api::cells::CellError::new("a number", "true");
    /// assert_eq!(e.row_id(), None);
    /// ```
    pub fn row_id(&self) -> Option<&str> {
        self.0.row_id.as_deref()
    }

    /// The column as it was asked for (name or key), when known.
    ///
    /// ```no_run
    /// let e = seatable_api::cells::CellError::no_such_column("Tasks", "Prcie");
    /// assert_eq!(e.column(), Some("Prcie"));
    /// ```
    pub fn column(&self) -> Option<&str> {
        self.0.column.as_deref()
    }

    /// What was expected, in words (`a number`, `a date as YYYY-MM-DD, …`).
    ///
    /// ```no_run
    /// let e = seatable_api::cells::CellError::new("a number", "true");
    /// assert_eq!(e.expected(), "a number");
    /// ```
    pub fn expected(&self) -> &str {
        &self.0.expected
    }

    /// What was found: a JSON excerpt of the value, or `an empty cell`.
    ///
    /// ```no_run
    /// let e = seatable_api::cells::CellError::new("a number", "true");
    /// assert_eq!(e.found(), "true");
    /// ```
    pub fn found(&self) -> &str {
        &self.0.found
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let details = &self.0;
        if let Some(row_id) = &details.row_id {
            write!(f, "row `{row_id}`, ")?;
        }
        if details.kind == CellErrorKind::NoSuchColumn {
            let table = details.table.as_deref().unwrap_or("");
            let column = details.column.as_deref().unwrap_or("");
            return write!(f, "table `{table}` has no column `{column}`");
        }
        if let Some(column) = &details.column {
            write!(f, "column `{column}`: ")?;
        }
        write!(f, "expected {}, found {}", details.expected, details.found)
    }
}

impl std::error::Error for CellError {}

/// The JSON text of `value`, cut to [`EXCERPT`] characters (on a character boundary).
pub(crate) fn excerpt(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(EXCERPT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}
