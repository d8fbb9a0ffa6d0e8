//! Views: their full shape, `updateView`, `deleteView`, and the rows a view shows (its
//! filters and sorts; its hidden columns are left out by the row readers).

use std::cmp::Ordering;

use serde_json::{json, Map, Value};

use super::predicates;
use super::{column_key, BaseData, MockTable, StoredColumn};
use crate::base::UpdateViewRequest;
use crate::testing::sql;
use crate::testing::state::{Reply, Request};
use crate::types::{SuccessResult, View, ViewFilter, ViewGroupby, ViewSort};

/// Gives a view every field SeaTable's answers carry (the recorded `getView`,
/// `listViews`, `createView` and `createTable` answers), keeping what it has.
pub(crate) fn complete_view(view: &mut View) {
    view.type_.get_or_insert_with(|| "table".into());
    view.is_locked.get_or_insert(false);
    view.filter_conjunction.get_or_insert_with(|| "And".into());
    view.filters.get_or_insert_with(Vec::new);
    view.sorts.get_or_insert_with(Vec::new);
    view.groupbys.get_or_insert_with(Vec::new);
    view.hidden_columns.get_or_insert_with(Vec::new);
    view.row_height.get_or_insert_with(|| "default".into());
    view.summaries.get_or_insert_with(|| json!({}));
    view.colorbys.get_or_insert_with(Map::new);
    for (field, empty) in [
        ("colors", json!({})),
        ("column_colors", json!({})),
        ("groups", json!([])),
        ("formula_rows", json!({})),
        ("link_rows", json!({})),
        ("rows", json!([])),
    ] {
        view.extra.entry(field).or_insert(empty);
    }
    // `private_for` is null on shared views; the typed field skips a `None`, so the null
    // travels in `extra` (and only while the field is unset, so it is never written twice).
    if view.private_for.is_none() {
        view.extra.entry("private_for").or_insert(Value::Null);
    } else {
        view.extra.remove("private_for");
    }
}

/// Drops a deleted column from the view's settings, so that they name only columns
/// that exist (inferred: the recording has no view read after a column's deletion).
pub(crate) fn forget_column(view: &mut View, key: &str) {
    let named = |k: &Option<String>| k.as_deref() == Some(key);
    if let Some(filters) = view.filters.as_mut() {
        filters.retain(|f| !named(&f.column_key));
    }
    if let Some(sorts) = view.sorts.as_mut() {
        sorts.retain(|s| !named(&s.column_key));
    }
    if let Some(groupbys) = view.groupbys.as_mut() {
        groupbys.retain(|g| !named(&g.column_key));
    }
    if let Some(hidden) = view.hidden_columns.as_mut() {
        hidden.retain(|h| h != key);
    }
}

/// SeaTable's documented way to clear a list: send `[{}]`. Entries without a column key
/// are dropped.
fn keyed<T>(items: Vec<T>, key: impl Fn(&T) -> Option<&String>) -> Vec<T> {
    items
        .into_iter()
        .filter(|item| key(item).is_some_and(|k| !k.is_empty()))
        .collect()
}

impl BaseData {
    fn view_index(&self, table: usize, name_or_id: &str) -> Result<usize, Reply> {
        let views = &self.tables[table].info.views;
        views
            .iter()
            .position(|v| v.name == name_or_id)
            .or_else(|| views.iter().position(|v| v.id == name_or_id))
            .ok_or_else(|| Reply::error_message(404, &format!("view {name_or_id} not found")))
    }

    /// `updateView`: the given settings replace the view's; lists replace whole lists.
    pub(super) fn update_view(&mut self, request: &Request, name: &str) -> Result<Reply, Reply> {
        let index = self.query_table(request)?;
        let position = self.view_index(index, name)?;
        let body: UpdateViewRequest = request.json()?;
        let table = &self.tables[index];
        // Settings refer to columns by key; a name or a typo would be silently ignored by
        // the filters, so it is refused here with the key it lacks (inferred: SeaTable's
        // answer to an unknown key is not recorded).
        let known = |key: &str| table.columns.iter().any(|c| column_key(c) == key);
        let mut referenced: Vec<&str> = Vec::new();
        let filters = body
            .filters
            .map(|f| keyed(f, |f: &ViewFilter| f.column_key.as_ref()));
        let sorts = body
            .sorts
            .map(|s| keyed(s, |s: &ViewSort| s.column_key.as_ref()));
        let groupbys = body
            .groupbys
            .map(|g| keyed(g, |g: &ViewGroupby| g.column_key.as_ref()));
        referenced.extend(
            filters
                .iter()
                .flatten()
                .filter_map(|f| f.column_key.as_deref()),
        );
        referenced.extend(
            sorts
                .iter()
                .flatten()
                .filter_map(|s| s.column_key.as_deref()),
        );
        referenced.extend(
            groupbys
                .iter()
                .flatten()
                .filter_map(|g| g.column_key.as_deref()),
        );
        referenced.extend(body.hidden_columns.iter().flatten().map(String::as_str));
        if let Some(unknown) = referenced.iter().find(|k| !known(k)) {
            return Err(Reply::error_message(
                400,
                &format!("column_key {unknown} not found (views name columns by key)"),
            ));
        }
        if let Some(filter) = filters
            .iter()
            .flatten()
            .find(|f| f.filter_predicate.is_none())
        {
            return Err(Reply::error_message(
                400,
                &format!(
                    "filter_predicate missing in the filter of column {}",
                    filter.column_key.as_deref().unwrap_or_default()
                ),
            ));
        }
        if let Some(new_name) = &body.name {
            if new_name.trim().is_empty() {
                return Err(Reply::error_message(400, "name invalid"));
            }
            if table
                .info
                .views
                .iter()
                .enumerate()
                .any(|(i, v)| i != position && &v.name == new_name)
            {
                return Err(Reply::error_message(
                    400,
                    &format!("view {new_name} already exists"),
                ));
            }
        }
        if let Some(conjunction) = &body.filter_conjunction {
            if !matches!(conjunction.as_str(), "And" | "Or") {
                return Err(Reply::error_message(
                    400,
                    &format!("filter_conjunction {} invalid", conjunction.as_str()),
                ));
            }
        }
        let view = &mut self.tables[index].info.views[position];
        if let Some(name) = body.name {
            view.name = name;
        }
        if let Some(locked) = body.is_locked {
            view.is_locked = Some(locked);
        }
        if let Some(conjunction) = body.filter_conjunction {
            view.filter_conjunction = Some(conjunction);
        }
        if let Some(filters) = filters {
            view.filters = Some(filters);
        }
        if let Some(sorts) = sorts {
            view.sorts = Some(sorts);
        }
        if let Some(groupbys) = groupbys {
            view.groupbys = Some(groupbys);
        }
        if let Some(hidden) = body.hidden_columns {
            view.hidden_columns = Some(hidden.into_iter().filter(|k| !k.is_empty()).collect());
        }
        complete_view(view);
        Ok(Reply::json(200, &*view))
    }

