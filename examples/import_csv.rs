//! Imports a CSV file into a table: 1000 rows per request (SeaTable's limit), a few
//! requests in flight at once, and a progress bar that moves as each request is committed.
//!
//! ```text
//! cargo run --example import_csv                          # a generated sample of 5000 rows
//! cargo run --example import_csv -- people.csv Contacts   # your file, into table Contacts
//! ```
//!
//! The header row names the columns. A header that matches a column of the table (by
//! name) fills that column; numbers are read for `number` columns and `true`/`false` for
//! checkboxes, everything else is sent as text. A header the table lacks becomes a new
//! text column. Empty fields leave the cell empty.
//!
//! The whole file is read and checked before anything is written, so a malformed line or a
//! value a column cannot hold stops the import with nothing stored. If a request fails
//! during the import, no further request is started, the ones in flight finish, and the
//! example prints which rows were committed, which failed (and whether they may have been
//! stored anyway) and which were never sent, and exits with status 1.
//!
//! With more than one request in flight, the chunks may be stored in a different order
//! than the file's; use a concurrency of 1 to keep the file's order.
//!
//! Without settings it runs against `MockSeaTable`, an in-memory SeaTable started inside
//! this process, with a table `Import` that has the columns `Name` (text) and `Score`
//! (number). To run it against a real server, set `SEATABLE_SERVER_URL` and
//! `SEATABLE_API_TOKEN` (an API-Token with write permission); the table must exist.

use std::collections::HashSet;
use std::error::Error;
use std::fmt;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use futures_util::stream::FuturesUnordered;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use seatable_api::testing::MockSeaTable;
use seatable_api::types::{Column, ColumnInput, ColumnType, RowInput, Table};
use seatable_api::{Applied, BaseClient, Client};
use serde_json::{json, Value};

/// The table the example imports into by default.
pub const TABLE: &str = "Import";

/// The most rows one `appendRows` request takes.
pub const ROWS_PER_REQUEST: usize = 1000;

/// How many requests are in flight at once by default. SeaTable counts requests per base
/// and minute, so more rarely makes an import faster.
pub const CONCURRENCY: usize = 2;

/// The structure of the base the example imports into when it runs against the mock.
pub fn sample_metadata() -> Value {
    json!({"tables": [{
        "_id": "0000",
        "name": TABLE,
        "columns": [
            {"key": "0000", "name": "Name", "type": "text"},
            {"key": "Sc01", "name": "Score", "type": "number",
             "data": {"format": "number", "decimal": "dot", "thousands": "no"}},
        ],
        "views": [{"_id": "0000", "name": "Default View", "type": "table"}]
    }]})
}

/// Writes a CSV of `rows` people to `path`: `Name`, `Email`, `City`, `Score`; every
/// seventh person has no city, and scores alternate between integers and decimals.
pub fn write_sample_csv(path: &Path, rows: usize) -> Result<(), Box<dyn Error>> {
    const CITIES: [&str; 5] = ["Berlin", "Zürich", "Lyon", "Porto", "Gdańsk"];
    let mut writer = csv::Writer::from_path(path)?;
    writer.write_record(["Name", "Email", "City", "Score"])?;
    for i in 0..rows {
        let name = format!("Person {i:05}");
        let email = format!("person{i}@example.com");
        let city = if i % 7 == 6 {
            ""
        } else {
            CITIES[i % CITIES.len()]
        };
        let score = if i % 2 == 0 {
            (i % 100).to_string()
        } else {
            format!("{}.5", i % 100)
        };
        writer.write_record([name.as_str(), &email, city, &score])?;
    }
    writer.flush()?;
    Ok(())
}

/// How to import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Rows per request, at most [`ROWS_PER_REQUEST`].
    pub rows_per_request: usize,
    /// Requests in flight at once (at least 1).
    pub concurrency: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            rows_per_request: ROWS_PER_REQUEST,
            concurrency: CONCURRENCY,
        }
    }
}

/// What a finished import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// Rows stored.
    pub rows: usize,
    /// `appendRows` requests sent.
    pub requests: usize,
    /// Columns the import created, in header order.
    pub created_columns: Vec<String>,
}

/// A request of the import that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedRows {
    /// The rows it held (0 is the first row after the header).
    pub rows: Range<usize>,
    /// Whether they may have been stored anyway.
    pub applied: Applied,
    /// The HTTP status of the answer, if one came.
    pub status: Option<u16>,
    /// What went wrong.
    pub message: String,
}

impl FailedRows {
    fn from_error(rows: Range<usize>, error: &seatable_api::Error) -> FailedRows {
        FailedRows {
            rows,
            applied: error.applied(),
            status: error.status(),
            message: error.to_string(),
        }
    }
}

