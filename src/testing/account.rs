//! The account operations a job touches: account info, workspaces, bases (list, create,
//! rename, copy, delete, favourites) and groups with their members. A base created here is
//! a real mock base: `getBaseTokenForBase`, `createApiToken` and the row operations work on
//! it. Every user has one personal workspace, id 1 (where `add_base` puts its bases too);
//! a group gets a workspace of its own. Users are named by the email they log in with.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::auth::now_iso;
use super::base::BaseData;
use super::state::{Reply, Request, State};
use crate::server::Operation;

/// The workspace every user has.
pub(crate) const PERSONAL_WORKSPACE: i64 = 1;

/// What the account operations keep besides the bases.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Accounts {
    groups: Vec<Group>,
    /// (user, base UUID).
    starred: BTreeSet<(String, String)>,
    /// Base UUID → (numeric id, creation time), given on first sight.
    base_ids: Vec<(String, i64, String)>,
    next_id: i64,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    id: i64,
    name: String,
    owner: String,
    admins: Vec<String>,
    /// Members in the order they joined, the owner first.
    members: Vec<String>,
    created_at: String,
    workspace_id: i64,
}

impl Accounts {
    fn next(&mut self) -> i64 {
        self.next_id += 1;
        // Apart from the personal workspace's id 1.
        self.next_id + 100
    }

    fn base_id(&mut self, uuid: &str) -> (i64, String) {
        if let Some((_, id, at)) = self.base_ids.iter().find(|(u, _, _)| u == uuid) {
            return (*id, at.clone());
        }
        let id = self.next();
        let at = now_iso();
        self.base_ids.push((uuid.to_string(), id, at.clone()));
        (id, at)
    }
}

impl Group {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "owner": self.owner,
            "admins": self.admins,
            "created_at": self.created_at,
            "avatar_url": "https://cloud.seatable.io/media/avatars/groups/default.png",
            "parent_group_id": 0,
        })
    }

    fn member_json(&self, email: &str) -> Value {
        let role = if email == self.owner {
            "Owner"
        } else if self.admins.iter().any(|a| a == email) {
            "Admin"
        } else {
            "Member"
        };
        json!({
            "avatar_url": "https://cloud.seatable.io/media/avatars/default.png",
            "contact_email": email,
            "email": email,
            "group_id": self.id,
            "is_admin": role != "Member",
            "login_id": "",
            "name": email.split('@').next().unwrap_or(email),
            "role": role,
        })
    }
}

fn success() -> Reply {
    Reply::json(200, &json!({"success": true}))
}

impl State {
    /// The account operations this file serves; `None` for the others.
    pub(crate) fn account_operation(
        &mut self,
        operation: Operation,
        request: &Request,
        param: &dyn Fn(&str) -> String,
    ) -> Option<Reply> {
        let served = matches!(
            operation,
            Operation::AccountGetAccountInfo
                | Operation::AccountListWorkspaces
                | Operation::AccountListBases
                | Operation::AccountCreateBase
                | Operation::AccountUpdateBase
                | Operation::AccountDeleteBase
                | Operation::AccountCopyBase
                | Operation::AccountListFavoriteBases
                | Operation::AccountFavoriteBase
                | Operation::AccountUnfavoriteBase
                | Operation::AccountListGroups
                | Operation::AccountCreateGroup
                | Operation::AccountGetGroup
                | Operation::AccountUpdateGroup
                | Operation::AccountDeleteGroup
                | Operation::AccountListGroupMembers
                | Operation::AccountAddGroupMember
                | Operation::AccountRemoveGroupMember
        );
        if !served {
            return None;
        }
        let user = match self.account_user(request) {
            Ok(user) => user,
            Err(reply) => return Some(reply),
        };
        let group_id = || param("group_id").parse::<i64>().unwrap_or(-1);
        let result = match operation {
            Operation::AccountGetAccountInfo => Ok(self.account_info(&user)),
            Operation::AccountListWorkspaces => match request.query("detail") {
                Some(text) if super::state::parse_bool(text).is_none() => {
                    Err(Reply::error_msg(400, "detail invalid."))
                }
                _ => Ok(self.list_workspaces(&user)),
            },
            Operation::AccountListBases => Ok(self.list_bases(&user)),
            Operation::AccountCreateBase => self.create_base(&user, request),
            Operation::AccountUpdateBase => {
                self.update_base(&user, request, &param("workspace_id"))
            }
            Operation::AccountDeleteBase => {
                self.delete_base(&user, request, &param("workspace_id"))
            }
            Operation::AccountCopyBase => self.copy_base(&user, request),
            Operation::AccountListFavoriteBases => Ok(self.list_favorites(&user)),
            Operation::AccountFavoriteBase => {
                let uuid = request.fields().remove("dtable_uuid").unwrap_or_default();
                self.star(&user, &uuid, true)
            }
            Operation::AccountUnfavoriteBase => {
                let uuid = request.query("dtable_uuid").unwrap_or_default().to_string();
                self.star(&user, &uuid, false)
            }
            Operation::AccountListGroups => Ok(self.list_groups(&user)),
            Operation::AccountCreateGroup => self.create_group(&user, request),
            Operation::AccountGetGroup => self
                .group(&user, group_id())
                .map(|g| Reply::json(200, &g.to_json())),
            Operation::AccountUpdateGroup => self.update_group(&user, group_id(), request),
            Operation::AccountDeleteGroup => self.delete_group(&user, group_id()),
            Operation::AccountListGroupMembers => self.group(&user, group_id()).map(|g| {
                let members: Vec<Value> = g.members.iter().map(|m| g.member_json(m)).collect();
                Reply::json(200, &members)
            }),
            Operation::AccountAddGroupMember => self.add_member(&user, group_id(), request),
            Operation::AccountRemoveGroupMember => {
                self.remove_member(&user, group_id(), &param("group_member"))
            }
            _ => return None,
        };
        Some(result.unwrap_or_else(|reply| reply))
    }

