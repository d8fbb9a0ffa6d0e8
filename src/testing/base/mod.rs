//! One base of the mock: its tables (columns, views, rows), links and files, and the base
//! operations on them.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use serde_json::{json, Map, Value};

mod auto_link;
mod big_data;
mod cells;
mod columns;
mod comments;
mod computed;
mod history;
mod locks;
mod notifications;
mod options;
mod predicates;
mod records;
mod snapshots;
mod tables;
mod views;
mod workflows;

pub(crate) use cells::Zone;

use super::sql;
use crate::base::{
    AppendColumnsRequest, AppendRowsRequest, CreateTableRequest, CreateViewRequest,
    DeleteColumnRequest, DeleteRowLinksResponse, DeleteRowsRequest, DeleteTableRequest,
    FilterRowsRequest, FilterRowsRequestFilterConjunction, InsertColumnRequest,
    ListRowLinksRequest, ListViewsResponse, QuerySqlRequest, RenameTableRequest, UpdateRowsRequest,
};
use crate::cells::RowCells;
use crate::server::Operation;
use crate::testing::state::{Reply, Request};
use crate::types::{
    AppendRowsResult, Column, ColumnInput, DeleteRowsResult, LinkCellItem, Metadata,
    MetadataResponse, Row, RowId, RowLinksInput, RowList, SuccessResult, Table, View,
};

/// SeaTable's page, append and update limit.
pub(crate) const MAX_ROWS: usize = 1000;
/// SeaTable's delete limit.
pub(crate) const MAX_DELETE: usize = 10_000;
/// Link cells in row reads hold at most this many linked rows.
const MAX_LINKS_IN_CELL: usize = 50;
/// The user id written into `_creator` and `_last_modifier`.
pub(crate) const CREATOR: &str = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f@auth.local";

/// A column as stored: the JSON object `getMetadata` returns for it (it decodes as the
/// spec's `Column`).
pub(crate) type StoredColumn = Map<String, Value>;

