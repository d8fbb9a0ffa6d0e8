//! Requests as other clients send them: where SeaTable's official SDKs send a request
//! differently from `spec/` and SeaTable accepts it anyway, MockSeaTable accepts it too,
//! by rewriting it into the spec's form before it is handled. Each case names how we know.
//!
//! - A path without its trailing slash (`POST …/dtables/{uuid}/sql`): the official Python
//!   SDK 4.0.0 builds the SQL URL so (`seatable_api/api_gateway.py`,
//!   `_dtable_db_query_url`), and its `Base.query` works against SeaTable; the path is
//!   routed as the spec's `…/sql/`. Only when the path as sent matches no operation.
//! - Links by table NAME (`createRowLinks`, `updateRowLinks`, `deleteRowLinks`): the
//!   Python SDK sends `table_name` and `other_table_name` (and `table_id` /
//!   `other_table_id` only when the name looks like a 4-character id: `like_table_id` in
//!   `seatable_api/utils.py`; `add_link`, `update_link`, `remove_link`,
//!   `batch_*_links` in `api_gateway.py`), where the spec requires the ids. A missing id,
//!   or one that names no table, is taken from the name.
//! - `listRowLinks` by `table_id` and `link_column_key`: the Python SDK's
//!   `get_linked_records` sends those (`api_gateway.py`), and the spec's description of
//!   the operation records that SeaTable accepts them for `table_name` and
//!   `link_column_name`.
//! - The `Token` authorization scheme (`Authorization: Token <jwt>`) where the spec says
//!   `Bearer`: every request of the Python SDK (`parse_headers` in `utils.py`); accepted by
//!   `Request::credentials`.
//! - `GET /api/v2.1/dtables/{uuid}/related-users/` with the Base-Token: the Python SDK's
//!   `get_related_users` (`_get_related_users_url` in `main.py`) asks the base's users
//!   there, the route before the API gateway; answered as the gateway's
//!   `listCollaborators`. Known from the SDK's source only: no recorded answer.
//! - `convert_keys=True` (Python's spelling of a true query boolean): the SDK's
//!   `list_rows` and `get_row`; accepted by the row reads.

use bytes::Bytes;
use serde_json::{Map, Value};

use super::base::BaseData;
use super::state::Request;
use crate::server::Operation;

/// The operation of `method` and `path`, with the path parameters (still
/// percent-encoded); a path without its trailing slash is tried with one.
pub(crate) fn route(method: &str, path: &str) -> Option<(Operation, Vec<(&'static str, String)>)> {
    let owned = |(operation, params): (Operation, Vec<(&'static str, &str)>)| {
        let params = params
            .into_iter()
            .map(|(name, value)| (name, value.to_string()))
            .collect();
        (operation, params)
    };
    if let Some(found) = Operation::route(method, path) {
        return Some(owned(found));
    }
    let slashed = if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    };
    if let Some(uuid) = slashed
        .strip_prefix("/api/v2.1/dtables/")
        .and_then(|rest| rest.strip_suffix("/related-users/"))
        .filter(|uuid| !uuid.contains('/'))
    {
        let gateway = format!("/api-gateway/api/v2/dtables/{uuid}/related-users/");
        return Operation::route(method, &gateway).map(owned);
    }
    if path.ends_with('/') {
        return None;
    }
    Operation::route(method, &slashed).map(owned)
}

/// The request in the spec's form for `base`, when it was sent in another client's form.
pub(crate) fn rewrite(base: &BaseData, operation: Operation, request: &Request) -> Option<Request> {
    let body = match operation {
        Operation::CreateRowLinks | Operation::UpdateRowLinks | Operation::DeleteRowLinks => {
            let mut body = json_object(request)?;
            let a = table_id_from_name(base, &body, "table_id", "table_name");
            let b = table_id_from_name(base, &body, "other_table_id", "other_table_name");
            if a.is_none() && b.is_none() {
                return None;
            }
            if let Some(id) = a {
                body.insert("table_id".into(), Value::String(id));
            }
            if let Some(id) = b {
                body.insert("other_table_id".into(), Value::String(id));
            }
            body
        }
        Operation::ListRowLinks => {
            let mut body = json_object(request)?;
            let mut changed = false;
            for (spec, alias) in [
                ("table_name", "table_id"),
                ("link_column_name", "link_column_key"),
            ] {
                if !body.contains_key(spec) {
                    if let Some(value) = body.get(alias).cloned() {
                        body.insert(spec.into(), value);
                        changed = true;
                    }
                }
            }
            if !changed {
                return None;
            }
            body
        }
        _ => return None,
    };
    let body = serde_json::to_vec(&Value::Object(body)).ok()?;
    Some(Request {
        method: request.method.clone(),
        path: request.path.clone(),
        query: request.query.clone(),
        headers: request.headers.clone(),
        body: Bytes::from(body),
    })
}

fn json_object(request: &Request) -> Option<Map<String, Value>> {
    match serde_json::from_slice(&request.body).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The id of the table named by `name_field`, when `id_field` is missing or names no
/// table of the base.
fn table_id_from_name(
    base: &BaseData,
    body: &Map<String, Value>,
    id_field: &str,
    name_field: &str,
) -> Option<String> {
    let id_known = body
        .get(id_field)
        .and_then(Value::as_str)
        .is_some_and(|id| base.tables.iter().any(|t| t.id() == id));
    if id_known {
        return None;
    }
    let name = body.get(name_field)?.as_str()?;
    base.tables
        .iter()
        .find(|t| t.info.name == name)
        .map(|t| t.id().to_string())
}