/// What happened to each row of an import that failed part-way.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// How many rows the file holds.
    pub total: usize,
    /// Rows whose requests succeeded: stored.
    pub committed: Vec<Range<usize>>,
    /// Rows whose requests failed; see each error's `applied()` for whether they may have
    /// been stored anyway.
    pub failed: Vec<FailedRows>,
    /// Rows never sent because an earlier request failed: safe to import again.
    pub not_sent: Vec<Range<usize>>,
    /// Why the file could not be read again while sending, when that stopped the import.
    pub file_error: Option<String>,
}

impl ImportReport {
    /// How many rows are known to be stored.
    pub fn committed_rows(&self) -> usize {
        self.committed.iter().map(ExactSizeIterator::len).sum()
    }
}

fn ranges(list: &[Range<usize>]) -> String {
    if list.is_empty() {
        return "none".to_string();
    }
    let parts: Vec<String> = list
        .iter()
        .map(|r| format!("{}..{}", r.start, r.end))
        .collect();
    parts.join(", ")
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "the import stopped after a failed request; of {} rows (numbered from 0, after the header):",
            self.total
        )?;
        writeln!(
            f,
            "  committed ({} rows): {}",
            self.committed_rows(),
            ranges(&self.committed)
        )?;
        for failed in &self.failed {
            let applied = match failed.applied {
                Applied::No => "not stored",
                Applied::Maybe => "may have been stored: check before importing them again",
                Applied::Yes => "stored, but the answer was unreadable",
            };
            writeln!(
                f,
                "  failed {}..{} ({applied}): {}",
                failed.rows.start, failed.rows.end, failed.message
            )?;
        }
        if let Some(problem) = &self.file_error {
            writeln!(f, "  the file could not be read again: {problem}")?;
        }
        write!(f, "  not sent: {}", ranges(&self.not_sent))
    }
}

/// The import failed part-way: the report says what is stored.
#[derive(Debug)]
pub struct ImportFailed(pub ImportReport);

impl fmt::Display for ImportFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Error for ImportFailed {}

/// What becomes of one CSV field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    Text,
    Number,
    Checkbox,
}

/// One CSV column: the table column it fills and how its text is converted.
struct Field {
    name: String,
    cell: Cell,
}

/// A column's name and type tag, whatever its variant.
fn column_name_and_type(column: &Column) -> (String, String) {
    (
        column.name().unwrap_or_default().to_string(),
        column.tag().to_string(),
    )
}

/// The CSV's columns, mapped onto `table`'s by name; the names the table lacks (to be
/// created as text columns), and the table as it will be once they exist.
fn plan(
    headers: &csv::StringRecord,
    table: &Table,
) -> Result<(Vec<Field>, Vec<String>, Table), String> {
    let existing: Vec<(String, String)> = table.columns.iter().map(column_name_and_type).collect();
    let mut planned = table.clone();
    let mut fields = Vec::new();
    let mut missing = Vec::new();
    let mut seen = HashSet::new();
    for (i, header) in headers.iter().enumerate() {
        let name = header.trim();
        if name.is_empty() {
            return Err(format!("column {} of the header row has no name", i + 1));
        }
        if !seen.insert(name.to_string()) {
            return Err(format!("the header row names `{name}` twice"));
        }
        let cell = match existing.iter().find(|(n, _)| n == name) {
            Some((_, kind)) if kind == "number" => Cell::Number,
            Some((_, kind)) if kind == "checkbox" => Cell::Checkbox,
            Some(_) => Cell::Text,
            None => {
                missing.push(name.to_string());
                let column =
                    json!({"key": format!("new{}", missing.len()), "name": name, "type": "text"});
                planned
                    .columns
                    .push(serde_json::from_value(column).map_err(|e| e.to_string())?);
                Cell::Text
            }
        };
        fields.push(Field {
            name: name.to_string(),
            cell,
        });
    }
    Ok((fields, missing, planned))
}

