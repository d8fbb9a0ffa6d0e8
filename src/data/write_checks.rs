//! Checks of rows before they are written. SeaTable accepts many bad cells without an
//! error and stores something else: a checkbox `1` becomes false, a date it cannot read
//! becomes empty, an unknown select option is created, a rating above the maximum is kept,
//! an auto-number is overwritten, and a name that matches no column is dropped. These
//! checks refuse such rows before anything is sent, naming row, column and reason.
//!
//! The operations that write rows (`appendRows`, `updateRows`; `x-check-rows` in the spec)
//! run them through [`BaseClient`](crate::BaseClient), which takes the table's columns from
//! its cached metadata; [`check_table_rows`] runs them on any table you have.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::cells::Date;
use crate::types::{Column, Table};

/// One cell that would not be stored as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// Index of the row in the input, from 0.
    pub row: usize,
    /// The column name as written in the row.
    pub column: String,
    /// What is wrong and what SeaTable would do with it.
    pub reason: String,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "row {}, column `{}`: {}",
            self.row, self.column, self.reason
        )
    }
}

/// Column types whose cells the server computes; a value written to them is ignored or,
/// worse for auto-numbers, accepted and kept.
const READ_ONLY: &[&str] = &[
    "formula",
    "link-formula",
    "auto-number",
    "creator",
    "ctime",
    "last-modifier",
    "mtime",
    "button",
    "digital-sign",
];

/// Every problem of `rows` as writes to `table`, in row order; empty when all can be sent.
///
/// ```no_run
/// # fn run(table: &seatable_api::types::Table) {
/// let rows = vec![serde_json::json!({"Done": 1}).as_object().unwrap().clone()];
/// for problem in seatable_api::check_table_rows(table, &rows) {
///     eprintln!("{problem}"); // row 0, column `Done`: a checkbox takes true or false, …
/// }
/// # }
/// ```
pub fn check_table_rows<'r>(
    table: &Table,
    rows: impl IntoIterator<Item = &'r Map<String, Value>>,
) -> Vec<RowProblem> {
    check_marking_misses(table, rows)
        .into_iter()
        .map(|(problem, _)| problem)
        .collect()
}

/// [`check_table_rows`], each problem marked `true` when it may come from metadata older
/// than the base (a column or select option the table did not have when it was loaded):
/// the caller loads the metadata again before it refuses such a row.
pub(crate) fn check_marking_misses<'r>(
    table: &Table,
    rows: impl IntoIterator<Item = &'r Map<String, Value>>,
) -> Vec<(RowProblem, bool)> {
    // Names and option lists are read once per column, not once per cell.
    let columns: HashMap<&str, Known<'_>> = table
        .columns
        .iter()
        .filter_map(|column| {
            let options = match column {
                Column::SingleSelect(c) => {
                    option_names(c.data.as_ref().and_then(|d| d.options.as_ref()))
                }
                Column::MultipleSelect(c) => {
                    option_names(c.data.as_ref().and_then(|d| d.options.as_ref()))
                }
                _ => Vec::new(),
            };
            // The first column of a name wins, as a lookup by name on the server would.
            Some((column.name()?, Known { column, options }))
        })
        .rev()
        .collect();
    let mut problems = Vec::new();
    for (index, row) in rows.into_iter().enumerate() {
        for (name, value) in row {
            if let Some((reason, miss)) = check_cell(table, &columns, name, value) {
                let problem = RowProblem {
                    row: index,
                    column: name.clone(),
                    reason,
                };
                problems.push((problem, miss));
            }
        }
    }
    problems
}

/// A column of the table, with its option names when it is a select column.
struct Known<'t> {
    column: &'t Column,
    options: Vec<String>,
}

fn check_cell(
    table: &Table,
    columns: &HashMap<&str, Known<'_>>,
    name: &str,
    value: &Value,
) -> Option<(String, bool)> {
    let known = columns.get(name);
    if name.starts_with('_') && known.is_none() {
        return Some((
            "a system field, set by the server; SeaTable ignores it in a write".to_string(),
            false,
        ));
    }
    let Some(Known { column, options }) = known else {
        return Some((
            format!(
                "table `{}` has no column of that name; SeaTable would drop the value without an error",
                table.name
            ),
            true,
        ));
    };
    let kind = column.tag();
    if READ_ONLY.contains(&kind) {
        return Some((
            format!("the server computes `{kind}` columns; they cannot be written"),
            false,
        ));
    }
    if value.is_null() {
        return None;
    }
    // An unknown option may be one added since the metadata was loaded.
    let miss = matches!(column, Column::SingleSelect(_) | Column::MultipleSelect(_));
    check_value(column, options, value).map(|reason| (reason, miss))
}

