//! Print each change of a table as it happens, from SeaTable's realtime events.
//!
//! ```text
//! cargo run --example watch
//! ```
//!
//! Without settings it runs against `MockSeaTable`, an in-memory SeaTable started inside
//! this process: it watches `Table1`, makes a few writes of its own through the HTTP API,
//! prints the events they cause, and ends. To watch a real base until Ctrl-C, set
//! `SEATABLE_SERVER_URL` (`https://cloud.seatable.io`), `SEATABLE_API_TOKEN` (an
//! API-Token of the base) and optionally `SEATABLE_TABLE` (default `Table1`).

use std::collections::HashMap;
use std::error::Error;
use std::io::Write;
use std::time::Duration;

use futures_util::StreamExt;
use seatable_api::realtime::{Event, EventStream, Operation};
use seatable_api::testing::MockSeaTable;
use seatable_api::types::RowUpdate;
use seatable_api::{BaseClient, Client};
use serde_json::{json, Map, Value};

/// The watched table of the example's own base.
pub const TABLE: &str = "Table1";

/// One line for a change of `table`, or `None` when the change is of another table.
/// `names` maps table ids to names; `columns` column keys to names.
pub fn describe(
    operation: &Operation,
    version: Option<u64>,
    table: &str,
    names: &HashMap<String, String>,
    columns: &HashMap<String, String>,
) -> Option<String> {
    let table_id = operation.table_id.as_deref()?;
    if names.get(table_id).map(String::as_str) != Some(table) {
        return None;
    }
    // Cells come keyed by column key; show them by name.
    let cells = |value: Option<&Value>| -> String {
        let Some(Value::Object(cells)) = value else {
            return String::new();
        };
        let shown: Vec<String> = cells
            .iter()
            .filter(|(key, _)| !key.starts_with('_'))
            .map(|(key, value)| format!("{}={value}", columns.get(key).unwrap_or(key)))
            .collect();
        shown.join(", ")
    };
    let version = version.map(|v| format!("v{v} ")).unwrap_or_default();
    let op = operation.op_type.as_str();
    let fields = &operation.fields;
    Some(match op {
        "insert_row" => {
            let id = fields["row_data"]
                .get("_id")
                .and_then(Value::as_str)
                .unwrap_or("?");
            format!("{version}{op} {id}: {}", cells(fields.get("row_data")))
        }
        "modify_row" => format!(
            "{version}{op} {}: {}",
            operation.row_id.as_deref().unwrap_or("?"),
            cells(fields.get("updated"))
        ),
        _ => format!(
            "{version}{op} {}",
            operation.row_id.as_deref().unwrap_or("")
        ),
    })
}

/// Prints the changes of `table` from `events` (the base's stream) to `out` until
/// `limit` of them were printed, or, with no limit, until the stream ends.
pub async fn watch(
    base: &BaseClient,
    mut events: EventStream,
    table: &str,
    limit: Option<usize>,
    out: &mut impl Write,
) -> Result<usize, Box<dyn Error>> {
    let metadata = base.get_metadata().await?.metadata;
    let names: HashMap<String, String> = metadata
        .tables
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect();
    let columns: HashMap<String, String> = metadata
        .tables
        .iter()
        .filter(|t| t.name == table)
        .flat_map(|t| t.columns.iter())
        .filter_map(|c| Some((c.key()?.to_string(), c.name()?.to_string())))
        .collect();
    writeln!(out, "watching {table} of base {}", base.base_uuid())?;
    let mut printed = 0;
    while limit.is_none_or(|limit| printed < limit) {
        let Some(event) = events.next().await else {
            break;
        };
        match event? {
            Event::BaseChanged { operation, version } => {
                if let Some(line) = describe(&operation, version, table, &names, &columns) {
                    writeln!(out, "{line}")?;
                    printed += 1;
                }
            }
            Event::Reconnected => writeln!(out, "reconnected: changes made meanwhile were missed")?,
            _ => {}
        }
    }
    Ok(printed)
}

/// Writes to `table` through the HTTP API, as another user of the base would: three rows
/// added, one changed, one deleted (five changes).
pub async fn make_changes(base: &BaseClient, table: &str) -> Result<(), seatable_api::Error> {
    let row = |name: &str| -> Map<String, Value> {
        [("Name".to_string(), json!(name))].into_iter().collect()
    };
    let added = base
        .append_rows(table, [row("Ada"), row("Grace"), row("Edsger")])
        .await?;
    let ids: Vec<String> = added.row_ids.iter().map(|r| r.id.clone()).collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    base.update_rows(
        table,
        [RowUpdate {
            row_id: ids[0].clone(),
            row: row("Ada Lovelace"),
        }],
    )
    .await?;
    base.delete_rows(table, [ids[2].clone()]).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut out = std::io::stdout();
    if let (Ok(url), Ok(token)) = (
        std::env::var("SEATABLE_SERVER_URL"),
        std::env::var("SEATABLE_API_TOKEN"),
    ) {
        let table = std::env::var("SEATABLE_TABLE").unwrap_or_else(|_| TABLE.to_string());
        let base = Client::new(&url)?.base_with_api_token(token).await?;
        let events = base.events().await?;
        watch(&base, events, &table, None, &mut out).await?;
        return Ok(());
    }
    let mock = MockSeaTable::start().await?;
    let handle = mock.add_base(
        "Watched",
        json!({"tables": [{
            "_id": "0000", "name": TABLE,
            "columns": [{"key": "0000", "name": "Name", "type": "text"}],
            "views": [{"_id": "0000", "name": "Default View"}]
        }]}),
    )?;
    let base = mock
        .client()
        .base_with_api_token(handle.api_token.as_str())
        .await?;
    // Joined before the writes: a change made before the join is not sent.
    let events = base.events().await?;
    let writer = base.clone();
    let writes = tokio::spawn(async move { make_changes(&writer, TABLE).await });
    let watching = watch(&base, events, TABLE, Some(5), &mut out);
    let printed = tokio::time::timeout(Duration::from_secs(30), watching).await??;
    writes.await??;
    println!("{printed} changes seen");
    Ok(())
}