/// One CSV record as a row to append, cells by column name; `line` is for messages.
fn to_row(fields: &[Field], record: &csv::StringRecord, line: u64) -> Result<RowInput, String> {
    if record.len() != fields.len() {
        return Err(format!(
            "line {line}: {} fields where the header has {}",
            record.len(),
            fields.len()
        ));
    }
    let mut row = RowInput::new();
    for (field, text) in fields.iter().zip(record) {
        // Blanks around a number or a checkbox value mean nothing; text is kept as it is.
        if text.is_empty() || (field.cell != Cell::Text && text.trim().is_empty()) {
            continue;
        }
        let value = match field.cell {
            Cell::Text => Value::String(text.to_string()),
            Cell::Number => {
                let trimmed = text.trim();
                if let Ok(n) = trimmed.parse::<i64>() {
                    json!(n)
                } else {
                    match trimmed.parse::<f64>().ok().filter(|n| n.is_finite()) {
                        Some(n) => json!(n),
                        None => {
                            return Err(format!(
                                "line {line}, column `{}`: `{text}` is not a number",
                                field.name
                            ))
                        }
                    }
                }
            }
            Cell::Checkbox => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Value::Bool(true),
                "false" | "0" | "no" => Value::Bool(false),
                _ => {
                    return Err(format!(
                        "line {line}, column `{}`: `{text}` is not true or false",
                        field.name
                    ))
                }
            },
        };
        row.insert(field.name.clone(), value);
    }
    Ok(row)
}

/// A reader of the CSV at `path`. Lines with another number of fields than the header are
/// read too (`flexible`), so that the check can name each of them.
fn reader(path: &Path) -> Result<csv::Reader<std::fs::File>, String> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Reads `path` once to check every line: the number of fields, numbers and checkboxes,
/// and what SeaTable would store wrongly (the client's own row checks against the
/// planned table). Returns the number of rows; nothing is sent.
fn check_file(path: &Path, fields: &[Field], planned: &Table) -> Result<usize, Box<dyn Error>> {
    let mut file = reader(path)?;
    let mut problems = Vec::new();
    let mut rows = 0;
    for record in file.records() {
        let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        match to_row(fields, &record, line) {
            Ok(row) => {
                for problem in seatable_api::check_table_rows(planned, [&row]) {
                    problems.push(format!(
                        "line {line}, column `{}`: {}",
                        problem.column, problem.reason
                    ));
                }
            }
            Err(problem) => problems.push(problem),
        }
        rows += 1;
    }
    if problems.is_empty() {
        return Ok(rows);
    }
    let shown: Vec<&str> = problems.iter().take(10).map(String::as_str).collect();
    let more = match problems.len() {
        n if n > 10 => format!("\n… and {} more", n - 10),
        _ => String::new(),
    };
    Err(format!(
        "{} problem(s) in {}, nothing was imported:\n{}{more}",
        problems.len(),
        path.display(),
        shown.join("\n")
    )
    .into())
}

