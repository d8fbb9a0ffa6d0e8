//! The mock's realtime service (features `testing` and `realtime`): SeaTable's Socket.IO
//! endpoint at `/api-gateway/socket.io/`, websocket transport only. A client joins a base
//! with `join-room` (acknowledged, refused for an unknown, expired or foreign token, as
//! SeaTable's acknowledgement does); every write through the HTTP API that changes the
//! base's rows, columns or tables is then sent to the base's sockets as `update-dtable`
//! with the operation as JSON text and the base's version, in the shapes SeaTable uses
//! (`insert_row` with `row_data`, `modify_row` with `updated`, `delete_row`, column
//! operations with `column_key`). The operations are found by comparing the base before
//! and after each write, so every write operation is covered as it is. Link changes,
//! which live outside the rows, are not sent; table operations use the names
//! `insert_table`, `rename_table` and `delete_table`, which no public source confirms.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::base::{column_key, column_name, MockTable, StoredColumn};
use super::Shared;

const PATH: &str = "/api-gateway/socket.io/";
const BASE_PATH: &str = "/api-gateway/api/v2/dtables/";
const PING_INTERVAL: Duration = Duration::from_secs(25);

/// One change of one base, sent to the sockets that joined it.
#[derive(Clone, Debug)]
struct Change {
    base_uuid: String,
    operation: String,
    version: u64,
}

/// The sockets' side of the mock: where writes are announced.
pub(crate) struct Hub {
    changes: broadcast::Sender<Change>,
    versions: std::sync::Mutex<HashMap<String, u64>>,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub {
            changes: broadcast::channel(4096).0,
            versions: std::sync::Mutex::new(HashMap::new()),
        }
    }
}

impl Hub {
    fn announce(&self, base_uuid: &str, operations: Vec<Value>) {
        let mut versions = self.versions.lock().unwrap_or_else(|e| e.into_inner());
        let version = versions.entry(base_uuid.to_string()).or_insert(0);
        for operation in operations {
            *version += 1;
            // No receiver (nobody joined) is not an error.
            let _ = self.changes.send(Change {
                base_uuid: base_uuid.to_string(),
                operation: operation.to_string(),
                version: *version,
            });
        }
    }
}

/// The base a gateway write is for, when the request is one that may change it.
pub(crate) fn written_base(method: &str, path: &str) -> Option<String> {
    if method == "GET" {
        return None;
    }
    let rest = path.strip_prefix(BASE_PATH)?;
    let uuid = rest.split('/').next().filter(|u| !u.is_empty())?;
    Some(uuid.to_string())
}

/// The base's state before a write, to be compared with after it; `None` while no socket
/// is open, so that tests without one do not pay for the copies.
pub(crate) fn before(shared: &Shared, base_uuid: &str) -> Option<Snapshot> {
    if shared.hub.changes.receiver_count() == 0 {
        return None;
    }
    shared.state().tables_of(base_uuid)
}

/// Announces what changed in the base since `before`.
pub(crate) fn after(shared: &Shared, base_uuid: &str, before: Snapshot) {
    let Some(now) = shared.state().tables_of(base_uuid) else {
        return;
    };
    let operations = before.changes_to(&now);
    if !operations.is_empty() {
        shared.hub.announce(base_uuid, operations);
    }
}

#[derive(Clone)]
struct TableState {
    id: String,
    name: String,
    columns: Vec<StoredColumn>,
    rows: Vec<Map<String, Value>>,
}

/// The tables of a base at one moment.
pub(crate) struct Snapshot(Vec<TableState>);

impl Snapshot {
    pub(crate) fn of(tables: &[MockTable]) -> Snapshot {
        Snapshot(
            tables
                .iter()
                .map(|t| TableState {
                    id: t.id().to_string(),
                    name: t.info.name.clone(),
                    columns: t.columns.clone(),
                    rows: t.rows.clone(),
                })
                .collect(),
        )
    }