pub(crate) fn column_key(column: &StoredColumn) -> &str {
    column
        .get("key")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

pub(crate) fn column_name(column: &StoredColumn) -> &str {
    column
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

pub(crate) fn column_type(column: &StoredColumn) -> &str {
    column
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn column_data_str<'c>(column: &'c StoredColumn, field: &str) -> Option<&'c str> {
    column.get("data")?.get(field)?.as_str()
}

pub(crate) struct MockTable {
    /// The table's fields other than its columns (which are `columns`).
    pub info: Table,
    pub columns: Vec<StoredColumn>,
    /// Rows keyed by column key, with the system fields.
    pub rows: Vec<Map<String, Value>>,
}

impl MockTable {
    pub fn id(&self) -> &str {
        &self.info.id
    }

    pub fn column(&self, name_or_key: &str) -> Option<&StoredColumn> {
        self.columns
            .iter()
            .find(|c| column_name(c) == name_or_key)
            .or_else(|| self.columns.iter().find(|c| column_key(c) == name_or_key))
    }

    fn view(&self, name_or_id: &str) -> Option<&View> {
        self.info
            .views
            .iter()
            .find(|v| v.name == name_or_id || v.id == name_or_id)
    }

    fn typed_columns(&self) -> Result<Vec<Column>, Reply> {
        self.columns
            .iter()
            .map(|c| {
                serde_json::from_value(Value::Object(c.clone())).map_err(|e| {
                    Reply::error_message(
                        500,
                        &format!("stored column `{}` does not decode: {e}", column_name(c)),
                    )
                })
            })
            .collect()
    }

    fn typed(&self) -> Result<Table, Reply> {
        let mut table = self.info.clone();
        table.columns = self.typed_columns()?;
        Ok(table)
    }
}

pub(crate) struct BaseData {
    pub uuid: String,
    pub name: String,
    pub api_token: String,
    pub workspace_id: i64,
    /// The base-wide fields of the metadata (its `tables` are in `tables`).
    pub(crate) meta: Metadata,
    pub tables: Vec<MockTable>,
    /// `link_id` → linked pairs (row of the link's `table_id`, row of its
    /// `other_table_id`), oldest first.
    pub(crate) links: HashMap<String, Vec<(String, String)>>,
    /// Files of the asset folder by path (`/files/2025-03/a.pdf`; the custom folder's
    /// under `/custom/`).
    pub files: BTreeMap<String, Vec<u8>>,
    /// Comments, logs, tasks, snapshots, workflows, the time zone and the current writer.
    pub records: records::Records,
    /// When each file of `files` was stored (ISO 8601).
    pub file_times: BTreeMap<String, String>,
    /// UUIDs of custom-folder files by path, given the first time they are asked for.
    pub custom_uuids: BTreeMap<String, String>,
    /// The users of the base (`listCollaborators`), the owner first.
    pub collaborators: Vec<crate::types::RelatedUser>,
    /// Notifications as `listNotifications` returns them, oldest first.
    pub(crate) notifications: Vec<Value>,
    pub(crate) notification_serial: i64,
    /// Toasts sent with `sendToastNotification`, oldest first.
    pub toasts: Vec<Value>,
}

fn now_iso() -> String {
    chrono::DateTime::<chrono::Utc>::from(SystemTime::now())
        .format("%Y-%m-%dT%H:%M:%S%.3f+00:00")
        .to_string()
}

fn default_view() -> View {
    let mut view = View {
        id: "0000".into(),
        name: "Default View".into(),
        type_: Some("table".into()),
        is_locked: Some(false),
        private_for: None,
        filter_conjunction: Some("And".into()),
        filters: Some(Vec::new()),
        sorts: Some(Vec::new()),
        groupbys: Some(Vec::new()),
        hidden_columns: Some(Vec::new()),
        row_height: Some("default".into()),
        summaries: Some(json!({})),
        colorbys: Some(Map::new()),
        extra: Map::new(),
    };
    views::complete_view(&mut view);
    view
}

fn not_found_table(name: &str) -> Reply {
    Reply::error_message(404, &format!("table {name} not found"))
}

impl BaseData {
    pub fn new(
        uuid: String,
        name: String,
        api_token: String,
        workspace_id: i64,
        metadata: Value,
    ) -> Result<BaseData, String> {
        let inner = match metadata {
            Value::Object(mut outer) if outer.contains_key("metadata") => {
                outer.remove("metadata").unwrap_or_default()
            }
            other => other,
        };
        let mut meta: Metadata = serde_json::from_value(inner)
            .map_err(|e| format!("the metadata does not decode as `Metadata`: {e}"))?;
        tables::complete_metadata(&mut meta);
        let mut tables = Vec::new();
        for mut table in std::mem::take(&mut meta.tables) {
            if tables.iter().any(|t: &MockTable| t.info.name == table.name) {
                return Err(format!("two tables are named `{}`", table.name));
            }
            let mut columns = Vec::new();
            for column in std::mem::take(&mut table.columns) {
                let stored = match serde_json::to_value(&column) {
                    Ok(Value::Object(map)) => map,
                    _ => return Err(format!("a column of `{}` is not an object", table.name)),
                };
                if columns
                    .iter()
                    .any(|c: &StoredColumn| column_name(c) == column_name(&stored))
                {
                    return Err(format!(
                        "table `{}` has two columns named `{}`",
                        table.name,
                        column_name(&stored)
                    ));
                }
                columns.push(stored);
            }
            columns.iter_mut().for_each(columns::complete_column);
            tables::complete_table(&mut table);
            tables.push(MockTable {
                info: table,
                columns,
                rows: Vec::new(),
            });
        }
        Ok(BaseData {
            uuid,
            name,
            api_token,
            workspace_id,
            meta,
            tables,
            links: HashMap::new(),
            files: BTreeMap::new(),
            records: records::Records::default(),
            file_times: BTreeMap::new(),
            custom_uuids: BTreeMap::new(),
            collaborators: vec![notifications::owner()],
            notifications: Vec::new(),
            notification_serial: 0,
            toasts: Vec::new(),
        })
    }

    fn table_index(&self, name_or_id: &str) -> Option<usize> {
        self.tables
            .iter()
            .position(|t| t.info.name == name_or_id)
            .or_else(|| self.tables.iter().position(|t| t.id() == name_or_id))
    }

    fn table_by_id(&self, id: &str) -> Option<&MockTable> {
        self.tables.iter().find(|t| t.id() == id)
    }

    /// The table named by the `table_name` (or `table_id`) query parameter.
    fn query_table(&self, request: &Request) -> Result<usize, Reply> {
        let Some(name) = request
            .query("table_name")
            .or_else(|| request.query("table_id"))
        else {
            return Err(Reply::error_message(400, "table_name invalid"));
        };
        self.table_index(name).ok_or_else(|| not_found_table(name))
    }

    fn body_table(&self, name: &str) -> Result<usize, Reply> {
        self.table_index(name).ok_or_else(|| not_found_table(name))
    }

    pub fn metadata_response(&self) -> Result<MetadataResponse, String> {
        let mut metadata = self.meta.clone();
        metadata.tables = self
            .tables
            .iter()
            .map(MockTable::typed)
            .collect::<Result<_, _>>()
            .map_err(|r| String::from_utf8_lossy(&r.body).into_owned())?;
        Ok(MetadataResponse { metadata })
    }

    pub fn handle(
        &mut self,
        operation: Operation,
        request: &Request,
        param: &dyn Fn(&str) -> String,
        new_ids: Vec<String>,
        keys: Vec<String>,
    ) -> Reply {
        self.records.actor = records::Actor::of(request);
        let result = match operation {
            Operation::GetMetadata => self
                .metadata_json()
                .map(|m| Reply::json(200, &m))
                .map_err(|e| Reply::error_message(500, &e)),
            Operation::ListRows => self.list_rows(request),
            Operation::FilterRows => self.filter_rows(request),
            Operation::GetRow => self.get_row(request, &param("row_id")),
            Operation::AppendRows => self.append_rows(request, new_ids),
            Operation::UpdateRows => self.update_rows(request),
            Operation::DeleteRows => self.delete_rows(request),
            Operation::QuerySql => request
                .json::<QuerySqlRequest>()
                .and_then(|q| sql::query(self, &q)),
            Operation::ListRowLinks => self.list_row_links(request),
            Operation::CreateRowLinks => self.change_links(request, LinkChange::Add),
            Operation::UpdateRowLinks => self.change_links(request, LinkChange::Replace),
            Operation::DeleteRowLinks => self.change_links(request, LinkChange::Remove),
            Operation::CreateTable => self.create_table(request, keys),
            Operation::RenameTable => self.rename_table(request),
            Operation::DeleteTable => self.delete_table(request),
            Operation::ListViews => self.list_views(request),
            Operation::CreateView => self.create_view(request, keys),
            Operation::GetView => self.get_view(request, &param("view_name")),
            Operation::UpdateView => self.update_view(request, &param("view_name")),
            Operation::DeleteView => self.delete_view(request, &param("view_name")),
            Operation::DuplicateTable => self.duplicate_table(request, keys),
            Operation::AddSelectOptions => self.add_select_options(request),
            Operation::UpdateSelectOptions => self.update_select_options(request),
            Operation::DeleteSelectOptions => self.delete_select_options(request),
            Operation::UpdateColumnCascade => self.update_column_cascade(request),
            Operation::ListCollaborators => self.list_collaborators(),
            Operation::ListNotifications => self.list_notifications(request),
            Operation::MarkNotificationsSeen => self.mark_notifications_seen(request),
            Operation::MarkNotificationSeen => {
                self.mark_notification_seen(request, &param("notification_id"))
            }
            Operation::DeleteNotifications => self.delete_notifications(request),
            Operation::SendToastNotification => self.send_toast(request),
            Operation::ListColumns => self.list_columns(request),
            Operation::InsertColumn => self.insert_column(request, keys),
            Operation::AppendColumns => self.append_columns(request, keys),
            Operation::UpdateColumn => self.update_column(request),
            Operation::DeleteColumn => self.delete_column(request),
            Operation::LockRows => self.lock_rows(request, true),
            Operation::UnlockRows => self.lock_rows(request, false),
            Operation::ListRowComments => self.list_row_comments(request),
            Operation::CreateRowComment => self.create_row_comment(request),
            Operation::GetRowComment => self.get_row_comment(&param("comment_id")),
            Operation::DeleteRowComment => self.delete_row_comment(&param("comment_id")),
            Operation::CountRowComments => self.count_row_comments(request),
            Operation::ListCommentsWithinDays => self.list_comments_within_days(request),
            Operation::CountCommentsPerRow => self.count_comments_per_row(),
            Operation::AddBigDataRows => self.add_big_data_rows(request, new_ids),
            Operation::MoveRowsToBigData => self.move_rows_to_big_data(request),
            Operation::MoveRowsToNormalBackend => self.move_rows_to_normal_backend(request),
            Operation::ListBigDataOperations => self.list_big_data_operations(request),
            Operation::RestoreBigDataOperation => self.restore_big_data_operation(&param("op_id")),
            Operation::ListOperationLog => self.list_operation_log(request),
            Operation::ListRowActivities => self.list_row_activities(request),
            Operation::AutoLinkRows => self.auto_link_rows(request),
            Operation::GetAutoLinkTask => self.get_auto_link_task(request),
            Operation::CreateSnapshot => self.create_snapshot(),
            Operation::SubmitWorkflowTask => {
                self.submit_workflow_task(request, &param("workflow_token"), new_ids)
            }
            other => Ok(super::examples::answer(other)),
        };
        if matches!(&result, Ok(reply) if reply.status == 200) {
            self.note_operation(operation, request);
        }
        // Writes made without a request (`MockSeaTable::add_rows`) are the owner's.
        self.records.actor = records::Actor::default();
        result.unwrap_or_else(|reply| reply)
    }

    // ---------------------------------------------------------------- rows

    /// A stored row as the API returns it: system fields, then every column (of the view,
    /// when `hidden` names hidden columns) under its key or name.
    pub(crate) fn row_out(
        &self,
        table: &MockTable,
        row: &Map<String, Value>,
        by_name: bool,
        hidden: &[String],
    ) -> Row {
        let text = |field: &str| row.get(field).and_then(Value::as_str).map(str::to_string);
        let mut extra = RowCells::new();
        for column in &table.columns {
            let key = column_key(column);
            if hidden.iter().any(|h| h == key) {
                continue;
            }
            let label = if by_name { column_name(column) } else { key };
            extra.insert(label.to_string(), self.cell(table, column, row));
        }
        Row {
            id: text("_id"),
            ctime: text("_ctime"),
            mtime: text("_mtime"),
            creator: text("_creator"),
            last_modifier: text("_last_modifier"),
            archived: row.get("_archived").and_then(Value::as_bool),
            locked: row.get("_locked").and_then(Value::as_bool),
            locked_by: text("_locked_by"),
            extra,
        }
    }

    /// The value of one cell as reads return it.
    pub(crate) fn cell(
        &self,
        table: &MockTable,
        column: &StoredColumn,
        row: &Map<String, Value>,
    ) -> Value {
        let text = |field: &str| row.get(field).cloned().unwrap_or(Value::Null);
        match column_type(column) {
            "link" => {
                let row_id = row.get("_id").and_then(Value::as_str).unwrap_or_default();
                let items = self.linked(table, column, row_id);
                if items.is_empty() {
                    Value::Null
                } else {
                    Value::Array(
                        items
                            .into_iter()
                            .take(MAX_LINKS_IN_CELL)
                            .filter_map(|item| serde_json::to_value(item).ok())
                            .collect(),
                    )
                }
            }
            "ctime" => text("_ctime"),
            "mtime" => text("_mtime"),
            "formula" => computed::formula(self, table, column, row, 0),
            "creator" => text("_creator"),
            "last-modifier" => text("_last_modifier"),
            _ => row.get(column_key(column)).cloned().unwrap_or(Value::Null),
        }
    }

    /// The rows linked to `row_id` through a link column of `table`, oldest link first.
    fn linked(&self, table: &MockTable, column: &StoredColumn, row_id: &str) -> Vec<LinkCellItem> {
        let (Some(link_id), Some(table_id), Some(other_id)) = (
            column_data_str(column, "link_id"),
            column_data_str(column, "table_id"),
            column_data_str(column, "other_table_id"),
        ) else {
            return Vec::new();
        };
        let pairs = self
            .links
            .get(link_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        // The column may sit on either side of the link.
        let (forward, other_table) = if table.id() == table_id {
            (true, other_id)
        } else {
            (false, table_id)
        };
        let Some(other) = self.table_by_id(other_table) else {
            return Vec::new();
        };
        let display_key = if forward {
            column_data_str(column, "display_column_key")
        } else {
            None
        }
        .unwrap_or("0000");
        let display_column = other
            .columns
            .iter()
            .find(|c| column_key(c) == display_key)
            .or_else(|| other.columns.first());
        pairs
            .iter()
            .filter_map(|(a, b)| match forward {
                true if a == row_id => Some(b),
                false if b == row_id => Some(a),
                _ => None,
            })
            .filter_map(|linked_id| {
                let linked = other
                    .rows
                    .iter()
                    .find(|r| r.get("_id").and_then(Value::as_str) == Some(linked_id))?;
                let display = display_column
                    .filter(|c| column_type(c) != "link")
                    .map(|c| self.cell(other, c, linked))
                    .filter(|v| !v.is_null());
                Some(LinkCellItem {
                    row_id: linked_id.clone(),
                    display_value: display,
                    extra: Map::new(),
                })
            })
            .collect()
    }

    fn list_rows(&self, request: &Request) -> Result<Reply, Reply> {
        let index = self.query_table(request)?;
        let table = &self.tables[index];
        let view = match request
            .query("view_name")
            .or_else(|| request.query("view_id"))
        {
            None => None,
            Some(name) => Some(
                table
                    .view(name)
                    .ok_or_else(|| Reply::error_message(404, &format!("view {name} not found")))?,
            ),
        };
        let number = |name: &str, default: usize| match request.query(name) {
            None => Ok(default),
            Some(text) => text
                .parse::<usize>()
                .map_err(|_| Reply::error_message(400, &format!("{name} invalid"))),
        };
        let start = number("start", 0)?;
        let limit = number("limit", MAX_ROWS)?;
        if !(1..=MAX_ROWS).contains(&limit) {
            return Err(Reply::error_message(400, "limit invalid"));
        }
        let by_name = convert_keys(request);
        // Big-data rows are listed through an archive view only (see `big_data`).
        let archive = view.is_some_and(big_data::is_archive_view);
        let paged = request.query("start").is_some() && request.query("limit").is_some();
        if view.is_none() && !(paged && request.query("order_by").is_some()) {
            // The common page of a plain table, without collecting every row for each
            // page of a long read.
            let rows = table
                .rows
                .iter()
                .filter(|r| !big_data::is_archived(r))
                .skip(start)
                .take(limit)
                .map(|r| self.row_out(table, r, by_name, &[]))
                .collect();
            return Ok(Reply::json(200, &RowList { rows }));
        }
        let mut rows: Vec<&Map<String, Value>> = table
            .rows
            .iter()
            .filter(|r| big_data::is_archived(r) == archive)
            .collect();
        let mut hidden = Vec::new();
        if let Some(view) = view {
            hidden = view.hidden_columns.clone().unwrap_or_default();
            rows = self
                .view_rows(table, view)?
                .into_iter()
                .filter(|r| big_data::is_archived(r) == archive)
                .collect();
        }
        // As SeaTable documents it: `order_by` applies only with `start` and `limit`, and
        // after the view's own sorting (the sort is stable).
        if let (Some(order_by), true) = (request.query("order_by"), paged) {
            let column = table.column(order_by).ok_or_else(|| {
                Reply::error_message(400, &format!("column {order_by} not found"))
            })?;
            let down = match request.query("direction") {
                None | Some("") | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    return Err(Reply::error_message(
                        400,
                        &format!("direction {other} invalid"),
                    ))
                }
            };
            rows.sort_by(|a, b| {
                let order =
                    sql::compare_cells(&self.cell(table, column, a), &self.cell(table, column, b));
                if down {
                    order.reverse()
                } else {
                    order
                }
            });
        }
        let rows = rows
            .into_iter()
            .skip(start)
            .take(limit)
            .map(|r| self.row_out(table, r, by_name, &hidden))
            .collect();
        Ok(Reply::json(200, &RowList { rows }))
    }

    /// `filterRows`: the table's rows (without the view's hidden columns) that meet the
    /// body's conditions, keyed by column name.
    fn filter_rows(&self, request: &Request) -> Result<Reply, Reply> {
        let index = self.query_table(request)?;
        let table = &self.tables[index];
        let view = match request.query("view_name") {
            None => None,
            Some(name) => Some(
                table
                    .view(name)
                    .ok_or_else(|| Reply::error_message(404, &format!("view {name} not found")))?,
            ),
        };
        let hidden = view
            .and_then(|v| v.hidden_columns.clone())
            .unwrap_or_default();
        let body: FilterRowsRequest = request.json()?;
        if body.filters.is_empty() {
            return Err(Reply::error_message(400, "filters invalid"));
        }
        let any = match &body.filter_conjunction {
            None | Some(FilterRowsRequestFilterConjunction::And) => false,
            Some(FilterRowsRequestFilterConjunction::Or) => true,
            Some(other) => {
                return Err(Reply::error_message(
                    400,
                    &format!("filter_conjunction {} invalid", other.as_str()),
                ))
            }
        };
        let mut columns = Vec::new();
        for filter in &body.filters {
            let column = table.column(&filter.column_name).ok_or_else(|| {
                Reply::error_message(400, &format!("column {} not found", filter.column_name))
            })?;
            columns.push(column);
        }
        // Within the view's own filters and order, when one is named.
        let candidates = match view {
            Some(view) => self.view_rows(table, view)?,
            None => table.rows.iter().collect(),
        };
        let today = chrono::DateTime::<chrono::Utc>::from(SystemTime::now()).date_naive();
        let mut rows = Vec::new();
        for row in candidates.into_iter().filter(|r| !big_data::is_archived(r)) {
            let mut verdicts = Vec::new();
            for (filter, column) in body.filters.iter().zip(&columns) {
                let cell = self.cell(table, column, row);
                verdicts.push(
                    predicates::row_filter_matches(filter, column, &cell, today)
                        .map_err(|e| Reply::error_message(400, &e))?,
                );
            }
            let keep = if any {
                verdicts.iter().any(|v| *v)
            } else {
                verdicts.iter().all(|v| *v)
            };
            if keep {
                rows.push(self.row_out(table, row, true, &hidden));
            }
        }
        Ok(Reply::json(200, &RowList { rows }))
    }

    fn get_row(&self, request: &Request, row_id: &str) -> Result<Reply, Reply> {
        let index = self.query_table(request)?;
        let table = &self.tables[index];
        let by_name = convert_keys(request);
        match table
            .rows
            .iter()
            .find(|r| r.get("_id").and_then(Value::as_str) == Some(row_id))
        {
            Some(row) => Ok(Reply::json(200, &self.row_out(table, row, by_name, &[]))),
            // SeaTable's own wording.
            None => Err(Reply::error_message(404, "row _id not exits")),
        }
    }

    pub fn insert_rows(
        &mut self,
        table: &str,
        inputs: Vec<Map<String, Value>>,
        ids: Vec<String>,
    ) -> Result<Vec<String>, String> {
        let index = self
            .table_index(table)
            .ok_or_else(|| format!("the base has no table `{table}`"))?;
        let zone = self.records.zone;
        let user = self.records.actor.user();
        let today = zone.now_local().date();
        let now = now_iso();
        for (input, id) in inputs.iter().zip(&ids) {
            let table = &mut self.tables[index];
            let mut row = Map::new();
            row.insert("_id".into(), json!(id));
            row.insert("_ctime".into(), json!(now));
            row.insert("_mtime".into(), json!(now));
            row.insert("_creator".into(), json!(user));
            row.insert("_last_modifier".into(), json!(user));
            row.insert("_archived".into(), json!(false));
            row.insert("_locked".into(), Value::Null);
            row.insert("_locked_by".into(), Value::Null);
            let mut written = cells::write_cells(table, &mut row, input, zone);
            computed::assign_auto_numbers(table, &mut row, today);
            written.extend(
                table
                    .columns
                    .iter()
                    .filter(|c| column_type(c) == "auto-number")
                    .map(|c| column_key(c).to_string()),
            );
            table.rows.push(row.clone());
            self.note_activity(index, "insert_row", &row, None, &written);
        }
        Ok(ids)
    }

    pub fn rows_by_name(&self, table: &str) -> Result<Vec<Value>, String> {
        let index = self
            .table_index(table)
            .ok_or_else(|| format!("the base has no table `{table}`"))?;
        let table = &self.tables[index];
        Ok(table
            .rows
            .iter()
            .map(|row| {
                let mut out = Map::new();
                out.insert("_id".into(), row.get("_id").cloned().unwrap_or(Value::Null));
                if big_data::is_archived(row) {
                    out.insert("_archived".into(), json!(true));
                }
                for column in &table.columns {
                    let value = match column_type(column) {
                        "link" => {
                            let id = row.get("_id").and_then(Value::as_str).unwrap_or_default();
                            let ids: Vec<Value> = self
                                .linked(table, column, id)
                                .into_iter()
                                .map(|item| json!(item.row_id))
                                .collect();
                            if ids.is_empty() {
                                continue;
                            }
                            Value::Array(ids)
                        }
                        _ => match row.get(column_key(column)) {
                            Some(v) => v.clone(),
                            None => continue,
                        },
                    };
                    out.insert(column_name(column).to_string(), value);
                }
                Value::Object(out)
            })
            .collect())
    }

    fn append_rows(&mut self, request: &Request, new_ids: Vec<String>) -> Result<Reply, Reply> {
        let body: AppendRowsRequest = request.json()?;
        if body.rows.len() > MAX_ROWS {
            return Err(Reply::error_message(
                400,
                &format!("rows exceed the limit {MAX_ROWS}"),
            ));
        }
        let index = self.body_table(&body.table_name)?;
        let ids: Vec<String> = new_ids.into_iter().take(body.rows.len()).collect();
        if ids.len() < body.rows.len() {
            return Err(Reply::error_message(500, "not enough row ids were drawn"));
        }
        let table_name = self.tables[index].info.name.clone();
        self.insert_rows(&table_name, body.rows, ids.clone())
            .map_err(|e| Reply::error_message(400, &e))?;
        let table = &self.tables[index];
        // From the end: the new rows are the last ones, and a scan from the front made
        // an import of n rows cost O(n²) (the import benchmark's hot spot).
        let first_row = ids.first().and_then(|first| {
            table
                .rows
                .iter()
                .rev()
                .find(|r| r.get("_id").and_then(Value::as_str) == Some(first.as_str()))
                .map(|r| self.row_out(table, r, false, &[]))
        });
        Ok(Reply::json(
            200,
            &AppendRowsResult {
                inserted_row_count: ids.len() as i64,
                row_ids: ids.into_iter().map(|id| RowId { id }).collect(),
                first_row,
                extra: Map::new(),
            },
        ))
    }

    fn update_rows(&mut self, request: &Request) -> Result<Reply, Reply> {
        let body: UpdateRowsRequest = request.json()?;
        if body.updates.len() > MAX_ROWS {
            return Err(Reply::error_message(
                400,
                &format!("updates exceed the limit {MAX_ROWS}"),
            ));
        }
        let index = self.body_table(&body.table_name)?;
        let now = now_iso();
        let zone = self.records.zone;
        let user = self.records.actor.user();
        // By position, so that updating every row of a large table stays linear.
        let positions: HashMap<String, usize> = (self.tables[index].rows.iter().enumerate())
            .filter_map(|(i, r)| Some((r.get("_id")?.as_str()?.to_string(), i)))
            .collect();
        for update in &body.updates {
            let table = &mut self.tables[index];
            // Like SeaTable, an id that matches no row is skipped without an error.
            let Some(&position) = positions.get(update.row_id.as_str()) else {
                continue;
            };
            let before = table.rows[position].clone();
            let mut row = std::mem::take(&mut table.rows[position]);
            let written = cells::write_cells(table, &mut row, &update.row, zone);
            row.insert("_mtime".into(), json!(now));
            row.insert("_last_modifier".into(), json!(user));
            table.rows[position] = row.clone();
            let table_id = table.id().to_string();
            self.note_activity(index, "modify_row", &row, Some(&before), &written);
            if big_data::is_archived(&row) {
                self.note_big_data("modify_row", &table_id, &row, Some(before));
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

    fn delete_rows(&mut self, request: &Request) -> Result<Reply, Reply> {
        let body: DeleteRowsRequest = request.json()?;
        if body.row_ids.len() > MAX_DELETE {
            return Err(Reply::error_message(
                400,
                &format!("row_ids exceed the limit {MAX_DELETE}"),
            ));
        }
        let index = self.body_table(&body.table_name)?;
        let ids: std::collections::HashSet<&str> =
            body.row_ids.iter().map(String::as_str).collect();
        let (deleted, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.tables[index].rows)
            .into_iter()
            .partition(|r| ids.contains(r.get("_id").and_then(Value::as_str).unwrap_or_default()));
        self.tables[index].rows = kept;
        let table_id = self.tables[index].id().to_string();
        for row in &deleted {
            self.note_activity(index, "delete_row", row, None, &[]);
            if big_data::is_archived(row) {
                self.note_big_data("delete_row", &table_id, row, None);
            }
        }
        for pairs in self.links.values_mut() {
            pairs.retain(|(a, b)| !ids.contains(a.as_str()) && !ids.contains(b.as_str()));
        }
        Ok(Reply::json(
            200,
            &DeleteRowsResult {
                success: Some(true),
                extra: Map::new(),
            },
        ))
    }

    // ---------------------------------------------------------------- links

    fn list_row_links(&self, request: &Request) -> Result<Reply, Reply> {
        let body: ListRowLinksRequest = request.json()?;
        let index = self.body_table(&body.table_name)?;
        let table = &self.tables[index];
        let column = table
            .column(&body.link_column_name)
            .filter(|c| column_type(c) == "link")
            .ok_or_else(|| {
                Reply::error_message(
                    404,
                    &format!("link column {} not found", body.link_column_name),
                )
            })?;
        let mut answer: BTreeMap<String, Vec<LinkCellItem>> = BTreeMap::new();
        for query in &body.rows {
            let offset = query.offset.unwrap_or(0);
            let limit = query.limit.unwrap_or(10);
            if offset < 0 {
                return Err(Reply::error_message(400, "offset invalid"));
            }
            if !(1..=100).contains(&limit) {
                return Err(Reply::error_message(400, "limit invalid"));
            }
            let items = self
                .linked(table, column, &query.row_id)
                .into_iter()
                .skip(offset as usize)
                .take(limit as usize)
                .collect();
            answer.insert(query.row_id.clone(), items);
        }
        Ok(Reply::json(200, &answer))
    }

    fn change_links(&mut self, request: &Request, change: LinkChange) -> Result<Reply, Reply> {
        let body: RowLinksInput = request.json()?;
        let known = self.tables.iter().any(|t| {
            t.columns.iter().any(|c| {
                column_type(c) == "link"
                    && column_data_str(c, "link_id") == Some(body.link_id.as_str())
                    && ((column_data_str(c, "table_id") == Some(body.table_id.as_str())
                        && column_data_str(c, "other_table_id")
                            == Some(body.other_table_id.as_str()))
                        || (column_data_str(c, "table_id") == Some(body.other_table_id.as_str())
                            && column_data_str(c, "other_table_id")
                                == Some(body.table_id.as_str())))
            })
        });
        if !known {
            return Err(Reply::error_message(
                404,
                &format!("link {} not found", body.link_id),
            ));
        }
        // Keep the pairs oriented as the link column's own data says.
        let forward = self.tables.iter().flat_map(|t| &t.columns).any(|c| {
            column_data_str(c, "link_id") == Some(body.link_id.as_str())
                && column_data_str(c, "table_id") == Some(body.table_id.as_str())
        });
        let (Some(this), Some(other)) = (
            self.table_by_id(&body.table_id),
            self.table_by_id(&body.other_table_id),
        ) else {
            return Err(Reply::error_message(404, "table not found"));
        };
        let exists = |t: &MockTable, id: &str| {
            t.rows
                .iter()
                .any(|r| r.get("_id").and_then(Value::as_str) == Some(id))
        };
        for (row, others) in &body.other_rows_ids_map {
            if !exists(this, row) {
                return Err(Reply::error_message(404, &format!("row {row} not found")));
            }
            if let Some(missing) = others.iter().find(|o| !exists(other, o)) {
                return Err(Reply::error_message(
                    404,
                    &format!("row {missing} not found"),
                ));
            }
        }
        let pairs = self.links.entry(body.link_id.clone()).or_default();
        let orient = |a: &str, b: &str| {
            if forward {
                (a.to_string(), b.to_string())
            } else {
                (b.to_string(), a.to_string())
            }
        };
        let mut count = 0i64;
        for (row, others) in &body.other_rows_ids_map {
            match change {
                LinkChange::Add => {
                    for o in others {
                        let pair = orient(row, o);
                        if !pairs.contains(&pair) {
                            pairs.push(pair);
                        }
                    }
                }
                LinkChange::Replace => {
                    pairs.retain(|p| {
                        let (mine, _) = if forward { (&p.0, &p.1) } else { (&p.1, &p.0) };
                        mine != row
                    });
                    for o in others {
                        let pair = orient(row, o);
                        if !pairs.contains(&pair) {
                            pairs.push(pair);
                        }
                    }
                }
                LinkChange::Remove => {
                    for o in others {
                        let pair = orient(row, o);
                        pairs.retain(|p| p != &pair);
                        // SeaTable counts every requested pair, linked or not.
                        count += 1;
                    }
                }
            }
        }
        Ok(match change {
            LinkChange::Remove => Reply::json(
                200,
                &DeleteRowLinksResponse {
                    deleted_links_count: count,
                    success: Some(true),
                    extra: Map::new(),
                },
            ),
            _ => Reply::json(
                200,
                &SuccessResult {
                    success: true,
                    extra: Map::new(),
                },
            ),
        })
    }

    // ---------------------------------------------------------------- tables

    fn create_table(&mut self, request: &Request, mut keys: Vec<String>) -> Result<Reply, Reply> {
        let body: CreateTableRequest = request.json()?;
        if body.table_name.trim().is_empty() {
            return Err(Reply::error_message(400, "table_name invalid"));
        }
        if self.table_index(&body.table_name).is_some() {
            return Err(Reply::error_message(
                400,
                &format!("table {} already exists", body.table_name),
            ));
        }
        let id = unused_key(&mut keys, |k| self.table_by_id(k).is_some());
        let mut table = MockTable {
            info: Table {
                id,
                name: body.table_name.clone(),
                columns: Vec::new(),
                views: vec![default_view()],
                is_header_locked: Some(false),
                summary_configs: Some(Map::new()),
                header_settings: Some(Map::new()),
                extra: Map::new(),
            },
            columns: Vec::new(),
            rows: Vec::new(),
        };
        match body.columns.filter(|c| !c.is_empty()) {
            None => table.columns.push(new_column("0000", "Name", "text", None)),
            Some(inputs) => {
                for (i, input) in inputs.iter().enumerate() {
                    let key = if i == 0 {
                        "0000".to_string()
                    } else {
                        unused_key(&mut keys, |k| {
                            table.columns.iter().any(|c| column_key(c) == k)
                        })
                    };
                    let column = self.column_from_input(&table, &key, input)?;
                    table.columns.push(column);
                }
            }
        }
        let answer = tables::table_with_rows(&table)?;
        self.tables.push(table);
        Ok(Reply::json(200, &answer))
    }

    fn rename_table(&mut self, request: &Request) -> Result<Reply, Reply> {
        let body: RenameTableRequest = request.json()?;
        let index = self.body_table(&body.table_name)?;
        if body.new_table_name.trim().is_empty() {
            return Err(Reply::error_message(400, "new_table_name invalid"));
        }
        if self
            .table_index(&body.new_table_name)
            .is_some_and(|i| i != index)
        {
            return Err(Reply::error_message(
                400,
                &format!("table {} already exists", body.new_table_name),
            ));
        }
        self.tables[index].info.name = body.new_table_name;
        Ok(Reply::json(
            200,
            &SuccessResult {
                success: true,
                extra: Map::new(),
            },
        ))
    }

    fn delete_table(&mut self, request: &Request) -> Result<Reply, Reply> {
        let body: DeleteTableRequest = request.json()?;
        let index = self.body_table(&body.table_name)?;
        self.tables.remove(index);
        Ok(Reply::json(
            200,
            &SuccessResult {
                success: true,
                extra: Map::new(),
            },
        ))
    }

    // ---------------------------------------------------------------- views

    fn list_views(&self, request: &Request) -> Result<Reply, Reply> {
        let index = self.query_table(request)?;
        Ok(Reply::json(
            200,
            &ListViewsResponse {
                views: self.tables[index].info.views.clone(),
            },
        ))
    }

    fn create_view(&mut self, request: &Request, mut keys: Vec<String>) -> Result<Reply, Reply> {
        let index = self.query_table(request)?;
        let body: CreateViewRequest = request.json()?;
        let table = &mut self.tables[index];
        if body.name.trim().is_empty() {
            return Err(Reply::error_message(400, "name invalid"));
        }
        if table.info.views.iter().any(|v| v.name == body.name) {
            return Err(Reply::error_message(
                400,
                &format!("view {} already exists", body.name),
            ));
        }
        let id = unused_key(&mut keys, |k| table.info.views.iter().any(|v| v.id == k));
        let mut view = default_view();
        view.id = id;
        view.name = body.name;
        view.type_ = Some(body.type_.unwrap_or_else(|| "table".into()));
        view.is_locked = Some(body.is_locked.unwrap_or(false));
        table.info.views.push(view.clone());
        Ok(Reply::json(200, &view))
    }

    fn get_view(&self, request: &Request, name: &str) -> Result<Reply, Reply> {
        let index = self.query_table(request)?;
        match self.tables[index].view(name) {
            Some(view) => Ok(Reply::json(200, view)),
            None => Err(Reply::error_message(404, &format!("view {name} not found"))),
        }
    }

    // ---------------------------------------------------------------- columns

    fn list_columns(&self, request: &Request) -> Result<Reply, Reply> {
        let index = self.query_table(request)?;
        let table = &self.tables[index];
        let hidden = match request
            .query("view_name")
            .or_else(|| request.query("view_id"))
        {
            None => Vec::new(),
            Some(name) => table
                .view(name)
                .ok_or_else(|| Reply::error_message(404, &format!("view {name} not found")))?
                .hidden_columns
                .clone()
                .unwrap_or_default(),
        };
        let columns = columns::columns_json(
            table
                .columns
                .iter()
                .filter(|c| !hidden.iter().any(|h| h == column_key(c))),
        )?;
        Ok(Reply::json(200, &json!({ "columns": columns })))
    }

    /// A stored column from a create request; 400 for names and settings SeaTable refuses.
    fn column_from_input(
        &self,
        table: &MockTable,
        key: &str,
        input: &ColumnInput,
    ) -> Result<StoredColumn, Reply> {
        let name = input.column_name.as_str();
        if name.trim().is_empty() || name.contains(['.', '{', '}', '`']) {
            return Err(Reply::error_message(
                400,
                &format!("column_name {name} invalid"),
            ));
        }
        if table.columns.iter().any(|c| column_name(c) == name) {
            return Err(Reply::error_message(
                400,
                &format!("column {name} already exists"),
            ));
        }
        let kind = input.column_type.as_str();
        let data = match &input.column_data {
            None => None,
            Some(data) => match serde_json::to_value(data) {
                Ok(Value::Object(map)) => Some(map),
                _ => None,
            },
        };
        let data = if kind == "link" {
            let other_name = data
                .as_ref()
                .and_then(|d| d.get("other_table"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    Reply::json(
                        400,
                        &crate::types::ErrorMessage {
                            error_message: "column_data of a link column needs `other_table`"
                                .into(),
                            error_type: Some("column_data_error".into()),
                        },
                    )
                })?;
            let other = self
                .table_index(other_name)
                .map(|i| &self.tables[i])
                .or_else(|| (table.info.name == other_name).then_some(table))
                .ok_or_else(|| not_found_table(other_name))?;
            Some(
                json!({
                    "link_id": format!("L{}", key.chars().take(3).collect::<String>()),
                    "table_id": table.id(),
                    "other_table_id": other.id(),
                    "display_column_key": "0000",
                    "is_internal_link": true,
                    "is_multiple": true,
                })
                .as_object()
                .cloned()
                .unwrap_or_default(),
            )
        } else {
            data
        };
        let data = match (kind, data) {
            ("single-select" | "multiple-select", Some(mut data)) => {
                options::complete_options(&mut data);
                Some(data)
            }
            (_, data) => data,
        };
        let column = new_column(key, name, kind, data);
        // What cannot decode as the spec's `Column` is refused like SeaTable refuses bad
        // settings.
        match serde_json::from_value::<Column>(Value::Object(column.clone())) {
            Ok(_) => Ok(column),
            Err(e) => Err(Reply::json(
                400,
                &crate::types::ErrorMessage {
                    error_message: format!("column_data invalid: {e}"),
                    error_type: Some("column_data_error".into()),
                },
            )),
        }
    }

    /// Adds a column to table `index`; a link column gets its counterpart in the other
    /// table. Returns the new column.
    fn add_column(
        &mut self,
        index: usize,
        input: &ColumnInput,
        keys: &mut Vec<String>,
    ) -> Result<Value, Reply> {
        let table = &self.tables[index];
        let key = unused_key(keys, |k| table.columns.iter().any(|c| column_key(c) == k));
        let column = self.column_from_input(table, &key, input)?;
        let typed = columns::column_json(&column)?;
        if column_type(&column) == "link" {
            let other_id = column_data_str(&column, "other_table_id")
                .unwrap_or_default()
                .to_string();
            if other_id != self.tables[index].id() {
                let this_name = self.tables[index].info.name.clone();
                if let Some(other) = self.tables.iter_mut().find(|t| t.id() == other_id) {
                    let other_key =
                        unused_key(keys, |k| other.columns.iter().any(|c| column_key(c) == k));
                    let mut name = this_name.clone();
                    let mut n = 1;
                    while other.columns.iter().any(|c| column_name(c) == name) {
                        n += 1;
                        name = format!("{this_name}{n}");
                    }
                    let mut data = column
                        .get("data")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    data.insert("display_column_key".into(), json!("0000"));
                    other
                        .columns
                        .push(new_column(&other_key, &name, "link", Some(data)));
                }
            }
        }
        let table = &mut self.tables[index];
        let position = input
            .anchor_column
            .as_deref()
            .and_then(|anchor| {
                table
                    .columns
                    .iter()
                    .position(|c| column_name(c) == anchor || column_key(c) == anchor)
            })
            .map(|p| p + 1)
            .unwrap_or(table.columns.len());
        table.columns.insert(position, column);
        Ok(typed)
    }

    fn insert_column(&mut self, request: &Request, mut keys: Vec<String>) -> Result<Reply, Reply> {
        let body: InsertColumnRequest = request.json()?;
        let index = self.body_table(&body.table_name)?;
        let input = ColumnInput {
            column_name: body.column_name,
            column_type: body.column_type,
            anchor_column: body.anchor_column,
            column_data: body.column_data,
        };
        let column = self.add_column(index, &input, &mut keys)?;
        Ok(Reply::json(200, &column))
    }

    fn append_columns(&mut self, request: &Request, mut keys: Vec<String>) -> Result<Reply, Reply> {
        let body: AppendColumnsRequest = request.json()?;
        let index = self.body_table(&body.table_name)?;
        let mut columns = Vec::with_capacity(body.columns.len());
        for input in &body.columns {
            if keys.is_empty() {
                return Err(Reply::error_message(400, "too many columns in one request"));
            }
            let input = ColumnInput {
                anchor_column: None,
                ..input.clone()
            };
            columns.push(self.add_column(index, &input, &mut keys)?);
        }
        Ok(Reply::json(200, &json!({ "columns": columns })))
    }

    fn delete_column(&mut self, request: &Request) -> Result<Reply, Reply> {
        let body: DeleteColumnRequest = request.json()?;
        let index = self.body_table(&body.table_name)?;
        let table = &mut self.tables[index];
        let position = table
            .columns
            .iter()
            .position(|c| column_name(c) == body.column)
            .or_else(|| {
                table
                    .columns
                    .iter()
                    .position(|c| column_key(c) == body.column)
            })
            .ok_or_else(|| {
                Reply::error_message(404, &format!("column {} not found", body.column))
            })?;
        let removed = table.columns.remove(position);
        let key = column_key(&removed).to_string();
        for row in &mut table.rows {
            row.remove(&key);
        }
        table
            .info
            .views
            .iter_mut()
            .for_each(|v| views::forget_column(v, &key));
        Ok(Reply::json(
            200,
            &SuccessResult {
                success: true,
                extra: Map::new(),
            },
        ))
    }
}

#[derive(Clone, Copy)]
enum LinkChange {
    Add,
    Replace,
    Remove,
}

/// The next of the drawn keys that `taken` does not refuse.
fn unused_key(keys: &mut Vec<String>, taken: impl Fn(&str) -> bool) -> String {
    while let Some(key) = keys.pop() {
        if !taken(&key) {
            return key;
        }
    }
    // Eight random 4-character keys all taken: count up instead.
    (0u32..)
        .map(|n| format!("{n:04}"))
        .find(|k| !taken(k))
        .unwrap_or_default()
}

fn new_column(key: &str, name: &str, kind: &str, data: Option<Map<String, Value>>) -> StoredColumn {
    let mut column = Map::new();
    column.insert("key".into(), json!(key));
    column.insert("type".into(), json!(kind));
    column.insert("name".into(), json!(name));
    column.insert("width".into(), json!(200));
    column.insert("editable".into(), json!(true));
    column.insert("resizable".into(), json!(true));
    column.insert("draggable".into(), json!(true));
    column.insert(
        "data".into(),
        data.map(Value::Object).unwrap_or(Value::Null),
    );
    column.insert("permission_type".into(), json!(""));
    column.insert("permitted_users".into(), json!([]));
    column.insert("description".into(), Value::Null);
    columns::complete_column(&mut column);
    column
}

/// Whether a read asks for cells by column name: `convert_keys` as Python's `requests`
/// (`True`), JavaScript (`true`) or a form (`1`) spells it.
fn convert_keys(request: &Request) -> bool {
    matches!(request.query("convert_keys"), Some("true" | "True" | "1"))
}