/// A progress bar for `rows` rows on the terminal.
pub fn progress_bar(rows: usize) -> ProgressBar {
    let bar = ProgressBar::new(rows as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} rows, {eta} left")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Imports the CSV at `path` into `table`: checks the whole file, creates the columns the
/// table lacks, then appends the rows in requests of `options.rows_per_request`, with at
/// most `options.concurrency` in flight, advancing `progress` by each committed request's
/// rows. Messages go to `out`. A request that fails ends the import with
/// [`ImportFailed`] once the requests in flight are answered.
pub async fn import_csv(
    base: &BaseClient,
    table: &str,
    path: &Path,
    options: &ImportOptions,
    progress: &ProgressBar,
    out: &mut impl Write,
) -> Result<Imported, Box<dyn Error>> {
    let rows_per_request = options.rows_per_request.clamp(1, ROWS_PER_REQUEST);
    let concurrency = options.concurrency.max(1);

    let metadata = base.metadata().await?;
    let found = metadata
        .tables
        .iter()
        .find(|t| t.name == table)
        .ok_or_else(|| format!("the base has no table `{table}`"))?;
    let headers = reader(path)?
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .clone();
    if headers.is_empty() {
        return Err(format!("{} has no header row", path.display()).into());
    }
    let (fields, missing, planned) =
        plan(&headers, found).map_err(|e| format!("{}: {e}", path.display()))?;
    let total = check_file(path, &fields, &planned)?;
    writeln!(out, "{}: {total} rows, all of them valid", path.display())?;

    if !missing.is_empty() {
        let columns = missing.iter().map(|name| ColumnInput {
            column_name: name.clone(),
            column_type: ColumnType::Text,
            anchor_column: None,
            column_data: None,
        });
        base.append_columns(table, columns).await?;
        // The client checks written rows against the columns it knows.
        base.refresh_metadata().await?;
        writeln!(out, "created the text columns {}", missing.join(", "))?;
    }

    progress.set_length(total as u64);
    let mut records = reader(path)?.into_records();
    let mut next_row = 0;
    let mut requests = 0;
    let mut in_flight = FuturesUnordered::new();
    let mut report = ImportReport {
        total,
        ..ImportReport::default()
    };
    let mut committed: Vec<Range<usize>> = Vec::new();
    loop {
        while report.failed.is_empty()
            && report.file_error.is_none()
            && in_flight.len() < concurrency
            && next_row < total
        {
            let mut chunk = Vec::with_capacity(rows_per_request);
            while chunk.len() < rows_per_request && next_row + chunk.len() < total {
                // The file was checked, so this fails only when it changed since.
                let read = match records.next() {
                    Some(Ok(record)) => {
                        let line = record.position().map_or(0, |p| p.line());
                        to_row(&fields, &record, line)
                    }
                    Some(Err(e)) => Err(e.to_string()),
                    None => Err("it ended early".to_string()),
                };
                match read {
                    Ok(row) => chunk.push(row),
                    Err(problem) => {
                        report.file_error = Some(problem);
                        break;
                    }
                }
            }
            if report.file_error.is_some() {
                break;
            }
            let rows = next_row..next_row + chunk.len();
            next_row = rows.end;
            requests += 1;
            let request = base.append_rows(table, chunk);
            in_flight.push(async move { (rows, request.await) });
        }
        let Some((rows, answer)) = in_flight.next().await else {
            break;
        };
        match answer {
            Ok(appended) if appended.inserted_row_count == rows.len() as i64 => {
                progress.inc(rows.len() as u64);
                committed.push(rows);
            }
            Ok(appended) => report.failed.push(FailedRows {
                applied: Applied::Maybe,
                status: None,
                message: format!(
                    "the answer says {} of the {} rows were stored",
                    appended.inserted_row_count,
                    rows.len()
                ),
                rows,
            }),
            Err(error) => report.failed.push(FailedRows::from_error(rows, &error)),
        }
    }

    if report.failed.is_empty() && report.file_error.is_none() && next_row == total {
        progress.finish();
        return Ok(Imported {
            rows: total,
            requests,
            created_columns: missing,
        });
    }
    progress.abandon();
    committed.sort_by_key(|r| r.start);
    for range in committed {
        match report.committed.last_mut() {
            Some(last) if last.end == range.start => last.end = range.end,
            _ => report.committed.push(range),
        }
    }
    report.failed.sort_by_key(|f| f.rows.start);
    if next_row < total {
        report.not_sent.push(next_row..total);
    }
    Err(ImportFailed(report).into())
}

/// The file to import: the first argument, or a generated sample in the temporary
/// directory (and whether it is that sample, to remove afterwards).
fn input_file(argument: Option<String>) -> Result<(PathBuf, bool), Box<dyn Error>> {
    if let Some(path) = argument {
        return Ok((PathBuf::from(path), false));
    }
    let path = std::env::temp_dir().join(format!("seatable-import-{}.csv", std::process::id()));
    write_sample_csv(&path, 5000)?;
    Ok((path, true))
}

async fn run() -> Result<(), Box<dyn Error>> {
    let mut out = std::io::stdout();
    let mut args = std::env::args().skip(1);
    let (path, generated) = input_file(args.next())?;
    let table = args.next().unwrap_or_else(|| TABLE.to_string());
    if generated {
        writeln!(
            out,
            "no CSV given: importing a sample of 5000 rows from {}",
            path.display()
        )?;
    }

    // Held until the end: dropping it stops the stand-in.
    let mut _mock = None;
    let base = match (
        std::env::var("SEATABLE_SERVER_URL"),
        std::env::var("SEATABLE_API_TOKEN"),
    ) {
        (Ok(server), Ok(token)) => {
            writeln!(out, "Running against {server}")?;
            Client::new(&server)?.base_with_api_token(token).await?
        }
        _ => {
            writeln!(
                out,
                "SEATABLE_SERVER_URL and SEATABLE_API_TOKEN are not set: running against \
                 MockSeaTable, an in-memory SeaTable inside this process"
            )?;
            let mock = MockSeaTable::start().await?;
            let base = mock.add_base("Import", sample_metadata())?;
            let client = mock
                .client()
                .base_with_api_token(base.api_token.as_str())
                .await?;
            _mock = Some(mock);
            client
        }
    };

    let progress = progress_bar(0);
    let result = import_csv(
        &base,
        &table,
        &path,
        &ImportOptions::default(),
        &progress,
        &mut out,
    )
    .await;
    // The bar stays on the screen, its cursor at the end of its line; what follows goes
    // below it.
    if !progress.is_hidden() {
        eprintln!();
    }
    if generated {
        let _ = std::fs::remove_file(&path);
    }
    let imported = result?;
    writeln!(
        out,
        "imported {} rows into {table} with {} requests",
        imported.rows, imported.requests
    )?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
