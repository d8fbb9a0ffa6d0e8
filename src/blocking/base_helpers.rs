//! The hand-written helpers of [`BaseClient`] that are `async fn`s on the async client
//! (metadata lookups, links by column name, typed updates), as sync functions.

use std::collections::BTreeMap;

use super::{call, BaseClient};
use crate::base::DeleteRowLinksResponse;
use crate::transport::error::Error;
use crate::types::{Column, ColumnType, LinkCellItem, SuccessResult, Table, View};

#[cfg_attr(docsrs, doc(cfg(feature = "base")))]
impl BaseClient {
    /// The table named `table` (or with that `_id`), from the cached metadata (see
    /// [`crate::BaseClient::table`]).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// let table = base.table("Contacts")?;
    /// println!("{} has {} columns", table.name, table.columns.len());
    /// # Ok(()) }
    /// ```
    pub fn table(&self, table: &str) -> Result<Table, Error> {
        call(self.as_async().table(table))
    }

    /// The column named `column` (or with that key) of `table` (see
    /// [`crate::BaseClient::column`]).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// let column = base.column("Contacts", "Email")?;
    /// println!("{}", column.tag());
    /// # Ok(()) }
    /// ```
    pub fn column(&self, table: &str, column: &str) -> Result<Column, Error> {
        call(self.as_async().column(table, column))
    }

    /// The view named `view` (or with that `_id`) of `table` (see
    /// [`crate::BaseClient::view`]).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// let view = base.view("Contacts", "Default View")?;
    /// println!("{}", view.id);
    /// # Ok(()) }
    /// ```
    pub fn view(&self, table: &str, view: &str) -> Result<View, Error> {
        call(self.as_async().view(table, view))
    }

    /// The columns of `table` of type `column_type`, in the table's order (see
    /// [`crate::BaseClient::columns_of_type`]).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// use seatable_api::types::ColumnType;
    /// let dates = base.columns_of_type("Contacts", ColumnType::Date)?;
    /// # Ok(()) }
    /// ```
    pub fn columns_of_type(
        &self,
        table: &str,
        column_type: ColumnType,
    ) -> Result<Vec<Column>, Error> {
        call(self.as_async().columns_of_type(table, column_type))
    }

    /// Links row `row_id` of `table` to `other_row_ids` through the link column
    /// `link_column` (see [`crate::BaseClient::add_links`]).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.add_links("Projects", "Members", "Qm9vLx1TS2y9F1qdI4ZCwA", ["Ad3f8fXJQvW3Cj2l4bZfAQ"])?;
    /// # Ok(()) }
    /// ```
    pub fn add_links<I, S>(
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
        call(
            self.as_async()
                .add_links(table, link_column, row_id, other_row_ids),
        )
    }

    /// Adds links for several rows at once, `row id → other row ids` (see
    /// [`crate::BaseClient::add_links_map`]).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// let mut links = std::collections::BTreeMap::new();
    /// links.insert("Qm9vLx1TS2y9F1qdI4ZCwA".to_string(), vec!["Ad3f8fXJQvW3Cj2l4bZfAQ".to_string()]);
    /// base.add_links_map("Projects", "Members", links)?;
    /// # Ok(()) }
    /// ```
    pub fn add_links_map(
        &self,
        table: &str,
        link_column: &str,
        links: BTreeMap<String, Vec<String>>,
    ) -> Result<SuccessResult, Error> {
        call(self.as_async().add_links_map(table, link_column, links))
    }

    /// Replaces the links of row `row_id` with `other_row_ids` (see
    /// [`crate::BaseClient::set_links`]).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.set_links("Projects", "Members", "Qm9vLx1TS2y9F1qdI4ZCwA", ["Ad3f8fXJQvW3Cj2l4bZfAQ"])?;
    /// # Ok(()) }
    /// ```
    pub fn set_links<I, S>(
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
        call(
            self.as_async()
                .set_links(table, link_column, row_id, other_row_ids),
        )
    }

    /// Replaces the links of several rows at once (see
    /// [`crate::BaseClient::set_links_map`]).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.set_links_map("Projects", "Members", std::collections::BTreeMap::new())?;
    /// # Ok(()) }
    /// ```
    pub fn set_links_map(
        &self,
        table: &str,
        link_column: &str,
        links: BTreeMap<String, Vec<String>>,
    ) -> Result<SuccessResult, Error> {
        call(self.as_async().set_links_map(table, link_column, links))
    }

    /// Removes the links of row `row_id` to `other_row_ids` (see
    /// [`crate::BaseClient::remove_links`]).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.remove_links("Projects", "Members", "Qm9vLx1TS2y9F1qdI4ZCwA", ["Ad3f8fXJQvW3Cj2l4bZfAQ"])?;
    /// # Ok(()) }
    /// ```
    pub fn remove_links<I, S>(
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
        call(
            self.as_async()
                .remove_links(table, link_column, row_id, other_row_ids),
        )
    }

    /// Removes links of several rows at once (see
    /// [`crate::BaseClient::remove_links_map`]).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// base.remove_links_map("Projects", "Members", std::collections::BTreeMap::new())?;
    /// # Ok(()) }
    /// ```
    pub fn remove_links_map(
        &self,
        table: &str,
        link_column: &str,
        links: BTreeMap<String, Vec<String>>,
    ) -> Result<DeleteRowLinksResponse, Error> {
        call(self.as_async().remove_links_map(table, link_column, links))
    }

    /// The rows each of `row_ids` links to through `link_column`, every page of them (see
    /// [`crate::BaseClient::list_links`]).
    ///
    /// ```no_run
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// let linked = base.list_links("Projects", "Members", ["Qm9vLx1TS2y9F1qdI4ZCwA"])?;
    /// # Ok(()) }
    /// ```
    pub fn list_links<I, S>(
        &self,
        table: &str,
        link_column: &str,
        row_ids: I,
    ) -> Result<BTreeMap<String, Vec<LinkCellItem>>, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        call(self.as_async().list_links(table, link_column, row_ids))
    }

    /// Updates rows of `I`'s table, `(row id, changes)` (see
    /// [`crate::BaseClient::update_typed_rows`]).
    ///
    /// ```no_run
    /// # #[derive(serde::Serialize, Default)] struct ProjectsInput { #[serde(skip_serializing_if = "Option::is_none")] price: Option<f64> }
    /// # impl seatable_api::TableInput for ProjectsInput { const TABLE: &'static str = "Projects"; }
    /// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
    /// let change = ProjectsInput { price: Some(12.0) };
    /// base.update_typed_rows([("Qm9vLx1TS2y9F1qdI4ZCwA", change)])?;
    /// # Ok(()) }
    /// ```
    pub fn update_typed_rows<I: crate::TableInput, Id: Into<String>>(
        &self,
        updates: impl IntoIterator<Item = (Id, I)>,
    ) -> Result<(), Error> {
        call(self.as_async().update_typed_rows(updates))
    }
}
