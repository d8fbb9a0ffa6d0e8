//! `lockRows` and `unlockRows`: the `_locked` and `_locked_by` fields of rows.
//!
//! Recorded: a locked row reads `_locked: true` with `_locked_by` the API-Token's app name
//! (`"automated-test"`), an unlocked one `_locked: null, _locked_by: null`. What a lock
//! stops is editing in SeaTable's UI (spec: "can no longer be edited in the UI"); API
//! writes to a locked row are applied (inferred from that wording: no recorded answer
//! shows a refused write). Listed ids that match no row are skipped, as `updateRows` skips
//! them (inferred); a row in big-data storage cannot be locked (published description)
//! and gets 400 (the status is inferred).

use serde_json::{json, Map, Value};

use super::BaseData;
use crate::testing::state::{Reply, Request};
use crate::types::{SuccessResult, TableRowIds};

impl BaseData {
    pub(crate) fn lock_rows(&mut self, request: &Request, lock: bool) -> Result<Reply, Reply> {
        let body: TableRowIds = request.json()?;
        if body.row_ids.is_empty() {
            return Err(Reply::error_message(400, "row_ids invalid"));
        }
        let index = self.body_table(&body.table_name)?;
        let locker = self.records.actor.locker();
        let table = &mut self.tables[index];
        if lock {
            if let Some(archived) = table.rows.iter().find(|r| {
                r.get("_archived") == Some(&Value::Bool(true))
                    && body
                        .row_ids
                        .iter()
                        .any(|id| r.get("_id").and_then(Value::as_str) == Some(id.as_str()))
            }) {
                let id = archived
                    .get("_id")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                return Err(Reply::error_message(
                    400,
                    &format!("row {id} is in big-data storage and cannot be locked"),
                ));
            }
        }
        for row in table.rows.iter_mut() {
            let listed = row
                .get("_id")
                .and_then(Value::as_str)
                .is_some_and(|id| body.row_ids.iter().any(|r| r == id));
            if !listed {
                continue;
            }
            if lock {
                row.insert("_locked".into(), json!(true));
                row.insert("_locked_by".into(), json!(locker));
            } else {
                row.insert("_locked".into(), Value::Null);
                row.insert("_locked_by".into(), Value::Null);
            }
        }
        Ok(Reply::json(
            200,
            &SuccessResult {
                success: true,
                extra: Map::new(),
            },
        ))
    }
}
