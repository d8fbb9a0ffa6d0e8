//! Exports a view of a table to CSV, page by page: the rows come from
//! `list_rows(..).view_name(..).stream()`, which holds one page (up to 1000 rows) at a
//! time, and each row is written as soon as it arrives, so memory stays one page however
//! large the table is.
//!
//! ```text
//! cargo run --example export_view                               # CSV on stdout
//! cargo run --example export_view -- contacts.csv               # into a file
//! cargo run --example export_view -- contacts.csv Contacts Export
//! ```
//!
//! The arguments are the output file (`-` or none for stdout), the table and the view.
//! The header row holds the names of the table's columns in the base's order, without
//! those the view hides; the rows follow the view's filters and sorts. Cells are written
//! as text: strings as they are, numbers and booleans as JSON writes them, lists and
//! objects (multiple-select, collaborators, files, locations, links) as compact JSON, and
//! empty cells empty. Messages go to stderr, so stdout holds only the CSV.
//!
//! Without settings it runs against `MockSeaTable`, an in-memory SeaTable started inside
//! this process, first filling a table `Contacts` with 2500 rows, so the export reads three
//! pages; its view `Export` hides the column `Internal` and sorts by `Name`, descending. To
//! run it against a real server, set `SEATABLE_SERVER_URL` and `SEATABLE_API_TOKEN`, and
//! name the table and view.

use std::error::Error;
use std::io::Write;

use futures_util::StreamExt;
use seatable_api::testing::MockSeaTable;
use seatable_api::types::{Column, RowInput};
use seatable_api::{BaseClient, Client};
use serde_json::{json, Value};

/// The table the example exports by default.
pub const TABLE: &str = "Contacts";

/// The view the example exports by default.
pub const VIEW: &str = "Export";

/// The structure of the base the example exports from when it runs against the mock.
pub fn sample_metadata() -> Value {
    let option = |id: &str, name: &str| json!({"id": id, "name": name, "color": "#FFFCB5"});
    json!({"tables": [{
        "_id": "0000",
        "name": TABLE,
        "columns": [
            {"key": "0000", "name": "Name", "type": "text"},
            {"key": "Ag01", "name": "Age", "type": "number",
             "data": {"format": "number", "decimal": "dot", "thousands": "no"}},
            {"key": "Tg02", "name": "Tags", "type": "multiple-select",
             "data": {"options": [option("1", "friend"), option("2", "work"), option("3", "family")]}},
            {"key": "Lo03", "name": "Location", "type": "geolocation",
             "data": {"geo_format": "lng_lat"}},
            {"key": "No04", "name": "Notes", "type": "long-text"},
            {"key": "In05", "name": "Internal", "type": "text"},
        ],
        "views": [
            {"_id": "0000", "name": "Default View", "type": "table"},
            {"_id": "Ex01", "name": VIEW, "type": "table",
             "hidden_columns": ["In05"],
             "sorts": [{"column_key": "0000", "sort_type": "down"}]},
        ]
    }]})
}

/// `count` rows for the sample table, cells by column name: some cells empty, lists,
/// objects, and notes with commas, quotes and line breaks.
pub fn sample_rows(count: usize) -> Vec<RowInput> {
    const TAGS: [&[&str]; 4] = [&["friend"], &["work", "friend"], &[], &["family"]];
    (0..count)
        .map(|i| {
            let mut row = RowInput::new();
            row.insert("Name".into(), json!(format!("Contact {i:05}")));
            if i % 10 != 9 {
                row.insert("Age".into(), json!(18 + i % 60));
            }
            let tags = TAGS[i % TAGS.len()];
            if !tags.is_empty() {
                row.insert("Tags".into(), json!(tags));
            }
            if i % 3 == 0 {
                row.insert(
                    "Location".into(),
                    json!({"lat": 52.5 + (i % 100) as f64 / 1000.0, "lng": 13.25}),
                );
            }
            if i % 4 == 1 {
                row.insert(
                    "Notes".into(),
                    json!(format!("met at \"Expo {i}\", booth 4\nfollow up")),
                );
            }
            row.insert("Internal".into(), json!(format!("internal note {i}")));
            row
        })
        .collect()
}