    fn account_info(&self, user: &str) -> Reply {
        let name = user.split('@').next().unwrap_or(user);
        Reply::json(
            200,
            &json!({
                "email": user,
                "name": name,
                "login_id": "",
                "contact_email": user,
                "avatar_url": "https://cloud.seatable.io/media/avatars/default.png",
                "institution": "",
                "is_staff": false,
                "usage": 0,
                "total": -2,
                "space_usage": "0%",
                "row_usage": self.bases.iter().map(|b| b.tables.iter().map(|t| t.rows.len()).sum::<usize>()).sum::<usize>(),
                "row_total": -1,
                "row_usage_rate": "0%",
                "api_calls_count": 0,
                "api_calls_limit": -1,
                "api_calls_usage_rate": "0%",
                "dtable_collaborate_email_interval": 0,
                "dtable_updates_email_interval": 0,
                "enable_subscription": false,
                "is_cloud_personal_account": true,
            }),
        )
    }

    /// The workspaces `user` sees: the personal one and one per group they are in.
    fn user_workspaces(&self, user: &str) -> Vec<i64> {
        let mut out = vec![PERSONAL_WORKSPACE];
        out.extend(
            self.account
                .groups
                .iter()
                .filter(|g| g.members.iter().any(|m| m == user))
                .map(|g| g.workspace_id),
        );
        out
    }

    fn base_json(&mut self, index: usize, user: &str) -> Value {
        let (uuid, name, workspace_id) = {
            let b = &self.bases[index];
            (b.uuid.clone(), b.name.clone(), b.workspace_id)
        };
        let (id, created_at) = self.account.base_id(&uuid);
        let starred = self
            .account
            .starred
            .contains(&(user.to_string(), uuid.clone()));
        json!({
            "id": id,
            "uuid": uuid,
            "name": name,
            "workspace_id": workspace_id,
            "created_at": created_at,
            "updated_at": created_at,
            "color": null,
            "text_color": null,
            "icon": null,
            "is_encrypted": false,
            "in_storage": true,
            "starred": starred,
        })
    }

    fn bases_of_workspace(&mut self, workspace_id: i64, user: &str) -> Vec<Value> {
        let indexes: Vec<usize> = (0..self.bases.len())
            .filter(|i| self.bases[*i].workspace_id == workspace_id)
            .collect();
        indexes
            .into_iter()
            .map(|i| self.base_json(i, user))
            .collect()
    }

    fn list_workspaces(&mut self, user: &str) -> Reply {
        let starred: Vec<usize> = (0..self.bases.len())
            .filter(|i| {
                self.account
                    .starred
                    .contains(&(user.to_string(), self.bases[*i].uuid.clone()))
            })
            .collect();
        let starred: Vec<Value> = starred
            .into_iter()
            .map(|i| self.base_json(i, user))
            .collect();
        let mut list =
            vec![json!({"id": "", "name": "starred", "type": "starred", "table_list": starred})];
        list.push(json!({
            "id": PERSONAL_WORKSPACE,
            "name": "personal",
            "type": "personal",
            "folders": [],
            "table_list": self.bases_of_workspace(PERSONAL_WORKSPACE, user),
        }));
        let groups: Vec<Group> = self
            .account
            .groups
            .iter()
            .filter(|g| g.members.iter().any(|m| m == user))
            .cloned()
            .collect();
        for g in groups {
            list.push(json!({
                "id": g.workspace_id,
                "name": g.name,
                "type": "group",
                "group_id": g.id,
                "group_owner": g.owner,
                "is_admin": g.admins.iter().any(|a| a == user),
                "folders": [],
                "table_list": self.bases_of_workspace(g.workspace_id, user),
                "group_shared_dtables": [],
                "group_shared_views": [],
            }));
        }
        Reply::json(200, &json!({ "workspace_list": list }))
    }

