//! `seatable rows export` and `seatable rows import`: whole tables through CSV or JSON
//! lines, on the runtime's paging and batching.

use std::io::Write;

use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use seatable_api::types::{Column, RowInput, Table};
use seatable_api::{Applied, BaseClient};
use serde_json::Value;

use crate::failure::Failure;

/// The table of the base named `name`, or a failure listing the tables it has.
async fn find_table(base: &BaseClient, name: &str) -> Result<Table, Failure> {
    let metadata = base.metadata().await?;
    metadata
        .tables
        .iter()
        .find(|t| t.name == name)
        .cloned()
        .ok_or_else(|| {
            let names: Vec<&str> = metadata.tables.iter().map(|t| t.name.as_str()).collect();
            Failure::not_found(format!(
                "the base has no table `{name}` (its tables: {})",
                names.join(", ")
            ))
        })
}

fn key_and_name(column: &Column) -> (String, String) {
    let text = |v: Option<&str>| v.unwrap_or_default().to_string();
    (text(column.key()), text(column.name()))
}

/// A cell as CSV text: empty for none, a string as it is, anything else as compact JSON
/// (which `rows import` reads back).
fn cell_text(cell: Option<&Value>) -> String {
    match cell {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// The export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A header row of column names, then one line per row.
    Csv,
    /// One JSON object per line, cells by column name, with `_id`.
    JsonLines,
}

/// Writes the rows of `table` (of `view`, when given: its filters, sorts and shown
/// columns) to `out`, page by page; one page is held at a time. Returns the rows written.
pub async fn export(
    base: &BaseClient,
    table: &str,
    view: Option<&str>,
    format: Format,
    out: &mut dyn Write,
) -> Result<usize, Failure> {
    let found = find_table(base, table).await?;
    let hidden = match view {
        Some(view) => {
            let shown = found.views.iter().find(|v| v.name == view).ok_or_else(|| {
                let names: Vec<&str> = found.views.iter().map(|v| v.name.as_str()).collect();
                Failure::not_found(format!(
                    "table `{table}` has no view `{view}` (its views: {})",
                    names.join(", ")
                ))
            })?;
            shown.hidden_columns.clone().unwrap_or_default()
        }
        None => Vec::new(),
    };
    let columns: Vec<(String, String)> = found
        .columns
        .iter()
        .map(key_and_name)
        .filter(|(key, _)| !hidden.contains(key))
        .collect();
    // Cells keyed by column key, named at the end: right even when a column is renamed
    // while the export runs.
    let mut request = base.list_rows(table).convert_keys(false);
    if let Some(view) = view {
        request = request.view_name(view);
    }
    let mut rows = request.stream();
    let mut written = 0;
    match format {
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer
                .write_record(columns.iter().map(|(_, name)| name))
                .map_err(csv_failure)?;
            while let Some(row) = rows.next().await {
                let row = row?;
                writer
                    .write_record(columns.iter().map(|(key, _)| cell_text(row.extra.get(key))))
                    .map_err(csv_failure)?;
                written += 1;
            }
            writer.flush()?;
        }
        Format::JsonLines => {
            while let Some(row) = rows.next().await {
                let row = row?;
                let mut object = serde_json::Map::new();
                if let Some(id) = &row.id {
                    object.insert("_id".into(), Value::String(id.clone()));
                }
                for (key, name) in &columns {
                    if let Some(cell) = row.extra.get(key) {
                        object.insert(name.clone(), cell.clone());
                    }
                }
                serde_json::to_writer(&mut *out, &Value::Object(object))
                    .map_err(|e| Failure::other(format!("cannot write a row: {e}")))?;
                out.write_all(b"\n")?;
                written += 1;
            }
            out.flush()?;
        }
    }
    Ok(written)
}

fn csv_failure(e: csv::Error) -> Failure {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io.into(),
        other => Failure::other(format!("cannot write CSV: {other:?}")),
    }
}

/// How an import writes.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// A column of unique values: appends of unknown outcome are looked up by it.
    pub key: Option<String>,
    /// With `key`: rows whose key the table holds are updated, the others appended, so
    /// that running the same import again after a failure writes each row once.
    pub resume: bool,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

/// What becomes of one CSV field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    Text,
    Number,
    Checkbox,
    /// Lists and objects (select lists, collaborators, files, links…): JSON as
    /// `rows export` writes them, else text.
    Structured,
}

fn cell_kind(tag: &str) -> Cell {
    match tag {
        "number" | "rate" | "duration" => Cell::Number,
        "checkbox" => Cell::Checkbox,
        "text" | "long-text" | "email" | "url" | "single-select" | "date" => Cell::Text,
        _ => Cell::Structured,
    }
}

fn to_value(cell: Cell, text: &str, column: &str, line: u64) -> Result<Option<Value>, String> {
    if text.is_empty() || (cell != Cell::Text && text.trim().is_empty()) {
        return Ok(None);
    }
    let bad = |what: &str| format!("line {line}, column `{column}`: `{text}` is not {what}");
    Ok(Some(match cell {
        Cell::Text => Value::String(text.to_string()),
        Cell::Number => {
            let t = text.trim();
            if let Ok(n) = t.parse::<i64>() {
                Value::from(n)
            } else {
                match t.parse::<f64>().ok().filter(|n| n.is_finite()) {
                    Some(n) => Value::from(n),
                    None => return Err(bad("a number")),
                }
            }
        }
        Cell::Checkbox => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Value::Bool(true),
            "false" | "0" | "no" => Value::Bool(false),
            _ => return Err(bad("true or false")),
        },
        Cell::Structured => {
            let t = text.trim_start();
            if t.starts_with('[') || t.starts_with('{') {
                serde_json::from_str(text).map_err(|e| bad(&format!("JSON ({e})")))?
            } else {
                Value::String(text.to_string())
            }
        }
    }))
}

