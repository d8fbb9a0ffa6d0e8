//! Columns: their full shape and `updateColumn` (rename, resize, freeze, move, change of
//! type with the conversion of existing cells).

use serde_json::{json, Map, Value};

use super::cells::READ_ONLY_TYPES;
use super::options::add_option;
use super::{column_key, column_name, column_type, BaseData, StoredColumn};
use crate::base::UpdateColumnRequest;
use crate::testing::state::{Reply, Request};
use crate::types::Column;

/// Gives a column every field SeaTable's answers carry (the recorded `listColumns`,
/// `insertColumn` and `getMetadata` answers), keeping what it has.
pub(crate) fn complete_column(column: &mut StoredColumn) {
    for (field, empty) in [
        ("width", json!(200)),
        ("editable", json!(true)),
        ("resizable", json!(true)),
        ("draggable", json!(true)),
        ("data", Value::Null),
        ("description", Value::Null),
        ("colorbys", json!({})),
        ("permission_type", json!("")),
        ("permitted_users", json!([])),
        ("permitted_group", json!([])),
        ("edit_metadata_permission_type", json!("")),
        ("edit_metadata_permitted_users", json!([])),
        ("edit_metadata_permitted_group", json!([])),
    ] {
        column.entry(field).or_insert(empty);
    }
}

/// A stored column as answers carry it, checked to decode as the spec's `Column`. The
/// stored object is sent rather than the typed one, which leaves out the `data: null`
/// and `description: null` SeaTable sends.
pub(crate) fn column_json(column: &StoredColumn) -> Result<Value, Reply> {
    serde_json::from_value::<Column>(Value::Object(column.clone())).map_err(|e| {
        Reply::error_message(
            500,
            &format!(
                "stored column `{}` does not decode: {e}",
                column_name(column)
            ),
        )
    })?;
    Ok(Value::Object(column.clone()))
}

/// [`column_json`] of each column.
pub(crate) fn columns_json<'c>(
    columns: impl IntoIterator<Item = &'c StoredColumn>,
) -> Result<Value, Reply> {
    columns
        .into_iter()
        .map(column_json)
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

fn valid_name(name: &str) -> bool {
    !name.trim().is_empty() && !name.contains(['.', '{', '}', '`'])
}

/// Column types a cell conversion can produce from other values; changing a column to
/// any other type (links, formulas, system columns…) empties its cells.
const CONVERTIBLE: [&str; 13] = [
    "text",
    "long-text",
    "email",
    "url",
    "number",
    "rate",
    "duration",
    "checkbox",
    "date",
    "single-select",
    "multiple-select",
    "collaborator",
    "geolocation",
];

/// A cell as text: numbers and booleans spelled out, lists joined with `, `.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(as_text).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("display_value"))
            .and_then(as_text),
    }
}

/// The value a cell keeps when its column changes to type `to`.
///
/// SeaTable converts cells where it can and documents no rules; this is the stand-in's
/// documented simplification: text-like targets take the cell as text; numbers, ratings
/// and durations take numbers or text that reads as a number; checkboxes are true for
/// `true`, a non-zero number or the text `true`/`1`/`yes`/`x`; dates keep text that
/// starts with a `YYYY-MM-DD` date; selects take the text (a list: each item) as option
/// names; collaborators keep lists of texts; everything else becomes empty.
fn convert_cell(value: &Value, to: &str) -> Option<Value> {
    match to {
        "text" | "long-text" | "email" | "url" => as_text(value).map(Value::String),
        "number" | "rate" | "duration" => {
            let number = match value {
                Value::Number(n) => n.as_f64(),
                Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
                other => as_text(other).and_then(|t| t.trim().parse::<f64>().ok()),
            }?;
            let number = if to == "rate" { number.round() } else { number };
            serde_json::Number::from_f64(number).map(|n| {
                if number.fract() == 0.0 && number.abs() < 9e15 {
                    json!(number as i64)
                } else {
                    Value::Number(n)
                }
            })
        }
        "checkbox" => Some(Value::Bool(match value {
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            other => as_text(other).is_some_and(|t| {
                matches!(t.trim().to_lowercase().as_str(), "true" | "1" | "yes" | "x")
            }),
        })),
        "date" => {
            let text = as_text(value)?;
            chrono::NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()?;
            Some(Value::String(text))
        }
        "single-select" => match value {
            Value::Array(items) => items.iter().find_map(as_text).map(Value::String),
            other => as_text(other).map(Value::String),
        },
        "multiple-select" | "collaborator" => {
            let items: Vec<Value> = match value {
                Value::Array(items) => items
                    .iter()
                    .filter_map(as_text)
                    .map(Value::String)
                    .collect(),
                other => as_text(other).map(Value::String).into_iter().collect(),
            };
            (!items.is_empty()).then_some(Value::Array(items))
        }
        "geolocation" => value.is_object().then(|| value.clone()),
        _ => None,
    }
}

