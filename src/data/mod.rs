//! The base's data as a program reads and writes it: cell values, the view of a row
//! against its table's columns, typed rows, the checks of written rows, the machinery of
//! links, and the unknown fields that models keep.

#[cfg(feature = "base")]
pub mod cells;
pub(crate) mod extra_fields;
#[cfg(feature = "base")]
pub(crate) mod links;
#[cfg(feature = "base")]
pub(crate) mod metadata_lookup;
#[cfg(feature = "base")]
pub(crate) mod row_cells;
#[cfg(feature = "base")]
pub(crate) mod row_view;
#[cfg(feature = "base")]
pub(crate) mod typed_rows;
#[cfg(feature = "base")]
pub(crate) mod write_checks;