    /// The operations that turn `self` into `now`, in SeaTable's shapes: tables first,
    /// then columns, then rows, each in the base's order.
    fn changes_to(&self, now: &Snapshot) -> Vec<Value> {
        let mut ops = Vec::new();
        for old in &self.0 {
            match now.0.iter().find(|t| t.id == old.id) {
                None => ops.push(
                    json!({"op_type": "delete_table", "table_id": old.id, "table_name": old.name}),
                ),
                Some(new) if new.name != old.name => ops.push(json!({
                    "op_type": "rename_table", "table_id": old.id,
                    "new_name": new.name, "old_name": old.name,
                })),
                Some(_) => {}
            }
        }
        for new in &now.0 {
            match self.0.iter().find(|t| t.id == new.id) {
                None => {
                    ops.push(json!({"op_type": "insert_table", "table_id": new.id, "table_name": new.name}));
                }
                Some(old) => {
                    columns(old, new, &mut ops);
                    rows(old, new, &mut ops);
                }
            }
        }
        ops
    }
}

fn columns(old: &TableState, new: &TableState, ops: &mut Vec<Value>) {
    let table_id = &new.id;
    for column in &old.columns {
        if !new
            .columns
            .iter()
            .any(|c| column_key(c) == column_key(column))
        {
            ops.push(json!({
                "op_type": "delete_column", "table_id": table_id,
                "column_key": column_key(column), "column": column,
            }));
        }
    }
    for column in &new.columns {
        let key = column_key(column);
        match old.columns.iter().find(|c| column_key(c) == key) {
            None => ops.push(json!({
                "op_type": "insert_column", "table_id": table_id,
                "name": column_name(column), "column_type": column.get("type"),
                "column_key": key, "data": column.get("data"), "column": column,
            })),
            Some(before) if column_name(before) != column_name(column) => ops.push(json!({
                "op_type": "rename_column", "table_id": table_id, "column_key": key,
                "new_name": column_name(column), "old_name": column_name(before),
            })),
            Some(before) if before.get("width") != column.get("width") => ops.push(json!({
                "op_type": "modify_column_width", "table_id": table_id, "column_key": key,
                "new_width": column.get("width"), "old_width": before.get("width"),
            })),
            Some(before) if before != column => ops.push(json!({
                "op_type": "modify_column_data", "table_id": table_id, "column_key": key,
                "new_data": column, "old_data": before,
            })),
            Some(_) => {}
        }
    }
}

fn row_id(row: &Map<String, Value>) -> &str {
    row.get("_id").and_then(Value::as_str).unwrap_or_default()
}

fn rows(old: &TableState, new: &TableState, ops: &mut Vec<Value>) {
    let table_id = &new.id;
    let before: HashMap<&str, &Map<String, Value>> =
        old.rows.iter().map(|r| (row_id(r), r)).collect();
    let after: HashMap<&str, &Map<String, Value>> =
        new.rows.iter().map(|r| (row_id(r), r)).collect();
    for row in &old.rows {
        if !after.contains_key(row_id(row)) {
            ops.push(json!({"op_type": "delete_row", "table_id": table_id, "row_id": row_id(row)}));
        }
    }
    for (index, row) in new.rows.iter().enumerate() {
        let id = row_id(row);
        match before.get(id) {
            // SeaTable's `row_id` of an insertion is the row it was put below.
            None => ops.push(json!({
                "op_type": "insert_row", "table_id": table_id,
                "row_id": index.checked_sub(1).map(|i| row_id(&new.rows[i])),
                "row_insert_position": "insert_below",
                "row_data": row,
            })),
            Some(old_row) => {
                let updated: Map<String, Value> = row
                    .iter()
                    .filter(|(k, v)| !k.starts_with('_') && old_row.get(*k) != Some(v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .chain(
                        old_row
                            .keys()
                            .filter(|k| !k.starts_with('_') && !row.contains_key(*k))
                            .map(|k| (k.clone(), Value::Null)),
                    )
                    .collect();
                if !updated.is_empty() {
                    ops.push(json!({
                        "op_type": "modify_row", "table_id": table_id, "row_id": id,
                        "updated": updated,
                    }));
                }
            }
        }
    }
}

/// Whether `request` opens the realtime service's websocket.
pub(crate) fn is_socket_io(request: &hyper::Request<Incoming>) -> bool {
    request.uri().path().trim_end_matches('/') == PATH.trim_end_matches('/')
}

/// Answers the websocket upgrade and serves the socket once upgraded; a request that is
/// not a websocket upgrade gets Engine.IO's 400.
pub(crate) fn accept(
    shared: Arc<Shared>,
    mut request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let query: HashMap<String, String> = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let key = request
        .headers()
        .get("sec-websocket-key")
        .map(|k| derive_accept_key(k.as_bytes()));
    let (Some(accept), Some("websocket"), Some("4")) = (
        key,
        query.get("transport").map(String::as_str),
        query.get("EIO").map(String::as_str),
    ) else {
        let mut response = hyper::Response::new(Full::new(Bytes::from_static(
            br#"{"code":3,"message":"Bad request: this mock serves EIO=4 over websocket only"}"#,
        )));
        *response.status_mut() = hyper::StatusCode::BAD_REQUEST;
        return response;
    };
    let room = query.get("dtable_uuid").cloned().unwrap_or_default();
    let upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        let Ok(upgraded) = upgrade.await else { return };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        serve(shared, ws, room).await;
    });
    let mut response = hyper::Response::new(Full::new(Bytes::new()));
    *response.status_mut() = hyper::StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(
        "connection",
        hyper::header::HeaderValue::from_static("Upgrade"),
    );
    headers.insert(
        "upgrade",
        hyper::header::HeaderValue::from_static("websocket"),
    );
    if let Ok(value) = hyper::header::HeaderValue::from_str(&accept) {
        headers.insert("sec-websocket-accept", value);
    }
    response
}

