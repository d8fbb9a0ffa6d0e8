//! The asset files of the mock's bases: the three-step upload (`getUploadLink` or
//! `getCustomUploadLink`, the multipart `uploadFile`), the download
//! (`getFileDownloadLink` or `getCustomDownloadLink`, then the link itself), deletion
//! (`deleteAsset`, `deleteCustomAsset`), the custom folder's listing and file details
//! (`listCustomFolder`, `getCustomFileMetadata`), and `getAppUserInfo`.
//!
//! A base's files are kept by path inside its asset folder; the custom folder is the
//! sub-folder `/custom`. Folders exist as long as they hold a file.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::{json, Map};

use super::multipart;
use super::state::{Reply, Request, State};
use crate::types::{
    AssetCustomFile, AssetCustomUploadLink, AssetDeleted, AssetDownloadLink, AssetFolderEntry,
    AssetUploadLink, AssetUploadedFile,
};
use crate::Error;

pub(crate) const DOWNLOAD_PREFIX: &str = "/seafhttp/files/";
/// The custom folder inside a base's asset folder.
const CUSTOM: &str = "/custom";

fn now_iso() -> String {
    chrono::DateTime::<chrono::Utc>::from(SystemTime::now())
        .format("%Y-%m-%dT%H:%M:%S%.3f+00:00")
        .to_string()
}

/// A path of the custom folder from a query parameter: `/` first, no `..`, no trailing
/// `/`; `None` for one that leaves the folder.
fn custom_path(text: &str) -> Option<String> {
    let trimmed = text.trim().trim_matches('/');
    if trimmed.split('/').any(|s| s == "..") {
        return None;
    }
    Some(if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    })
}

impl State {
    /// Stores `bytes` at `path` of base `uuid`'s asset folder, as an upload would.
    pub fn put_file(&mut self, uuid: &str, path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        let base = self.base_mut(uuid)?;
        let trimmed = path.trim_matches('/');
        if trimmed.is_empty() || trimmed.split('/').any(|s| s.is_empty() || s == "..") {
            return Err(Error::new(
                crate::ErrorKind::InvalidArgument,
                format!("file path `{path}` invalid: a path like /files/2025-03/a.pdf is expected"),
            ));
        }
        base.files.insert(format!("/{trimmed}"), bytes);
        base.file_times.insert(format!("/{trimmed}"), now_iso());
        Ok(())
    }

    /// `deleteAsset`: a file of the asset folder (not a folder).
    pub(super) fn delete_asset(&mut self, request: &Request) -> Reply {
        let index = match self.api_token_base(request) {
            Ok(index) => index,
            Err(reply) => return reply,
        };
        let Some(path) = request.query("path").filter(|p| !p.trim().is_empty()) else {
            return Reply::error_msg(400, "Invalid path.");
        };
        let path = format!("/{}", path.trim_start_matches('/'));
        let base = &mut self.bases[index];
        if base.files.remove(&path).is_none() {
            return Reply::error_msg(404, "File not found.");
        }
        base.file_times.remove(&path);
        base.custom_uuids.remove(&path);
        Reply::json(200, &AssetDeleted { success: true })
    }

    /// `listCustomFolder`: the folders and files directly inside `path`.
    pub(super) fn list_custom_folder(&mut self, request: &Request) -> Reply {
        let index = match self.api_token_base(request) {
            Ok(index) => index,
            Err(reply) => return reply,
        };
        let Some(folder) = request.query("path").and_then(custom_path) else {
            return Reply::error_msg(400, "parent_dir invalid.");
        };
        let prefix = format!("{CUSTOM}{folder}/");
        let mut dirs: Vec<String> = Vec::new();
        let mut files: Vec<String> = Vec::new();
        for path in self.bases[index].files.keys() {
            let Some(rest) = path.strip_prefix(&prefix) else {
                continue;
            };
            match rest.split_once('/') {
                Some((dir, _)) => {
                    if !dirs.iter().any(|d| d == dir) {
                        dirs.push(dir.to_string());
                    }
                }
                None => files.push(rest.to_string()),
            }
        }
        if !folder.is_empty() && dirs.is_empty() && files.is_empty() {
            return Reply::error_msg(404, "parent_dir not found.");
        }
        let entries = |names: Vec<String>| -> Vec<AssetFolderEntry> {
            names
                .into_iter()
                .map(|name| AssetFolderEntry {
                    name,
                    extra: Map::new(),
                })
                .collect()
        };
        Reply::json(200, &json!({"dir": entries(dirs), "file": entries(files)}))
    }