    fn list_bases(&mut self, user: &str) -> Reply {
        let personal = self.bases_of_workspace(PERSONAL_WORKSPACE, user);
        let groups: Vec<Group> = self
            .account
            .groups
            .iter()
            .filter(|g| g.members.iter().any(|m| m == user))
            .cloned()
            .collect();
        let groups: Vec<Value> = groups
            .into_iter()
            .map(|g| {
                json!({
                    "group_id": g.id,
                    "group_name": g.name,
                    "dtables": self.bases_of_workspace(g.workspace_id, user),
                })
            })
            .collect();
        Reply::json(200, &json!({"personal": personal, "groups": groups}))
    }

    fn workspace_of(&self, user: &str, text: Option<&String>) -> Result<i64, Reply> {
        let id = match text.map(|t| t.trim()).filter(|t| !t.is_empty()) {
            None => PERSONAL_WORKSPACE,
            Some(t) => t
                .parse::<i64>()
                .map_err(|_| Reply::error_msg(400, "workspace_id invalid."))?,
        };
        if !self.user_workspaces(user).contains(&id) {
            return Err(Reply::error_msg(404, &format!("Workspace {id} not found.")));
        }
        Ok(id)
    }

    fn create_base(&mut self, user: &str, request: &Request) -> Result<Reply, Reply> {
        let fields = request.fields();
        let name = fields
            .get("name")
            .map(|n| n.trim().to_string())
            .unwrap_or_default();
        if name.is_empty() || name.contains('/') {
            return Err(Reply::error_msg(400, "name invalid."));
        }
        let workspace_id = self.workspace_of(user, fields.get("workspace_id"))?;
        if self
            .bases
            .iter()
            .any(|b| b.name == name && b.workspace_id == workspace_id)
        {
            return Err(Reply::error_msg(
                400,
                &format!("A base named {name} already exists."),
            ));
        }
        // A new base holds one empty table, as SeaTable's does.
        let metadata = json!({"tables": [{
            "_id": "0000", "name": "Table1",
            "columns": [{"key": "0000", "name": "Name", "type": "text"}],
            "views": [{"_id": "0000", "name": "Default View"}]
        }]});
        let index = self.new_base(&name, workspace_id, metadata)?;
        let table = self.base_json(index, user);
        Ok(Reply::json(201, &json!({ "table": table })))
    }

    fn new_base(&mut self, name: &str, workspace_id: i64, metadata: Value) -> Result<usize, Reply> {
        let uuid = self.uuid();
        let api_token = self.hex(40);
        let base = BaseData::new(uuid, name.to_string(), api_token, workspace_id, metadata)
            .map_err(|e| Reply::error_msg(500, &e))?;
        self.bases.push(base);
        Ok(self.bases.len() - 1)
    }

    fn base_named(&self, user: &str, workspace: &str, name: &str) -> Result<usize, Reply> {
        let workspace_id = self.workspace_of(user, Some(&workspace.to_string()))?;
        self.base_in_workspace(&workspace_id.to_string(), name)
    }

    fn update_base(
        &mut self,
        user: &str,
        request: &Request,
        workspace: &str,
    ) -> Result<Reply, Reply> {
        let fields = request.fields();
        let name = fields.get("name").cloned().unwrap_or_default();
        let index = self.base_named(user, workspace, &name)?;
        if let Some(new_name) = fields
            .get("new_name")
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
        {
            let workspace_id = self.bases[index].workspace_id;
            if self
                .bases
                .iter()
                .enumerate()
                .any(|(i, b)| i != index && b.name == new_name && b.workspace_id == workspace_id)
            {
                return Err(Reply::error_msg(
                    400,
                    &format!("A base named {new_name} already exists."),
                ));
            }
            self.bases[index].name = new_name.to_string();
        }
        let table = self.base_json(index, user);
        Ok(Reply::json(200, &json!({ "table": table })))
    }

