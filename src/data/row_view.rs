//! Typed access to the cells of a row: [`RowView`].

use std::borrow::Cow;

use serde_json::Value;

use crate::cells::{column_key, column_name, excerpt, Cell, CellError, FromCell, Timestamp};
use crate::types::{Column, Row, Table};

/// A row read through the columns of its table: cells by column name (or key), decoded by
/// column type.
///
/// A cell is looked up in the row under the column's name (rows as `list_rows` and
/// `get_row` read them by default), then under its key (rows read with
/// `convert_keys(false)`, and always the `first_row` of an append); columns showing a system field (`_ctime`, `_creator`, …)
/// also find it in the row's typed fields. A column the row does not carry reads as
/// empty. Errors name the row's `_id`, the column, what was expected and what was found.
///
/// ```no_run
/// # fn run(row: &seatable_api::types::Row, table: &seatable_api::types::Table) -> Result<(), seatable_api::cells::CellError> {
/// use seatable_api::cells::{Cell, Date, RowView};
/// let view = RowView::new(row, table);
/// let price: Option<f64> = view.get::<f64>("Price")?;
/// let due: Cell = view.cell("Due")?;
/// let name: String = view.require("Name")?;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RowView<'a> {
    row: &'a Row,
    table_name: &'a str,
    columns: &'a [Column],
}

impl<'a> RowView<'a> {
    /// Views `row` through the columns of `table` (from the base's metadata).
    ///
    /// ```no_run
    /// # fn run(row: &seatable_api::types::Row, table: &seatable_api::types::Table) {
    /// let view = seatable_api::cells::RowView::new(row, table);
    /// # }
    /// ```
    pub fn new(row: &'a Row, table: &'a Table) -> Self {
        RowView::with_columns(row, &table.name, &table.columns)
    }

    /// Views `row` through `columns` of the table named `table_name`, for rows whose
    /// columns do not come from a [`Table`] (for example built from a SQL answer's
    /// `metadata`).
    ///
    /// ```no_run
    /// # fn run(row: &seatable_api::types::Row, columns: &[seatable_api::types::Column]) {
    /// let view = seatable_api::cells::RowView::with_columns(row, "Tasks", columns);
    /// # }
    /// ```
    pub fn with_columns(row: &'a Row, table_name: &'a str, columns: &'a [Column]) -> Self {
        RowView {
            row,
            table_name,
            columns,
        }
    }

