//! The mock's state and its request dispatch: tokens, rate limits, faults, and the
//! routing of base operations to [`BaseData`], of file operations to `files.rs`, of
//! auth and account operations to `auth.rs` and `account.rs`, and of every other
//! operation to its example answer.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use serde::Serialize;
use serde_json::{json, Map, Value};

mod persist;

use super::base::BaseData;
use super::multipart;
use super::{mint_jwt, Fault, MockBase};
use crate::server::Operation;
use crate::types::{BaseAccess, ErrorDetail, ErrorMessage, ErrorMsg, LoginResponse};
use crate::{Error, ErrorKind};

pub(crate) const DEFAULT_RATE_LIMIT: u32 = 500;
pub(crate) const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3 * 24 * 3600);
const GATEWAY: &str = "/api-gateway/";

/// An answer: status, headers, body.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A JSON answer from a value of a generated type.
    pub fn json<T: Serialize>(status: u16, value: &T) -> Reply {
        match serde_json::to_vec(value) {
            Ok(body) => Reply {
                status,
                headers: vec![("content-type".into(), "application/json".into())],
                body,
            },
            Err(e) => Reply::error_message(500, &format!("the answer could not be encoded: {e}")),
        }
    }

    pub fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
            body: text.as_bytes().to_vec(),
        }
    }

    /// The gateway's error shape, `{"error_message": …}`.
    pub fn error_message(status: u16, message: &str) -> Reply {
        Reply::json(
            status,
            &ErrorMessage {
                error_message: message.to_string(),
                error_type: None,
            },
        )
    }

    /// dtable-web's error shape, `{"error_msg": …}`.
    pub fn error_msg(status: u16, message: &str) -> Reply {
        Reply::json(
            status,
            &ErrorMsg {
                error_msg: message.to_string(),
            },
        )
    }

    /// The authentication layer's error shape, `{"detail": …}`.
    pub fn detail(status: u16, message: &str) -> Reply {
        Reply::json(
            status,
            &ErrorDetail {
                detail: message.to_string(),
            },
        )
    }

    pub fn injected(status: u16) -> Reply {
        if status == 429 {
            Reply::empty(429)
        } else {
            Reply::error_message(status, &format!("injected fault: {status}"))
        }
    }

    pub fn into_response(self) -> hyper::Response<Full<Bytes>> {
        let mut response = hyper::Response::new(Full::new(Bytes::from(self.body)));
        *response.status_mut() = hyper::StatusCode::from_u16(self.status)
            .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in self.headers {
            if let (Ok(name), Ok(value)) = (
                hyper::header::HeaderName::from_bytes(name.as_bytes()),
                hyper::header::HeaderValue::from_str(&value),
            ) {
                response.headers_mut().append(name, value);
            }
        }
        response
    }
}

/// A request as the handlers see it.
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Request {
    pub fn new(
        method: String,
        path: String,
        query: Option<String>,
        headers: Vec<(String, String)>,
        body: Bytes,
    ) -> Request {
        let query = query
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        Request {
            method,
            path,
            query,
            headers,
            body,
        }
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The token of `Authorization: Bearer <t>` or `Token <t>`.
    pub fn credentials(&self) -> Option<&str> {
        let value = self.header("authorization")?;
        let (scheme, token) = value.split_once(' ')?;
        (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
            .then(|| token.trim())
            .filter(|t| !t.is_empty())
    }

    /// The fields of a form, multipart or JSON object body (strings as they are, other
    /// JSON values as JSON text), by name; empty for any other body.
    pub fn fields(&self) -> HashMap<String, String> {
        let content_type = self.header("content-type").unwrap_or_default();
        if content_type.starts_with("multipart/") {
            return multipart::parse(content_type, &self.body)
                .map(|parts| {
                    parts
                        .into_iter()
                        .filter(|p| p.file_name.is_none())
                        .map(|p| (p.name, String::from_utf8_lossy(&p.data).into_owned()))
                        .collect()
                })
                .unwrap_or_default();
        }
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&self.body) {
            return map
                .into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) => (k, s),
                    other => (k, other.to_string()),
                })
                .collect();
        }
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }

    /// The body as a JSON value of type `T`, or the 400 to answer.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Reply> {
        serde_json::from_slice(&self.body)
            .map_err(|e| Reply::error_message(400, &format!("invalid request body: {e}")))
    }
}