    fn delete_base(
        &mut self,
        user: &str,
        request: &Request,
        workspace: &str,
    ) -> Result<Reply, Reply> {
        let name = request.fields().remove("name").unwrap_or_default();
        let index = self.base_named(user, workspace, &name)?;
        let base = self.bases.remove(index);
        self.api_tokens.retain(|t| t.base_uuid != base.uuid);
        self.account.starred.retain(|(_, uuid)| *uuid != base.uuid);
        Ok(success())
    }

    /// A copy of the base's tables and rows in another workspace (links are not copied).
    fn copy_base(&mut self, user: &str, request: &Request) -> Result<Reply, Reply> {
        let fields = request.fields();
        let name = fields.get("name").cloned().unwrap_or_default();
        let source = fields.get("src_workspace_id").cloned().unwrap_or_default();
        let index = self.base_named(user, &source, &name)?;
        let destination = self.workspace_of(user, fields.get("dst_workspace_id"))?;
        let metadata = self.bases[index]
            .metadata_response()
            .map_err(|e| Reply::error_msg(500, &e))
            .and_then(|m| {
                serde_json::to_value(m).map_err(|e| Reply::error_msg(500, &e.to_string()))
            })?;
        let tables: Vec<String> = self.bases[index]
            .tables
            .iter()
            .map(|t| t.info.name.clone())
            .collect();
        let mut rows = Vec::new();
        for table in &tables {
            let stored = self.bases[index]
                .rows_by_name(table)
                .map_err(|e| Reply::error_msg(500, &e))?;
            rows.push((table.clone(), stored));
        }
        let mut copy_name = name.clone();
        let mut n = 1;
        while self
            .bases
            .iter()
            .any(|b| b.name == copy_name && b.workspace_id == destination)
        {
            copy_name = format!("{name} ({n})");
            n += 1;
        }
        let copy = self.new_base(&copy_name, destination, metadata)?;
        for (table, stored) in rows {
            let mut ids = Vec::new();
            let mut inputs = Vec::new();
            for row in stored {
                if let Value::Object(mut map) = row {
                    let id = map
                        .remove("_id")
                        .and_then(|v| v.as_str().map(str::to_string));
                    ids.push(id.unwrap_or_else(|| self.row_id()));
                    inputs.push(map);
                }
            }
            self.bases[copy]
                .insert_rows(&table, inputs, ids)
                .map_err(|e| Reply::error_msg(500, &e))?;
        }
        let dtable = self.base_json(copy, user);
        Ok(Reply::json(200, &json!({ "dtable": dtable })))
    }

    fn list_favorites(&mut self, user: &str) -> Reply {
        let indexes: Vec<usize> = (0..self.bases.len())
            .filter(|i| {
                self.account
                    .starred
                    .contains(&(user.to_string(), self.bases[*i].uuid.clone()))
            })
            .collect();
        let list: Vec<Value> = indexes
            .into_iter()
            .map(|i| self.base_json(i, user))
            .collect();
        Reply::json(200, &json!({ "user_starred_dtable_list": list }))
    }

    fn star(&mut self, user: &str, uuid: &str, on: bool) -> Result<Reply, Reply> {
        if !self.bases.iter().any(|b| b.uuid == uuid) {
            return Err(Reply::error_msg(404, &format!("Base {uuid} not found.")));
        }
        let key = (user.to_string(), uuid.to_string());
        if on {
            self.account.starred.insert(key);
        } else {
            self.account.starred.remove(&key);
        }
        Ok(success())
    }

    fn list_groups(&self, user: &str) -> Reply {
        let groups: Vec<Value> = self
            .account
            .groups
            .iter()
            .filter(|g| g.members.iter().any(|m| m == user))
            .map(Group::to_json)
            .collect();
        Reply::json(200, &groups)
    }

    fn group(&self, user: &str, id: i64) -> Result<&Group, Reply> {
        let group = self
            .account
            .groups
            .iter()
            .find(|g| g.id == id)
            .ok_or_else(|| Reply::error_msg(404, &format!("Group {id} not found.")))?;
        if !group.members.iter().any(|m| m == user) {
            return Err(Reply::error_msg(403, "Permission denied."));
        }
        Ok(group)
    }

    /// The group, when `user` is its owner or an admin.
    fn admin_group(&mut self, user: &str, id: i64) -> Result<&mut Group, Reply> {
        self.group(user, id)?;
        let group = self
            .account
            .groups
            .iter_mut()
            .find(|g| g.id == id)
            .ok_or_else(|| Reply::error_msg(404, &format!("Group {id} not found.")))?;
        if group.owner != user && !group.admins.iter().any(|a| a == user) {
            return Err(Reply::error_msg(403, "Permission denied."));
        }
        Ok(group)
    }

