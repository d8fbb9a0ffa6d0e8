//! `seatable events`: a base's changes as they happen, one JSON line each, on the client's
//! realtime stream (which reconnects and renews its token by itself).

use std::io::Write;

use futures_util::StreamExt;
use seatable_api::realtime::Event;
use seatable_api::BaseClient;
use serde_json::{json, Value};

use crate::failure::Failure;

/// Prints each event of `base` (only the changes of `table`, when named) until the stream
/// ends, Ctrl-C, or `count` changes were printed. "watching …" goes to stderr once joined,
/// so that a script knows when changes start to count.
pub async fn tail(
    base: &BaseClient,
    table: Option<&str>,
    count: Option<u64>,
) -> Result<(), Failure> {
    let table_id = match table {
        Some(name) => Some(base.table(name).await?.id),
        None => None,
    };
    let mut events = base.events().await?;
    eprintln!("watching base {} (Ctrl-C to stop)", base.base_uuid());
    let mut printed = 0u64;
    loop {
        let event = tokio::select! {
            event = events.next() => event,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let Some(event) = event else { return Ok(()) };
        let event = event?;
        let is_change = matches!(event, Event::BaseChanged { .. });
        if let (Some(id), Event::BaseChanged { operation, .. }) = (&table_id, &event) {
            if operation.table_id.as_deref() != Some(id.as_str()) {
                continue;
            }
        }
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", line(event))?;
        out.flush()?;
        if is_change {
            printed += 1;
            if count.is_some_and(|n| printed >= n) {
                return Ok(());
            }
        }
    }
}

/// One event as a JSON object whose `event` names its kind.
fn line(event: Event) -> Value {
    match event {
        Event::BaseChanged { operation, version } => json!({
            "event": "base_changed",
            "op_type": operation.op_type.as_str(),
            "table_id": operation.table_id,
            "row_id": operation.row_id,
            "version": version,
            "operation": operation.fields,
        }),
        Event::Notification { notification } => {
            json!({"event": "notification", "notification": notification})
        }
        Event::Reconnected => json!({"event": "reconnected"}),
        Event::Unknown { name, data } => json!({"event": "unknown", "name": name, "data": data}),
        other => json!({"event": "unknown", "debug": format!("{other:?}")}),
    }
}
