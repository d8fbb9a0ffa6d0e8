//! `autoLinkRows` and `getAutoLinkTask`: link the rows of two tables whose columns hold
//! matching values. SeaTable runs a background task; the stand-in links at once and
//! records the task as `success`, so the first poll sees it finished.

use serde_json::{json, Value};

use super::{column_data_str, column_key, column_type, BaseData, MockTable, StoredColumn};
use crate::base::AutoLinkRowsRequest;
use crate::testing::state::{Reply, Request};

/// The column `key` of `table`, if it can be matched.
fn matchable<'t>(table: &'t MockTable, key: &str) -> Result<&'t StoredColumn, Reply> {
    let column = table
        .columns
        .iter()
        .find(|c| column_key(c) == key)
        .ok_or_else(|| Reply::error_message(400, &format!("column {key} not found")))?;
    // SeaTable's documented restriction.
    if matches!(column_type(column), "formula" | "link-formula") {
        return Err(Reply::error_message(
            400,
            &format!("column {key} is a formula and cannot be matched"),
        ));
    }
    Ok(column)
}

/// A cell as auto-linking compares it: by value, not by column type (a text matches an
/// e-mail or auto-number with the same text), lists by their first element.
fn match_value(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s),
        Value::Array(items) => items.into_iter().next().and_then(match_value),
        other => Some(other.to_string()),
    }
}

impl BaseData {
    pub(crate) fn auto_link_rows(&mut self, request: &Request) -> Result<Reply, Reply> {
        let body: AutoLinkRowsRequest = request.json()?;
        if body.matching_keys.is_empty() {
            return Err(Reply::error_message(400, "matching_keys invalid"));
        }
        let link = self
            .tables
            .iter()
            .flat_map(|t| &t.columns)
            .find(|c| {
                column_type(c) == "link"
                    && column_data_str(c, "link_id") == Some(body.link_id.as_str())
            })
            .ok_or_else(|| {
                Reply::error_message(404, &format!("link {} not found", body.link_id))
            })?;
        let (Some(table_id), Some(other_id)) = (
            column_data_str(link, "table_id").map(str::to_string),
            column_data_str(link, "other_table_id").map(str::to_string),
        ) else {
            return Err(Reply::error_message(
                400,
                &format!("link {} has no tables", body.link_id),
            ));
        };
        let (Some(this), Some(other)) = (self.table_by_id(&table_id), self.table_by_id(&other_id))
        else {
            return Err(Reply::error_message(404, "table not found"));
        };
        let mut pairs_of_columns = Vec::new();
        for keys in &body.matching_keys {
            let a = matchable(this, &keys.table1_key)?;
            let b = matchable(other, &keys.table2_key)?;
            let select = |c| matches!(column_type(c), "single-select" | "multiple-select");
            let plain_text = |c| column_type(c) == "text";
            if (select(a) && plain_text(b)) || (plain_text(a) && select(b)) {
                return Err(Reply::error_message(
                    400,
                    "a single-select column cannot be matched with a text column",
                ));
            }
            pairs_of_columns.push((a, b));
        }
        let mut found = Vec::new();
        for a in &this.rows {
            for b in &other.rows {
                let all = pairs_of_columns.iter().all(|(ca, cb)| {
                    match (
                        match_value(self.cell(this, ca, a)),
                        match_value(self.cell(other, cb, b)),
                    ) {
                        (Some(x), Some(y)) => x == y,
                        _ => false,
                    }
                });
                if all {
                    let id = |r: &serde_json::Map<String, Value>| {
                        r.get("_id")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string()
                    };
                    found.push((id(a), id(b)));
                }
            }
        }
        let pairs = self.links.entry(body.link_id.clone()).or_default();
        for pair in found {
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
        let n = self.records.next_id();
        let task_id = format!("{}-{n:012x}", &self.uuid[..23.min(self.uuid.len())]);
        self.records
            .auto_link_tasks
            .insert(task_id.clone(), "success");
        Ok(Reply::json(200, &json!({ "task_id": task_id })))
    }

    /// The state of an auto-link task; an unknown id gets 404 (inferred).
    pub(crate) fn get_auto_link_task(&self, request: &Request) -> Result<Reply, Reply> {
        let task_id = request
            .query("task_id")
            .ok_or_else(|| Reply::error_message(400, "task_id invalid"))?;
        let status = self
            .records
            .auto_link_tasks
            .get(task_id)
            .ok_or_else(|| Reply::error_message(404, &format!("task {task_id} not found")))?;
        Ok(Reply::json(200, &json!({ "status": status })))
    }
}
