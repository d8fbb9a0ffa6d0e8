//! The base's change logs: `listOperationLog` (every write, as the base's operation log)
//! and `listRowActivities` (a row's history: created, changed cells with old and new
//! values, deleted).

use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::records::{iso_utc, newest_first_page, paging, row_name, unix_millis};
use super::{column_key, column_name, column_type, BaseData, MockTable};
use crate::server::Operation;
use crate::testing::state::{Reply, Request};

/// A column as a row-history entry describes it, as it was when the entry was made.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ColumnFacts {
    key: String,
    name: String,
    #[serde(rename = "type")]
    type_: String,
    data: Value,
}

/// One changed cell of a row-history entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Change {
    #[serde(serialize_with = "facts_out", deserialize_with = "facts_in")]
    column: Arc<ColumnFacts>,
    value: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    old_value: Option<Value>,
}

fn facts_out<S: serde::Serializer>(facts: &Arc<ColumnFacts>, s: S) -> Result<S::Ok, S::Error> {
    facts.as_ref().serialize(s)
}

fn facts_in<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Arc<ColumnFacts>, D::Error> {
    ColumnFacts::deserialize(de).map(Arc::new)
}

/// One entry of a row's history (`listRowActivities`), kept compact: an import of many
/// rows makes one entry per row, and building each in SeaTable's JSON shape (with a copy
/// of every column's `data`) was most of the stand-in's work. The entries of one write
/// share their column descriptions; the JSON is built when the history is listed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Activity {
    id: i64,
    row_id: String,
    op_user: String,
    op_type: String,
    /// Unix milliseconds.
    op_time: u64,
    op_app: String,
    table_id: String,
    table_name: String,
    row_name: String,
    changes: Vec<Change>,
}

impl Activity {
    /// The entry as `listRowActivities` answers it.
    fn to_json(&self, dtable_uuid: &str) -> Value {
        let row_data: Vec<Value> = self
            .changes
            .iter()
            .map(|change| {
                let mut cell = json!({
                    "column_key": change.column.key,
                    "column_name": change.column.name,
                    "column_type": change.column.type_,
                    "column_data": change.column.data,
                    "value": change.value,
                });
                if let Some(old) = &change.old_value {
                    cell["old_value"] = old.clone();
                }
                cell
            })
            .collect();
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(self.op_time);
        json!({
            "id": self.id,
            "dtable_uuid": dtable_uuid,
            "row_id": self.row_id,
            "op_user": self.op_user,
            "op_type": self.op_type,
            "op_time": iso_utc(at),
            "op_app": self.op_app,
            "row_count": 1,
            "detail": {
                "table_id": self.table_id,
                "table_name": self.table_name,
                "row_name": self.row_name,
                "row_name_option": "",
                "row_data": row_data,
            },
        })
    }
}

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
        let mut changes = Vec::new();
        for column in &table.columns {
            let key = column_key(column);
            if !keys.iter().any(|k| k == key) {
                continue;
            }
            let value = row.get(key).cloned().unwrap_or(Value::Null);
            let old_value = match before {
                Some(before) => {
                    let old = before.get(key).cloned().unwrap_or(Value::Null);
                    if old == value {
                        continue;
                    }
                    Some(old)
                }
                None => None,
            };
            let column = shared_facts(&mut self.records.activity_columns, column);
            changes.push(Change {
                column,
                value,
                old_value,
            });
        }
        if before.is_some() && changes.is_empty() {
            return;
        }
        let first = table.columns.first().map(column_key).unwrap_or_default();
        let activity = Activity {
            id: self.records.next_id(),
            row_id: row
                .get("_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            op_user: self.records.actor.user(),
            op_type: op_type.to_string(),
            op_time: unix_millis(SystemTime::now()),
            op_app: self.records.actor.app().unwrap_or_default(),
            table_id: table.id().to_string(),
            table_name: table.info.name.clone(),
            row_name: row_name(row.get(first).or_else(|| before.and_then(|b| b.get(first)))),
            changes,
        };
        self.records.activities.push(activity);
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
            .filter(|a| a.row_id == row_id)
            .map(|a| a.to_json(&self.uuid))
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

/// The description of `column` as it is now, shared with earlier entries when it has not
/// changed since (comparing is cheap next to a copy of the column's `data` per row).
fn shared_facts(
    cache: &mut Vec<Arc<ColumnFacts>>,
    column: &Map<String, Value>,
) -> Arc<ColumnFacts> {
    let key = column_key(column);
    let data = column.get("data").unwrap_or(&Value::Null);
    let current = cache.iter().position(|f| f.key == key);
    if let Some(i) = current {
        let facts = &cache[i];
        if facts.name == column_name(column)
            && facts.type_ == column_type(column)
            && &facts.data == data
        {
            return Arc::clone(facts);
        }
    }
    let facts = Arc::new(ColumnFacts {
        key: key.to_string(),
        name: column_name(column).to_string(),
        type_: column_type(column).to_string(),
        data: data.clone(),
    });
    match current {
        Some(i) => cache[i] = Arc::clone(&facts),
        None => cache.push(Arc::clone(&facts)),
    }
    facts
}