    /// `deleteView`. A table keeps at least one view: deleting the last one is refused
    /// (inferred from SeaTable's web UI, which offers no way to; the API's answer to it is
    /// not recorded).
    pub(super) fn delete_view(&mut self, request: &Request, name: &str) -> Result<Reply, Reply> {
        let index = self.query_table(request)?;
        let position = self.view_index(index, name)?;
        let views = &mut self.tables[index].info.views;
        if views.len() == 1 {
            return Err(Reply::error_message(
                400,
                &format!("view {name} is the only view of the table and cannot be deleted"),
            ));
        }
        views.remove(position);
        Ok(Reply::json(
            200,
            &SuccessResult {
                success: true,
                extra: Map::new(),
            },
        ))
    }

    /// Whether the filters of `view` keep `row` (a filter on a deleted column keeps every
    /// row); the one judgement behind reading through a view and moving a view's rows to
    /// big data.
    pub(super) fn view_keeps(
        &self,
        table: &MockTable,
        view: &View,
        row: &Map<String, Value>,
        today: chrono::NaiveDate,
    ) -> Result<bool, Reply> {
        let filters: Vec<(&ViewFilter, &StoredColumn)> = view
            .filters
            .iter()
            .flatten()
            .filter_map(|f| {
                let key = f.column_key.as_deref()?;
                let column = table.columns.iter().find(|c| column_key(c) == key)?;
                Some((f, column))
            })
            .collect();
        let any = view
            .filter_conjunction
            .as_ref()
            .is_some_and(|c| c.as_str().eq_ignore_ascii_case("or"));
        let mut verdicts = filters.iter().map(|(filter, column)| {
            let cell = self.cell(table, column, row);
            predicates::view_filter_matches(filter, column, &cell, today)
                .map_err(|e| Reply::error_message(400, &e))
        });
        Ok(if filters.is_empty() {
            true
        } else if any {
            let mut hit = false;
            for verdict in verdicts.by_ref() {
                hit |= verdict?;
            }
            hit
        } else {
            let mut all = true;
            for verdict in verdicts.by_ref() {
                all &= verdict?;
            }
            all
        })
    }

    /// The rows `view` shows, in its order: those its filters keep (filters on columns
    /// that no longer exist are ignored, as SeaTable ignores them), sorted by its sorts
    /// (stable, most significant first).
    pub(super) fn view_rows<'t>(
        &self,
        table: &'t MockTable,
        view: &View,
    ) -> Result<Vec<&'t Map<String, Value>>, Reply> {
        let today =
            chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).date_naive();
        let mut rows = Vec::new();
        for row in &table.rows {
            if self.view_keeps(table, view, row, today)? {
                rows.push(row);
            }
        }
        for sort in view.sorts.iter().flatten().rev() {
            let Some(column) = table
                .columns
                .iter()
                .find(|c| Some(column_key(c)) == sort.column_key.as_deref())
            else {
                continue;
            };
            let down = sort
                .sort_type
                .as_ref()
                .is_some_and(|s| s.as_str() == "down");
            rows.sort_by(|a, b| {
                let order = compare_for_sort(
                    column,
                    &self.cell(table, column, a),
                    &self.cell(table, column, b),
                );
                if down {
                    order.reverse()
                } else {
                    order
                }
            });
        }
        Ok(rows)
    }
}

/// Sort order of two cells: select cells by the order of the column's options, as the
/// web UI sorts them; everything else as SQL compares cells.
fn compare_for_sort(column: &StoredColumn, a: &Value, b: &Value) -> Ordering {
    if super::column_type(column) == "single-select" {
        let rank = |v: &Value| {
            v.as_str().and_then(|name| {
                predicates::options(column)
                    .iter()
                    .position(|o| o.get("name").and_then(Value::as_str) == Some(name))
            })
        };
        if let (Some(x), Some(y)) = (rank(a), rank(b)) {
            return x.cmp(&y);
        }
    }
    sql::compare_cells(a, b)
}
