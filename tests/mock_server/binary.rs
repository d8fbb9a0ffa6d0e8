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

#[tokio::test]
async fn the_state_file_restores_rows_links_files_users_and_refuses_another_version() {
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

    let path = state_path("mock-state-in-process.json");
    mock.save_state(&path).unwrap();
    let restored = MockSeaTable::start().await.unwrap();
    let bases = restored.load_state(&path).unwrap();
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
    // A refused file leaves the state as it was.
    assert_eq!(restored.bases(), vec![base]);
}