/// One socket: the Engine.IO open, the namespace connect, `join-room`, then the base's
/// changes and a ping every 25 s until the client leaves.
async fn serve<S>(shared: Arc<Shared>, mut ws: WebSocketStream<S>, room: String)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let sid = format!("mock{:016x}", shared.state().random());
    let open = json!({
        "sid": sid, "upgrades": [], "maxPayload": 1_000_000,
        "pingInterval": PING_INTERVAL.as_millis() as u64, "pingTimeout": 20_000,
    });
    if ws.send(Message::text(format!("0{open}"))).await.is_err() {
        return;
    }
    let mut changes = shared.hub.changes.subscribe();
    let mut joined: Option<String> = None;
    let mut ping = tokio::time::interval(PING_INTERVAL);
    ping.tick().await;
    loop {
        let outgoing = tokio::select! {
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Text(text))) => answer(&shared, text.as_str(), &sid, &room, &mut joined),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => None,
            },
            change = changes.recv() => match change {
                Ok(change) if joined.as_deref() == Some(change.base_uuid.as_str()) => Some(format!(
                    "42{}",
                    json!(["update-dtable", change.operation, change.version])
                )),
                Ok(_) => None,
                Err(broadcast::error::RecvError::Lagged(_)) => None,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = ping.tick() => Some("2".to_string()),
        };
        if let Some(text) = outgoing {
            if text == "close" {
                let _ = ws.close(None).await;
                return;
            }
            if ws.send(Message::text(text)).await.is_err() {
                return;
            }
        }
    }
}

/// The answer to one text message from the client, if any (`close` ends the socket).
fn answer(
    shared: &Shared,
    text: &str,
    sid: &str,
    room: &str,
    joined: &mut Option<String>,
) -> Option<String> {
    match text {
        "3" => None,
        "40" => Some(format!("40{}", json!({"sid": sid}))),
        "41" | "1" => Some("close".to_string()),
        _ => {
            let packet = text.strip_prefix("42")?;
            let digits = packet
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(packet.len());
            let ack = &packet[..digits];
            let args: Vec<Value> = serde_json::from_str(&packet[digits..]).ok()?;
            if args.first().and_then(Value::as_str) != Some("join-room") {
                return None;
            }
            let uuid = args.get(1).and_then(Value::as_str).unwrap_or_default();
            let token = args.get(2).and_then(Value::as_str).unwrap_or_default();
            let refusal = if uuid != room {
                Some("permission_denied")
            } else {
                shared.state().join_refusal(uuid, token)
            };
            let reply = match refusal {
                None => {
                    *joined = Some(uuid.to_string());
                    json!({"success": true, "type": "joined_successfully"})
                }
                Some(error_type) => json!({"success": false, "error_type": error_type}),
            };
            (!ack.is_empty()).then(|| format!("43{ack}{}", json!([reply])))
        }
    }
}