    fn create_group(&mut self, user: &str, request: &Request) -> Result<Reply, Reply> {
        let name = request.fields().remove("name").unwrap_or_default();
        let name = name.trim();
        if name.is_empty() {
            return Err(Reply::error_msg(400, "name invalid."));
        }
        if self
            .account
            .groups
            .iter()
            .any(|g| g.name == name && g.members.iter().any(|m| m == user))
        {
            return Err(Reply::error_msg(
                400,
                &format!("There is already a group with that name: {name}"),
            ));
        }
        let id = self.account.next();
        let workspace_id = self.account.next();
        let group = Group {
            id,
            name: name.to_string(),
            owner: user.to_string(),
            admins: vec![user.to_string()],
            members: vec![user.to_string()],
            created_at: now_iso(),
            workspace_id,
        };
        let answer = Reply::json(201, &group.to_json());
        self.account.groups.push(group);
        Ok(answer)
    }

    fn update_group(&mut self, user: &str, id: i64, request: &Request) -> Result<Reply, Reply> {
        let fields = request.fields();
        let group = self.admin_group(user, id)?;
        if let Some(name) = fields
            .get("name")
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
        {
            group.name = name.to_string();
        }
        if let Some(owner) = fields.get("owner").filter(|o| !o.is_empty()) {
            if !group.members.contains(owner) {
                return Err(Reply::error_msg(
                    400,
                    &format!("{owner} is not a member of the group."),
                ));
            }
            group.owner = owner.clone();
            if !group.admins.contains(owner) {
                group.admins.push(owner.clone());
            }
        }
        Ok(Reply::json(200, &group.to_json()))
    }

    fn delete_group(&mut self, user: &str, id: i64) -> Result<Reply, Reply> {
        let owner = self.group(user, id)?.owner.clone();
        if owner != user {
            return Err(Reply::error_msg(403, "Permission denied."));
        }
        let workspace_id = self.group(user, id)?.workspace_id;
        self.account.groups.retain(|g| g.id != id);
        let gone: Vec<String> = self
            .bases
            .iter()
            .filter(|b| b.workspace_id == workspace_id)
            .map(|b| b.uuid.clone())
            .collect();
        self.bases.retain(|b| b.workspace_id != workspace_id);
        self.api_tokens.retain(|t| !gone.contains(&t.base_uuid));
        Ok(success())
    }

    fn add_member(&mut self, user: &str, id: i64, request: &Request) -> Result<Reply, Reply> {
        let email = request.fields().remove("email").unwrap_or_default();
        if !self.users.contains_key(&email) {
            return Err(Reply::error_msg(404, &format!("User {email} not found.")));
        }
        let group = self.admin_group(user, id)?;
        if group.members.contains(&email) {
            return Err(Reply::error_msg(
                400,
                &format!("User {email} is already a group member."),
            ));
        }
        group.members.push(email.clone());
        Ok(Reply::json(201, &group.member_json(&email)))
    }

    fn remove_member(&mut self, user: &str, id: i64, member: &str) -> Result<Reply, Reply> {
        let member = percent_encoding::percent_decode_str(member)
            .decode_utf8_lossy()
            .into_owned();
        // Anyone may leave; removing another takes an admin.
        let group = if member == user {
            self.group(user, id)?;
            self.account
                .groups
                .iter_mut()
                .find(|g| g.id == id)
                .ok_or_else(|| Reply::error_msg(404, &format!("Group {id} not found.")))?
        } else {
            self.admin_group(user, id)?
        };
        if group.owner == member {
            return Err(Reply::error_msg(400, "The group owner cannot be removed."));
        }
        if !group.members.contains(&member) {
            return Err(Reply::error_msg(
                404,
                &format!("User {member} is not a group member."),
            ));
        }
        group.members.retain(|m| *m != member);
        group.admins.retain(|m| *m != member);
        Ok(success())
    }
}

impl super::MockSeaTable {
    /// The base named `name` in workspace `workspace_id`, however it was made (with
    /// [`add_base`](super::MockSeaTable::add_base), or through the API by `createBase` or
    /// `copyBase`): what a test needs to reach it. Workspace 1 is every user's own.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) -> Result<(), seatable_api::Error> {
    /// if let Some(base) = mock.base(1, "Projects") {
    ///     println!("{:?}", mock.rows(&base, "Table1")?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn base(&self, workspace_id: i64, name: &str) -> Option<super::MockBase> {
        let state = self.shared.state();
        let base = state
            .bases
            .iter()
            .find(|b| b.workspace_id == workspace_id && b.name == name)?;
        Some(super::MockBase {
            uuid: base.uuid.clone(),
            api_token: base.api_token.clone(),
            name: base.name.clone(),
            workspace_id: base.workspace_id,
        })
    }
}
