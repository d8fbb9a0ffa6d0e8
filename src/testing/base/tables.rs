//! Tables: their full shape and `duplicateTable`.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::columns::{columns_json, complete_column};
use super::views::complete_view;
use super::{column_type, now_iso, unused_key, BaseData, MockTable, CREATOR};
use crate::base::DuplicateTableRequest;
use crate::testing::state::{Reply, Request};
use crate::types::{Metadata, StoredRow, Table, TableWithRows};

/// Gives the base-wide metadata the fields of SeaTable's `getMetadata` answer: the
/// versions and the date settings recorded there, where the given metadata has none.
pub(crate) fn complete_metadata(meta: &mut Metadata) {
    meta.version.get_or_insert(1);
    meta.format_version.get_or_insert(9);
    meta.settings.get_or_insert_with(|| {
        json!({"date_settings": {"first_day_of_week": "Monday"}})
            .as_object()
            .cloned()
            .unwrap_or_default()
    });
}

/// Gives a table (and its views) every field SeaTable's `getMetadata` answer carries.
pub(crate) fn complete_table(table: &mut Table) {
    table.is_header_locked.get_or_insert(false);
    table.summary_configs.get_or_insert_with(Map::new);
    table.header_settings.get_or_insert_with(Map::new);
    table.views.iter_mut().for_each(complete_view);
}

/// `createTable` and `duplicateTable` answer with the table, its rows (keyed by column
/// key) both as a list and by id, and the order of its views.
pub(crate) fn table_with_rows(table: &MockTable) -> Result<Value, Reply> {
    let typed = table.typed()?;
    let mut rows = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let stored: StoredRow =
            serde_json::from_value(Value::Object(row.clone())).map_err(|e| {
                Reply::error_message(500, &format!("a stored row does not decode: {e}"))
            })?;
        rows.push(stored);
    }
    let id_row_map: BTreeMap<String, StoredRow> =
        rows.iter().map(|r| (r.id.clone(), r.clone())).collect();
    let view_ids: Vec<&str> = typed.views.iter().map(|v| v.id.as_str()).collect();
    let view_structure = json!({"folders": [], "view_ids": view_ids})
        .as_object()
        .cloned();
    let answer = TableWithRows {
        id: typed.id,
        name: typed.name,
        columns: typed.columns,
        views: typed.views,
        is_header_locked: typed.is_header_locked,
        summary_configs: typed.summary_configs,
        header_settings: typed.header_settings,
        rows: Some(rows),
        id_row_map: Some(id_row_map),
        view_structure,
        extra: Map::new(),
    };
    let mut value =
        serde_json::to_value(answer).map_err(|e| Reply::error_message(500, &e.to_string()))?;
    value["columns"] = columns_json(&table.columns)?;
    Ok(value)
}

impl BaseData {
    /// The `getMetadata` answer (checked to decode as the spec's `MetadataResponse`, with
    /// the columns as stored: see [`columns_json`]).
    pub fn metadata_json(&self) -> Result<Value, String> {
        let typed = self.metadata_response()?;
        let mut value = serde_json::to_value(typed).map_err(|e| e.to_string())?;
        for (i, table) in self.tables.iter().enumerate() {
            value["metadata"]["tables"][i]["columns"] = columns_json(&table.columns)
                .map_err(|r| String::from_utf8_lossy(&r.body).into_owned())?;
        }
        Ok(value)
    }
}

/// 22 characters of `[A-Za-z0-9_-]` from a splitmix64 stream: row ids for copied rows,
/// drawn here because the state's generator is not at hand inside a base.
fn row_ids(seed: u64, count: usize, taken: impl Fn(&str) -> bool) -> Vec<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut ids: Vec<String> = Vec::with_capacity(count);
    while ids.len() < count {
        let (a, b) = (next(), next());
        let id: String = (0..22)
            .map(|i| {
                let bits = if i < 11 {
                    a >> (i * 6)
                } else {
                    b >> ((i - 11) * 6)
                };
                ALPHABET[(bits & 63) as usize] as char
            })
            .collect();
        if !taken(&id) && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

impl BaseData {
    /// `duplicateTable`: the copy is named `<name>(copy)` (with `(copy)` repeated while
    /// that name is taken — inferred, not recorded), keeps the column keys, views and view
    /// ids, and with `is_duplicate_records` gets copies of the rows under new ids.
    ///
    /// Simplification: link columns are not copied (their links belong to the original
    /// table; what SeaTable does with them is not recorded).
    pub(super) fn duplicate_table(
        &mut self,
        request: &Request,
        mut keys: Vec<String>,
    ) -> Result<Reply, Reply> {
        let body: DuplicateTableRequest = request.json()?;
        let index = self.body_table(&body.table_name)?;
        let original = &self.tables[index];
        let mut name = format!("{}(copy)", original.info.name);
        while self.table_index(&name).is_some() {
            name.push_str("(copy)");
        }
        let seed = keys
            .iter()
            .flat_map(|k| k.bytes())
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        let id = unused_key(&mut keys, |k| self.table_by_id(k).is_some());
        let columns: Vec<_> = original
            .columns
            .iter()
            .filter(|c| column_type(c) != "link")
            .cloned()
            .collect();
        let mut info = original.info.clone();
        info.id = id;
        info.name = name;
        let rows = if body.is_duplicate_records {
            let kept: Vec<&str> = columns.iter().map(super::column_key).collect();
            let all_ids: Vec<&str> = self
                .tables
                .iter()
                .flat_map(|t| &t.rows)
                .filter_map(|r| r.get("_id").and_then(Value::as_str))
                .collect();
            let ids = row_ids(seed, original.rows.len(), |id| all_ids.contains(&id));
            let now = now_iso();
            original
                .rows
                .iter()
                .zip(ids)
                .map(|(row, id)| {
                    let mut copy: Map<String, Value> = row
                        .iter()
                        .filter(|(k, _)| k.starts_with('_') || kept.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    copy.insert("_id".into(), json!(id));
                    copy.insert("_ctime".into(), json!(now));
                    copy.insert("_mtime".into(), json!(now));
                    copy.insert("_creator".into(), json!(CREATOR));
                    copy.insert("_last_modifier".into(), json!(CREATOR));
                    copy
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut copy = MockTable {
            info,
            columns,
            rows,
        };
        copy.columns.iter_mut().for_each(complete_column);
        complete_table(&mut copy.info);
        let answer = table_with_rows(&copy)?;
        self.tables.push(copy);
        Ok(Reply::json(200, &answer))
    }
}
