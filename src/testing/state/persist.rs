//! The mock's state as a file: what `seatable-mock --state` loads at start and saves on
//! exit, so that a server stopped between two CI steps comes back with the same bases,
//! rows, users and tokens.
//!
//! The format is JSON with a name and a version, so that a later MockSeaTable can read
//! (or clearly refuse) an older file:
//!
//! ```json
//! {
//!   "format": "seatable-mock-state",
//!   "version": 1,
//!   "bases": [{
//!     "name": "Tutorial", "uuid": "…", "api_token": "…", "workspace_id": 1,
//!     "metadata": {"tables": […]},                 // as getMetadata answers it
//!     "rows": {"0000": [{"_id": "…", "0000": "Ada", …}]},  // per table id, cells by key
//!     "links": {"7V2M": [["row in table_id", "row in other_table_id"]]},
//!     "files": {"/files/2025-03/a.txt": "<base64>"},
//!     "file_times": {"/files/2025-03/a.txt": "2025-03-01T10:00:00.000+00:00"},
//!     "custom_uuids": {"/custom/q3.csv": "…"},
//!     "records": {                                  // what the base keeps besides tables
//!       "time_zone": "+00:00", "comments": […], "operations": […], "activities": […],
//!       "big_data_log": […], "auto_link_tasks": {"…": "success"}, "snapshots": [["…", 1767225600000]],
//!       "workflows": {"<token>": "Contacts"}, "workflow_tasks": [[1, "row id", "user"]],
//!       "serial": 7
//!     },
//!     "collaborators": [{"email": "…@auth.local", "name": "…", …}],
//!     "notifications": […], "notification_serial": 2, "toasts": […]
//!   }],
//!   "users": {"me@example.com": "secret"},
//!   "account_tokens": {"<token>": "me@example.com"},
//!   "base_tokens": [{"token": "…", "base_uuid": "…", "exp": 1767225600, "revoked": false, "permission": "rw"}],
//!   "temp_api_tokens": [{"token": "…", "base_uuid": "…", "exp": 1767225600}],
//!   "api_tokens": [{"api_token": "…", "base_uuid": "…", "app_name": "…", "permission": "r", …}],
//!   "account": {"groups": […], "starred": [["me@example.com", "<base uuid>"]], "base_ids": […], "next_id": 3}
//! }
//! ```
//!
//! Version 1 holds everything a client can build up through the operations: bases with
//! their tables, columns, views, rows (big-data rows among them, marked `_archived`),
//! links, files with their times and custom-folder UUIDs, comments, logs, tasks,
//! snapshots, workflows, time zone, collaborators, notifications and toasts; users;
//! Account-, Base-, temporary and created API-Tokens; groups, favourites and base ids.
//! Every part but `format`, `version` and a base's name, uuid, API-Token, workspace and
//! metadata may be left out. Faults, set answers, the exchange log, rate windows and
//! upload and download links (valid for minutes) belong to a run and are not saved.

use std::collections::{BTreeMap, HashMap};

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{IssuedToken, State};
use crate::testing::auth::ApiTokenRecord;
use crate::testing::base::BaseData;
use crate::testing::MockBase;
use crate::types::RelatedUser;

