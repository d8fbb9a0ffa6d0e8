//! `submitWorkflowTask`: a task of a workflow, started with a new row of the workflow's
//! table (`row_data`) or an existing one (`row_id`). Workflows are made by the test with
//! `MockSeaTable::add_workflow`, which names the table.
//!
//! Served by dtable-web: errors come as `{"error_msg": …}`. An unknown workflow token
//! answers 404 (inferred). `link_rows` and `new_linked_rows` are accepted and not
//! applied.

use serde_json::{json, Map, Value};

use super::BaseData;
use crate::testing::state::{Reply, Request};

impl BaseData {
    pub(crate) fn submit_workflow_task(
        &mut self,
        request: &Request,
        token: &str,
        new_ids: Vec<String>,
    ) -> Result<Reply, Reply> {
        let table_name = self
            .records
            .workflows
            .get(token)
            .cloned()
            .ok_or_else(|| Reply::error_msg(404, &format!("workflow {token} not found.")))?;
        let form: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
            .into_owned()
            .collect();
        let field = |name: &str| {
            form.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let initiator = field("initiator").unwrap_or_else(|| self.records.actor.user());
        let index = self
            .table_index(&table_name)
            .ok_or_else(|| Reply::error_msg(404, &format!("table {table_name} not found.")))?;
        let row_id = match (field("row_data"), field("row_id")) {
            (Some(text), _) => {
                let cells: Map<String, Value> = match serde_json::from_str(&text) {
                    Ok(Value::Object(cells)) => cells,
                    _ => return Err(Reply::error_msg(400, "row_data invalid.")),
                };
                let id = new_ids
                    .into_iter()
                    .next()
                    .ok_or_else(|| Reply::error_msg(500, "no row id was drawn."))?;
                self.insert_rows(&table_name, vec![cells], vec![id.clone()])
                    .map_err(|e| Reply::error_msg(400, &e))?;
                id
            }
            (None, Some(row_id)) => {
                if !self.tables[index]
                    .rows
                    .iter()
                    .any(|r| r.get("_id").and_then(Value::as_str) == Some(row_id.as_str()))
                {
                    return Err(Reply::error_msg(404, &format!("row {row_id} not found.")));
                }
                row_id
            }
            (None, None) => return Err(Reply::error_msg(400, "row_data or row_id is required.")),
        };
        let id = self.records.next_id();
        self.records
            .workflow_tasks
            .push((id, row_id.clone(), initiator.clone()));
        Ok(Reply::json(
            200,
            &json!({"task": {"id": id, "row_id": row_id, "initiator": initiator}}),
        ))
    }
}