    /// `getCustomFileMetadata`: size, time and the file's UUID (given on first request).
    pub(super) fn custom_file_metadata(&mut self, request: &Request) -> Reply {
        let index = match self.api_token_base(request) {
            Ok(index) => index,
            Err(reply) => return reply,
        };
        let Some(folder) = request.query("path").and_then(custom_path) else {
            return Reply::error_msg(400, "parent_dir invalid.");
        };
        let Some(name) = request
            .query("name")
            .filter(|n| !n.is_empty() && !n.contains('/'))
            .map(str::to_string)
        else {
            return Reply::error_msg(400, "name invalid.");
        };
        let path = format!("{CUSTOM}{folder}/{name}");
        let Some(size) = self.bases[index].files.get(&path).map(Vec::len) else {
            return Reply::error_msg(404, &format!("File {name} not found."));
        };
        let fresh = self.uuid();
        let base = &mut self.bases[index];
        let uuid = base
            .custom_uuids
            .entry(path.clone())
            .or_insert(fresh)
            .clone();
        let last_update = base.file_times.get(&path).cloned().unwrap_or_else(now_iso);
        Reply::json(
            200,
            &json!({"dirent": AssetCustomFile {
                is_file: true,
                obj_name: name,
                file_size: size as i64,
                last_update,
                uuid,
                extra: Map::new(),
            }}),
        )
    }

    /// `deleteCustomAsset`: a file of the custom folder (not a folder).
    pub(super) fn delete_custom_asset(&mut self, request: &Request) -> Reply {
        let index = match self.api_token_base(request) {
            Ok(index) => index,
            Err(reply) => return reply,
        };
        let Some(path) = request
            .query("path")
            .and_then(custom_path)
            .filter(|p| !p.is_empty())
        else {
            return Reply::error_msg(400, "path invalid.");
        };
        let path = format!("{CUSTOM}{path}");
        let base = &mut self.bases[index];
        if base.files.remove(&path).is_none() {
            return Reply::error_msg(404, "File not found.");
        }
        base.file_times.remove(&path);
        base.custom_uuids.remove(&path);
        Reply::json(200, &AssetDeleted { success: true })
    }

    /// `getCustomUploadLink`: uploads into a folder of the custom folder, which need not
    /// exist yet: the upload's `relative_path` makes it (inferred: SeaTable has no call that
    /// creates a custom folder, and the official Python SDK's
    /// `upload_local_file_to_custom_folder` asks for the link of any folder it is given).
    pub(super) fn custom_upload_link(&mut self, request: &Request) -> Reply {
        let index = match self.api_token_base(request) {
            Ok(index) => index,
            Err(reply) => return reply,
        };
        let Some(folder) = custom_path(request.query("path").unwrap_or("/")) else {
            return Reply::error_msg(400, "path invalid.");
        };
        let id = self.uuid();
        let uuid = self.bases[index].uuid.clone();
        let answer = AssetCustomUploadLink {
            upload_link: format!("{}/seafhttp/upload-api/{id}", self.url),
            parent_path: format!("/asset/{uuid}{CUSTOM}"),
            relative_path: folder.trim_start_matches('/').to_string(),
            extra: Map::new(),
        };
        self.upload_links.insert(id, uuid);
        Reply::json(200, &answer)
    }

    /// `getCustomDownloadLink`: a download URL for a file of the custom folder.
    pub(super) fn custom_download_link(&mut self, request: &Request) -> Reply {
        let index = match self.api_token_base(request) {
            Ok(index) => index,
            Err(reply) => return reply,
        };
        let Some(path) = request
            .query("path")
            .and_then(custom_path)
            .filter(|p| !p.is_empty())
        else {
            return Reply::error_msg(400, "path invalid.");
        };
        let path = format!("{CUSTOM}{path}");
        if !self.bases[index].files.contains_key(&path) {
            return Reply::error_msg(404, &format!("path {path} not found."));
        }
        self.issue_download_link(index, path)
    }

    /// `getAppUserInfo`: a user of the API-Token's base by user id (404 for anyone else:
    /// inferred, the answer is not recorded).
    pub(super) fn app_user_info(&mut self, request: &Request) -> Reply {
        let index = match self.api_token_base(request) {
            Ok(index) => index,
            Err(reply) => return reply,
        };
        let Some(username) = request.query("username").filter(|u| !u.is_empty()) else {
            return Reply::error_msg(400, "username invalid.");
        };
        match self.bases[index]
            .collaborators
            .iter()
            .find(|u| u.email == username)
        {
            Some(user) => Reply::json(
                200,
                &json!({
                    "email": user.email,
                    "name": user.name,
                    "contact_email": user.contact_email,
                    "avatar_url": user.avatar_url,
                }),
            ),
            None => Reply::error_msg(404, &format!("User {username} not found.")),
        }
    }

    pub fn file(&mut self, uuid: &str, path: &str) -> Option<Vec<u8>> {
        let base = self.base_mut(uuid).ok()?;
        base.files
            .get(&format!("/{}", path.trim_start_matches('/')))
            .cloned()
    }

    pub(super) fn upload_link(&mut self, request: &Request) -> Reply {
        let index = match self.api_token_base(request) {
            Ok(index) => index,
            Err(reply) => return reply,
        };
        let id = self.uuid();
        let base = &self.bases[index];
        let month = chrono::DateTime::<chrono::Utc>::from(SystemTime::now())
            .format("%Y-%m")
            .to_string();
        let answer = AssetUploadLink {
            upload_link: format!("{}/seafhttp/upload-api/{id}", self.url),
            workspace_id: Some(base.workspace_id),
            parent_path: format!("/asset/{}", base.uuid),
            img_relative_path: format!("images/{month}"),
            file_relative_path: format!("files/{month}"),
            extra: Map::new(),
        };
        self.upload_links.insert(id, base.uuid.clone());
        Reply::json(200, &answer)
    }

