//! Select options: `addSelectOptions`, `updateSelectOptions`, `deleteSelectOptions` and
//! `updateColumnCascade`.
//!
//! The stand-in's cells hold option names (what reads return), where SeaTable stores
//! option ids; so renaming an option renames it in the cells too, and deleting one
//! removes it from the cells, as the spec describes the visible outcome.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{column_key, column_name, column_type, BaseData, StoredColumn};
use crate::base::{
    AddSelectOptionsRequest, DeleteSelectOptionsRequest, UpdateColumnCascadeRequest,
    UpdateSelectOptionsRequest,
};
use crate::testing::state::{Reply, Request};
use crate::types::SuccessResult;

/// A 6-digit option id no option of `options` has (SeaTable's ids are 6 characters).
pub(crate) fn unused_option_id(options: &[Value]) -> String {
    let taken = |id: &str| {
        options
            .iter()
            .any(|o| o.get("id").and_then(Value::as_str) == Some(id))
    };
    (100_000 + options.len()..)
        .map(|n| format!("{n:06}"))
        .find(|id| !taken(id))
        .unwrap_or_default()
}

/// Gives options sent without them an id and colours, as SeaTable assigns them when a
/// select column is created with options (inferred: the recorded `insertColumn` answer
/// shows every option with `id`, `color` and `textColor`).
pub(crate) fn complete_options(data: &mut Map<String, Value>) {
    let Some(Value::Array(options)) = data.get_mut("options") else {
        return;
    };
    for i in 0..options.len() {
        if options[i].get("id").and_then(Value::as_str).is_none() {
            let id = unused_option_id(options);
            options[i]["id"] = json!(id);
        }
        let Value::Object(option) = &mut options[i] else {
            continue;
        };
        option.entry("color").or_insert_with(|| json!("#46A1FD"));
        option
            .entry("textColor")
            .or_insert_with(|| json!("#FFFFFF"));
    }
}

/// The column's option list, created when missing.
fn options_mut(column: &mut StoredColumn) -> &mut Vec<Value> {
    let data = column.entry("data").or_insert_with(|| json!({}));
    if !data.is_object() {
        *data = json!({});
    }
    let Value::Object(data) = data else {
        unreachable!("data was just made an object")
    };
    let options = data.entry("options").or_insert_with(|| json!([]));
    if !options.is_array() {
        *options = json!([]);
    }
    let Value::Array(options) = options else {
        unreachable!("options was just made an array")
    };
    options
}

/// Adds option `name` to a select column that lacks it, as SeaTable does on write.
pub(crate) fn add_option(column: &mut StoredColumn, name: &str) {
    let options = options_mut(column);
    if options
        .iter()
        .any(|o| o.get("name").and_then(Value::as_str) == Some(name))
    {
        return;
    }
    let id = unused_option_id(options);
    options.push(json!({"id": id, "name": name, "color": "#46A1FD", "textColor": "#FFFFFF"}));
}

fn success() -> Reply {
    Reply::json(
        200,
        &SuccessResult {
            success: true,
            extra: Map::new(),
        },
    )
}

impl BaseData {
    /// The select column `column` of table `table`: (table index, column index).
    fn select_column(&self, table: &str, column: &str) -> Result<(usize, usize), Reply> {
        let index = self.body_table(table)?;
        let columns = &self.tables[index].columns;
        let position = columns
            .iter()
            .position(|c| column_name(c) == column)
            .or_else(|| columns.iter().position(|c| column_key(c) == column))
            .ok_or_else(|| Reply::error_message(404, &format!("column {column} not found")))?;
        let kind = column_type(&columns[position]);
        if kind != "single-select" && kind != "multiple-select" {
            return Err(Reply::error_message(
                400,
                &format!(
                    "column {column} is a {kind} column, not a single- or multiple-select column"
                ),
            ));
        }
        Ok((index, position))
    }

    /// `addSelectOptions`: the options are appended with new ids; a name the column has
    /// already is skipped (inferred: SeaTable's answer to a duplicate is not recorded).
    pub(super) fn add_select_options(&mut self, request: &Request) -> Result<Reply, Reply> {
        let body: AddSelectOptionsRequest = request.json()?;
        if body.options.is_empty() {
            return Err(Reply::error_message(400, "options invalid"));
        }
        if let Some(blank) = body.options.iter().find(|o| o.name.trim().is_empty()) {
            return Err(Reply::error_message(
                400,
                &format!("option name {:?} invalid", blank.name),
            ));
        }
        let (index, position) = self.select_column(&body.table_name, &body.column)?;
        let options = options_mut(&mut self.tables[index].columns[position]);
        for input in body.options {
            if options
                .iter()
                .any(|o| o.get("name").and_then(Value::as_str) == Some(input.name.as_str()))
            {
                continue;
            }
            let id = unused_option_id(options);
            let mut option = Map::new();
            option.insert("id".into(), json!(id));
            option.insert("name".into(), json!(input.name));
            option.insert(
                "color".into(),
                json!(input.color.unwrap_or_else(|| "#46A1FD".into())),
            );
            option.insert(
                "textColor".into(),
                json!(input.text_color.unwrap_or_else(|| "#FFFFFF".into())),
            );
            if let Some(border) = input.border_color {
                option.insert("borderColor".into(), json!(border));
            }
            options.push(Value::Object(option));
        }
        Ok(success())
    }

