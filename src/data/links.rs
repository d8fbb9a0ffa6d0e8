//! What [`BaseClient`](crate::BaseClient)'s link methods look up: SeaTable's link
//! operations need ids (`link_id`, `table_id`, `other_table_id`), which are found in the
//! base's metadata from a table and link-column name.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::transport::error::{Error, ErrorKind};
use crate::types::{Column, Metadata, Table};

/// The most linked rows `listRowLinks` returns per row and request.
pub(crate) const LINKS_PER_PAGE: i64 = 100;

/// Rows per `listRowLinks` request, so that one answer stays moderate
/// (at most this many × [`LINKS_PER_PAGE`] linked rows).
pub(crate) const ROWS_PER_QUERY: usize = 100;

/// What the link operations need, seen from the named table.
#[derive(Debug)]
pub(crate) struct LinkIds {
    pub(crate) link_id: String,
    pub(crate) table_id: String,
    pub(crate) other_table_id: String,
    pub(crate) table_name: String,
    pub(crate) column_name: String,
}

pub(crate) enum Lookup<'m> {
    Found(&'m Table, &'m Column),
    NoTable,
    NoColumn(&'m Table),
}

/// The table by name (or `_id`), the column by name (or key), as SeaTable accepts them.
pub(crate) fn lookup<'m>(metadata: &'m Metadata, table: &str, column: &str) -> Lookup<'m> {
    use crate::data::metadata_lookup::{find_column, find_table};
    let Some(found) = find_table(metadata, table) else {
        return Lookup::NoTable;
    };
    match find_column(found, column) {
        Some(c) => Lookup::Found(found, c),
        None => Lookup::NoColumn(found),
    }
}

/// `link_id`, `table_id`, `other_table_id` of a link column's `data`, wherever the
/// decoder kept them (a link column whose `data` did not fit the generated type arrives as
/// `Column::Unknown` with the raw JSON).
fn link_data(column: &Column) -> Option<[Option<&str>; 3]> {
    match column {
        Column::Link(c) => {
            let data = c.data.as_ref();
            Some([
                data.and_then(|d| d.link_id.as_deref()),
                data.and_then(|d| d.table_id.as_deref()),
                data.and_then(|d| d.other_table_id.as_deref()),
            ])
        }
        Column::Unknown(raw) if raw.get("type").and_then(Value::as_str) == Some("link") => {
            let field = |name: &str| raw.get("data")?.get(name)?.as_str();
            Some([field("link_id"), field("table_id"), field("other_table_id")])
        }
        _ => None,
    }
}

fn column_type(column: &Column) -> &str {
    match column {
        Column::Unknown(raw) => raw.get("type").and_then(Value::as_str).unwrap_or("unknown"),
        other => other.tag(),
    }
}

pub(crate) fn ids_of(operation: &str, table: &Table, column: &Column) -> Result<LinkIds, Error> {
    let name = crate::cells::column_name(column);
    let Some([link_id, table_id, other_table_id]) = link_data(column) else {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "column `{name}` of table `{}` is a `{}` column, not a link column; nothing was sent",
                table.name,
                column_type(column)
            ),
        )
        .with_operation(operation));
    };
    let missing = |field: &str| {
        Error::new(
            ErrorKind::Decode,
            format!(
                "the link column `{name}` of table `{}` has no `{field}` in its data; nothing was sent",
                table.name
            ),
        )
        .with_operation(operation)
    };
    let link_id = link_id.ok_or_else(|| missing("link_id"))?;
    let table_id = table_id.ok_or_else(|| missing("table_id"))?;
    let other_table_id = other_table_id.ok_or_else(|| missing("other_table_id"))?;
    // SeaTable may give both columns of a link the same data; seen from the other table,
    // the two table ids change places.
    let (from, to) = if table.id == table_id {
        (table_id, other_table_id)
    } else if table.id == other_table_id {
        (other_table_id, table_id)
    } else {
        return Err(Error::new(
            ErrorKind::Decode,
            format!(
                "the link column `{name}` of table `{}` (id `{}`) links the tables `{table_id}` \
                 and `{other_table_id}`, neither of which is its own; nothing was sent",
                table.name, table.id
            ),
        )
        .with_operation(operation));
    };
    Ok(LinkIds {
        link_id: link_id.to_string(),
        table_id: from.to_string(),
        other_table_id: to.to_string(),
        table_name: table.name.clone(),
        column_name: name.to_string(),
    })
}

pub(crate) fn pairs<I, S>(
    row_id: impl Into<String>,
    other_row_ids: I,
) -> BTreeMap<String, Vec<String>>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    BTreeMap::from([(
        row_id.into(),
        other_row_ids.into_iter().map(Into::into).collect(),
    )])
}
