//! What a base of the stand-in keeps besides its tables: who is writing, row comments,
//! the change logs (operations, row activities, big data), auto-link tasks, snapshots and
//! workflows. The operations that read and change them live in their own files.

use std::collections::HashMap;
use std::time::SystemTime;

use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::cells::Zone;
use super::CREATOR;
use crate::testing::state::Request;

/// Who sends the current request, from its Base-Token (a JWT whose payload names the
/// `username` for an Account-Token's base token, or the `app_name` of an API-Token).
#[derive(Clone, Debug, Default)]
pub(crate) struct Actor {
    username: Option<String>,
    app_name: Option<String>,
}

impl Actor {
    pub fn of(request: &Request) -> Actor {
        let payload = request
            .credentials()
            .and_then(|token| token.split('.').nth(1))
            .and_then(|part| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(part.trim_end_matches('='))
                    .ok()
            })
            .and_then(|bytes: Vec<u8>| serde_json::from_slice::<Value>(&bytes).ok())
            .unwrap_or(Value::Null);
        let text = |field: &str| {
            payload
                .get(field)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Actor {
            username: text("username"),
            app_name: text("app_name"),
        }
    }

    /// The user id written into `_creator`, `_last_modifier`, comment authors and logs:
    /// the token's user, or for an API-Token the base owner (the recorded rows written
    /// with an API-Token carry a user id there, not the app's name).
    pub fn user(&self) -> String {
        self.username.clone().unwrap_or_else(|| CREATOR.to_string())
    }

    /// What `_locked_by` holds: the API-Token's app name (recorded: `"automated-test"`),
    /// else the user.
    pub fn locker(&self) -> String {
        self.app_name.clone().unwrap_or_else(|| self.user())
    }

    /// The app of an API-Token, for the logs' `app` / `op_app` fields.
    pub fn app(&self) -> Option<String> {
        self.app_name.clone()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Comment {
    pub id: i64,
    pub author: String,
    pub comment: String,
    pub row_id: String,
    pub created_at: SystemTime,
}

/// One entry of the big-data change log, with what `restoreBigDataOperation` needs to
/// undo it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BigDataEntry {
    pub id: i64,
    pub op_time: u64,
    #[serde(deserialize_with = "op_type")]
    pub op_type: &'static str,
    pub author: String,
    pub table_id: String,
    pub row_id: String,
    /// The row after the operation (`add_row`, `modify_row`) or before it (`delete_row`),
    /// keyed by column key with the system fields.
    pub row: Map<String, Value>,
    /// For `modify_row`: the row before.
    pub before: Option<Map<String, Value>>,
    pub restored: bool,
}

/// Saved in the state file whole but for `actor`, which belongs to the request being
/// served.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Records {
    #[serde(rename = "time_zone", with = "zone_text")]
    pub zone: Zone,
    #[serde(skip)]
    pub actor: Actor,
    pub comments: Vec<Comment>,
    /// `listOperationLog` entries, oldest first (already in the spec's shape).
    pub operations: Vec<Value>,
    /// `listRowActivities` entries, oldest first.
    pub activities: Vec<super::history::Activity>,
    /// The column descriptions the newest activities share (see `history::Activity`).
    #[serde(skip)]
    pub activity_columns: Vec<std::sync::Arc<super::history::ColumnFacts>>,
    #[serde(deserialize_with = "big_data_log")]
    pub big_data_log: Vec<BigDataEntry>,
    /// `autoLinkRows` task id → its state.
    #[serde(deserialize_with = "task_states")]
    pub auto_link_tasks: HashMap<String, &'static str>,
    /// `createSnapshot`: (commit id, time in milliseconds), oldest first.
    pub snapshots: Vec<(String, u64)>,
    /// Workflow token → name of the workflow's table.
    pub workflows: HashMap<String, String>,
    /// `submitWorkflowTask` tasks: (id, row id, initiator).
    pub workflow_tasks: Vec<(i64, String, String)>,
    serial: i64,
}

impl Records {
    /// The next id of a comment, log entry or task (one sequence for all of them, so an
    /// id is never reused within a base).
    pub fn next_id(&mut self) -> i64 {
        self.serial += 1;
        self.serial
    }
}

/// The kinds of big-data log entry (`BigDataEntry::op_type`).
const OP_TYPES: [&str; 3] = ["add_row", "modify_row", "delete_row"];
/// The states an auto-link task can be in.
const TASK_STATES: [&str; 1] = ["success"];

/// A saved text that must be one of `known` (the field is `&'static str` so that the
/// stand-in's own writers can only name those); anything else is refused with the list.
fn known<E: serde::de::Error>(text: &str, known: &[&'static str]) -> Result<&'static str, E> {
    known
        .iter()
        .copied()
        .find(|k| *k == text)
        .ok_or_else(|| E::custom(format!("`{text}` is not one of {}", known.join(", "))))
}

fn op_type<'de, D: Deserializer<'de>>(de: D) -> Result<&'static str, D::Error> {
    known(&String::deserialize(de)?, &OP_TYPES)
}

/// serde takes a `&'static str` field as borrowed from the input, so `BigDataEntry`
/// deserializes from `'static` data only: the log is read into a value first.
fn big_data_log<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<BigDataEntry>, D::Error> {
    Vec::<BigDataEntry>::deserialize(Value::deserialize(de)?).map_err(serde::de::Error::custom)
}

fn task_states<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<HashMap<String, &'static str>, D::Error> {
    HashMap::<String, String>::deserialize(de)?
        .into_iter()
        .map(|(task, state)| Ok((task, known(&state, &TASK_STATES)?)))
        .collect()
}

/// The time zone as `Zone::parse` reads it back.
mod zone_text {
    use super::*;

    pub fn serialize<S: Serializer>(zone: &Zone, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&zone.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Zone, D::Error> {
        Zone::parse(&String::deserialize(de)?).map_err(serde::de::Error::custom)
    }
}

pub(crate) fn unix_millis(at: SystemTime) -> u64 {
    at.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

pub(crate) fn iso_utc(at: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(at)
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string()
}

/// `page` (from 1) and `per_page` query parameters, or the 400 naming the bad one.
pub(crate) fn paging(
    request: &Request,
    default_per_page: usize,
) -> Result<(usize, usize), crate::testing::state::Reply> {
    let number = |name: &str, default: usize| match request.query(name) {
        None | Some("") => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                crate::testing::state::Reply::error_message(400, &format!("{name} invalid"))
            }),
    };
    Ok((number("page", 1)?, number("per_page", default_per_page)?))
}

/// The entries of one page, newest first.
pub(crate) fn newest_first_page(entries: &[Value], page: usize, per_page: usize) -> Vec<Value> {
    entries
        .iter()
        .rev()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .cloned()
        .collect()
}

/// A row's display name in logs: its first column's value as text.
pub(crate) fn row_name(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}
