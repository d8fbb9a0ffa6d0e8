//! SeaTable cell values as Rust types, and typed access to the cells of a row.
//!
//! Each column type's cells have a Rust type (a cell may always be empty, so struct fields
//! wrap these in `Option`):
//!
//! | column type | Rust type |
//! |---|---|
//! | text, long-text, email, url, single-select, creator, last-modifier, auto-number | `String` ([`CompactString`] in generated row structs) |
//! | number | `f64` |
//! | rate, department-single-select | `i64` |
//! | checkbox | `bool` |
//! | duration | [`Duration`] |
//! | date | [`Date`] |
//! | ctime, mtime | [`Timestamp`] |
//! | multiple-select, collaborator, image | `Vec<String>` (`Vec<CompactString>` in generated row structs) |
//! | file | `Vec<`[`FileCellItem`](crate::types::FileCellItem)`>` |
//! | geolocation | [`GeolocationCell`](crate::types::GeolocationCell) |
//! | formula | [`FormulaValue`] |
//! | link | `Vec<`[`LinkCellItem`](crate::types::LinkCellItem)`>` |
//! | link-formula | [`LinkFormulaValue`] |
//! | digital-sign | [`DigitalSignCell`](crate::types::DigitalSignCell) |
//! | button | none (never holds data) |
//! | a type this crate does not know | `serde_json::Value` |
//!
//! [`Cell`] holds any of them, decoded by column type with [`Cell::read`]. [`RowView`]
//! reads the cells of a [`Row`](crate::types::Row) by column name or key, typed through
//! [`FromCell`]:
//!
//! ```no_run
//! # async fn run(base: &seatable_api::BaseClient) -> Result<(), Box<dyn std::error::Error>> {
//! use seatable_api::cells::{Cell, Date};
//! let metadata = base.get_metadata().await?;
//! let table = metadata.metadata.tables.iter().find(|t| t.name == "Tasks").unwrap();
//! let page = base.list_rows("Tasks").await?; // cells keyed by column name
//! for row in &page.rows {
//!     let view = row.view(table);
//!     let price: Option<f64> = view.get::<f64>("Price")?;
//!     let due: Option<Date> = view.get("Due")?;
//!     let status: Cell = view.cell("Status")?;
//!     println!("{price:?} {due:?} {status:?}");
//! }
//! # Ok(()) }
//! ```
//!
//! Dates use [`chrono`], re-exported here.

mod cell;
mod column;
mod date;
mod duration;
mod error;
mod formula;
mod from_cell;

pub use chrono;
/// The text of the row structs `seatable-codegen rows` generates (row ids, text, options,
/// user ids): a string that keeps up to 24 bytes inline and allocates only beyond, so that a
/// page of rows decodes with few allocations. It dereferences to `&str`, compares with
/// `str` and `String`, and converts from and into `String` (`.into()`).
pub use compact_str::CompactString;

pub use crate::data::row_cells::{Iter as RowCellsIter, RowCells};
pub use crate::data::row_view::RowView;
pub(crate) use cell::number_json;
pub use cell::Cell;
pub use date::{Date, Timestamp};
pub use duration::Duration;
pub(crate) use error::excerpt;
pub use error::{CellError, CellErrorKind};
pub use formula::{FormulaValue, LinkFormulaValue};
pub use from_cell::FromCell;

pub(crate) use column::{key as column_key, name as column_name};