/// A cell as CSV text: empty for a missing or null cell, a string as it is, a list or an
/// object as compact JSON, anything else as JSON writes it.
pub fn cell_text(cell: Option<&Value>) -> String {
    match cell {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// A column's key and name, whatever its type.
fn key_and_name(column: &Column) -> (String, String) {
    let text = |v: Option<&str>| v.unwrap_or_default().to_string();
    (text(column.key()), text(column.name()))
}

/// What an export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exported {
    /// The header row: the names of the view's columns.
    pub columns: Vec<String>,
    /// How many rows were written after the header.
    pub rows: usize,
}

/// Writes `view` of `table` as CSV to `out`: a header row of the view's column names in
/// the base's order, then each row as the paging stream yields it.
pub async fn export_view(
    base: &BaseClient,
    table: &str,
    view: &str,
    out: &mut impl Write,
) -> Result<Exported, Box<dyn Error>> {
    let metadata = base.get_metadata().await?.metadata;
    let found = metadata
        .tables
        .iter()
        .find(|t| t.name == table)
        .ok_or_else(|| format!("the base has no table `{table}`"))?;
    let shown = found.views.iter().find(|v| v.name == view).ok_or_else(|| {
        let names: Vec<&str> = found.views.iter().map(|v| v.name.as_str()).collect();
        format!(
            "table `{table}` has no view `{view}` (its views: {})",
            names.join(", ")
        )
    })?;
    let hidden = shown.hidden_columns.clone().unwrap_or_default();
    let columns: Vec<(String, String)> = found
        .columns
        .iter()
        .map(key_and_name)
        .filter(|(key, _)| !hidden.contains(key))
        .collect();

    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(columns.iter().map(|(_, name)| name))?;
    // Cells keyed by column key (names are the default), which stays right when a column
    // is renamed while the export runs.
    let mut rows = base
        .list_rows(table)
        .view_name(view)
        .convert_keys(false)
        .stream();
    let mut written = 0;
    while let Some(row) = rows.next().await {
        let row = row?;
        writer.write_record(columns.iter().map(|(key, _)| cell_text(row.extra.get(key))))?;
        written += 1;
    }
    writer.flush()?;
    Ok(Exported {
        columns: columns.into_iter().map(|(_, name)| name).collect(),
        rows: written,
    })
}

async fn run() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let target = args.next().filter(|a| a != "-");
    let table = args.next().unwrap_or_else(|| TABLE.to_string());
    let view = args.next().unwrap_or_else(|| VIEW.to_string());

    // Held until the end: dropping it stops the stand-in.
    let mut _mock = None;
    let base = match (
        std::env::var("SEATABLE_SERVER_URL"),
        std::env::var("SEATABLE_API_TOKEN"),
    ) {
        (Ok(server), Ok(token)) => {
            eprintln!("Running against {server}");
            Client::new(&server)?.base_with_api_token(token).await?
        }
        _ => {
            eprintln!(
                "SEATABLE_SERVER_URL and SEATABLE_API_TOKEN are not set: running against \
                 MockSeaTable, an in-memory SeaTable inside this process"
            );
            let mock = MockSeaTable::start().await?;
            let base = mock.add_base("Contacts", sample_metadata())?;
            let client = mock
                .client()
                .base_with_api_token(base.api_token.as_str())
                .await?;
            client
                .append_rows(TABLE, sample_rows(2500))
                .batched()
                .concurrency(2)
                .await?;
            eprintln!("filled {TABLE} with 2500 rows");
            _mock = Some(mock);
            client
        }
    };

    let exported = match &target {
        Some(path) => {
            let file =
                std::fs::File::create(path).map_err(|e| format!("cannot create {path}: {e}"))?;
            let mut file = std::io::BufWriter::new(file);
            let exported = export_view(&base, &table, &view, &mut file).await?;
            file.flush()?;
            exported
        }
        None => export_view(&base, &table, &view, &mut std::io::stdout().lock()).await?,
    };
    eprintln!(
        "exported {} rows of {table} / {view} ({} columns: {}) to {}",
        exported.rows,
        exported.columns.len(),
        exported.columns.join(", "),
        target.as_deref().unwrap_or("stdout")
    );
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