    /// `updateSelectOptions`: the fields given change; a renamed option is renamed in the
    /// cells that hold it. An id the column lacks is refused (inferred).
    pub(super) fn update_select_options(&mut self, request: &Request) -> Result<Reply, Reply> {
        let body: UpdateSelectOptionsRequest = request.json()?;
        if body.options.is_empty() {
            return Err(Reply::error_message(400, "options invalid"));
        }
        let (index, position) = self.select_column(&body.table_name, &body.column)?;
        let table = &mut self.tables[index];
        let column = &mut table.columns[position];
        let key = column_key(column).to_string();
        let options = options_mut(column);
        if let Some(missing) = body.options.iter().find(|change| {
            !options
                .iter()
                .any(|o| o.get("id").and_then(Value::as_str) == Some(change.id.as_str()))
        }) {
            return Err(Reply::error_message(
                400,
                &format!("option {} not found", missing.id),
            ));
        }
        let mut renames: BTreeMap<String, String> = BTreeMap::new();
        let mut changed = Vec::new();
        for change in &body.options {
            let Some(option) = options
                .iter_mut()
                .find(|o| o.get("id").and_then(Value::as_str) == Some(change.id.as_str()))
            else {
                continue;
            };
            if let Some(name) = &change.name {
                if let Some(old) = option.get("name").and_then(Value::as_str) {
                    if old != name {
                        renames.insert(old.to_string(), name.clone());
                    }
                }
                option["name"] = json!(name);
            }
            if let Some(color) = &change.color {
                option["color"] = json!(color);
            }
            if let Some(text_color) = &change.text_color {
                option["textColor"] = json!(text_color);
            }
            changed.push(option.clone());
        }
        let rename = |v: &mut Value| {
            if let Some(new) = v.as_str().and_then(|old| renames.get(old)) {
                *v = json!(new);
            }
        };
        for row in &mut table.rows {
            match row.get_mut(&key) {
                Some(Value::Array(items)) => items.iter_mut().for_each(rename),
                Some(value) => rename(value),
                None => {}
            }
        }
        if body.return_options == Some(true) {
            Ok(Reply::json(200, &json!({ "options": changed })))
        } else {
            Ok(success())
        }
    }

    /// `deleteSelectOptions`: the options go, and so do the cell values that held them.
    /// Names the column lacks are ignored (inferred).
    pub(super) fn delete_select_options(&mut self, request: &Request) -> Result<Reply, Reply> {
        let body: DeleteSelectOptionsRequest = request.json()?;
        if body.option_names.is_empty() {
            return Err(Reply::error_message(400, "option_names invalid"));
        }
        let (index, position) = self.select_column(&body.table_name, &body.column)?;
        let table = &mut self.tables[index];
        let column = &mut table.columns[position];
        let key = column_key(column).to_string();
        let gone = |v: &Value| {
            v.as_str()
                .is_some_and(|name| body.option_names.iter().any(|n| n == name))
        };
        options_mut(column).retain(|o| !o.get("name").is_some_and(gone));
        for row in &mut table.rows {
            let empty = match row.get_mut(&key) {
                Some(Value::Array(items)) => {
                    items.retain(|v| !gone(v));
                    items.is_empty()
                }
                Some(value) => gone(value),
                None => false,
            };
            if empty {
                row.remove(&key);
            }
        }
        Ok(success())
    }

    /// `updateColumnCascade`: stored in the child column's `data` as SeaTable stores it
    /// (`cascade_column_key`, `cascade_settings` from parent option id to child option
    /// ids). Every column and option named must exist.
    pub(super) fn update_column_cascade(&mut self, request: &Request) -> Result<Reply, Reply> {
        let body: UpdateColumnCascadeRequest = request.json()?;
        let (index, parent) = self.select_column(&body.table_name, &body.parent_column)?;
        let (_, child) = self.select_column(&body.table_name, &body.child_column)?;
        let columns = &self.tables[index].columns;
        for (position, name) in [(parent, &body.parent_column), (child, &body.child_column)] {
            if column_type(&columns[position]) != "single-select" {
                return Err(Reply::error_message(
                    400,
                    &format!("column {name} is not a single-select column"),
                ));
            }
        }
        if parent == child {
            return Err(Reply::error_message(
                400,
                "parent_column and child_column are the same column",
            ));
        }
        let option_id = |position: usize, name: &str| -> Result<String, Reply> {
            super::predicates::options(&columns[position])
                .iter()
                .find(|o| o.get("name").and_then(Value::as_str) == Some(name))
                .and_then(|o| o.get("id").and_then(Value::as_str))
                .map(str::to_string)
                .ok_or_else(|| {
                    Reply::error_message(
                        400,
                        &format!(
                            "option {name} not found in column {}",
                            column_name(&columns[position])
                        ),
                    )
                })
        };
        let mut settings = Map::new();
        for (parent_option, child_options) in &body.cascade_settings {
            let ids = child_options
                .iter()
                .map(|name| option_id(child, name).map(Value::String))
                .collect::<Result<Vec<_>, _>>()?;
            settings.insert(option_id(parent, parent_option)?, Value::Array(ids));
        }
        let parent_key = column_key(&columns[parent]).to_string();
        let column = &mut self.tables[index].columns[child];
        options_mut(column);
        if let Some(Value::Object(data)) = column.get_mut("data") {
            data.insert("cascade_column_key".into(), json!(parent_key));
            data.insert("cascade_settings".into(), Value::Object(settings));
        }
        Ok(success())
    }
}
