//! The base's data as a program reads and writes it: cell values, the view of a row
//! against its table's columns, typed rows, the checks of written rows, the machinery of
//! links, and the unknown fields that models keep.

pub mod cells;
pub(crate) mod extra_fields;
pub(crate) mod links;
pub(crate) mod row_view;
pub(crate) mod typed_rows;
pub(crate) mod write_checks;