/// What is wrong with a non-null `value` for `column`, judged by what SeaTable stores.
fn check_value(column: &Column, options: &[String], value: &Value) -> Option<String> {
    match column {
        Column::Link(_) => Some(
            "a link column is not written as a cell; use the link operations (createRowLinks)"
                .to_string(),
        ),
        Column::Checkbox(_) if !value.is_boolean() => Some(format!(
            "a checkbox takes true or false, not {value}; SeaTable would store it as false"
        )),
        // An empty string clears the cell, as null does: SeaTable stores an empty cell,
        // which is what the writer asked for.
        Column::Date(_) if value.as_str() == Some("") => None,
        Column::Date(_) => match value.as_str().map(Date::parse) {
            Some(Ok(_)) => None,
            Some(Err(e)) => Some(format!("{e}; SeaTable would store an empty cell")),
            None => Some(format!(
                "a date is written as a string such as \"2025-03-01\" or \"2025-03-01 14:30\", not {value}"
            )),
        },
        // An empty string is an empty cell, not an option named "" (SeaTable reads empty
        // strings as NULL, e.g. in SQL); it clears the cell.
        Column::SingleSelect(_) if value.as_str() == Some("") => None,
        Column::SingleSelect(_) => {
            match value.as_str() {
                Some(v) if options.iter().any(|o| o == v) => None,
                Some(v) => Some(unknown_option(v, options)),
                None => Some(format!(
                    "a single-select cell takes an option name, not {value}"
                )),
            }
        }
        Column::MultipleSelect(_) => {
            let Some(items) = value.as_array() else {
                return Some(format!(
                    "a multiple-select cell takes a list of option names, not {value}"
                ));
            };
            items.iter().find_map(|item| match item.as_str() {
                Some(v) if options.iter().any(|o| o == v) => None,
                Some(v) => Some(unknown_option(v, options)),
                None => Some(format!("an option name is a string, not {item}")),
            })
        }
        Column::Rate(c) => {
            let max = c
                .data
                .as_ref()
                .and_then(|d| d.rate_max_number)
                .unwrap_or(5);
            // JSON does not tell 3 from 3.0, nor does SeaTable's JavaScript: both are
            // stored as the rating 3. A fraction or a value out of range is kept as it is.
            let whole = value.as_i64().or_else(|| {
                value
                    .as_f64()
                    .filter(|v| v.fract() == 0.0 && v.abs() < 1e15)
                    .map(|v| v as i64)
            });
            match whole {
                Some(v) if (0..=max).contains(&v) => None,
                _ => Some(format!(
                    "a rating is a whole number from 0 to {max}, not {value}; SeaTable would keep it anyway"
                )),
            }
        }
        _ => None,
    }
}

fn option_names(options: Option<&Vec<crate::types::SelectOption>>) -> Vec<String> {
    options
        .map(|o| o.iter().map(|o| o.name.clone()).collect())
        .unwrap_or_default()
}

