//! Big-data storage: `addBigDataRows`, `moveRowsToBigData`, `moveRowsToNormalBackend`,
//! `listBigDataOperations` and `restoreBigDataOperation`.
//!
//! A row in big-data storage stays in its table with `_archived: true` (the system field
//! SeaTable uses for it). Who reads it (published descriptions and seatable-facts.md):
//! `querySql` does, unless `server_only` is true; `deleteRows` and `updateRows` reach it;
//! `lockRows` refuses it. `listRows` returns the big-data rows through a view of type
//! `archive` only, and the normal rows otherwise (inferred: SeaTable's "supports the big
//! data backend" is read as "through an archive view", as in its UI). Big-data storage is
//! always enabled in the stand-in.

use std::time::SystemTime;

use serde_json::{json, Map, Value};

use super::records::{paging, BigDataEntry};
use super::BaseData;
use crate::base::{
    AddBigDataRowsRequest, AddBigDataRowsResponse, MoveRowsToBigDataRequest,
    MoveRowsToBigDataResponse, MoveRowsToNormalBackendRequest, MoveRowsToNormalBackendResponse,
};
use crate::testing::state::{Reply, Request};
use crate::types::{SuccessResult, View};

pub(crate) fn is_archived(row: &Map<String, Value>) -> bool {
    row.get("_archived") == Some(&Value::Bool(true))
}