/// Reads the whole CSV into rows, checking every line against the table (column names,
/// numbers, checkboxes, and the client's write checks); all problems at once, nothing
/// sent.
fn read_rows(bytes: &[u8], source: &str, table: &Table) -> Result<Vec<RowInput>, Failure> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| Failure::input(format!("{source}: {e}")))?
        .clone();
    let mut fields: Vec<(String, Cell)> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        let name = header.trim();
        match table.columns.iter().find(|c| c.name() == Some(name)) {
            Some(column) => fields.push((name.to_string(), cell_kind(column.tag()))),
            None if name.is_empty() => {
                problems.push(format!("column {} of the header has no name", i + 1))
            }
            None => problems.push(format!("the table `{}` has no column `{name}`", table.name)),
        }
    }
    if !problems.is_empty() {
        return Err(Failure::input(format!(
            "{source}: {}; nothing was imported",
            problems.join("; ")
        )));
    }
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Failure::input(format!("{source}: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != fields.len() {
            problems.push(format!(
                "line {line}: {} fields where the header has {}",
                record.len(),
                fields.len()
            ));
            continue;
        }
        let mut row = RowInput::new();
        for ((name, cell), text) in fields.iter().zip(record.iter()) {
            match to_value(*cell, text, name, line) {
                Ok(Some(v)) => {
                    row.insert(name.clone(), v);
                }
                Ok(None) => {}
                Err(p) => problems.push(p),
            }
        }
        rows.push(row);
        lines.push(line);
    }
    for problem in seatable_api::check_table_rows(table, rows.iter()) {
        let line = lines.get(problem.row).copied().unwrap_or(0);
        problems.push(format!(
            "line {line}, column `{}`: {}",
            problem.column, problem.reason
        ));
    }
    if problems.is_empty() {
        return Ok(rows);
    }
    let shown: Vec<&str> = problems.iter().take(20).map(String::as_str).collect();
    let more = match problems.len() {
        n if n > 20 => format!("\n… and {} more", n - 20),
        _ => String::new(),
    };
    Err(Failure::input(format!(
        "{} problem(s) in {source}, nothing was imported:\n{}{more}",
        problems.len(),
        shown.join("\n")
    )))
}

/// Imports the CSV `bytes` into `table`: checked whole first, then appended (or upserted
/// by key) in batches that keep going past a failed chunk. Returns the rows stored.
pub async fn import(
    base: &BaseClient,
    table: &str,
    bytes: &[u8],
    source: &str,
    options: &ImportOptions,
) -> Result<usize, Failure> {
    let found = find_table(base, table).await?;
    let rows = read_rows(bytes, source, &found)?;
    let total = rows.len();
    if let Some(key) = &options.key {
        if !found.columns.iter().any(|c| c.name() == Some(key.as_str())) {
            return Err(Failure::not_found(format!(
                "--key: the table `{table}` has no column `{key}`"
            )));
        }
    }
    let bar = ProgressBar::with_draw_target(
        Some(total as u64),
        if options.progress {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} rows, {eta} left")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    let progress = bar.clone();
    let on_committed = move |range: std::ops::Range<usize>, _ids: &[String]| {
        progress.inc(range.len() as u64);
    };
    let concurrency = options.concurrency.max(1);
    let outcome = match (&options.key, options.resume) {
        (Some(key), true) => {
            base.upsert_rows(table, key.clone(), rows)
                .concurrency(concurrency)
                .on_committed(on_committed)
                .await
        }
        (Some(key), false) => {
            base.append_rows(table, rows)
                .batched()
                .keep_going()
                .unique_key(key.clone())
                .concurrency(concurrency)
                .on_committed(on_committed)
                .await
        }
        (None, _) => {
            base.append_rows(table, rows)
                .batched()
                .keep_going()
                .concurrency(concurrency)
                .on_committed(on_committed)
                .await
        }
    };
    match outcome {
        Ok(_) => {
            bar.finish_and_clear();
            Ok(total)
        }
        Err(e) => {
            bar.abandon();
            let Some(report) = e.batch() else {
                return Err(e.into());
            };
            let stored = report.row_ids().iter().filter(|id| id.is_some()).count();
            let mut message = format!(
                "the import stored {stored} of {total} rows (numbered from 0, after the header):"
            );
            for chunk in report.failed() {
                let applied = match chunk.applied {
                    Applied::No => "not stored",
                    Applied::Maybe => "may be stored: run again with --key COL --resume",
                    Applied::Yes => "stored, the answer was unreadable",
                };
                message.push_str(&format!(
                    "\n  rows {}..{} failed ({applied}): {}",
                    chunk.range.start, chunk.range.end, chunk.message
                ));
            }
            Err(Failure {
                code: if stored == 0 {
                    crate::failure::code_of(&e)
                } else {
                    9
                },
                message,
            })
        }
    }
}