impl BaseData {
    fn column_position(&self, table: usize, column: &str) -> Result<usize, Reply> {
        let columns = &self.tables[table].columns;
        columns
            .iter()
            .position(|c| column_name(c) == column)
            .or_else(|| columns.iter().position(|c| column_key(c) == column))
            .ok_or_else(|| Reply::error_message(404, &format!("column {column} not found")))
    }

    /// `updateColumn`: one change by `op_type`; answers the column as it is afterwards.
    pub(super) fn update_column(&mut self, request: &Request) -> Result<Reply, Reply> {
        let body: UpdateColumnRequest = request.json()?;
        let (index, position) = match &body {
            UpdateColumnRequest::RenameColumn(r) => self.target(&r.table_name, &r.column)?,
            UpdateColumnRequest::ResizeColumn(r) => self.target(&r.table_name, &r.column)?,
            UpdateColumnRequest::FreezeColumn(r) => self.target(&r.table_name, &r.column)?,
            UpdateColumnRequest::MoveColumn(r) => self.target(&r.table_name, &r.column)?,
            UpdateColumnRequest::ModifyColumnType(r) => self.target(&r.table_name, &r.column)?,
            UpdateColumnRequest::Unknown(value) => {
                let op = value.get("op_type").cloned().unwrap_or(Value::Null);
                return Err(Reply::error_message(400, &format!("op_type {op} invalid")));
            }
        };
        let position = match body {
            UpdateColumnRequest::RenameColumn(r) => {
                let new = r.new_column_name;
                if !valid_name(&new) {
                    return Err(Reply::error_message(
                        400,
                        &format!("new_column_name {new} invalid"),
                    ));
                }
                let columns = &mut self.tables[index].columns;
                if columns
                    .iter()
                    .enumerate()
                    .any(|(i, c)| i != position && column_name(c) == new)
                {
                    return Err(Reply::error_message(
                        400,
                        &format!("column {new} already exists"),
                    ));
                }
                columns[position].insert("name".into(), json!(new));
                position
            }
            UpdateColumnRequest::ResizeColumn(r) => {
                if r.new_column_width <= 0 {
                    return Err(Reply::error_message(
                        400,
                        &format!("new_column_width {} invalid", r.new_column_width),
                    ));
                }
                self.tables[index].columns[position]
                    .insert("width".into(), json!(r.new_column_width));
                position
            }
            UpdateColumnRequest::FreezeColumn(r) => {
                self.tables[index].columns[position].insert("frozen".into(), json!(r.frozen));
                position
            }
            UpdateColumnRequest::MoveColumn(r) => {
                let target = self.column_position(index, &r.target_column)?;
                let columns = &mut self.tables[index].columns;
                if target == position {
                    position
                } else {
                    // The moved column lands on the right of the target, as SeaTable's
                    // SDKs describe `move_column`.
                    let moved = columns.remove(position);
                    let target = if target > position {
                        target
                    } else {
                        target + 1
                    };
                    columns.insert(target, moved);
                    target
                }
            }
            UpdateColumnRequest::ModifyColumnType(r) => {
                let data = match &r.column_data {
                    None => None,
                    Some(data) => match serde_json::to_value(data) {
                        Ok(Value::Object(map)) => Some(map),
                        _ => None,
                    },
                };
                self.change_type(index, position, r.new_column_type.as_str(), data)?;
                position
            }
            UpdateColumnRequest::Unknown(_) => position,
        };
        Ok(Reply::json(
            200,
            &column_json(&self.tables[index].columns[position])?,
        ))
    }

