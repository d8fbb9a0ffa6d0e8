//! The asset files of the mock's bases: the three-step upload (`getUploadLink`, the
//! multipart `uploadFile`) and the download (`getFileDownloadLink`, then the link itself).

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::Map;

use super::multipart;
use super::state::{Reply, Request, State};
use crate::types::{AssetDownloadLink, AssetUploadLink, AssetUploadedFile};

pub(crate) const DOWNLOAD_PREFIX: &str = "/seafhttp/files/";

impl State {
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
        let base = &self.bases[index];
        if !base.files.contains_key(&path) {
            return Reply::error_msg(404, &format!("path {path} not found."));
        }
        let uuid = base.uuid.clone();
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