pub(crate) struct ArmedFault {
    pub fault: Fault,
    pub seen: usize,
}

struct IssuedToken {
    base_uuid: String,
    exp: u64,
    revoked: bool,
    /// `r` or `rw`, from the token it was obtained with.
    permission: String,
}

/// A boolean as a query string carries it: the Python SDK sends `True`, others `true` or
/// `1`.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

pub(crate) struct State {
    pub url: String,
    pub(crate) bases: Vec<BaseData>,
    base_tokens: HashMap<String, IssuedToken>,
    pub(crate) account_tokens: HashMap<String, String>,
    /// API-Tokens made with `createApiToken` (the one `add_base` gives is the base's own).
    pub(crate) api_tokens: Vec<super::auth::ApiTokenRecord>,
    /// Groups, favourites and base ids of the account operations.
    pub(crate) account: super::account::Accounts,
    /// Answers set with `MockSeaTable::respond`, given instead of the real ones.
    pub(crate) responses: HashMap<Operation, Reply>,
    /// Temporary API-Tokens (`createTempApiToken`): token → (base UUID, expiry in Unix
    /// seconds).
    temp_api_tokens: HashMap<String, (String, u64)>,
    pub(crate) users: BTreeMap<String, String>,
    pub(crate) upload_links: HashMap<String, String>,
    pub(crate) download_links: HashMap<String, (String, String)>,
    pub token_lifetime: Duration,
    rate_limit: Option<u32>,
    windows: HashMap<String, VecDeque<Instant>>,
    pub faults: Vec<ArmedFault>,
    rng: u64,
    serial: u64,
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A Base-Token lifetime from the `exp` query parameter: digits and `s`, `m`, `h` or `d`.
fn parse_lifetime(text: &str) -> Option<Duration> {
    let unit = match text.chars().last()? {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    let n: u64 = text[..text.len() - 1].parse().ok()?;
    n.checked_mul(unit).map(Duration::from_secs)
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidArgument, message)
}

impl State {
    pub fn new(url: String, rate_limit: Option<u32>, token_lifetime: Duration) -> State {
        let seed = unix_now().as_nanos() as u64 ^ 0x9E37_79B9_7F4A_7C15;
        State {
            url,
            bases: Vec::new(),
            base_tokens: HashMap::new(),
            account_tokens: HashMap::new(),
            api_tokens: Vec::new(),
            account: Default::default(),
            responses: HashMap::new(),
            temp_api_tokens: HashMap::new(),
            users: BTreeMap::new(),
            upload_links: HashMap::new(),
            download_links: HashMap::new(),
            token_lifetime,
            rate_limit,
            windows: HashMap::new(),
            faults: Vec::new(),
            rng: seed,
            serial: 0,
        }
    }

    /// splitmix64: ids only need to be unique and look like SeaTable's.
    pub fn random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn hex(&mut self, chars: usize) -> String {
        let mut out = String::with_capacity(chars + 16);
        while out.len() < chars {
            out.push_str(&format!("{:016x}", self.random()));
        }
        out.truncate(chars);
        out
    }

    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-4{}-8{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }

    /// The answer of an injected fault; an injected 429 carries rate headers that allow
    /// the next request a second later.
    pub fn injected(&self, status: u16) -> Reply {
        let mut reply = Reply::injected(status);
        if status == 429 {
            let limit = self.rate_limit.unwrap_or(DEFAULT_RATE_LIMIT);
            reply.headers = vec![
                ("x-ratelimit-limit".to_string(), limit.to_string()),
                ("x-ratelimit-remaining".to_string(), "0".to_string()),
                (
                    "x-ratelimit-reset".to_string(),
                    (unix_now().as_secs() + 1).to_string(),
                ),
            ];
        }
        reply
    }

