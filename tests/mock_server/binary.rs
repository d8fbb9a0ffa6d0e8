//! `seatable-mock`, the standalone server, run as a process: its printed lines, a client
//! talking to it, SIGTERM, the saved state read back by a second run, and refused
//! arguments. Also the state file of an in-process MockSeaTable.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use seatable_api::testing::MockSeaTable;
use serde_json::{json, Map, Value};

/// The server binary cargo built for this test crate.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_seatable-mock")
}

/// The committed example base file (see `tests/mock_server/base.json`).
pub fn example_base_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mock_server/base.json")
}

/// A running `seatable-mock`, killed when dropped (unless it was stopped).
pub struct Server {
    pub child: Child,
    pub url: String,
    /// Per base: (name, API-Token, UUID), as printed.
    pub bases: Vec<(String, String, String)>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts the binary with `arguments` and reads its `listening` and `base` lines
    /// (`expected_bases` of them).
    pub fn start(arguments: &[&str], expected_bases: usize) -> Server {
        let mut child = Command::new(binary())
            .args(arguments)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("seatable-mock starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let listening = lines.next().expect("a first line").unwrap();
        let url = listening
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("`listening URL` expected, got `{listening}`"))
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let mut bases = Vec::new();
        for _ in 0..expected_bases {
            let line = lines.next().expect("a base line").unwrap();
            let words: Vec<&str> = line.split(' ').collect();
            assert!(
                words.len() == 6
                    && words[0] == "base"
                    && words[2] == "api-token"
                    && words[4] == "uuid",
                "`base NAME api-token TOKEN uuid UUID` expected, got `{line}`"
            );
            bases.push((
                words[1].to_string(),
                words[3].to_string(),
                words[5].to_string(),
            ));
        }
        Server { child, url, bases }
    }

    /// Sends SIGTERM and waits for a clean exit.
    #[cfg(unix)]
    pub fn terminate(&mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        assert!(
            exit.success(),
            "seatable-mock exited with {exit} after SIGTERM"
        );
    }
}

