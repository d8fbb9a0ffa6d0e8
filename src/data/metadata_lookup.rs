//! Finding tables, columns and views of a base's metadata by name, as SeaTable accepts
//! them (a name, or the table's `_id`, the column's key, the view's `_id`), and saying
//! what was not found and what there is instead.

use crate::types::{Column, ColumnType, Metadata, Table, View};

/// The table named `table` (or with that `_id`); a name wins over an id.
pub(crate) fn find_table<'m>(metadata: &'m Metadata, table: &str) -> Option<&'m Table> {
    metadata
        .tables
        .iter()
        .find(|t| t.name == table)
        .or_else(|| metadata.tables.iter().find(|t| t.id == table))
}

/// The column of `table` named `column` (or with that key); a name wins over a key.
pub(crate) fn find_column<'t>(table: &'t Table, column: &str) -> Option<&'t Column> {
    table
        .columns
        .iter()
        .find(|c| crate::cells::column_name(c) == column)
        .or_else(|| {
            table
                .columns
                .iter()
                .find(|c| crate::cells::column_key(c) == column)
        })
}

/// The view of `table` named `view` (or with that `_id`); a name wins over an id.
pub(crate) fn find_view<'t>(table: &'t Table, view: &str) -> Option<&'t View> {
    table
        .views
        .iter()
        .find(|v| v.name == view)
        .or_else(|| table.views.iter().find(|v| v.id == view))
}

/// The columns of `table` of type `column_type`, in the table's order.
pub(crate) fn columns_of_type<'t>(table: &'t Table, column_type: &ColumnType) -> Vec<&'t Column> {
    table
        .columns
        .iter()
        .filter(|c| c.tag() == column_type.as_str())
        .collect()
}

/// `the base has no table `X` (its tables: A, B)`.
pub(crate) fn no_table(metadata: &Metadata, table: &str) -> String {
    let names: Vec<&str> = metadata.tables.iter().map(|t| t.name.as_str()).collect();
    format!(
        "the base has no table `{table}` (its tables: {})",
        listed(&names)
    )
}

/// `table `T` has no column `X` (its columns: A, B)`.
pub(crate) fn no_column(table: &Table, column: &str) -> String {
    let names: Vec<&str> = table
        .columns
        .iter()
        .map(crate::cells::column_name)
        .collect();
    format!(
        "table `{}` has no column `{column}` (its columns: {})",
        table.name,
        listed(&names)
    )
}

/// `table `T` has no view `X` (its views: A, B)`.
pub(crate) fn no_view(table: &Table, view: &str) -> String {
    let names: Vec<&str> = table.views.iter().map(|v| v.name.as_str()).collect();
    format!(
        "table `{}` has no view `{view}` (its views: {})",
        table.name,
        listed(&names)
    )
}

fn listed(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn metadata() -> Metadata {
        serde_json::from_value(json!({"tables": [
            {"_id": "0000", "name": "Tasks",
             "views": [{"_id": "0000", "name": "Default View"}, {"_id": "v1", "name": "Open"}],
             "columns": [
                {"key": "0000", "name": "Name", "type": "text"},
                {"key": "a1", "name": "Due", "type": "date"},
                {"key": "a2", "name": "Start", "type": "date"},
                {"key": "Name", "name": "Shadow", "type": "number"}
             ]},
            {"_id": "t2", "name": "0000", "views": [], "columns": []}
        ]}))
        .expect("fixture metadata")
    }

    #[test]
    fn names_win_over_ids_and_keys() {
        let m = metadata();
        assert_eq!(find_table(&m, "Tasks").unwrap().id, "0000");
        // A table named like another's id is found by its name.
        assert_eq!(find_table(&m, "0000").unwrap().id, "t2");
        assert_eq!(find_table(&m, "t2").unwrap().name, "0000");
        let tasks = find_table(&m, "Tasks").unwrap();
        assert_eq!(
            crate::cells::column_key(find_column(tasks, "Name").unwrap()),
            "0000"
        );
        assert_eq!(
            crate::cells::column_name(find_column(tasks, "a2").unwrap()),
            "Start"
        );
        assert_eq!(find_view(tasks, "v1").unwrap().name, "Open");
        let dates: Vec<&str> = columns_of_type(tasks, &ColumnType::Date)
            .into_iter()
            .map(crate::cells::column_name)
            .collect();
        assert_eq!(dates, ["Due", "Start"]);
        assert!(columns_of_type(tasks, &ColumnType::Rate).is_empty());
    }

    #[test]
    fn misses_name_what_and_where() {
        let m = metadata();
        let tasks = find_table(&m, "Tasks").unwrap();
        assert!(find_table(&m, "Task").is_none());
        assert_eq!(
            no_table(&m, "Task"),
            "the base has no table `Task` (its tables: Tasks, 0000)"
        );
        assert!(find_column(tasks, "Nmae").is_none());
        assert_eq!(
            no_column(tasks, "Nmae"),
            "table `Tasks` has no column `Nmae` (its columns: Name, Due, Start, Shadow)"
        );
        assert!(find_view(tasks, "Closed").is_none());
        assert_eq!(
            no_view(tasks, "Closed"),
            "table `Tasks` has no view `Closed` (its views: Default View, Open)"
        );
        let empty = find_table(&m, "t2").unwrap();
        assert_eq!(
            no_view(empty, "x"),
            "table `0000` has no view `x` (its views: none)"
        );
    }
}
