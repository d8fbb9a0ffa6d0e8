//! The base's users (`listCollaborators`) and their notifications: `listNotifications`,
//! `markNotificationsSeen`, `markNotificationSeen`, `deleteNotifications`, and toasts
//! (`sendToastNotification`).
//!
//! Notifications belong to the user named in the Base-Token (`username` of its JWT): a
//! Base-Token from an API-Token names nobody and sees none, as on SeaTable. Tests add them
//! with `MockSeaTable::add_notification`.

use std::collections::HashMap;

use base64::Engine;
use serde_json::{json, Map, Value};

use super::{now_iso, BaseData, CREATOR};
use crate::base::SendToastNotificationRequest;
use crate::testing::state::{Reply, Request};
use crate::types::{RelatedUser, SuccessResult};

/// The owner every base starts with: the user the stand-in writes into `_creator`.
pub(crate) fn owner() -> RelatedUser {
    RelatedUser {
        email: CREATOR.to_string(),
        name: "Mock Owner".to_string(),
        contact_email: Some("owner@mock-seatable.invalid".to_string()),
        avatar_url: Some("https://mock-seatable.invalid/media/avatars/default.png".to_string()),
        id_in_org: Some(String::new()),
        is_admin: Some(true),
        name_pinyin: Some(String::new()),
        extra: Map::new(),
    }
}

/// The `username` a Base-Token's JWT carries (empty for one from an API-Token).
fn token_user(request: &Request) -> String {
    request
        .credentials()
        .and_then(|token| token.split('.').nth(1))
        .and_then(|payload| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload.trim_end_matches('='))
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .and_then(|claims| claims.get("username")?.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// `seen` of a form body: SeaTable takes only the texts `true` and `false`.
fn seen_field(request: &Request) -> Result<bool, Reply> {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    match form.get("seen").map(String::as_str) {
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(Reply::error_msg(400, &format!("seen {other} invalid."))),
        None => Err(Reply::error_msg(400, "seen invalid.")),
    }
}

fn success() -> Reply {
    Reply::json(
        200,
        &SuccessResult {
            success: true,
            extra: Map::new(),
        },
    )
}

impl BaseData {
    pub(super) fn list_collaborators(&self) -> Result<Reply, Reply> {
        Ok(Reply::json(
            200,
            &json!({ "user_list": self.collaborators }),
        ))
    }

    /// A new unseen notification for `username`; returns its id.
    pub(crate) fn add_notification(
        &mut self,
        username: &str,
        msg_type: &str,
        detail: Value,
    ) -> i64 {
        self.notification_serial += 1;
        let id = self.notification_serial;
        self.notifications.push(json!({
            "id": id,
            "username": username,
            "dtable_uuid": self.uuid,
            "msg_type": msg_type,
            "created_at": now_iso(),
            "seen": 0,
            "detail": detail,
        }));
        id
    }

    fn addressed_to(notification: &Value, user: &str) -> bool {
        notification.get("username").and_then(Value::as_str) == Some(user)
    }

    pub(super) fn list_notifications(&self, request: &Request) -> Result<Reply, Reply> {
        let user = token_user(request);
        let list: Vec<&Value> = self
            .notifications
            .iter()
            .filter(|n| Self::addressed_to(n, &user))
            .collect();
        Ok(Reply::json(200, &json!({ "notification_list": list })))
    }

    pub(super) fn mark_notifications_seen(&mut self, request: &Request) -> Result<Reply, Reply> {
        let seen = seen_field(request)?;
        let user = token_user(request);
        for n in self.notifications.iter_mut() {
            if Self::addressed_to(n, &user) {
                n["seen"] = json!(i64::from(seen));
            }
        }
        Ok(success())
    }

    /// One notification by id; another user's counts as missing (inferred: the answer
    /// for an unknown id is not recorded).
    pub(super) fn mark_notification_seen(
        &mut self,
        request: &Request,
        id: &str,
    ) -> Result<Reply, Reply> {
        let seen = seen_field(request)?;
        let user = token_user(request);
        let number: i64 = id
            .parse()
            .map_err(|_| Reply::error_msg(400, &format!("notification_id {id} invalid.")))?;
        let notification = self
            .notifications
            .iter_mut()
            .find(|n| n.get("id").and_then(Value::as_i64) == Some(number))
            .filter(|n| Self::addressed_to(n, &user))
            .ok_or_else(|| Reply::error_msg(404, &format!("notification {id} not found.")))?;
        notification["seen"] = json!(i64::from(seen));
        Ok(success())
    }

    pub(super) fn delete_notifications(&mut self, request: &Request) -> Result<Reply, Reply> {
        let user = token_user(request);
        self.notifications.retain(|n| !Self::addressed_to(n, &user));
        Ok(success())
    }

    /// `sendToastNotification`: kept for the test to read (`MockSeaTable::toasts`), since
    /// no web UI shows it. Any non-empty recipient is taken: whether SeaTable checks it
    /// is not recorded, and a toast for nobody is simply not seen.
    pub(super) fn send_toast(&mut self, request: &Request) -> Result<Reply, Reply> {
        let body: SendToastNotificationRequest = request.json()?;
        if body.to_user.trim().is_empty() {
            return Err(Reply::error_message(400, "to_user invalid"));
        }
        let toast_type = body
            .toast_type
            .as_ref()
            .map(|t| t.as_str().to_string())
            .unwrap_or_else(|| "success".into());
        if !matches!(toast_type.as_str(), "success" | "warning" | "error") {
            return Err(Reply::error_message(
                400,
                &format!("toast_type {toast_type} invalid"),
            ));
        }
        self.toasts.push(json!({
            "to_user": body.to_user,
            "toast_type": toast_type,
            "detail": body.detail,
        }));
        Ok(success())
    }
}