/// Whether the view is a big-data (`archive`) view.
pub(crate) fn is_archive_view(view: &View) -> bool {
    view.type_.as_ref().is_some_and(|t| t.as_str() == "archive")
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

impl BaseData {
    /// Logs a change of a big-data row, with what undoing it needs.
    pub(crate) fn note_big_data(
        &mut self,
        op_type: &'static str,
        table_id: &str,
        row: &Map<String, Value>,
        before: Option<Map<String, Value>>,
    ) {
        let id = self.records.next_id();
        let author = self.records.actor.user();
        self.records.big_data_log.push(BigDataEntry {
            id,
            op_time: now_secs(),
            op_type,
            author,
            table_id: table_id.to_string(),
            row_id: row
                .get("_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            row: row.clone(),
            before,
            restored: false,
        });
    }

    pub(crate) fn add_big_data_rows(
        &mut self,
        request: &Request,
        new_ids: Vec<String>,
    ) -> Result<Reply, Reply> {
        let body: AddBigDataRowsRequest = request.json()?;
        if body.rows.is_empty() {
            return Err(Reply::error_message(400, "rows invalid"));
        }
        let index = self.body_table(&body.table_name)?;
        let count = body.rows.len();
        let ids: Vec<String> = new_ids.into_iter().take(count).collect();
        if ids.len() < count {
            return Err(Reply::error_message(500, "not enough row ids were drawn"));
        }
        let table_name = self.tables[index].info.name.clone();
        self.insert_rows(&table_name, body.rows, ids.clone())
            .map_err(|e| Reply::error_message(400, &e))?;
        let table_id = self.tables[index].id().to_string();
        let mut stored = Vec::new();
        for row in self.tables[index].rows.iter_mut() {
            if row
                .get("_id")
                .and_then(Value::as_str)
                .is_some_and(|id| ids.iter().any(|i| i == id))
            {
                row.insert("_archived".into(), json!(true));
                stored.push(row.clone());
            }
        }
        for row in stored {
            self.note_big_data("add_row", &table_id, &row, None);
        }
        Ok(Reply::json(
            200,
            &AddBigDataRowsResponse {
                inserted_row_count: count as i64,
                extra: Map::new(),
            },
        ))
    }

    pub(crate) fn move_rows_to_big_data(&mut self, request: &Request) -> Result<Reply, Reply> {
        let body: MoveRowsToBigDataRequest = request.json()?;
        let index = self.body_table(&body.table_name)?;
        let table = &self.tables[index];
        let view = table.view(&body.view_name).ok_or_else(|| {
            Reply::error_message(404, &format!("view {} not found", body.view_name))
        })?;
        let today = chrono::DateTime::<chrono::Utc>::from(SystemTime::now()).date_naive();
        let mut moving = Vec::new();
        for (i, row) in table.rows.iter().enumerate() {
            if !is_archived(row) && self.view_keeps(table, view, row, today)? {
                moving.push(i);
            }
        }
        for i in moving {
            self.tables[index].rows[i].insert("_archived".into(), json!(true));
        }
        Ok(Reply::json(
            200,
            &MoveRowsToBigDataResponse {
                success: Some(true),
                error_message: Some(String::new()),
                extra: Map::new(),
            },
        ))
    }

    /// Moves the listed big-data rows back at once (SeaTable does it in a background
    /// task; the stand-in's task is finished when the answer comes).
    pub(crate) fn move_rows_to_normal_backend(
        &mut self,
        request: &Request,
    ) -> Result<Reply, Reply> {
        let body: MoveRowsToNormalBackendRequest = request.json()?;
        if body.row_ids.is_empty() {
            return Err(Reply::error_message(400, "row_ids invalid"));
        }
        let index = self
            .tables
            .iter()
            .position(|t| t.id() == body.table_id)
            .ok_or_else(|| {
                Reply::error_message(404, &format!("table {} not found", body.table_id))
            })?;
        for row in self.tables[index].rows.iter_mut() {
            let listed = row
                .get("_id")
                .and_then(Value::as_str)
                .is_some_and(|id| body.row_ids.iter().any(|r| r == id));
            if listed {
                row.insert("_archived".into(), json!(false));
            }
        }
        let task = self.records.next_id();
        Ok(Reply::json(
            200,
            &MoveRowsToNormalBackendResponse {
                success: Some(true),
                task_id: Some(format!(
                    "{}-{task:012x}",
                    &self.uuid[..23.min(self.uuid.len())]
                )),
                extra: Map::new(),
            },
        ))
    }

    /// The big-data log, newest first, 25 entries a page unless `per_page` says otherwise.
    pub(crate) fn list_big_data_operations(&self, request: &Request) -> Result<Reply, Reply> {
        let (page, per_page) = paging(request, 25)?;
        let uuid = self.uuid.replace('-', "");
        let operations: Vec<Value> = self
            .records
            .big_data_log
            .iter()
            .rev()
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .map(|entry| {
                let row_data: Map<String, Value> = entry
                    .row
                    .iter()
                    .filter(|(k, _)| !k.starts_with('_'))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                json!({
                    "id": entry.id,
                    "dtable_uuid": uuid,
                    "op_time": entry.op_time,
                    "op_type": entry.op_type,
                    "author": entry.author,
                    "operation": json!({
                        "row_id": entry.row_id,
                        "table_id": entry.table_id,
                        "row_data": row_data,
                    }).to_string(),
                })
            })
            .collect();
        Ok(Reply::json(200, &json!({ "operations": operations })))
    }

    /// Undoes one logged change: an added row is removed, a deleted one comes back, a
    /// changed one gets its cells back. An entry restores once; a second time answers
    /// 400 (inferred: SeaTable does not document it).
    pub(crate) fn restore_big_data_operation(&mut self, op_id: &str) -> Result<Reply, Reply> {
        let not_found = || Reply::error_message(404, &format!("operation {op_id} not found"));
        let id: i64 = op_id.parse().map_err(|_| not_found())?;
        let position = self
            .records
            .big_data_log
            .iter()
            .position(|e| e.id == id)
            .ok_or_else(not_found)?;
        let entry = self.records.big_data_log[position].clone();
        if entry.restored {
            return Err(Reply::error_message(
                400,
                &format!("operation {op_id} was restored already"),
            ));
        }
        let table = self
            .tables
            .iter_mut()
            .find(|t| t.id() == entry.table_id)
            .ok_or_else(|| {
                Reply::error_message(404, &format!("table {} not found", entry.table_id))
            })?;
        let at = table
            .rows
            .iter()
            .position(|r| r.get("_id").and_then(Value::as_str) == Some(entry.row_id.as_str()));
        match (entry.op_type, at) {
            ("add_row", Some(at)) => {
                table.rows.remove(at);
            }
            ("delete_row", None) => table.rows.push(entry.row.clone()),
            ("modify_row", Some(at)) => {
                if let Some(before) = entry.before.clone() {
                    table.rows[at] = before;
                }
            }
            _ => {
                return Err(Reply::error_message(
                    400,
                    &format!("operation {op_id} cannot be restored: its row changed since"),
                ))
            }
        }
        self.records.big_data_log[position].restored = true;
        Ok(Reply::json(
            200,
            &SuccessResult {
                success: true,
                extra: Map::new(),
            },
        ))
    }
}