fn state_path(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_file(&path);
    path
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seatable_mock_serves_a_client_and_saves_its_state_on_sigterm_for_the_next_run() {
    let state = state_path("seatable-mock-roundtrip.json");
    let base_file = example_base_file();
    let base_argument = format!("Demo={}", base_file.display());
    let arguments = [
        "--port",
        "0",
        "--base",
        &base_argument,
        "--user",
        "ada@example.com:secret",
        "--state",
        state.to_str().unwrap(),
        "--rate-limit",
        "1000",
        "--token-lifetime",
        "3600",
    ];
    let mut first = Server::start(&arguments, 1);
    let (name, api_token, uuid) = first.bases[0].clone();
    assert_eq!(name, "Demo");
    assert_eq!(api_token.len(), 40);

    let client = seatable_api::Client::new(&first.url).unwrap();
    let base = client
        .base_with_api_token(api_token.as_str())
        .await
        .unwrap();
    let metadata = base.get_metadata().await.unwrap();
    let names: Vec<&str> = metadata
        .metadata
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["Contacts", "Projects"]);
    let mut row = Map::new();
    row.insert("Name".into(), json!("Grace Hopper"));
    row.insert("Age".into(), json!(85));
    base.append_rows("Contacts", [row]).await.unwrap();
    let account = client.login("ada@example.com", "secret").await.unwrap();
    drop(account);
    // The token lifetime given on the command line is the one the Base-Token carries.
    let exchanged = reqwest::Client::new()
        .get(format!("{}/api/v2.1/dtable/app-access-token/", first.url))
        .header("Authorization", format!("Token {api_token}"))
        .send()
        .await
        .unwrap();
    let access: Value = exchanged.json().await.unwrap();
    let base_token = access["access_token"].as_str().unwrap().to_string();
    let exp = jwt_exp(&base_token);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        (now + 3590..=now + 3610).contains(&exp),
        "exp {exp}, now {now}"
    );

    first.terminate();
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["format"], "seatable-mock-state");
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["users"]["ada@example.com"], "secret");
    assert_eq!(saved["account_tokens"].as_object().unwrap().len(), 1);
    assert!(saved["base_tokens"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["token"] == base_token.as_str() && t["base_uuid"] == uuid.as_str()));
    let saved_base = &saved["bases"][0];
    assert_eq!(saved_base["uuid"], uuid.as_str());
    let contacts = saved_base["rows"]["0000"].as_array().unwrap();
    assert_eq!(contacts.len(), 3);
    assert_eq!(contacts[2]["0000"], "Grace Hopper");

    // The second run loads the state: same base, same API-Token, the appended row, and the
    // Base-Token of the first run still valid.
    let mut second = Server::start(&arguments, 1);
    assert_eq!(second.bases[0], (name, api_token.clone(), uuid.clone()));
    let metadata_answer = reqwest::Client::new()
        .get(format!(
            "{}/api-gateway/api/v2/dtables/{uuid}/metadata/",
            second.url
        ))
        .bearer_auth(&base_token)
        .send()
        .await
        .unwrap();
    assert_eq!(metadata_answer.status(), 200);
    let client = seatable_api::Client::new(&second.url).unwrap();
    let base = client
        .base_with_api_token(api_token.as_str())
        .await
        .unwrap();
    let rows = base.list_rows("Contacts").convert_keys(true).await.unwrap();
    let names: Vec<String> = rows
        .rows
        .iter()
        .map(|r| r.extra["Name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(names, ["Ada Lovelace", "Alan Turing", "Grace Hopper"]);
    client.login("ada@example.com", "secret").await.unwrap();
    second.terminate();
}

fn jwt_exp(token: &str) -> u64 {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice::<Value>(&bytes).unwrap()["exp"]
        .as_u64()
        .unwrap()
}

/// Runs the binary to completion and returns (exit code, standard error).
fn refused(arguments: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(binary())
        .args(arguments)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn seatable_mock_refuses_bad_arguments_and_files_with_exit_code_2_and_says_where() {
    let (code, stderr) = refused(&["--port", "70000"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("argument 1 (`--port 70000`): not a port number"),
        "{stderr}"
    );

    let (code, stderr) = refused(&["--user", "nobody"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("expected EMAIL:PASSWORD"), "{stderr}");

    let (code, stderr) = refused(&["--port", "0", "--frobnicate"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("argument 3 (`--frobnicate`) is not an option"),
        "{stderr}"
    );

    let (code, stderr) = refused(&["--token-lifetime"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("needs a value"), "{stderr}");

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let broken = dir.join("seatable-mock-broken-base.json");
    std::fs::write(&broken, "{\"metadata\": {\"tables\": [\n  {\"_id\": }\n]}}").unwrap();
    let argument = format!("Broken={}", broken.display());
    let (code, stderr) = refused(&["--base", &argument]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains(&format!("--base Broken={}", broken.display()))
            && stderr.contains("line 2 column"),
        "{stderr}"
    );

    let no_table = dir.join("seatable-mock-rows-without-table.json");
    std::fs::write(
        &no_table,
        r#"{"metadata": {"tables": []}, "rows": {"Ghosts": [{"Name": "x"}]}}"#,
    )
    .unwrap();
    let argument = format!("Empty={}", no_table.display());
    let (code, stderr) = refused(&["--base", &argument]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("rows of `Ghosts`"), "{stderr}");

    let bad_state = dir.join("seatable-mock-bad-state.json");
    std::fs::write(
        &bad_state,
        "{\"format\": \"seatable-mock-state\", \"version\": 1,\n \"bases\": [{\"name\": 3}]}",
    )
    .unwrap();
    let (code, stderr) = refused(&["--state", bad_state.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("line 2 column") && stderr.contains("bases[0].name"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// What the extended state test saved besides rows, links and files: the account side.
struct AccountSide {
    account_token: String,
    reader_token: String,
    groups: Value,
    /// With the bases' ids and creation times, given on first sight.
    workspaces: Value,
    custom_uuid: String,
}

async fn account_call(token: &str, request: reqwest::RequestBuilder) -> Value {
    let answer = request
        .header("authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let body: Value = answer.json().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    body
}

/// Exercises every kind of state besides rows, links and files: comments, logs, big data,
/// a snapshot, an auto-link task, a workflow task, the time zone, a collaborator, a
/// notification, a toast, a custom file's UUID, a created API-Token, a group with a
/// member, a favourite and the bases' ids.
async fn everything_else(
    mock: &MockSeaTable,
    base: &seatable_api::testing::MockBase,
    client: &seatable_api::BaseClient,
    row_id: &str,
) -> AccountSide {
    mock.set_time_zone(base, "Europe/Berlin").unwrap();
    client
        .create_row_comment("0000", row_id, "Saved with the state")
        .await
        .unwrap();
    let mut archived = Map::new();
    archived.insert("Name".into(), json!("Archived"));
    client
        .add_big_data_rows("Contacts", [archived])
        .await
        .unwrap();
    client.create_snapshot().await.unwrap();
    client
        .auto_link_rows(
            "Lk01",
            [seatable_api::base::AutoLinkRowsRequestMatchingKeysItem {
                table1_key: "0000".into(),
                table2_key: "0000".into(),
            }],
        )
        .await
        .unwrap();
    let workflow = mock.add_workflow(base, "Contacts").unwrap();
    client
        .submit_workflow_task(&workflow)
        .row_data(r#"{"Name": "Approve"}"#)
        .initiator("someone@auth.local")
        .await
        .unwrap();
    mock.add_collaborator(
        base,
        "8cb2a6da65687600f42905bf1647fd3f@auth.local",
        "Jasmin Tee",
        "jasmin@example.com",
    )
    .unwrap();
    mock.add_notification(base, "ada@example.com", "comment", json!({"msg": "hello"}))
        .unwrap();
    let detail: seatable_api::base::SendToastNotificationRequestDetail =
        serde_json::from_value(json!({"msg": "Saved."})).unwrap();
    client
        .send_toast_notification("8cb2a6da65687600f42905bf1647fd3f@auth.local", detail)
        .await
        .unwrap();
    mock.put_file(base, "/custom/reports/q3.csv", b"q,t\n3,42\n".to_vec())
        .unwrap();
    let api = mock.client().with_api_token(base.api_token.as_str());
    let custom_uuid = api
        .get_custom_file_metadata("/reports", "q3.csv")
        .await
        .unwrap()
        .dirent
        .uuid;

    let http = reqwest::Client::new();
    let url = mock.url();
    mock.add_user("bob@example.com", "secret");
    let login: Value = http
        .post(format!("{url}/api2/auth-token/"))
        .form(&[("username", "ada@example.com"), ("password", "secret")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let account_token = login["token"].as_str().unwrap().to_string();
    let created = account_call(
        &account_token,
        http.post(format!(
            "{url}/api/v2.1/workspace/{}/dtable/Demo/api-tokens/",
            base.workspace_id
        ))
        .form(&[("app_name", "reader"), ("permission", "r")]),
    )
    .await;
    let reader_token = created["api_token"].as_str().unwrap().to_string();
    let group = account_call(
        &account_token,
        http.post(format!("{url}/api/v2.1/groups/"))
            .json(&json!({"name": "Analysts"})),
    )
    .await;
    account_call(
        &account_token,
        http.post(format!("{url}/api/v2.1/groups/{}/members/", group["id"]))
            .json(&json!({"email": "bob@example.com"})),
    )
    .await;
    account_call(
        &account_token,
        http.post(format!("{url}/api/v2.1/starred-dtables/"))
            .multipart(reqwest::multipart::Form::new().text("dtable_uuid", base.uuid.clone())),
    )
    .await;
    let groups = account_call(
        &account_token,
        http.get(format!("{url}/api/v2.1/groups/?with_msg=false")),
    )
    .await;
    let workspaces = account_call(
        &account_token,
        http.get(format!("{url}/api/v2.1/workspaces/")),
    )
    .await;
    assert!(workspaces.to_string().contains("\"Demo\""), "{workspaces}");
    AccountSide {
        account_token,
        reader_token,
        groups,
        workspaces,
        custom_uuid,
    }
}

/// Every part of the saved document holds what `everything_else` made.
fn saved_holds_everything(saved: &Value) {
    let base = &saved["bases"][0];
    let records = &base["records"];
    assert_eq!(records["time_zone"], "Europe/Berlin");
    for part in [
        "comments",
        "operations",
        "activities",
        "big_data_log",
        "snapshots",
        "workflow_tasks",
    ] {
        assert!(
            records[part].as_array().is_some_and(|a| !a.is_empty()),
            "records.{part}: {records}"
        );
    }
    for part in ["auto_link_tasks", "workflows"] {
        assert!(
            records[part].as_object().is_some_and(|a| !a.is_empty()),
            "records.{part}: {records}"
        );
    }
    assert_eq!(base["collaborators"].as_array().unwrap().len(), 2);
    assert_eq!(base["notifications"].as_array().unwrap().len(), 1);
    assert_eq!(base["toasts"].as_array().unwrap().len(), 1);
    assert!(base["file_times"].as_object().unwrap().len() >= 2);
    assert!(base["custom_uuids"]["/custom/reports/q3.csv"].is_string());
    let tokens = saved["api_tokens"].as_array().unwrap();
    assert_eq!(
        (
            tokens.len(),
            &tokens[0]["app_name"],
            &tokens[0]["permission"]
        ),
        (1, &json!("reader"), &json!("r"))
    );
    let account = &saved["account"];
    assert_eq!(account["groups"][0]["name"], "Analysts");
    assert_eq!(
        account["groups"][0]["members"],
        json!(["ada@example.com", "bob@example.com"])
    );
    assert_eq!(account["starred"].as_array().unwrap().len(), 1);
    assert!(!account["base_ids"].as_array().unwrap().is_empty());
}

/// The restored server answers from what was saved.
async fn restored_serves_everything(
    restored: &MockSeaTable,
    base: &seatable_api::testing::MockBase,
    row_id: &str,
    account: &AccountSide,
) {
    let client = restored
        .client()
        .base_with_api_token(base.api_token.as_str())
        .await
        .unwrap();
    let comments = client.list_row_comments(row_id).await.unwrap();
    assert_eq!(comments[0].comment, "Saved with the state");
    let big_data = serde_json::to_value(client.list_big_data_operations().await.unwrap()).unwrap();
    assert!(big_data.to_string().contains("add_row"), "{big_data}");
    assert_eq!(restored.toasts(base).unwrap().len(), 1);
    let api = restored.client().with_api_token(base.api_token.as_str());
    let metadata = api
        .get_custom_file_metadata("/reports", "q3.csv")
        .await
        .unwrap();
    assert_eq!(metadata.dirent.uuid, account.custom_uuid);

    // The created API-Token still reads, and still may not write.
    let reader = restored
        .client()
        .base_with_api_token(account.reader_token.as_str())
        .await
        .unwrap();
    let tables = serde_json::to_value(reader.get_metadata().await.unwrap()).unwrap();
    assert_eq!(tables["metadata"]["tables"][0]["name"], "Contacts");
    let mut row = Map::new();
    row.insert("Name".into(), json!("Not allowed"));
    let err = reader.append_rows("Contacts", [row]).await.unwrap_err();
    assert_eq!(err.status(), Some(403), "{err}");

    let groups = account_call(
        &account.account_token,
        reqwest::Client::new().get(format!(
            "{}/api/v2.1/groups/?with_msg=false",
            restored.url()
        )),
    )
    .await;
    assert_eq!(groups, account.groups);
    let workspaces = account_call(
        &account.account_token,
        reqwest::Client::new().get(format!("{}/api/v2.1/workspaces/", restored.url())),
    )
    .await;
    assert_eq!(workspaces, account.workspaces);
}

#[tokio::test]
async fn the_state_file_restores_everything_the_stand_in_holds_and_refuses_another_version() {
    let mock = MockSeaTable::start().await.unwrap();
    let document: Value =
        serde_json::from_slice(&std::fs::read(example_base_file()).unwrap()).unwrap();
    let base = mock.add_base("Demo", document["metadata"].clone()).unwrap();
    let ids = mock
        .add_rows(&base, "Contacts", vec![json!({"Name": "Ada", "Age": 36})])
        .unwrap();
    let projects = mock
        .add_rows(&base, "Projects", vec![json!({"Title": "Engine"})])
        .unwrap();
    mock.add_user("ada@example.com", "secret");
    let client = mock
        .client()
        .base_with_api_token(base.api_token.as_str())
        .await
        .unwrap();
    let mut links = std::collections::BTreeMap::new();
    links.insert(ids[0].clone(), vec![projects[0].clone()]);
    client
        .create_row_links("Lk01", "0000", "Pj00", links)
        .await
        .unwrap();
    let api = mock.client().with_api_token(base.api_token.as_str());
    let uploaded = api
        .upload_attachment(
            seatable_api::FileUpload::new("notes.txt", b"hello".to_vec()),
            seatable_api::Attachment::File,
        )
        .await
        .unwrap();

    let account = everything_else(&mock, &base, &client, &ids[0]).await;

    let path = state_path("mock-state-in-process.json");
    mock.save_state(&path).unwrap();
    let saved: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    saved_holds_everything(&saved);
    let restored = MockSeaTable::start().await.unwrap();
    let bases = restored.load_state(&path).unwrap();
    // Whatever was saved comes back whole: the restored server saves the same document.
    let again = state_path("mock-state-in-process-again.json");
    restored.save_state(&again).unwrap();
    let resaved: Value = serde_json::from_slice(&std::fs::read(&again).unwrap()).unwrap();
    assert_eq!(
        resaved, saved,
        "a restored server saves what it was restored from"
    );
    restored_serves_everything(&restored, &base, &ids[0], &account).await;
    assert_eq!(bases, vec![base.clone()]);
    assert_eq!(restored.bases(), vec![base.clone()]);
    assert_eq!(
        restored.rows(&base, "Contacts").unwrap(),
        mock.rows(&base, "Contacts").unwrap()
    );
    assert_eq!(
        restored.metadata(&base).unwrap(),
        mock.metadata(&base).unwrap()
    );
    let linked = &restored.rows(&base, "Contacts").unwrap()[0]["Projects"];
    assert_eq!(linked, &json!([projects[0]]), "the link survives");
    restored
        .client()
        .login("ada@example.com", "secret")
        .await
        .unwrap();
    assert_eq!(
        restored.file(&base, uploaded.asset_path()).unwrap(),
        b"hello"
    );

    let text = std::fs::read_to_string(&path).unwrap();
    let newer = path.with_file_name("mock-state-version-2.json");
    std::fs::write(&newer, text.replacen("\"version\": 1", "\"version\": 2", 1)).unwrap();
    let error = restored.load_state(&newer).unwrap_err();
    assert_eq!(error.kind(), seatable_api::ErrorKind::InvalidArgument);
    assert!(error.to_string().contains("reads version 1"), "{error}");
    let zone = path.with_file_name("mock-state-bad-zone.json");
    std::fs::write(
        &zone,
        text.replacen("\"Europe/Berlin\"", "\"Mars/Olympus\"", 1),
    )
    .unwrap();
    let error = restored.load_state(&zone).unwrap_err().to_string();
    assert!(
        error.contains("bases[0] (`Demo`): records.time_zone: time zone `Mars/Olympus`"),
        "{error}"
    );
    // A refused file leaves the state as it was.
    assert_eq!(restored.bases(), vec![base]);
}