    pub(super) fn upload(&mut self, request: &Request, id: &str) -> Reply {
        let Some(uuid) = self.upload_links.get(id).cloned() else {
            return Reply::text(403, "Access denied.");
        };
        let content_type = request.header("content-type").unwrap_or_default();
        let parts = match multipart::parse(content_type, &request.body) {
            Ok(parts) => parts,
            Err(why) => return Reply::text(400, &why),
        };
        let field = |name: &str| {
            parts
                .iter()
                .find(|p| p.name == name && p.file_name.is_none())
                .map(|p| String::from_utf8_lossy(&p.data).into_owned())
        };
        let Some(parent_dir) = field("parent_dir") else {
            return Reply::text(400, "No parent_dir given.");
        };
        let relative_path = field("relative_path").unwrap_or_default();
        if relative_path.starts_with('/') || relative_path.split('/').any(|s| s == "..") {
            return Reply::text(400, "Invalid relative path");
        }
        let replace = match field("replace").as_deref() {
            None | Some("0") => false,
            Some("1") => true,
            Some(_) => return Reply::text(400, "Invalid argument replace."),
        };
        let expected_parent = format!("/asset/{uuid}");
        let Some(inside) = parent_dir.strip_prefix(&expected_parent) else {
            return Reply::text(400, "Invalid parent_dir.");
        };
        let Some(file) = parts.iter().find(|p| p.file_name.is_some()) else {
            return Reply::text(400, "No file given.");
        };
        let file_name = file.file_name.clone().unwrap_or_default();
        if file_name.is_empty() || file_name.contains('/') {
            return Reply::text(400, "Invalid file name.");
        }
        let folder = [inside.trim_matches('/'), relative_path.trim_matches('/')]
            .iter()
            .filter(|s| !s.is_empty())
            .fold(String::new(), |acc, s| format!("{acc}/{s}"));
        let file_id = self.hex(40);
        let Some(base) = self.bases.iter_mut().find(|b| b.uuid == uuid) else {
            return Reply::text(403, "Access denied.");
        };
        let name = if replace {
            file_name
        } else {
            unique_name(&base.files, &folder, &file_name)
        };
        let size = file.data.len() as i64;
        base.files
            .insert(format!("{folder}/{name}"), file.data.clone());
        base.file_times
            .insert(format!("{folder}/{name}"), now_iso());
        Reply::json(
            200,
            &vec![AssetUploadedFile {
                name,
                id: file_id,
                size,
            }],
        )
    }

    pub(super) fn download_link(&mut self, request: &Request) -> Reply {
        let index = match self.api_token_base(request) {
            Ok(index) => index,
            Err(reply) => return reply,
        };
        let Some(path) = request.query("path") else {
            return Reply::error_msg(400, "path invalid.");
        };
        let path = format!("/{}", path.trim_start_matches('/'));
        if !self.bases[index].files.contains_key(&path) {
            return Reply::error_msg(404, &format!("path {path} not found."));
        }
        self.issue_download_link(index, path)
    }

    /// A download URL for the stored file `path` of base `index`.
    fn issue_download_link(&mut self, index: usize, path: String) -> Reply {
        let uuid = self.bases[index].uuid.clone();
        let name = path.rsplit('/').next().unwrap_or_default().to_string();
        let id = self.uuid();
        self.download_links.insert(id.clone(), (uuid, path));
        let encoded = crate::transport::request::encode_path(&name);
        Reply::json(
            200,
            &AssetDownloadLink {
                download_link: format!("{}{DOWNLOAD_PREFIX}{id}/{encoded}", self.url),
            },
        )
    }

    pub(super) fn download(&mut self, request: &Request) -> Reply {
        let rest = request.path.trim_start_matches(DOWNLOAD_PREFIX);
        let id = rest.split('/').next().unwrap_or_default();
        let Some((uuid, path)) = self.download_links.get(id) else {
            return Reply::text(404, "File not found");
        };
        match self
            .bases
            .iter()
            .find(|b| &b.uuid == uuid)
            .and_then(|b| b.files.get(path))
        {
            Some(bytes) => Reply {
                status: 200,
                headers: vec![("content-type".into(), "application/octet-stream".into())],
                body: bytes.clone(),
            },
            None => Reply::text(404, "File not found"),
        }
    }
}

/// `name`, or `name (1).ext`, `name (2).ext`… when the folder holds that name already.
fn unique_name(files: &BTreeMap<String, Vec<u8>>, folder: &str, name: &str) -> String {
    if !files.contains_key(&format!("{folder}/{name}")) {
        return name.to_string();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(dot) if dot > 0 => (&name[..dot], &name[dot..]),
        _ => (name, ""),
    };
    (1..)
        .map(|n| format!("{stem} ({n}){ext}"))
        .find(|candidate| !files.contains_key(&format!("{folder}/{candidate}")))
        .unwrap_or_else(|| name.to_string())
}
