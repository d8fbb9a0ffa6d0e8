//! What a base's realtime stream yields: [`Event`], decoded from the Socket.IO events
//! SeaTable sends, with the raw data kept for anything that is not understood.
//!
//! What is typed, and on what evidence (public sources, no live server):
//! - `update-dtable` carries two arguments: the operation as JSON *text* and the base's
//!   version number after it (dtable-server's `execHttpOperation`:
//!   `emit('update-dtable', JSON.stringify(operation), version)`).
//! - Every operation is an object with a string `op_type`; row operations carry
//!   `table_id` and, for single rows, `row_id` (dtable-server's `insertRowToTable`,
//!   `modifyTableRow`, `deleteTableRow`). The known `op_type` names are those of the
//!   dtable-store `OPERATION_TYPE` list; the set is open, so others decode as
//!   [`OperationType::Unknown`].
//! - `new-notification` carries one argument, the notification as JSON text; its fields
//!   are not documented publicly, so it stays JSON.

use serde_json::{Map, Value};

/// One thing that happened to a watched base.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A change of the base (`update-dtable`): rows, columns, tables or views.
    BaseChanged {
        /// The operation that was applied.
        operation: Operation,
        /// The base's version after the operation, when the server sent one.
        version: Option<u64>,
    },
    /// A notification for the user (`new-notification`), as SeaTable sent it.
    Notification {
        /// The notification's JSON (decoded from the JSON text SeaTable sends; a string
        /// when it was not JSON).
        notification: Value,
    },
    /// The connection was lost and has been made again with the base rejoined: changes
    /// made in between were not seen, so re-read what matters.
    Reconnected,
    /// An event this client does not know, or a known one whose data did not have the
    /// expected shape: its name and every argument as received (an operation that was
    /// not a JSON object stays the string it came as).
    Unknown {
        /// The Socket.IO event name (empty when the event had none).
        name: String,
        /// The event's arguments.
        data: Vec<Value>,
    },
}

/// A change of the base, as SeaTable broadcasts it.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// What kind of change (`op_type`).
    pub op_type: OperationType,
    /// The table it changed (`table_id`), for row, column and table operations.
    pub table_id: Option<String>,
    /// The row it changed (`row_id`), for single-row operations. For `insert_row` it is
    /// SeaTable's anchor, the row the new one was put next to; the new row, with its
    /// `_id`, is `fields["row_data"]`.
    pub row_id: Option<String>,
    /// Every field of the operation as sent, `op_type`, `table_id` and `row_id`
    /// included: the rest differs by operation (`row_data`, `updated`, `row_ids`…).
    pub fields: Map<String, Value>,
}

macro_rules! operation_types {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// The `op_type` of an [`Operation`]. Open: a name this client does not know is
        /// kept in [`Unknown`](OperationType::Unknown); match on
        /// [`as_str`](OperationType::as_str) to handle it.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum OperationType {
            $($(#[$doc])* $variant,)*
            /// Another `op_type`, as sent.
            Unknown(String),
        }

        impl OperationType {
            /// The `op_type` as SeaTable spells it.
            ///
            /// ```no_run
            /// assert_eq!(seatable_api::realtime::OperationType::InsertRow.as_str(), "insert_row");
            /// ```
            pub fn as_str(&self) -> &str {
                match self {
                    $(OperationType::$variant => $name,)*
                    OperationType::Unknown(name) => name,
                }
            }

            fn from_name(name: &str) -> OperationType {
                match name {
                    $($name => OperationType::$variant,)*
                    other => OperationType::Unknown(other.to_string()),
                }
            }
        }
    };
}

operation_types! {
    /// A row was added (`insert_row`).
    InsertRow = "insert_row",
    /// One row was changed (`modify_row`).
    ModifyRow = "modify_row",
    /// Several rows were changed (`modify_rows`).
    ModifyRows = "modify_rows",
    /// One row was deleted (`delete_row`).
    DeleteRow = "delete_row",
    /// Several rows were deleted (`delete_rows`).
    DeleteRows = "delete_rows",
    /// Deleted rows were restored (`restore_rows`).
    RestoreRows = "restore_rows",
    /// Rows should be read again (`reload_rows`).
    ReloadRows = "reload_rows",
    /// A row was moved (`move_row`).
    MoveRow = "move_row",
    /// A column was added (`insert_column`).
    InsertColumn = "insert_column",
    /// A column was deleted (`delete_column`).
    DeleteColumn = "delete_column",
    /// A column was renamed (`rename_column`).
    RenameColumn = "rename_column",
    /// A column's settings changed (`modify_column_data`).
    ModifyColumnData = "modify_column_data",
    /// A column's width changed (`modify_column_width`).
    ModifyColumnWidth = "modify_column_width",
    /// The columns' order changed (`modify_column_order`).
    ModifyColumnOrder = "modify_column_order",
}

impl Event {
    /// The event of a Socket.IO event's arguments (the name first). Never fails: what does
    /// not have the expected shape becomes [`Event::Unknown`] with the data as received.
    pub(crate) fn from_socket_io(mut args: Vec<Value>) -> Event {
        let name = match args.first() {
            Some(Value::String(name)) => name.clone(),
            _ => {
                return Event::Unknown {
                    name: String::new(),
                    data: args,
                }
            }
        };
        args.remove(0);
        let decoded = match name.as_str() {
            "update-dtable" => base_changed(&args),
            "new-notification" => notification(&args),
            _ => None,
        };
        decoded.unwrap_or(Event::Unknown { name, data: args })
    }
}

