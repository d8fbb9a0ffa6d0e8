//! Links between rows, by table and link-column name: the ids SeaTable's link operations
//! need (`link_id`, `table_id`, `other_table_id`) are looked up in the base's metadata.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use crate::base::DeleteRowLinksResponse;
use crate::client::base::BaseClient;
use crate::transport::error::{Error, ErrorKind};
use crate::types::{Column, LinkCellItem, Metadata, RowLinksQuery, SuccessResult, Table};

/// The most linked rows `listRowLinks` returns per row and request.
const LINKS_PER_PAGE: i64 = 100;

/// Rows per `listRowLinks` request, so that one answer stays moderate
/// (at most this many × [`LINKS_PER_PAGE`] linked rows).
const ROWS_PER_QUERY: usize = 100;

/// What the link operations need, seen from the named table.
#[derive(Debug)]
struct LinkIds {
    link_id: String,
    table_id: String,
    other_table_id: String,
    table_name: String,
    column_name: String,
}

enum Lookup<'m> {
    Found(&'m Table, &'m Column),
    NoTable,
    NoColumn(&'m Table),
}

/// The table by name (or `_id`), the column by name (or key), as SeaTable accepts them.
fn lookup<'m>(metadata: &'m Metadata, table: &str, column: &str) -> Lookup<'m> {
    let found = metadata
        .tables
        .iter()
        .find(|t| t.name == table)
        .or_else(|| metadata.tables.iter().find(|t| t.id == table));
    let Some(found) = found else {
        return Lookup::NoTable;
    };
    let by_name = found
        .columns
        .iter()
        .find(|c| crate::cells::column_name(c) == column);
    match by_name.or_else(|| {
        found
            .columns
            .iter()
            .find(|c| crate::cells::column_key(c) == column)
    }) {
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

fn ids_of(operation: &str, table: &Table, column: &Column) -> Result<LinkIds, Error> {
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

fn pairs<I, S>(row_id: impl Into<String>, other_row_ids: I) -> BTreeMap<String, Vec<String>>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    BTreeMap::from([(
        row_id.into(),
        other_row_ids.into_iter().map(Into::into).collect(),
    )])
}

impl BaseClient {
    /// The ids of the link column `link_column` of `table`, from the cached metadata;
    /// on a miss the metadata is loaded again once, since the column may be new.
    async fn link_ids(
        &self,
        operation: &str,
        table: &str,
        link_column: &str,
    ) -> Result<LinkIds, Error> {
        let mut metadata = self.metadata().await?;
        if !matches!(lookup(&metadata, table, link_column), Lookup::Found(..)) {
            metadata = self.refresh_metadata().await?;
        }
        let not_found = |message: String| {
            Error::new(ErrorKind::InvalidArgument, message).with_operation(operation)
        };
        match lookup(&metadata, table, link_column) {
            Lookup::Found(t, c) => ids_of(operation, t, c),
            Lookup::NoTable => {
                let names: Vec<&str> = metadata.tables.iter().map(|t| t.name.as_str()).collect();
                Err(not_found(format!(
                    "the base has no table `{table}` (its tables: {}); nothing was sent",
                    names.join(", ")
                )))
            }
            Lookup::NoColumn(t) => {
                let names: Vec<&str> = t.columns.iter().map(crate::cells::column_name).collect();
                Err(not_found(format!(
                    "table `{}` has no column `{link_column}` (its columns: {}); nothing was sent",
                    t.name,
                    names.join(", ")
                )))
            }
        }
    }

    async fn checked_map(
        &self,
        operation: &str,
        table: &str,
        link_column: &str,
        links: &BTreeMap<String, Vec<String>>,
    ) -> Result<LinkIds, Error> {
        if links.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "no rows given; nothing was sent",
            )
            .with_operation(operation));
        }
        self.link_ids(operation, table, link_column).await
    }

    /// Links row `row_id` of `table` to the rows `other_row_ids` of the other table,
    /// through the link column named `link_column` (`createRowLinks`). Existing links stay;
    /// linking rows that are linked already is an error of the server.
    ///
    /// The table is named by name (or id), the column by name (or key); the link's ids
    /// come from the metadata, which is loaded again once when either is not found. An
    /// unknown table or column, or a column that is not a link column, fails with
    /// [`ErrorKind::InvalidArgument`] before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.add_links("Contacts", "Projects", "Qtf7xPmoRaiFyQPO1aENTj", ["G5rbgqudTKKfAm1-cjnjbQ"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_links<I, S>(
        &self,
        table: &str,
        link_column: &str,
        row_id: impl Into<String>,
        other_row_ids: I,
    ) -> Result<SuccessResult, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.add_links_map(table, link_column, pairs(row_id, other_row_ids))
            .await
    }

    /// [`add_links`](Self::add_links) for several rows in one request: row id of `table`
    /// → the row ids of the other table to link it to.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// use std::collections::BTreeMap;
    /// let links = BTreeMap::from([
    ///     ("Qtf7xPmoRaiFyQPO1aENTj".to_string(), vec!["G5rbgqudTKKfAm1-cjnjbQ".to_string()]),
    ///     ("PSnPPXD6SranQwA4_MhN8A".to_string(), vec!["XzdZfL2oS-aILnhfagTWEg".to_string()]),
    /// ]);
    /// base.add_links_map("Contacts", "Projects", links).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_links_map(
        &self,
        table: &str,
        link_column: &str,
        links: BTreeMap<String, Vec<String>>,
    ) -> Result<SuccessResult, Error> {
        let ids = self
            .checked_map("createRowLinks", table, link_column, &links)
            .await?;
        self.create_row_links(ids.link_id, ids.table_id, ids.other_table_id, links)
            .await
    }

    /// Makes `other_row_ids` the complete set of rows linked to row `row_id` of `table`
    /// through `link_column` (`updateRowLinks`): links not listed are removed; an empty
    /// list removes all. Names are resolved as for [`add_links`](Self::add_links).
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.set_links("Contacts", "Projects", "Qtf7xPmoRaiFyQPO1aENTj", Vec::<String>::new()).await?; // unlink all
    /// # Ok(()) }
    /// ```
    pub async fn set_links<I, S>(
        &self,
        table: &str,
        link_column: &str,
        row_id: impl Into<String>,
        other_row_ids: I,
    ) -> Result<SuccessResult, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.set_links_map(table, link_column, pairs(row_id, other_row_ids))
            .await
    }

    /// [`set_links`](Self::set_links) for several rows in one request; rows not named keep
    /// their links.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// use std::collections::BTreeMap;
    /// let links = BTreeMap::from([("Qtf7xPmoRaiFyQPO1aENTj".to_string(), vec![])]);
    /// base.set_links_map("Contacts", "Projects", links).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_links_map(
        &self,
        table: &str,
        link_column: &str,
        links: BTreeMap<String, Vec<String>>,
    ) -> Result<SuccessResult, Error> {
        let ids = self
            .checked_map("updateRowLinks", table, link_column, &links)
            .await?;
        self.update_row_links(ids.link_id, ids.table_id, ids.other_table_id, links)
            .await
    }

    /// Removes the links between row `row_id` of `table` and the rows `other_row_ids`
    /// (`deleteRowLinks`); its other links stay. Names are resolved as for
    /// [`add_links`](Self::add_links). (SeaTable counts pairs that were not linked as
    /// removed too.)
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.remove_links("Contacts", "Projects", "Qtf7xPmoRaiFyQPO1aENTj", ["G5rbgqudTKKfAm1-cjnjbQ"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove_links<I, S>(
        &self,
        table: &str,
        link_column: &str,
        row_id: impl Into<String>,
        other_row_ids: I,
    ) -> Result<DeleteRowLinksResponse, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.remove_links_map(table, link_column, pairs(row_id, other_row_ids))
            .await
    }

    /// [`remove_links`](Self::remove_links) for several rows in one request.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// use std::collections::BTreeMap;
    /// let links = BTreeMap::from([
    ///     ("Qtf7xPmoRaiFyQPO1aENTj".to_string(), vec!["G5rbgqudTKKfAm1-cjnjbQ".to_string()]),
    /// ]);
    /// base.remove_links_map("Contacts", "Projects", links).await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove_links_map(
        &self,
        table: &str,
        link_column: &str,
        links: BTreeMap<String, Vec<String>>,
    ) -> Result<DeleteRowLinksResponse, Error> {
        let ids = self
            .checked_map("deleteRowLinks", table, link_column, &links)
            .await?;
        self.delete_row_links(ids.link_id, ids.table_id, ids.other_table_id, links)
            .await
    }

    /// Every row linked to each of `row_ids` of `table` through `link_column`
    /// (`listRowLinks`), not only the 50 a link cell shows: each row's links are read in
    /// pages of 100 until a page comes back short, for up to 100 rows per request. Every
    /// requested row is in the answer, with an empty list when it has no links. Linked
    /// rows come in SeaTable's order (by their creation time).
    ///
    /// Names are resolved as for [`add_links`](Self::add_links), so a column that is not a
    /// link column fails before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// let linked = base.list_links("Contacts", "Projects", ["Qtf7xPmoRaiFyQPO1aENTj"]).await?;
    /// for (row_id, others) in &linked {
    ///     for other in others {
    ///         println!("{row_id} → {} ({:?})", other.row_id, other.display_value);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_links<I, S>(
        &self,
        table: &str,
        link_column: &str,
        row_ids: I,
    ) -> Result<BTreeMap<String, Vec<LinkCellItem>>, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        const OPERATION: &str = "listRowLinks";
        let ids = self.link_ids(OPERATION, table, link_column).await?;
        let mut linked: BTreeMap<String, Vec<LinkCellItem>> = BTreeMap::new();
        let mut seen: BTreeMap<String, HashSet<String>> = BTreeMap::new();
        let mut pending: Vec<(String, i64)> = Vec::new();
        for row_id in row_ids {
            let row_id = row_id.into();
            if !linked.contains_key(&row_id) {
                linked.insert(row_id.clone(), Vec::new());
                pending.push((row_id, 0));
            }
        }
        while !pending.is_empty() {
            let mut next = Vec::new();
            for chunk in pending.chunks(ROWS_PER_QUERY) {
                let queries = chunk.iter().map(|(row_id, offset)| RowLinksQuery {
                    row_id: row_id.clone(),
                    offset: Some(*offset),
                    limit: Some(LINKS_PER_PAGE),
                });
                let mut answer = self
                    .list_row_links(ids.table_name.clone(), ids.column_name.clone(), queries)
                    .await?;
                for (row_id, offset) in chunk {
                    let page = answer.remove(row_id).unwrap_or_default();
                    let page_len = page.len() as i64;
                    let full = page_len >= LINKS_PER_PAGE;
                    let known = seen.entry(row_id.clone()).or_default();
                    let list = linked.entry(row_id.clone()).or_default();
                    let mut new = 0;
                    for item in page {
                        // Pages that overlap (links added meanwhile) repeat a row once.
                        if known.insert(item.row_id.clone()) {
                            list.push(item);
                            new += 1;
                        }
                    }
                    // A server that ignored `offset` would send the same page forever.
                    if full && new == 0 {
                        return Err(Error::new(
                            ErrorKind::Decode,
                            format!(
                                "the server answered the same linked rows of row `{row_id}` \
                                 again at offset {offset}; stopped paging"
                            ),
                        )
                        .with_operation(OPERATION));
                    }
                    if full {
                        next.push((row_id.clone(), offset + page_len));
                    }
                }
            }
            pending = next;
        }
        Ok(linked)
    }
}
