//! The SeaTable API tutorial in Rust: get a Base-Token, read the base's structure, add
//! "John Doe", list the rows, update one, query with SQL, and upload a file into a file
//! column.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Without settings it runs against `MockSeaTable`, an in-memory SeaTable started inside
//! this process, with a base like the tutorial's. To run it against a real server, set
//! `SEATABLE_SERVER_URL` (`https://cloud.seatable.io`) and `SEATABLE_API_TOKEN` (an
//! API-Token with write permission for a base with a table `Table1` and the columns
//! `First name` and `Last name` (text), `Age` (number) and `Invoice` (file)).

use std::error::Error;
use std::io::Write;

use seatable_api::testing::MockSeaTable;
use seatable_api::types::{MetadataResponse, Row, RowUpdate, SqlResult};
use seatable_api::{ApiTokenClient, Attachment, Client, FileUpload, UploadedFile};
use serde_json::{json, Map, Value};

/// The tutorial's table.
pub const TABLE: &str = "Table1";

/// The structure of the tutorial's base, as `getMetadata` returns it.
pub fn tutorial_metadata() -> Value {
    let column = |key: &str, name: &str, kind: &str, data: Value| {
        json!({"key": key, "name": name, "type": kind, "width": 200, "editable": true,
               "resizable": true, "data": data})
    };
    json!({"metadata": {
        "version": 1,
        "format_version": 9,
        "tables": [{
            "_id": "0000",
            "name": TABLE,
            "is_header_locked": false,
            "columns": [
                column("0000", "First name", "text", Value::Null),
                column("Ln01", "Last name", "text", Value::Null),
                column("Ag02", "Age", "number", json!({"format": "number", "decimal": "dot", "thousands": "no"})),
                column("Iv03", "Invoice", "file", Value::Null),
            ],
            "views": [{"_id": "0000", "name": "Default View", "type": "table"}]
        }]
    }})
}

/// What each step of the tutorial returned.
#[derive(Debug)]
pub struct Tutorial {
    /// Step 2: the base the Base-Token is for.
    pub base_uuid: String,
    /// Step 3: the structure of the base.
    pub metadata: MetadataResponse,
    /// Step 4: the id of the new "John Doe" row.
    pub row_id: String,
    /// Step 5: the rows of the table, cells by column name.
    pub rows: Vec<Row>,
    /// Step 6: the updated row, read back.
    pub updated: Row,
    /// Step 7: the SQL answer.
    pub sql: SqlResult,
    /// Step 8: the uploaded file.
    pub file: UploadedFile,
    /// Step 8: the row with the file in its `Invoice` cell.
    pub with_file: Row,
}

