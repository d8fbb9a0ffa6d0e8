//! Auth operations beyond the token exchanges of `state.rs`: `pingWithAccountToken` and
//! the API-Tokens of a base (`listApiTokens`, `createApiToken`, `updateApiToken`,
//! `deleteApiToken`). A created token works for `getBaseToken` and the file operations
//! with its permission (a read-only one gives Base-Tokens that may not write); a deleted
//! one is refused from then on, while Base-Tokens obtained with it stay valid, as the spec
//! says of SeaTable.

use serde_json::{json, Value};

use super::state::{Reply, Request, State};
use crate::server::Operation;

/// One API-Token made with `createApiToken`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApiTokenRecord {
    pub api_token: String,
    pub base_uuid: String,
    pub app_name: String,
    /// `r` or `rw`.
    pub permission: String,
    pub generated_by: String,
    pub generated_at: String,
}

impl ApiTokenRecord {
    fn to_json(&self) -> Value {
        json!({
            "app_name": self.app_name,
            "api_token": self.api_token,
            "generated_by": self.generated_by,
            "generated_at": self.generated_at,
            "last_access": self.generated_at,
            "permission": self.permission,
        })
    }
}

pub(crate) fn now_iso() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string()
}

impl State {
    /// Whether `token` is an API-Token of a base (its own, a created or a temporary one).
    pub(crate) fn knows_api_token(&self, token: &str) -> bool {
        self.api_tokens.iter().any(|t| t.api_token == token)
            || self.bases.iter().any(|b| b.api_token == token)
            || self.temp_token_valid(token)
    }

    /// The user of the request's Account-Token, or the 401 to answer.
    pub(crate) fn account_user(&self, request: &Request) -> Result<String, Reply> {
        let Some(token) = request.credentials() else {
            return Err(Reply::detail(
                401,
                "Authentication credentials were not provided.",
            ));
        };
        self.account_tokens
            .get(token)
            .cloned()
            .ok_or_else(|| Reply::detail(401, "Invalid token"))
    }

    /// The base named `base_name` in workspace `workspace_id`, or the 404 to answer.
    pub(crate) fn base_in_workspace(
        &self,
        workspace_id: &str,
        base_name: &str,
    ) -> Result<usize, Reply> {
        self.bases
            .iter()
            .position(|b| b.name == base_name && b.workspace_id.to_string() == workspace_id)
            .ok_or_else(|| Reply::error_msg(404, &format!("dtable {base_name} not found.")))
    }

    /// The auth operations this file serves; `None` for the others.
    pub(crate) fn auth(
        &mut self,
        operation: Operation,
        request: &Request,
        param: &dyn Fn(&str) -> String,
    ) -> Option<Reply> {
        let result = match operation {
            Operation::PingWithAccountToken => self
                .account_user(request)
                .map(|_| Reply::json(200, &"pong")),
            Operation::ListApiTokens => self.list_api_tokens(request, param),
            Operation::CreateApiToken => self.create_api_token(request, param),
            Operation::UpdateApiToken => self.update_api_token(request, param),
            Operation::DeleteApiToken => self.delete_api_token(request, param),
            _ => return None,
        };
        Some(result.unwrap_or_else(|reply| reply))
    }

    fn token_base(
        &self,
        request: &Request,
        param: &dyn Fn(&str) -> String,
    ) -> Result<(String, String), Reply> {
        let user = self.account_user(request)?;
        let index = self.base_in_workspace(&param("workspace_id"), &param("base_name"))?;
        Ok((user, self.bases[index].uuid.clone()))
    }

    fn list_api_tokens(
        &mut self,
        request: &Request,
        param: &dyn Fn(&str) -> String,
    ) -> Result<Reply, Reply> {
        let (_, uuid) = self.token_base(request, param)?;
        let tokens: Vec<Value> = self
            .api_tokens
            .iter()
            .filter(|t| t.base_uuid == uuid)
            .map(ApiTokenRecord::to_json)
            .collect();
        Ok(Reply::json(200, &json!({ "api_tokens": tokens })))
    }

    fn create_api_token(
        &mut self,
        request: &Request,
        param: &dyn Fn(&str) -> String,
    ) -> Result<Reply, Reply> {
        let (user, uuid) = self.token_base(request, param)?;
        let fields = request.fields();
        let app_name = fields.get("app_name").map(|s| s.trim()).unwrap_or_default();
        if app_name.is_empty() {
            return Err(Reply::error_msg(400, "app_name invalid."));
        }
        let permission = fields
            .get("permission")
            .map(String::as_str)
            .unwrap_or_default();
        if permission != "r" && permission != "rw" {
            return Err(Reply::error_msg(400, "permission invalid."));
        }
        if self
            .api_tokens
            .iter()
            .any(|t| t.base_uuid == uuid && t.app_name == app_name)
        {
            return Err(Reply::error_msg(400, "api token already exist."));
        }
        let record = ApiTokenRecord {
            api_token: self.hex(40),
            base_uuid: uuid,
            app_name: app_name.to_string(),
            permission: permission.to_string(),
            generated_by: user,
            generated_at: now_iso(),
        };
        let answer = Reply::json(201, &record.to_json());
        self.api_tokens.push(record);
        Ok(answer)
    }

    fn update_api_token(
        &mut self,
        request: &Request,
        param: &dyn Fn(&str) -> String,
    ) -> Result<Reply, Reply> {
        let (_, uuid) = self.token_base(request, param)?;
        let app_name = param("app_name");
        let permission = request.fields().remove("permission").unwrap_or_default();
        if permission != "r" && permission != "rw" {
            return Err(Reply::error_msg(400, "permission invalid."));
        }
        let record = self
            .api_tokens
            .iter_mut()
            .find(|t| t.base_uuid == uuid && t.app_name == app_name)
            .ok_or_else(|| Reply::error_msg(404, "api token not found."))?;
        if record.permission == permission {
            return Err(Reply::error_msg(
                400,
                &format!("api token already has {permission} permission."),
            ));
        }
        record.permission = permission;
        Ok(Reply::json(200, &record.to_json()))
    }

    fn delete_api_token(
        &mut self,
        request: &Request,
        param: &dyn Fn(&str) -> String,
    ) -> Result<Reply, Reply> {
        let (_, uuid) = self.token_base(request, param)?;
        let app_name = param("app_name");
        let before = self.api_tokens.len();
        self.api_tokens
            .retain(|t| !(t.base_uuid == uuid && t.app_name == app_name));
        if self.api_tokens.len() == before {
            return Err(Reply::error_msg(404, "api token not found."));
        }
        Ok(Reply::json(200, &json!({"success": true})))
    }
}