    pub fn set_rate_limit(&mut self, per_minute: Option<u32>) {
        self.rate_limit = per_minute;
        self.windows.clear();
    }

    pub fn add_user(&mut self, email: &str, password: &str) {
        self.users.insert(email.to_string(), password.to_string());
    }

    pub fn expire_base_tokens(&mut self) {
        for token in self.base_tokens.values_mut() {
            token.revoked = true;
        }
    }

    pub fn add_base(&mut self, name: &str, metadata: Value) -> Result<MockBase, Error> {
        if self.bases.iter().any(|b| b.name == name) {
            return Err(invalid(format!("a base named `{name}` exists already")));
        }
        let uuid = self.uuid();
        let api_token = self.hex(40);
        let workspace_id = 1;
        let base = BaseData::new(
            uuid.clone(),
            name.to_string(),
            api_token.clone(),
            workspace_id,
            metadata,
        )
        .map_err(invalid)?;
        self.bases.push(base);
        Ok(MockBase {
            uuid,
            api_token,
            name: name.to_string(),
            workspace_id,
        })
    }

    pub(crate) fn base_mut(&mut self, uuid: &str) -> Result<&mut BaseData, Error> {
        self.bases
            .iter_mut()
            .find(|b| b.uuid == uuid)
            .ok_or_else(|| invalid(format!("no base {uuid}")))
    }

    pub fn add_rows(
        &mut self,
        uuid: &str,
        table: &str,
        rows: Vec<Value>,
    ) -> Result<Vec<String>, Error> {
        let mut inputs = Vec::with_capacity(rows.len());
        for (i, row) in rows.into_iter().enumerate() {
            match row {
                Value::Object(map) => inputs.push(map),
                other => return Err(invalid(format!("row {i} is not a JSON object: {other}"))),
            }
        }
        let mut ids = Vec::with_capacity(inputs.len());
        for _ in 0..inputs.len() {
            ids.push(self.row_id());
        }
        let base = self.base_mut(uuid)?;
        base.insert_rows(table, inputs, ids).map_err(invalid)
    }

    pub fn rows(&mut self, uuid: &str, table: &str) -> Result<Vec<Value>, Error> {
        self.base_mut(uuid)?.rows_by_name(table).map_err(invalid)
    }

    pub fn metadata(&mut self, uuid: &str) -> Result<Value, Error> {
        let base = self.base_mut(uuid)?;
        base.metadata_json().map_err(invalid)
    }