fn cell(row: &Row, name: &str) -> String {
    match row.extra.get(name) {
        None | Some(Value::Null) => "-".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn cells(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// Runs the tutorial's steps with the API-Token's client, printing each step and its
/// result to `out`.
pub async fn run_tutorial(
    api: &ApiTokenClient,
    out: &mut impl Write,
) -> Result<Tutorial, Box<dyn Error>> {
    writeln!(out, "Step 2: get a Base-Token with the API-Token")?;
    let base = api.base().await?;
    writeln!(out, "  base {}", base.base_uuid())?;
    if let Some(expires) = base.token_expires_at() {
        let left = expires
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default();
        writeln!(
            out,
            "  the Base-Token is valid for {} more hours",
            left.as_secs() / 3600
        )?;
    }

    writeln!(out, "Step 3: read the structure of the base")?;
    let metadata = base.get_metadata().await?;
    for table in &metadata.metadata.tables {
        let names: Vec<String> = table.columns.iter().map(column_name).collect();
        writeln!(
            out,
            "  table {} with columns {}",
            table.name,
            names.join(", ")
        )?;
    }

    writeln!(out, "Step 4: add John Doe")?;
    let john = cells(&[
        ("First name", json!("John")),
        ("Last name", json!("Doe")),
        ("Age", json!(41)),
    ]);
    let appended = base.append_rows(TABLE, [john]).await?;
    let row_id = appended
        .row_ids
        .first()
        .map(|r| r.id.clone())
        .ok_or("the append returned no row id")?;
    writeln!(out, "  added row {row_id}")?;

    writeln!(out, "Step 5: list the rows")?;
    let rows = base.list_rows(TABLE).convert_keys(true).await?.rows;
    for row in &rows {
        writeln!(
            out,
            "  {} {} ({})",
            cell(row, "First name"),
            cell(row, "Last name"),
            cell(row, "Age")
        )?;
    }

    writeln!(out, "Step 6: update John's age")?;
    let update = RowUpdate {
        row_id: row_id.clone(),
        row: cells(&[("Age", json!(42))]),
    };
    base.update_rows(TABLE, [update]).await?;
    let updated = base.get_row(&row_id, TABLE).convert_keys(true).await?;
    writeln!(out, "  Age is now {}", cell(&updated, "Age"))?;

    writeln!(out, "Step 7: query with SQL")?;
    let sql = base
        .query_sql(
            "SELECT `First name`, `Last name`, Age FROM Table1 WHERE Age > ? ORDER BY Age DESC",
        )
        .parameters([json!(40)])
        .convert_keys(true)
        .await?;
    for row in &sql.results {
        writeln!(
            out,
            "  {} {} is {}",
            cell(row, "First name"),
            cell(row, "Last name"),
            cell(row, "Age")
        )?;
    }

    writeln!(out, "Step 8: upload a file into the file column")?;
    let invoice = FileUpload::new(
        "invoice.txt",
        b"Invoice 2024-001: 1 tutorial, 0.00 EUR\n".to_vec(),
    )
    .mime_type("text/plain");
    let file = api.upload_attachment(invoice, Attachment::File).await?;
    writeln!(
        out,
        "  stored as {} ({} bytes) at {}",
        file.name(),
        file.size(),
        file.url()
    )?;
    let update = RowUpdate {
        row_id: row_id.clone(),
        row: cells(&[("Invoice", json!([file.cell_value()]))]),
    };
    base.update_rows(TABLE, [update]).await?;
    let with_file = base.get_row(&row_id, TABLE).convert_keys(true).await?;
    writeln!(
        out,
        "  the Invoice cell holds {}",
        cell(&with_file, "Invoice")
    )?;

    Ok(Tutorial {
        base_uuid: base.base_uuid().to_string(),
        metadata,
        row_id,
        rows,
        updated,
        sql,
        file,
        with_file,
    })
}

/// A column's name, whatever its type.
fn column_name(column: &seatable_api::types::Column) -> String {
    column.name().unwrap_or_default().to_string()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut out = std::io::stdout();
    let server = std::env::var("SEATABLE_SERVER_URL").ok();
    let token = std::env::var("SEATABLE_API_TOKEN").ok();
    // Held until the end: dropping it stops the stand-in.
    let mut _mock = None;
    let api = match (server, token) {
        (Some(server), Some(token)) => {
            writeln!(out, "Running against {server}")?;
            Client::new(&server)?.with_api_token(token)
        }
        _ => {
            writeln!(
                out,
                "SEATABLE_SERVER_URL and SEATABLE_API_TOKEN are not set: running against \
                 MockSeaTable, an in-memory SeaTable inside this process"
            )?;
            let mock = MockSeaTable::start().await?;
            let base = mock.add_base("Tutorial", tutorial_metadata())?;
            writeln!(
                out,
                "Step 1: the API-Token of the base is {}",
                base.api_token
            )?;
            let api = mock.client().with_api_token(base.api_token.as_str());
            _mock = Some(mock);
            api
        }
    };
    run_tutorial(&api, &mut out).await?;
    writeln!(out, "Done.")?;
    Ok(())
}
