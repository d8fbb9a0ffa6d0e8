//! [`FromCell`]: the Rust types a cell can be read as.

use serde_json::Value;

use super::{Cell, Date, Duration, FormulaValue, LinkFormulaValue, Timestamp};
use crate::types::{DigitalSignCell, FileCellItem, GeolocationCell, LinkCellItem};

/// A Rust type a non-empty [`Cell`] can be taken as; used by
/// [`RowView::get`](super::RowView::get).
///
/// | Rust type | cells |
/// |---|---|
/// | `String` | text, long-text, email, url, single-select, auto-number, creator, last-modifier; a string result of a formula or link-formula |
/// | `f64` | number, rate, department; a number result of a formula or link-formula |
/// | `i64` | rate, department; a whole number in a number cell or number result |
/// | `bool` | checkbox; a boolean result of a formula or link-formula |
/// | [`Duration`] | duration |
/// | [`Date`] | date; a date result of a formula or link-formula |
/// | [`Timestamp`] | ctime, mtime |
/// | `Vec<String>` | multiple-select, collaborator, image |
/// | `Vec<FileCellItem>` | file |
/// | [`GeolocationCell`] | geolocation |
/// | [`FormulaValue`] | formula |
/// | `Vec<LinkCellItem>` | link |
/// | [`LinkFormulaValue`] | link-formula |
/// | [`DigitalSignCell`] | digital-sign |
/// | `serde_json::Value` | any cell, as [`Cell::to_json`] gives it |
/// | [`Cell`] | any cell |
///
/// Implement it for your own types to read them with `RowView::get`:
///
/// ```no_run
/// use seatable_api::cells::{Cell, FromCell};
/// struct Stars(u8);
/// impl FromCell for Stars {
///     const EXPECTED: &'static str = "a rating from 0 to 255";
///     fn from_cell(cell: Cell) -> Result<Self, Cell> {
///         match cell {
///             Cell::Rate(n) if (0..=255).contains(&n) => Ok(Stars(n as u8)),
///             other => Err(other),
///         }
///     }
/// }
/// ```
pub trait FromCell: Sized {
    /// What the type reads, in words, for error messages (`a number (f64)`).
    const EXPECTED: &'static str;

    /// Takes the value out of a non-empty cell, or gives the cell back when it holds
    /// something this type does not read.
    ///
    /// ```no_run
    /// use seatable_api::cells::{Cell, FromCell};
    /// assert_eq!(f64::from_cell(Cell::Number(2.5)), Ok(2.5));
    /// assert!(f64::from_cell(Cell::Text("2.5".into())).is_err());
    /// ```
    // The cell is handed back by value, unboxed, so that a mismatch costs no allocation.
    #[allow(clippy::result_large_err)]
    fn from_cell(cell: Cell) -> Result<Self, Cell>;
}

impl FromCell for String {
    const EXPECTED: &'static str = "a string";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        match cell {
            Cell::Text(text)
            | Cell::SingleSelect(text)
            | Cell::AutoNumber(text)
            | Cell::User(text)
            | Cell::Formula(FormulaValue::String(text))
            | Cell::LinkFormula(LinkFormulaValue::String(text)) => Ok(text),
            other => Err(other),
        }
    }
}

impl FromCell for f64 {
    const EXPECTED: &'static str = "a number (f64)";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        match cell {
            Cell::Number(number)
            | Cell::Formula(FormulaValue::Number(number))
            | Cell::LinkFormula(LinkFormulaValue::Number(number)) => Ok(number),
            Cell::Rate(number) | Cell::Department(number) => Ok(number as f64),
            other => Err(other),
        }
    }
}

impl FromCell for i64 {
    const EXPECTED: &'static str = "a whole number (i64)";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53: whole f64 below are exact i64
        match cell {
            Cell::Rate(number) | Cell::Department(number) => Ok(number),
            Cell::Number(number)
            | Cell::Formula(FormulaValue::Number(number))
            | Cell::LinkFormula(LinkFormulaValue::Number(number))
                if number.fract() == 0.0 && number.abs() < LIMIT =>
            {
                Ok(number as i64)
            }
            other => Err(other),
        }
    }
}

impl FromCell for bool {
    const EXPECTED: &'static str = "a boolean";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        match cell {
            Cell::Checkbox(flag)
            | Cell::Formula(FormulaValue::Bool(flag))
            | Cell::LinkFormula(LinkFormulaValue::Bool(flag)) => Ok(flag),
            other => Err(other),
        }
    }
}

impl FromCell for Duration {
    const EXPECTED: &'static str = "a duration";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        match cell {
            Cell::Duration(duration) => Ok(duration),
            other => Err(other),
        }
    }
}

impl FromCell for Date {
    const EXPECTED: &'static str = "a date";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        match cell {
            Cell::Date(date)
            | Cell::Formula(FormulaValue::Date(date))
            | Cell::LinkFormula(LinkFormulaValue::Date(date)) => Ok(date),
            other => Err(other),
        }
    }
}

impl FromCell for Timestamp {
    const EXPECTED: &'static str = "a timestamp";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        match cell {
            Cell::Timestamp(time) => Ok(time),
            other => Err(other),
        }
    }
}

impl FromCell for Vec<String> {
    const EXPECTED: &'static str = "a list of strings";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        match cell {
            Cell::MultipleSelect(items) | Cell::Collaborator(items) | Cell::Image(items) => {
                Ok(items)
            }
            other => Err(other),
        }
    }
}

impl FromCell for Vec<FileCellItem> {
    const EXPECTED: &'static str = "a list of files";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        match cell {
            Cell::File(files) => Ok(files),
            other => Err(other),
        }
    }
}

impl FromCell for GeolocationCell {
    const EXPECTED: &'static str = "a geolocation";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        match cell {
            Cell::Geolocation(place) => Ok(place),
            other => Err(other),
        }
    }
}

impl FromCell for FormulaValue {
    const EXPECTED: &'static str = "a formula result";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        match cell {
            Cell::Formula(result) => Ok(result),
            other => Err(other),
        }
    }
}

impl FromCell for Vec<LinkCellItem> {
    const EXPECTED: &'static str = "a list of links";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        match cell {
            Cell::Link(links) => Ok(links),
            other => Err(other),
        }
    }
}

impl FromCell for LinkFormulaValue {
    const EXPECTED: &'static str = "a link-formula result";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        match cell {
            Cell::LinkFormula(result) => Ok(result),
            other => Err(other),
        }
    }
}

impl FromCell for DigitalSignCell {
    const EXPECTED: &'static str = "a signature";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        match cell {
            Cell::DigitalSign(signature) => Ok(signature),
            other => Err(other),
        }
    }
}

impl FromCell for Value {
    const EXPECTED: &'static str = "any value";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        Ok(cell.to_json())
    }
}

impl FromCell for Cell {
    const EXPECTED: &'static str = "any cell";
    fn from_cell(cell: Cell) -> Result<Self, Cell> {
        Ok(cell)
    }
}