fn base_changed(args: &[Value]) -> Option<Event> {
    let fields = match args.first()? {
        Value::String(text) => match serde_json::from_str(text).ok()? {
            Value::Object(fields) => fields,
            _ => return None,
        },
        Value::Object(fields) => fields.clone(),
        _ => return None,
    };
    let op_type = OperationType::from_name(fields.get("op_type")?.as_str()?);
    let text = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_string);
    Some(Event::BaseChanged {
        operation: Operation {
            op_type,
            table_id: text("table_id"),
            row_id: text("row_id"),
            fields: fields.clone(),
        },
        version: args.get(1).and_then(Value::as_u64),
    })
}

fn notification(args: &[Value]) -> Option<Event> {
    let notification = match args.first()? {
        Value::String(text) => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
        }
        other => other.clone(),
    };
    Some(Event::Notification { notification })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn update_dtable_is_typed() {
        let op =
            r#"{"op_type":"modify_row","table_id":"0000","row_id":"r1","updated":{"0000":"x"}}"#;
        let event = Event::from_socket_io(vec![json!("update-dtable"), json!(op), json!(7)]);
        let Event::BaseChanged { operation, version } = event else {
            panic!("{event:?}")
        };
        assert_eq!(operation.op_type, OperationType::ModifyRow);
        assert_eq!(operation.table_id.as_deref(), Some("0000"));
        assert_eq!(operation.row_id.as_deref(), Some("r1"));
        assert_eq!(operation.fields["updated"], json!({"0000": "x"}));
        assert_eq!(version, Some(7));
    }

    #[test]
    fn unknown_op_type_is_kept() {
        let event = Event::from_socket_io(vec![
            json!("update-dtable"),
            json!(r#"{"op_type":"insert_table"}"#),
        ]);
        let Event::BaseChanged { operation, version } = event else {
            panic!("{event:?}")
        };
        assert_eq!(
            operation.op_type,
            OperationType::Unknown("insert_table".into())
        );
        assert_eq!(operation.op_type.as_str(), "insert_table");
        assert_eq!(version, None);
    }

    #[test]
    fn malformed_data_stays_raw() {
        for args in [
            vec![json!("update-dtable"), json!("{not json")],
            vec![json!("update-dtable"), json!("[1,2]")],
            vec![json!("update-dtable"), json!(r#"{"op_type": 5}"#)],
            vec![json!("update-dtable")],
            vec![json!("new-notification")],
            vec![json!("something-else"), json!(1)],
        ] {
            let name = args[0].as_str().unwrap().to_string();
            let data = args[1..].to_vec();
            assert_eq!(Event::from_socket_io(args), Event::Unknown { name, data });
        }
        assert_eq!(
            Event::from_socket_io(vec![json!(3), json!("x")]),
            Event::Unknown {
                name: String::new(),
                data: vec![json!(3), json!("x")]
            }
        );
    }

    #[test]
    fn notification_text_is_decoded() {
        let event = Event::from_socket_io(vec![
            json!("new-notification"),
            json!(r#"{"msg_type":"comment"}"#),
        ]);
        assert_eq!(
            event,
            Event::Notification {
                notification: json!({"msg_type": "comment"})
            }
        );
        let event = Event::from_socket_io(vec![json!("new-notification"), json!("plain")]);
        assert_eq!(
            event,
            Event::Notification {
                notification: json!("plain")
            }
        );
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use crate::realtime::protocol::{engine_packet, socket_packet, EnginePacket, SocketPacket};

    /// Random text built from the characters that matter to the parsers, through the whole
    /// decoding path: nothing may panic. The seed is printed; set `REALTIME_FUZZ_SEED` to
    /// repeat a run.
    #[test]
    fn random_packets_never_panic() {
        let seed = std::env::var("REALTIME_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| (crate::transport::retry::jitter() * 1e15) as u64);
        println!("REALTIME_FUZZ_SEED={seed}");
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let pieces = [
            "0",
            "1",
            "2",
            "3",
            "4",
            "5",
            "6",
            "9",
            "/",
            ",",
            "-",
            "[",
            "]",
            "{",
            "}",
            "\"",
            ":",
            "\\",
            "é",
            "update-dtable",
            "new-notification",
            "op_type",
            "\"op_type\"",
            "null",
            "true",
            "99999999999999999999",
            "1e400",
            " ",
            "\\u0000",
            "{\"op_type\":",
            "\"insert_row\"",
            "\"table_id\":",
            "\"row_id\":",
        ];
        let rounds = if std::env::var("CI").is_ok() {
            20_000
        } else {
            100_000
        };
        for _ in 0..rounds {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            if let EnginePacket::Message(packet) = engine_packet(&text) {
                if let Ok(SocketPacket::Event(args)) = socket_packet(packet) {
                    let _ = Event::from_socket_io(args);
                }
            }
            let _ = socket_packet(&text);
            for name in ["update-dtable", "new-notification"] {
                let _ = Event::from_socket_io(vec![Value::from(name), Value::String(text.clone())]);
            }
            if let Ok(Value::Array(args)) = serde_json::from_str::<Value>(&text) {
                let _ = Event::from_socket_io(args);
            }
        }
    }
}