    /// A new row id: 22 characters of `[A-Za-z0-9_-]`.
    pub fn row_id(&mut self) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.random().to_le_bytes());
        bytes[8..].copy_from_slice(&self.random().to_le_bytes());
        b64(&bytes)
    }

    /// The fault that fires on this request, if any; counts it for every matching fault.
    pub fn fault_for(&mut self, operation: Operation) -> Option<Fault> {
        let mut fired = None;
        for armed in self
            .faults
            .iter_mut()
            .filter(|a| a.fault.operation == operation)
        {
            armed.seen += 1;
            let first = armed.fault.first;
            let fires = armed.seen >= first
                && armed
                    .fault
                    .times
                    .is_none_or(|times| armed.seen < first + times);
            if fires && fired.is_none() {
                fired = Some(armed.fault.clone());
            }
        }
        fired
    }

    /// Counts a gateway request for `key`: the rate headers to send, or the 429.
    fn rate_limit(&mut self, key: &str) -> Result<Vec<(String, String)>, Reply> {
        let Some(limit) = self.rate_limit else {
            return Ok(Vec::new());
        };
        let now = Instant::now();
        let minute = Duration::from_secs(60);
        let window = self.windows.entry(key.to_string()).or_default();
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= minute)
        {
            window.pop_front();
        }
        let allowed = window.len() < limit as usize;
        if allowed {
            window.push_back(now);
        }
        // A slot frees when the oldest request in the window turns a minute old.
        let oldest_age = window
            .front()
            .map(|t| now.duration_since(*t))
            .unwrap_or_default();
        let reset = (unix_now() + minute.saturating_sub(oldest_age))
            .as_secs_f64()
            .ceil() as u64;
        let remaining = (limit as usize).saturating_sub(window.len());
        let headers = vec![
            ("x-ratelimit-limit".to_string(), limit.to_string()),
            ("x-ratelimit-remaining".to_string(), remaining.to_string()),
            ("x-ratelimit-reset".to_string(), reset.to_string()),
        ];
        if allowed {
            Ok(headers)
        } else {
            let mut reply = Reply::empty(429);
            reply.headers = headers;
            Err(reply)
        }
    }

    fn issue_base_token(
        &mut self,
        base_uuid: &str,
        app_name: &str,
        username: &str,
        lifetime: Duration,
        permission: &str,
    ) -> String {
        self.serial += 1;
        let exp = (unix_now() + lifetime).as_secs();
        let token = mint_jwt(&json!({
            "exp": exp,
            "dtable_uuid": base_uuid,
            "username": username,
            "permission": permission,
            "app_name": app_name,
            "id": self.serial,
        }));
        self.base_tokens.insert(
            token.clone(),
            IssuedToken {
                base_uuid: base_uuid.to_string(),
                exp,
                revoked: false,
                permission: permission.to_string(),
            },
        );
        token
    }

    /// The base an API-Token belongs to, or the 401 to answer.
    pub(crate) fn api_token_base(&self, request: &Request) -> Result<usize, Reply> {
        self.api_token_grant(request).map(|(index, _)| index)
    }

    /// The base an API-Token belongs to and its permission (`r`, `rw`), or the 401 to
    /// answer.
    fn api_token_grant(&self, request: &Request) -> Result<(usize, String), Reply> {
        let Some(token) = request.credentials() else {
            return Err(Reply::detail(
                401,
                "Authentication credentials were not provided.",
            ));
        };
        if let Some(record) = self.api_tokens.iter().find(|t| t.api_token == token) {
            return self
                .bases
                .iter()
                .position(|b| b.uuid == record.base_uuid)
                .map(|index| (index, record.permission.clone()))
                .ok_or_else(|| Reply::detail(401, "Invalid token"));
        }
        self.own_api_token_base(request)
            .map(|index| (index, "rw".to_string()))
    }

    /// The base of the base's own API-Token or of a temporary one.
    fn own_api_token_base(&self, request: &Request) -> Result<usize, Reply> {
        let Some(token) = request.credentials() else {
            return Err(Reply::detail(
                401,
                "Authentication credentials were not provided.",
            ));
        };
        if let Some((uuid, exp)) = self.temp_api_tokens.get(token) {
            if unix_now().as_secs() >= *exp {
                return Err(Reply::detail(401, "Invalid token"));
            }
            return self
                .bases
                .iter()
                .position(|b| &b.uuid == uuid)
                .ok_or_else(|| Reply::detail(401, "Invalid token"));
        }
        self.bases
            .iter()
            .position(|b| b.api_token == token)
            .ok_or_else(|| Reply::detail(401, "Invalid token"))
    }

    /// Whether `token` is a temporary API-Token that has not expired.
    pub(crate) fn temp_token_valid(&self, token: &str) -> bool {
        self.temp_api_tokens
            .get(token)
            .is_some_and(|(_, exp)| unix_now().as_secs() < *exp)
    }

    /// `createTempApiToken`: a JWT naming the base, valid for one hour, accepted wherever
    /// the base's API-Token is.
    fn temp_api_token(&mut self, request: &Request, workspace_id: &str, base_name: &str) -> Reply {
        let Some(token) = request.credentials() else {
            return Reply::detail(401, "Authentication credentials were not provided.");
        };
        let Some(user) = self.account_tokens.get(token).cloned() else {
            return Reply::detail(401, "Invalid token");
        };
        let Some(uuid) = self
            .bases
            .iter()
            .find(|b| b.name == base_name && b.workspace_id.to_string() == workspace_id)
            .map(|b| b.uuid.clone())
        else {
            return Reply::error_msg(404, &format!("dtable {base_name} not found."));
        };
        self.serial += 1;
        let exp = unix_now().as_secs() + 3600;
        let api_token = mint_jwt(
            &json!({"username": user, "dtable_uuid": uuid, "exp": exp, "id": self.serial}),
        );
        self.temp_api_tokens.insert(api_token.clone(), (uuid, exp));
        Reply::json(200, &json!({ "api_token": api_token }))
    }

    fn lifetime(&self, request: &Request) -> Result<Duration, Reply> {
        match request.query("exp") {
            None => Ok(self.token_lifetime),
            Some(text) => parse_lifetime(text)
                .ok_or_else(|| Reply::error_msg(400, &format!("exp {text} invalid."))),
        }
    }

    fn base_access(
        &mut self,
        index: usize,
        lifetime: Duration,
        username: &str,
        permission: &str,
    ) -> Reply {
        let (uuid, name, workspace_id) = {
            let base = &self.bases[index];
            (base.uuid.clone(), base.name.clone(), base.workspace_id)
        };
        let app_name = if username.is_empty() {
            "mock-seatable"
        } else {
            ""
        };
        let token = self.issue_base_token(&uuid, app_name, username, lifetime, permission);
        Reply::json(
            200,
            &BaseAccess {
                access_token: token.into(),
                dtable_uuid: uuid,
                app_name: (!app_name.is_empty()).then(|| app_name.to_string()),
                dtable_name: Some(name),
                workspace_id: Some(workspace_id),
                dtable_server: Some(format!("{}/api-gateway/", self.url)),
                use_api_gateway: Some(true),
                dtable_db: None,
                dtable_socket: None,
                extra: Map::new(),
            },
        )
    }

    /// Handles one request as SeaTable would.
    pub fn process(&mut self, request: &Request) -> Reply {
        let Some((operation, params)) = super::compat::route(&request.method, &request.path) else {
            if request.method == "GET" && request.path.starts_with(super::files::DOWNLOAD_PREFIX) {
                return self.download(request);
            }
            return Reply::detail(404, "Not found.");
        };
        if let Some(reply) = self.responses.get(&operation) {
            return reply.clone();
        }
        let param = |name: &str| {
            params
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| {
                    percent_encoding::percent_decode_str(v)
                        .decode_utf8_lossy()
                        .into_owned()
                })
                .unwrap_or_default()
        };
        if request.path.starts_with(GATEWAY) {
            let uuid = param("base_uuid");
            let headers = match self.rate_limit(&uuid) {
                Ok(headers) => headers,
                Err(too_many) => return too_many,
            };
            let mut reply = self.gateway(operation, request, &uuid, &param);
            reply.headers.extend(headers);
            return reply;
        }
        if let Some(reply) = self.auth(operation, request, &param) {
            return reply;
        }
        if let Some(reply) = self.account_operation(operation, request, &param) {
            return reply;
        }
        match operation {
            Operation::Ping => Reply::json(200, &"pong"),
            Operation::Login => self.login(request),
            Operation::GetBaseToken => {
                match (self.api_token_grant(request), self.lifetime(request)) {
                    (Ok((index, permission)), Ok(lifetime)) => {
                        self.base_access(index, lifetime, "", &permission)
                    }
                    (Err(reply), _) | (_, Err(reply)) => reply,
                }
            }
            Operation::GetBaseTokenForBase => {
                self.base_token_for_base(request, &param("workspace_id"), &param("base_name"))
            }
            Operation::CreateTempApiToken => {
                self.temp_api_token(request, &param("workspace_id"), &param("base_name"))
            }
            Operation::GetUploadLink => self.upload_link(request),
            Operation::UploadFile => self.upload(request, &param("upload_link")),
            Operation::GetFileDownloadLink => self.download_link(request),
            Operation::DeleteAsset => self.delete_asset(request),
            Operation::ListCustomFolder => self.list_custom_folder(request),
            Operation::GetCustomFileMetadata => self.custom_file_metadata(request),
            Operation::DeleteCustomAsset => self.delete_custom_asset(request),
            Operation::GetCustomUploadLink => self.custom_upload_link(request),
            Operation::GetCustomDownloadLink => self.custom_download_link(request),
            Operation::GetAppUserInfo => self.app_user_info(request),
            // `listCollaborators` arrives here by its dtable-web path (`compat::route`).
            Operation::CountCommentsPerRow
            | Operation::SubmitWorkflowTask
            | Operation::ListCollaborators => self.web_base_operation(operation, request, &param),
            other => self.example_answer(other, request),
        }
    }

    fn login(&mut self, request: &Request) -> Reply {
        let form: HashMap<String, String> = url::form_urlencoded::parse(&request.body)
            .into_owned()
            .collect();
        let (Some(username), Some(password)) = (form.get("username"), form.get("password")) else {
            return Reply::json(
                400,
                &json!({"non_field_errors": ["Must include \"username\" and \"password\"."]}),
            );
        };
        if self.users.get(username) != Some(password) {
            return Reply::json(
                400,
                &json!({"non_field_errors": ["Unable to login with provided credentials."]}),
            );
        }
        let token = self.hex(40);
        self.account_tokens.insert(token.clone(), username.clone());
        Reply::json(
            200,
            &LoginResponse {
                token: token.into(),
            },
        )
    }

    fn base_token_for_base(
        &mut self,
        request: &Request,
        workspace_id: &str,
        base_name: &str,
    ) -> Reply {
        let Some(token) = request.credentials() else {
            return Reply::detail(401, "Authentication credentials were not provided.");
        };
        let Some(user) = self.account_tokens.get(token).cloned() else {
            return Reply::detail(401, "Invalid token");
        };
        let lifetime = match self.lifetime(request) {
            Ok(lifetime) => lifetime,
            Err(reply) => return reply,
        };
        let found = self
            .bases
            .iter()
            .position(|b| b.name == base_name && b.workspace_id.to_string() == workspace_id);
        match found {
            Some(index) => self.base_access(index, lifetime, &user, "rw"),
            None => Reply::error_msg(404, &format!("dtable {base_name} not found.")),
        }
    }

    fn gateway(
        &mut self,
        operation: Operation,
        request: &Request,
        uuid: &str,
        param: &dyn Fn(&str) -> String,
    ) -> Reply {
        let Some(token) = request.credentials() else {
            return Reply::detail(401, "Authentication credentials were not provided.");
        };
        match self.base_tokens.get(token) {
            None => return Reply::detail(401, "Invalid token"),
            Some(issued) if issued.revoked || unix_now().as_secs() >= issued.exp => {
                return Reply::error_msg(403, "Token expired.");
            }
            Some(issued) if issued.base_uuid != uuid => {
                return Reply::error_message(403, "You don't have permission to access this base.");
            }
            Some(issued) if issued.permission != "rw" && writes(operation) => {
                // Inferred, not recorded: SeaTable refuses a write with a read-only token
                // with 403; the message is ours.
                return Reply::error_message(
                    403,
                    "You don't have permission to perform this operation on this base.",
                );
            }
            Some(_) => {}
        }
        // Row ids are drawn before the base is borrowed.
        let new_ids = match operation {
            Operation::AppendRows | Operation::AddBigDataRows => {
                // Only the number of rows: their cells are skipped, not built (a full
                // `Value` of 1000 rows cost as much as the append itself).
                #[derive(serde::Deserialize)]
                struct Count {
                    rows: Vec<serde::de::IgnoredAny>,
                }
                let count = serde_json::from_slice::<Count>(&request.body)
                    .map(|c| c.rows.len())
                    .unwrap_or(0);
                let count = match operation {
                    Operation::AppendRows => count.min(super::base::MAX_ROWS),
                    _ => count,
                };
                (0..count).map(|_| self.row_id()).collect()
            }
            Operation::SubmitWorkflowTask => vec![self.row_id()],
            _ => Vec::new(),
        };
        let keys: Vec<String> = (0..8).map(|_| self.short_key()).collect();
        let Some(base) = self.bases.iter_mut().find(|b| b.uuid == uuid) else {
            return Reply::error_message(404, "dtable not found");
        };
        match super::compat::rewrite(base, operation, request) {
            Some(rewritten) => base.handle(operation, &rewritten, param, new_ids, keys),
            None => base.handle(operation, request, param, new_ids, keys),
        }
    }

    /// A Base-Token operation served by dtable-web under `/api/v2.1/`
    /// (`countCommentsPerRow`, `submitWorkflowTask`): checked like a gateway call, errors
    /// in dtable-web's `{"error_msg": …}` shape. A workflow's base is the token's.
    fn web_base_operation(
        &mut self,
        operation: Operation,
        request: &Request,
        param: &dyn Fn(&str) -> String,
    ) -> Reply {
        let uuid = match operation {
            Operation::SubmitWorkflowTask => request
                .credentials()
                .and_then(|t| self.base_tokens.get(t))
                .map(|t| t.base_uuid.clone())
                .unwrap_or_default(),
            _ => param("base_uuid"),
        };
        let reply = self.gateway(operation, request, &uuid, param);
        match serde_json::from_slice::<ErrorMessage>(&reply.body) {
            Ok(error) if reply.status >= 400 => {
                let mut web = Reply::error_msg(reply.status, &error.error_message);
                web.headers = reply.headers;
                web
            }
            _ => reply,
        }
    }

    /// A 4-character key for a new table, column or view.
    fn short_key(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut n = self.random();
        (0..4)
            .map(|_| {
                let c = ALPHABET[(n % ALPHABET.len() as u64) as usize] as char;
                n /= ALPHABET.len() as u64;
                c
            })
            .collect()
    }
}