const FORMAT: &str = "seatable-mock-state";
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedState {
    format: String,
    version: u32,
    #[serde(default)]
    bases: Vec<SavedBase>,
    #[serde(default)]
    users: BTreeMap<String, String>,
    #[serde(default)]
    account_tokens: BTreeMap<String, String>,
    #[serde(default)]
    base_tokens: Vec<SavedBaseToken>,
    #[serde(default)]
    temp_api_tokens: Vec<SavedTempToken>,
    /// API-Tokens made with `createApiToken`.
    #[serde(default)]
    api_tokens: Vec<ApiTokenRecord>,
    /// Groups, favourites and base ids (`account::Accounts`).
    #[serde(default)]
    account: Option<Value>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedBase {
    name: String,
    uuid: String,
    api_token: String,
    workspace_id: i64,
    metadata: Value,
    #[serde(default)]
    rows: BTreeMap<String, Vec<Map<String, Value>>>,
    #[serde(default)]
    links: BTreeMap<String, Vec<(String, String)>>,
    /// File bytes in standard base64.
    #[serde(default)]
    files: BTreeMap<String, String>,
    #[serde(default)]
    file_times: BTreeMap<String, String>,
    #[serde(default)]
    custom_uuids: BTreeMap<String, String>,
    /// `base::records::Records`; absent, a base starts with none.
    #[serde(default)]
    records: Option<Value>,
    /// Absent, the base has its owner only.
    #[serde(default)]
    collaborators: Option<Vec<RelatedUser>>,
    #[serde(default)]
    notifications: Vec<Value>,
    #[serde(default)]
    notification_serial: i64,
    #[serde(default)]
    toasts: Vec<Value>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedBaseToken {
    token: String,
    base_uuid: String,
    exp: u64,
    revoked: bool,
    /// `r` or `rw`; read-write when absent.
    #[serde(default = "read_write")]
    permission: String,
}

fn read_write() -> String {
    "rw".to_string()
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedTempToken {
    token: String,
    base_uuid: String,
    exp: u64,
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

impl State {
    /// The state as the version-1 JSON document described in the module docs (pretty,
    /// with `format` and `version` first).
    pub(crate) fn to_saved(&self) -> Result<Vec<u8>, String> {
        let mut bases = Vec::with_capacity(self.bases.len());
        for base in &self.bases {
            let metadata = base
                .metadata_response()
                .map_err(|e| format!("base `{}`: {e}", base.name))?;
            bases.push(SavedBase {
                name: base.name.clone(),
                uuid: base.uuid.clone(),
                api_token: base.api_token.clone(),
                workspace_id: base.workspace_id,
                metadata: serde_json::to_value(metadata.metadata)
                    .map_err(|e| format!("base `{}`: {e}", base.name))?,
                rows: base
                    .tables
                    .iter()
                    .map(|t| (t.id().to_string(), t.rows.clone()))
                    .collect(),
                links: base
                    .links
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                files: base
                    .files
                    .iter()
                    .map(|(path, bytes)| (path.clone(), b64().encode(bytes)))
                    .collect(),
                file_times: base.file_times.clone(),
                custom_uuids: base.custom_uuids.clone(),
                records: Some(
                    serde_json::to_value(&base.records)
                        .map_err(|e| format!("base `{}`: {e}", base.name))?,
                ),
                collaborators: Some(base.collaborators.clone()),
                notifications: base.notifications.clone(),
                notification_serial: base.notification_serial,
                toasts: base.toasts.clone(),
            });
        }
        let mut base_tokens: Vec<SavedBaseToken> = self
            .base_tokens
            .iter()
            .map(|(token, issued)| SavedBaseToken {
                token: token.clone(),
                base_uuid: issued.base_uuid.clone(),
                exp: issued.exp,
                revoked: issued.revoked,
                permission: issued.permission.clone(),
            })
            .collect();
        base_tokens.sort_by(|a, b| a.token.cmp(&b.token));
        let mut temp_api_tokens: Vec<SavedTempToken> = self
            .temp_api_tokens
            .iter()
            .map(|(token, (uuid, exp))| SavedTempToken {
                token: token.clone(),
                base_uuid: uuid.clone(),
                exp: *exp,
            })
            .collect();
        temp_api_tokens.sort_by(|a, b| a.token.cmp(&b.token));
        let saved = SavedState {
            format: FORMAT.to_string(),
            version: VERSION,
            bases,
            users: self.users.clone(),
            account_tokens: self
                .account_tokens
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            base_tokens,
            temp_api_tokens,
            api_tokens: self.api_tokens.clone(),
            account: Some(serde_json::to_value(&self.account).map_err(|e| e.to_string())?),
        };
        serde_json::to_vec_pretty(&saved).map_err(|e| e.to_string())
    }

    /// Replaces the bases, users and tokens with those of a saved document. Nothing is
    /// changed when the document is refused; the error says where it is wrong.
    pub(crate) fn load_saved(&mut self, text: &str) -> Result<Vec<MockBase>, String> {
        let saved: SavedState = {
            let mut de = serde_json::Deserializer::from_str(text);
            serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let inner = e.inner();
                format!(
                    "line {} column {}: at `{}`: {}",
                    inner.line(),
                    inner.column(),
                    e.path(),
                    strip_position(&inner.to_string())
                )
            })?
        };
        if saved.format != FORMAT {
            return Err(format!(
                "`format` is `{}`, not `{FORMAT}`: not a seatable-mock state file",
                saved.format
            ));
        }
        if saved.version != VERSION {
            return Err(format!(
                "`version` is {}; this MockSeaTable reads version {VERSION}",
                saved.version
            ));
        }
        let mut bases = Vec::with_capacity(saved.bases.len());
        let mut handles = Vec::with_capacity(saved.bases.len());
        for (i, base) in saved.bases.into_iter().enumerate() {
            let at = format!("bases[{i}] (`{}`)", base.name);
            if bases.iter().any(|b: &BaseData| b.name == base.name) {
                return Err(format!("{at}: a base of that name comes earlier"));
            }
            let mut data = BaseData::new(
                base.uuid.clone(),
                base.name.clone(),
                base.api_token.clone(),
                base.workspace_id,
                base.metadata,
            )
            .map_err(|e| format!("{at}: {e}"))?;
            for (table_id, rows) in base.rows {
                let table = data
                    .tables
                    .iter_mut()
                    .find(|t| t.id() == table_id)
                    .ok_or_else(|| {
                        format!("{at}: rows for table `{table_id}`, which it has not")
                    })?;
                if let Some(j) = rows
                    .iter()
                    .position(|r| !r.get("_id").is_some_and(Value::is_string))
                {
                    return Err(format!("{at}: row {j} of table `{table_id}` has no `_id`"));
                }
                table.rows = rows;
            }
            data.links = base.links.into_iter().collect::<HashMap<_, _>>();
            for (path, encoded) in base.files {
                let bytes = b64()
                    .decode(encoded.as_bytes())
                    .map_err(|e| format!("{at}: file `{path}` is not base64: {e}"))?;
                data.files.insert(path, bytes);
            }
            data.file_times = base.file_times;
            data.custom_uuids = base.custom_uuids;
            if let Some(records) = base.records {
                data.records = from_part(records).map_err(|e| format!("{at}: records{e}"))?;
            }
            if let Some(collaborators) = base.collaborators {
                data.collaborators = collaborators;
            }
            data.notifications = base.notifications;
            data.notification_serial = base.notification_serial;
            data.toasts = base.toasts;
            handles.push(MockBase {
                uuid: base.uuid,
                api_token: base.api_token,
                name: base.name,
                workspace_id: base.workspace_id,
            });
            bases.push(data);
        }
        let account = match saved.account {
            Some(account) => from_part(account).map_err(|e| format!("account{e}"))?,
            None => Default::default(),
        };
        self.bases = bases;
        self.account = account;
        self.api_tokens = saved.api_tokens;
        self.users = saved.users;
        self.account_tokens = saved.account_tokens.into_iter().collect();
        self.base_tokens = saved
            .base_tokens
            .into_iter()
            .map(|t| {
                (
                    t.token,
                    IssuedToken {
                        base_uuid: t.base_uuid,
                        exp: t.exp,
                        revoked: t.revoked,
                        permission: t.permission,
                    },
                )
            })
            .collect();
        self.temp_api_tokens = saved
            .temp_api_tokens
            .into_iter()
            .map(|t| (t.token, (t.base_uuid, t.exp)))
            .collect();
        Ok(handles)
    }

    /// Every base, as a test or the `seatable-mock` binary reaches it.
    pub(crate) fn base_handles(&self) -> Vec<MockBase> {
        self.bases
            .iter()
            .map(|b| MockBase {
                uuid: b.uuid.clone(),
                api_token: b.api_token.clone(),
                name: b.name.clone(),
                workspace_id: b.workspace_id,
            })
            .collect()
    }
}

/// A part of the document kept as a JSON value, decoded; the error starts with the path
/// inside the part (`.comments[0].id: …`).
fn from_part<T: serde::de::DeserializeOwned>(part: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(part).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." {
            String::new()
        } else {
            format!(".{path}")
        };
        format!("{path}: {}", e.into_inner())
    })
}

/// serde_json appends ` at line L column C` to its messages; the position is given first.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    }
}
