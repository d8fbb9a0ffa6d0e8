//! The base's change logs: `listOperationLog` (every write, as the base's operation log)
//! and `listRowActivities` (a row's history: created, changed cells with old and new
//! values, deleted).

use std::time::SystemTime;

use serde_json::{json, Map, Value};

use super::records::{iso_utc, newest_first_page, paging, row_name, unix_millis};
use super::{column_key, column_name, column_type, BaseData, MockTable};
use crate::server::Operation;
use crate::testing::state::{Reply, Request};

/// SeaTable documents no page size for the operation log; 25, the size of its other
/// paged logs, is inferred.
const OPERATIONS_PER_PAGE: usize = 25;

/// Operations that change no table, view, column, row or link, and so are not in the
/// operation log (reads sent as POST, comments, snapshots, notifications).
fn is_logged(operation: Operation) -> bool {
    !matches!(
        operation,
        Operation::QuerySql
            | Operation::ListRowLinks
            | Operation::FilterRows
            | Operation::CreateRowComment
            | Operation::DeleteRowComment
            | Operation::CreateSnapshot
            | Operation::MarkNotificationsSeen
            | Operation::MarkNotificationSeen
            | Operation::DeleteNotifications
            | Operation::SendToastNotification
    )
}

/// The `op_type` of a logged operation. SeaTable's own names for row writes
/// (`insert_rows`, `modify_rows`, `delete_rows`) are used where known; for the others the
/// operationId in snake case is an inferred stand-in.
fn op_type(operation: Operation) -> String {
    match operation {
        Operation::AppendRows => "insert_rows".into(),
        Operation::UpdateRows => "modify_rows".into(),
        Operation::DeleteRows => "delete_rows".into(),
        other => {
            let mut out = String::new();
            for c in other.operation_id().chars() {
                if c.is_ascii_uppercase() {
                    out.push('_');
                    out.push(c.to_ascii_lowercase());
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

impl BaseData {
    /// Records a successful write in the operation log: the request's JSON body (or its
    /// query) with the `op_type`, as the `operation` text.
    pub(crate) fn note_operation(&mut self, operation: Operation, request: &Request) {
        if request.method == "GET" || !is_logged(operation) {
            return;
        }
        let mut detail = match serde_json::from_slice::<Value>(&request.body) {
            Ok(Value::Object(map)) => map,
            _ => request
                .query
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect(),
        };
        detail.insert("op_type".into(), json!(op_type(operation)));
        let id = self.records.next_id();
        let actor = &self.records.actor;
        let entry = json!({
            "id": id,
            "op_id": id,
            "author": actor.user(),
            "app": actor.app(),
            "dtable_uuid": self.uuid.replace('-', ""),
            "op_time": unix_millis(SystemTime::now()),
            "operation": Value::Object(detail).to_string(),
        });
        self.records.operations.push(entry);
    }

    /// Records one entry of a row's history. `keys` are the cells the operation set;
    /// `before` is the row before a change.
    pub(crate) fn note_activity(
        &mut self,
        table_index: usize,
        op_type: &str,
        row: &Map<String, Value>,
        before: Option<&Map<String, Value>>,
        keys: &[String],
    ) {
        let table: &MockTable = &self.tables[table_index];
        let mut row_data = Vec::new();
        for column in &table.columns {
            let key = column_key(column);
            if !keys.iter().any(|k| k == key) {
                continue;
            }
            let value = row.get(key).cloned().unwrap_or(Value::Null);
            let mut change = json!({
                "column_key": key,
                "column_name": column_name(column),
                "column_type": column_type(column),
                "column_data": column.get("data").cloned().unwrap_or(Value::Null),
                "value": value,
            });
            if let Some(before) = before {
                let old = before.get(key).cloned().unwrap_or(Value::Null);
                if old == value {
                    continue;
                }
                change["old_value"] = old;
            }
            row_data.push(change);
        }
        if before.is_some() && row_data.is_empty() {
            return;
        }
        let first = table.columns.first().map(column_key).unwrap_or_default();
        let entry = json!({
            "id": 0,
            "dtable_uuid": self.uuid,
            "row_id": row.get("_id").cloned().unwrap_or(Value::Null),
            "op_user": self.records.actor.user(),
            "op_type": op_type,
            "op_time": iso_utc(SystemTime::now()),
            "op_app": self.records.actor.app().unwrap_or_default(),
            "row_count": 1,
            "detail": {
                "table_id": table.id(),
                "table_name": table.info.name,
                "row_name": row_name(row.get(first).or_else(|| before.and_then(|b| b.get(first)))),
                "row_name_option": "",
                "row_data": row_data,
            },
        });
        let id = self.records.next_id();
        let mut entry = entry;
        entry["id"] = json!(id);
        self.records.activities.push(entry);
    }

    pub(crate) fn list_operation_log(&self, request: &Request) -> Result<Reply, Reply> {
        let (page, _) = paging(request, OPERATIONS_PER_PAGE)?;
        let operations = newest_first_page(&self.records.operations, page, OPERATIONS_PER_PAGE);
        Ok(Reply::json(200, &json!({ "operations": operations })))
    }

    /// `listRowActivities`: the row's history, newest first. A row without history (or
    /// unknown) has an empty one (inferred: SeaTable's answer for an unknown row is not
    /// recorded).
    pub(crate) fn list_row_activities(&self, request: &Request) -> Result<Reply, Reply> {
        let Some(row_id) = request.query("row_id").filter(|r| !r.is_empty()) else {
            return Err(Reply::error_message(400, "row_id invalid"));
        };
        let (page, per_page) = paging(request, 25)?;
        let of_row: Vec<Value> = self
            .records
            .activities
            .iter()
            .filter(|a| a["row_id"] == row_id)
            .cloned()
            .collect();
        Ok(Reply::json(
            200,
            &json!({
                "activities": newest_first_page(&of_row, page, per_page),
                "total_count": of_row.len(),
            }),
        ))
    }
}