    /// The row.
    ///
    /// ```no_run
    /// # fn run(view: seatable_api::cells::RowView<'_>) {
    /// println!("locked: {:?}", view.row().locked);
    /// # }
    /// ```
    pub fn row(&self) -> &'a Row {
        self.row
    }

    /// The row's `_id`.
    ///
    /// ```no_run
    /// # fn run(view: seatable_api::cells::RowView<'_>) {
    /// println!("{}", view.id().unwrap_or("(new row)"));
    /// # }
    /// ```
    pub fn id(&self) -> Option<&'a str> {
        self.row.id.as_deref()
    }

    /// The column named `column`, or else the column whose key is `column`.
    ///
    /// ```no_run
    /// # fn run(view: seatable_api::cells::RowView<'_>) -> Result<(), seatable_api::cells::CellError> {
    /// let column = view.column("Due")?;
    /// println!("a {} column", column.tag());
    /// # Ok(()) }
    /// ```
    pub fn column(&self, column: &str) -> Result<&'a Column, CellError> {
        self.columns
            .iter()
            .find(|c| column_name(c) == column)
            .or_else(|| self.columns.iter().find(|c| column_key(c) == column))
            .ok_or_else(|| self.error(CellError::no_such_column(self.table_name, column)))
    }

    /// The cell of `column` (a name or key), decoded by the column's type; an absent
    /// cell is [`Cell::Empty`].
    ///
    /// ```no_run
    /// # fn run(view: seatable_api::cells::RowView<'_>) -> Result<(), seatable_api::cells::CellError> {
    /// use seatable_api::cells::{Cell, FormulaValue};
    /// if let Cell::Formula(FormulaValue::Error(code)) = view.cell("Total")? {
    ///     eprintln!("formula failed: {code}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn cell(&self, column: &str) -> Result<Cell, CellError> {
        let found = self.column(column)?;
        self.read(found)
    }

    /// The cell of `column` as a `T`; `None` when the cell is empty. Fails when the table
    /// has no such column, when the cell does not fit its column type, or when it is not
    /// something `T` reads (see [`FromCell`]).
    ///
    /// ```no_run
    /// # fn run(view: seatable_api::cells::RowView<'_>) -> Result<(), seatable_api::cells::CellError> {
    /// use seatable_api::cells::Duration;
    /// let price: Option<f64> = view.get::<f64>("Price")?;
    /// let spent: Option<Duration> = view.get("Time spent")?;
    /// # Ok(()) }
    /// ```
    pub fn get<T: FromCell>(&self, column: &str) -> Result<Option<T>, CellError> {
        let found = self.column(column)?;
        let cell = self.read(found)?;
        if cell.is_empty() {
            return Ok(None);
        }
        T::from_cell(cell).map(Some).map_err(|cell| {
            let kind = cell.kind();
            let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            let shown = format!("{} ({article} {kind} cell)", excerpt(&cell.to_json()));
            self.error(CellError::new(T::EXPECTED, shown).with_column(column_name(found)))
        })
    }

    /// Like [`get`](RowView::get), but an empty cell is an error.
    ///
    /// ```no_run
    /// # fn run(view: seatable_api::cells::RowView<'_>) -> Result<(), seatable_api::cells::CellError> {
    /// let name: String = view.require("Name")?;
    /// # Ok(()) }
    /// ```
    pub fn require<T: FromCell>(&self, column: &str) -> Result<T, CellError> {
        match self.get(column)? {
            Some(value) => Ok(value),
            None => {
                let found = self.column(column)?;
                Err(self.error(CellError::empty(T::EXPECTED).with_column(column_name(found))))
            }
        }
    }

    /// Every column of the table with its cell, in column order.
    ///
    /// ```no_run
    /// # fn run(view: seatable_api::cells::RowView<'_>) {
    /// for (name, cell) in view.cells() {
    ///     match cell {
    ///         Ok(cell) => println!("{name}: {}", cell.to_json()),
    ///         Err(e) => eprintln!("{e}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn cells(&self) -> impl Iterator<Item = (&'a str, Result<Cell, CellError>)> + '_ {
        self.columns
            .iter()
            .map(move |column| (column_name(column), self.read(column)))
    }

    /// The row's creation time (`_ctime`), when the row carries it.
    ///
    /// ```no_run
    /// # fn run(view: seatable_api::cells::RowView<'_>) -> Result<(), seatable_api::cells::CellError> {
    /// if let Some(created) = view.ctime()? {
    ///     println!("created {}", created.to_utc());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn ctime(&self) -> Result<Option<Timestamp>, CellError> {
        self.system_time("_ctime", self.row.ctime.as_deref())
    }

    /// The row's last modification time (`_mtime`), when the row carries it.
    ///
    /// ```no_run
    /// # fn run(view: seatable_api::cells::RowView<'_>) -> Result<(), seatable_api::cells::CellError> {
    /// if let Some(changed) = view.mtime()? {
    ///     println!("changed {changed}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn mtime(&self) -> Result<Option<Timestamp>, CellError> {
        self.system_time("_mtime", self.row.mtime.as_deref())
    }

    fn system_time(&self, field: &str, text: Option<&str>) -> Result<Option<Timestamp>, CellError> {
        text.map(|text| Timestamp::parse(text).map_err(|e| self.error(e.with_column(field))))
            .transpose()
    }

    fn read(&self, column: &Column) -> Result<Cell, CellError> {
        Cell::read(column, &self.raw(column)).map_err(|e| self.error(e))
    }

    /// The JSON of the column's cell: under its name, else under its key, else (for a
    /// column showing a system field) from the row's typed field; `null` when absent.
    fn raw(&self, column: &Column) -> Cow<'a, Value> {
        let extra = &self.row.extra;
        if let Some(value) = extra
            .get(column_name(column))
            .or_else(|| extra.get(column_key(column)))
        {
            return Cow::Borrowed(value);
        }
        let row = self.row;
        let text = |field: &Option<String>| field.clone().map_or(Value::Null, Value::String);
        let flag = |field: Option<bool>| field.map_or(Value::Null, Value::Bool);
        Cow::Owned(match column_key(column) {
            "_id" => text(&row.id),
            "_ctime" => text(&row.ctime),
            "_mtime" => text(&row.mtime),
            "_creator" => text(&row.creator),
            "_last_modifier" => text(&row.last_modifier),
            "_locked_by" => text(&row.locked_by),
            "_archived" => flag(row.archived),
            "_locked" => flag(row.locked),
            _ => Value::Null,
        })
    }

    fn error(&self, error: CellError) -> CellError {
        match self.id() {
            Some(id) => error.with_row_id(id),
            None => error,
        }
    }
}

impl Row {
    /// Views this row through the columns of `table`; see [`RowView`].
    ///
    /// ```no_run
    /// # fn run(row: &seatable_api::types::Row, table: &seatable_api::types::Table) -> Result<(), seatable_api::cells::CellError> {
    /// let price: Option<f64> = row.view(table).get("Price")?;
    /// # Ok(()) }
    /// ```
    pub fn view<'a>(&'a self, table: &'a Table) -> RowView<'a> {
        RowView::new(self, table)
    }
}