/// Whether `operation` changes a base: every gateway `POST`, `PUT` and `DELETE` but the
/// reads sent as `POST` (SQL, link queries).
fn writes(operation: Operation) -> bool {
    operation.method() != "GET"
        && !matches!(
            operation,
            Operation::QuerySql | Operation::ListRowLinks | Operation::FilterRows
        )
}

/// What the realtime service of the mock asks of the state (`testing::realtime`).
#[cfg(feature = "realtime")]
impl State {
    /// Why `token` may not join base `uuid`'s room, as SeaTable's error type; `None` when
    /// it may.
    pub(crate) fn join_refusal(&self, uuid: &str, token: &str) -> Option<&'static str> {
        match self.base_tokens.get(token) {
            None => Some("permission_denied"),
            Some(issued) if issued.revoked || unix_now().as_secs() >= issued.exp => {
                Some("token_expired")
            }
            Some(issued) if issued.base_uuid != uuid => Some("permission_denied"),
            Some(_) => None,
        }
    }

    /// The tables of base `uuid` as they are now, to compare with after a write.
    pub(crate) fn tables_of(&self, uuid: &str) -> Option<super::realtime::Snapshot> {
        let base = self.bases.iter().find(|b| b.uuid == uuid)?;
        Some(super::realtime::Snapshot::of(&base.tables))
    }
}