    fn target(&self, table: &str, column: &str) -> Result<(usize, usize), Reply> {
        let index = self.body_table(table)?;
        Ok((index, self.column_position(index, column)?))
    }

    /// `modify_column_type`: the column gets the new type and `data` (given, or what the
    /// converted cells need: select options); every cell is converted by [`convert_cell`].
    /// With the column's own type it sets `data` only.
    fn change_type(
        &mut self,
        index: usize,
        position: usize,
        to: &str,
        data: Option<Map<String, Value>>,
    ) -> Result<(), Reply> {
        if to == "link" {
            return Err(Reply::error_message(
                400,
                "a column cannot be changed into a link column; insert a link column instead",
            ));
        }
        let table = &mut self.tables[index];
        let before = table.columns[position].clone();
        if column_type(&before) == "link" {
            return Err(Reply::error_message(
                400,
                "a link column cannot change its type; delete it instead",
            ));
        }
        let key = column_key(&before).to_string();
        // The same type again only sets `data` (a number's format, a date's format, the
        // options…): the cells stay as they are, and without new data the old stays.
        let same_type = column_type(&before) == to;
        let mut column = before.clone();
        column.insert("type".into(), json!(to));
        let data = match (data, same_type) {
            (Some(mut data), _) => {
                if to == "single-select" || to == "multiple-select" {
                    super::options::complete_options(&mut data);
                }
                Value::Object(data)
            }
            (None, true) => before.get("data").cloned().unwrap_or(Value::Null),
            (None, false) => Value::Null,
        };
        column.insert("data".into(), data);
        if let Err(e) = serde_json::from_value::<Column>(Value::Object(column.clone())) {
            return Err(Reply::json(
                400,
                &crate::types::ErrorMessage {
                    error_message: format!("column_data invalid: {e}"),
                    error_type: Some("column_data_error".into()),
                },
            ));
        }
        let keeps_cells = CONVERTIBLE.contains(&to) && !READ_ONLY_TYPES.contains(&to);
        for row in &mut table.rows {
            let Some(value) = row.remove(&key) else {
                continue;
            };
            let converted = if same_type {
                Some(value)
            } else {
                keeps_cells.then(|| convert_cell(&value, to)).flatten()
            };
            let Some(converted) = converted else {
                continue;
            };
            if to == "single-select" || to == "multiple-select" {
                for name in converted
                    .as_array()
                    .map(|a| a.iter().collect::<Vec<_>>())
                    .unwrap_or_else(|| vec![&converted])
                    .into_iter()
                    .filter_map(Value::as_str)
                {
                    add_option(&mut column, name);
                }
            }
            row.insert(key.clone(), converted);
        }
        table.columns[position] = column;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_convert_to_the_new_type_or_become_empty() {
        let cases = [
            (json!(42), "text", Some(json!("42"))),
            (json!(["a", "b"]), "text", Some(json!("a, b"))),
            (json!("3.5"), "number", Some(json!(3.5))),
            (json!("12"), "number", Some(json!(12))),
            (json!("many"), "number", None),
            (json!(4.6), "rate", Some(json!(5))),
            (json!("yes"), "checkbox", Some(json!(true))),
            (json!(0), "checkbox", Some(json!(false))),
            (
                json!("2030-06-20 10:00"),
                "date",
                Some(json!("2030-06-20 10:00")),
            ),
            (json!("soon"), "date", None),
            (json!(["x", "y"]), "single-select", Some(json!("x"))),
            (json!("x"), "multiple-select", Some(json!(["x"]))),
            (json!("x"), "formula", None),
        ];
        for (value, to, expected) in cases {
            assert_eq!(convert_cell(&value, to), expected, "{value} → {to}");
        }
    }
}