fn unknown_option(value: &str, options: &[String]) -> String {
    let known = if options.is_empty() {
        "the column has no options".to_string()
    } else {
        format!(
            "the options are {}",
            options
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "`{value}` is not an option of this column ({known}); SeaTable would add it as a new option"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table() -> Table {
        serde_json::from_value(json!({
            "_id": "0000",
            "name": "Tasks",
            "views": [],
            "columns": [
                {"key": "0000", "name": "Name", "type": "text"},
                {"key": "a1", "name": "Done", "type": "checkbox"},
                {"key": "a2", "name": "Due", "type": "date", "data": {"format": "YYYY-MM-DD"}},
                {"key": "a3", "name": "Status", "type": "single-select",
                 "data": {"options": [{"id": "111111", "name": "Open"}, {"id": "222222", "name": "Closed"}]}},
                {"key": "a4", "name": "Tags", "type": "multiple-select",
                 "data": {"options": [{"id": "333333", "name": "red"}]}},
                {"key": "a5", "name": "Stars", "type": "rate", "data": {"rate_max_number": 3}},
                {"key": "a6", "name": "Total", "type": "formula", "data": {"formula": "1+1"}},
                {"key": "a7", "name": "Owner", "type": "link", "data": {"link_id": "l1"}},
                {"key": "a8", "name": "No", "type": "auto-number", "data": {"format": "0000"}},
                {"key": "a9", "name": "Future", "type": "a-type-from-a-newer-server"}
            ]
        }))
        .expect("fixture table")
    }

    fn rows(value: Value) -> Vec<Map<String, Value>> {
        value
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r.as_object().expect("row").clone())
            .collect()
    }

    fn problems(value: Value) -> Vec<String> {
        check_table_rows(&table(), &rows(value))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn good_rows_pass() {
        let found = problems(json!([
            {"Name": "a", "Done": true, "Due": "2025-03-01", "Status": "Open",
             "Tags": ["red"], "Stars": 3, "Future": {"any": "thing"}},
            {"Name": null, "Done": null, "Due": "2025-03-01 14:30", "Stars": 0, "Status": null}
        ]));
        assert_eq!(found, Vec::<String>::new());
    }

    /// Per rule, what SeaTable stores as written (accepted) and what it mangles (refused):
    /// an empty date or single-select clears the cell, as null does; a rating is a number
    /// in JSON, so 3.0 is the rating 3, while 2.5 and 4.0 (above a maximum of 3) would be
    /// kept as they are.
    #[test]
    fn each_rule_accepts_what_seatable_stores_and_refuses_what_it_mangles() {
        let cases: &[(&str, Value, bool)] = &[
            ("Due", json!(""), true),
            ("Due", json!("2025-03-01"), true),
            ("Due", json!("2025-03-01 14:30"), true),
            ("Due", json!("next tuesday"), false),
            ("Due", json!(20250301), false),
            ("Status", json!(""), true),
            ("Status", json!("Open"), true),
            ("Status", json!("Opne"), false),
            ("Status", json!(1), false),
            ("Tags", json!([]), true),
            ("Tags", json!(["red"]), true),
            ("Tags", json!(["blue"]), false),
            ("Stars", json!(3), true),
            ("Stars", json!(3.0), true),
            ("Stars", json!(0), true),
            ("Stars", json!(0.0), true),
            ("Stars", json!(2.5), false),
            ("Stars", json!(4.0), false),
            ("Stars", json!(-1), false),
            ("Stars", json!("3"), false),
            ("Done", json!(true), true),
            ("Done", json!(1), false),
            ("Done", json!("true"), false),
        ];
        for (column, value, accepted) in cases {
            let mut row = Map::new();
            row.insert((*column).to_string(), value.clone());
            let found = check_table_rows(&table(), [&row]);
            assert_eq!(found.is_empty(), *accepted, "{column} = {value}: {found:?}");
        }
    }

    #[test]
    fn only_unknown_names_and_options_are_marked_as_possible_misses() {
        let rows = rows(json!([
            {"Nmae": "x"}, {"Status": "New"}, {"Tags": ["new"]},
            {"Done": 1}, {"Total": 1}, {"_id": "x"}, {"Stars": 9}
        ]));
        let marks: Vec<bool> = check_marking_misses(&table(), &rows)
            .into_iter()
            .map(|(_, miss)| miss)
            .collect();
        assert_eq!(marks, [true, true, true, false, false, false, false]);
    }

    #[test]
    fn each_rule_names_row_column_and_reason() {
        let found = problems(json!([
            {"Done": 1},
            {"Due": "next tuesday"},
            {"Status": "Opne"},
            {"Tags": ["red", "blue"]},
            {"Stars": 4},
            {"Total": 5},
            {"Owner": ["row1"]},
            {"No": "0007"},
            {"Nmae": "typo"},
            {"_id": "Qtf7xPmoRaiFyQPO1aENTj"},
            {"Stars": -1}
        ]));
        assert_eq!(found.len(), 11, "{found:#?}");
        assert_eq!(found[0], "row 0, column `Done`: a checkbox takes true or false, not 1; SeaTable would store it as false");
        assert!(
            found[1].starts_with("row 1, column `Due`: "),
            "{}",
            found[1]
        );
        assert!(
            found[1].ends_with("; SeaTable would store an empty cell"),
            "{}",
            found[1]
        );
        assert_eq!(found[2], "row 2, column `Status`: `Opne` is not an option of this column (the options are `Open`, `Closed`); SeaTable would add it as a new option");
        assert_eq!(found[3], "row 3, column `Tags`: `blue` is not an option of this column (the options are `red`); SeaTable would add it as a new option");
        assert_eq!(found[4], "row 4, column `Stars`: a rating is a whole number from 0 to 3, not 4; SeaTable would keep it anyway");
        assert_eq!(
            found[5],
            "row 5, column `Total`: the server computes `formula` columns; they cannot be written"
        );
        assert_eq!(found[6], "row 6, column `Owner`: a link column is not written as a cell; use the link operations (createRowLinks)");
        assert_eq!(
            found[7],
            "row 7, column `No`: the server computes `auto-number` columns; they cannot be written"
        );
        assert_eq!(found[8], "row 8, column `Nmae`: table `Tasks` has no column of that name; SeaTable would drop the value without an error");
        assert_eq!(found[9], "row 9, column `_id`: a system field, set by the server; SeaTable ignores it in a write");
        assert_eq!(found[10], "row 10, column `Stars`: a rating is a whole number from 0 to 3, not -1; SeaTable would keep it anyway");
    }
}
