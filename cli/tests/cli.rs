//! The `seatable` binary against MockSeaTable (an in-memory SeaTable on 127.0.0.1 in this
//! process): help output, a round trip per area the stand-in serves, the request an
//! unserved operation forms, CSV import and export, bad input with its message and exit
//! code, and every operation of the spec counted against the subcommands.
//!
//! One test binary: each runs the built `seatable` as a child process, with the
//! environment cleared of `SEATABLE_*` and a config file of its own.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use seatable_api::testing::{Fault, MockBase, MockSeaTable, Operation};
use serde_json::{json, Value};

/// A running stand-in: its runtime serves it while the test blocks on the child process.
struct Server {
    mock: MockSeaTable,
    base: MockBase,
    _runtime: tokio::runtime::Runtime,
}

fn metadata() -> Value {
    json!({"tables": [{
        "_id": "0000",
        "name": "Contacts",
        "columns": [
            {"key": "0000", "name": "Name", "type": "text"},
            {"key": "Ag01", "name": "Age", "type": "number",
             "data": {"format": "number", "decimal": "dot", "thousands": "no"}},
            {"key": "Tg02", "name": "Tags", "type": "multiple-select",
             "data": {"options": [{"id": "1", "name": "friend", "color": "#FFFCB5"},
                                  {"id": "2", "name": "work", "color": "#FFFCB5"}]}},
            {"key": "Ok03", "name": "Done", "type": "checkbox"},
        ],
        "views": [
            {"_id": "0000", "name": "Default View", "type": "table"},
            {"_id": "Sh01", "name": "Short", "type": "table", "hidden_columns": ["Tg02", "Ok03"]},
        ]
    }]})
}

fn server() -> Server {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mock = runtime.block_on(MockSeaTable::start()).unwrap();
    let base = mock.add_base("Contacts", metadata()).unwrap();
    Server {
        mock,
        base,
        _runtime: runtime,
    }
}

/// A directory of this test's own, for config files and CSVs.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("seatable-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `seatable ARGS` with `env` only (plus a config file that does not exist, unless `env`
/// names one), and `stdin`.
fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seatable"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SEATABLE_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("SEATABLE_CONFIG", scratch("none").join("absent.toml"));
    cmd.env("NO_COLOR", "1");
    cmd.envs(env.iter().copied());
    cmd.args(args);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs against `server` with its base's API-Token; asserts the exit code and returns
/// (stdout, stderr).
fn seatable(server: &Server, args: &[&str], stdin: Option<&[u8]>, code: i32) -> (String, String) {
    let url = server.mock.url();
    let env = [
        ("SEATABLE_SERVER_URL", url.as_str()),
        ("SEATABLE_API_TOKEN", server.base.api_token.as_str()),
    ];
    let out = run(args, &env, stdin);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(code),
        "seatable {args:?}\nstdout: {stdout}\nstderr: {stderr}"
    );
    (stdout, stderr)
}

#[test]
fn the_top_level_help_names_the_commands_the_configuration_and_the_exit_codes() {
    let out = run(&["--help"], &[], None);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().next().unwrap_or_default())
        .collect();
    assert_eq!(
        commands,
        [
            "rows",
            "sql",
            "events",
            "completions",
            "account",
            "auth",
            "base",
            "files",
            "scheduler",
            "system-admin",
            "team-admin",
            "help"
        ]
    );
    assert!(help.contains(seatable_cli::EXIT_CODES), "{help}");
    for line in [
        "  --server / SEATABLE_SERVER_URL         the server, e.g. https://cloud.seatable.io",
        "  --token / SEATABLE_API_TOKEN           API-Token of a base (base and files commands)",
        "  base          Operations of spec/base.yaml (Base-Token (from the API-Token))",
        "  team-admin    Operations of spec/team_admin.yaml (Account-Token of a team admin (login))",
    ] {
        assert!(help.lines().any(|l| l == line), "missing {line:?} in\n{help}");
    }
}

#[test]
fn an_operation_help_shows_its_parameters_with_their_docs_and_the_http_call() {
    let out = run(&["base", "list-rows", "--help"], &[], None);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    assert!(
        help.contains("Usage: seatable base list-rows [OPTIONS] --table-name <TABLE_NAME>"),
        "{help}"
    );
    assert!(
        help.contains(
            "Largest number of rows to return, at most 1000. Defaults to 1000. [integer]"
        ),
        "{help}"
    );
    assert!(
        help.contains(
            "GET /api-gateway/api/v2/dtables/{base_uuid}/rows/ (listRows) — token: Base-Token"
        ),
        "{help}"
    );
    // The base comes from the Base-Token, not from a flag.
    assert!(!help.contains("--base-uuid"), "{help}");
    let out = run(&["base", "append-rows", "--help"], &[], None);
    let help = text(&out.stdout);
    assert!(help.contains("--json <JSON>"), "{help}");
    assert!(help.contains("--json-file <FILE>"), "{help}");
    assert!(
        help.contains("fields: table_name (required), rows (required)"),
        "{help}"
    );
}

/// The modules and operations of the spec, as the generator lowers them now: a new
/// operation in the spec needs no change here.
fn spec_operations() -> BTreeSet<(String, String)> {
    let api = seatable_codegen::Generator::from_dir("../spec")
        .unwrap()
        .lower()
        .unwrap();
    api.modules
        .iter()
        .flat_map(|m| {
            m.operations
                .iter()
                .map(move |o| (m.name.replace('_', "-"), seatable_codegen::command_name(o)))
        })
        .collect()
}

#[test]
fn every_operation_of_the_spec_has_a_subcommand_and_each_its_parameters() {
    let cmd = seatable_cli::command();
    // clap's own checks of the whole tree (duplicate names and flags), which it otherwise
    // runs only for the subcommand a command line reaches.
    cmd.clone().debug_assert();
    let spec = spec_operations();
    let total: usize = seatable_codegen::Generator::from_dir("../spec")
        .unwrap()
        .lower()
        .unwrap()
        .modules
        .iter()
        .map(|m| m.operations.len())
        .sum();
    assert_eq!(
        spec.len(),
        total,
        "two operations of one area share a subcommand"
    );
    let mut found = BTreeSet::new();
    for area in cmd.get_subcommands() {
        if seatable_cli::EVERYDAY.contains(&area.get_name()) {
            continue;
        }
        for op in area.get_subcommands() {
            found.insert((area.get_name().to_string(), op.get_name().to_string()));
        }
    }
    assert_eq!(found, spec);
    assert_eq!(seatable_cli::OPERATIONS.len(), total);
    for op in seatable_cli::OPERATIONS {
        let sub = cmd
            .find_subcommand(op.area)
            .and_then(|a| a.find_subcommand(op.name))
            .unwrap();
        let flags: Vec<&str> = sub.get_arguments().filter_map(|a| a.get_long()).collect();
        for p in op.params {
            let from_client = p.bound && op.token == seatable_cli::Token::Base;
            assert_eq!(
                flags.contains(&p.flag),
                !from_client,
                "{} {}: --{}",
                op.area,
                op.name,
                p.flag
            );
        }
        assert_eq!(
            flags.contains(&"json") || flags.contains(&"body-file"),
            op.body.is_some()
        );
    }
}

#[test]
fn base_operations_round_trip_with_the_api_token_exchanged_for_a_base_token() {
    let s = server();
    let (out, _) = seatable(
        &s,
        &[
            "base",
            "append-rows",
            "--json",
            r#"{"table_name": "Contacts", "rows": [{"Name": "Ada", "Age": 36}, {"Name": "Alan", "Age": 41}]}"#,
        ],
        None,
        0,
    );
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["inserted_row_count"], 2, "{out}");
    // Piped: compact, one line.
    assert_eq!(out.lines().count(), 1, "{out}");
    let (out, _) = seatable(
        &s,
        &[
            "base",
            "list-rows",
            "--table-name",
            "Contacts",
            "--limit",
            "1",
            "--convert-keys",
            "true",
        ],
        None,
        0,
    );
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["rows"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(answer["rows"][0]["Name"], "Ada", "{out}");
    // The body from stdin.
    let body = br#"{"sql": "SELECT Name FROM Contacts WHERE Age > ?", "parameters": [40], "convert_keys": true}"#;
    let (out, _) = seatable(
        &s,
        &["base", "query-sql", "--json-file", "-"],
        Some(body),
        0,
    );
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["results"][0]["Name"], "Alan", "{out}");
    let stored = s.mock.rows(&s.base, "Contacts").unwrap();
    assert_eq!(stored.len(), 2);
}

#[test]
fn auth_and_files_operations_round_trip() {
    let s = server();
    let (out, _) = seatable(&s, &["auth", "ping"], None, 0);
    assert_eq!(out.trim(), r#""pong""#);
    s.mock.add_user("me@example.com", "s3cret");
    let (out, _) = seatable(
        &s,
        &[
            "auth",
            "login",
            "--json",
            r#"{"username": "me@example.com", "password": "s3cret"}"#,
        ],
        None,
        0,
    );
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert!(
        answer["token"].as_str().is_some_and(|t| !t.is_empty()),
        "{out}"
    );
    let (out, _) = seatable(&s, &["files", "get-upload-link"], None, 0);
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert!(answer["upload_link"].as_str().is_some(), "{out}");
    let exchange = s.mock.requests().into_iter().last().unwrap();
    assert_eq!(exchange.method, "GET");
    assert_eq!(exchange.path, "/api/v2.1/dtable/app-upload-link/");

    // A multipart body: text fields from --json, the file part from --file.
    let link = answer["upload_link"].as_str().unwrap();
    let id = link.rsplit('/').next().unwrap();
    let dir = scratch("upload");
    let file = dir.join("notes.txt");
    std::fs::write(&file, b"hello from the command line").unwrap();
    let fields = json!({
        "parent_dir": answer["parent_path"],
        "relative_path": answer["file_relative_path"],
    })
    .to_string();
    let file_arg = format!("file={}", file.display());
    seatable(
        &s,
        &[
            "files",
            "upload-file",
            "--upload-id",
            id,
            "--json",
            &fields,
            "--file",
            &file_arg,
        ],
        None,
        0,
    );
    let stored = format!(
        "/{}/notes.txt",
        answer["file_relative_path"].as_str().unwrap()
    );
    assert_eq!(
        s.mock.file(&s.base, &stored).as_deref(),
        Some(&b"hello from the command line"[..]),
        "{stored}"
    );
    let (_, err) = seatable(
        &s,
        &[
            "files",
            "upload-file",
            "--upload-id",
            id,
            "--json",
            &fields,
            "--file",
            "nope=x",
        ],
        None,
        2,
    );
    assert_eq!(
        err.trim(),
        "error: --file: this operation has no file part `nope`"
    );
}

#[test]
fn an_operation_the_server_does_not_serve_is_sent_as_formed_and_reported_cleanly() {
    let s = server();
    // The stand-in answers every operation; these two answer as a server without them.
    let not_served = |operation| {
        let body = br#"{"error_message": "not served here"}"#.to_vec();
        let json = vec![("content-type".to_string(), "application/json".to_string())];
        s.mock.respond_unchecked(operation, 501, json, body);
    };
    not_served(Operation::AccountGetAccountInfo);
    not_served(Operation::TeamAdminListUsers);
    let url = s.mock.url();
    let env = [
        ("SEATABLE_SERVER_URL", url.as_str()),
        ("SEATABLE_ACCOUNT_TOKEN", "an-account-token-0123456789"),
    ];
    let out = run(&["account", "get-account-info"], &env, None);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.starts_with("error: getAccountInfo: HTTP 501"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(the server does not serve this operation)"),
        "{stderr}"
    );
    assert!(!stderr.contains("an-account-token-0123456789"), "{stderr}");
    let exchange = s.mock.requests().into_iter().last().unwrap();
    assert_eq!(
        (exchange.method.as_str(), exchange.path.as_str()),
        ("GET", "/api2/account/info/")
    );
    let auth = exchange
        .request_headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.clone());
    assert_eq!(auth.as_deref(), Some("Bearer an-account-token-0123456789"));

    // A team-admin operation: the team from --org-id, in the path.
    let out = run(
        &["team-admin", "list-users", "--org-id", "7", "--page", "2"],
        &env,
        None,
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let exchange = s.mock.requests().into_iter().last().unwrap();
    assert_eq!(exchange.path, "/api/v2.1/org/7/admin/users/");
    assert_eq!(exchange.query.as_deref(), Some("page=2"));
}

#[test]
fn a_csv_imported_then_exported_comes_back_the_same() {
    let s = server();
    let dir = scratch("roundtrip");
    // No tags is an empty field: the stand-in stores an empty multiple-select as no value
    // (its normalisation), so an explicit `[]` would come back empty, not as written.
    let csv = "Name,Age,Tags,Done\nAda,36,\"[\"\"friend\"\",\"\"work\"\"]\",true\n\"Bob, Jr.\",,,false\n\"Cy \"\"the\"\" Coder\",7.5,,\n";
    let path = dir.join("in.csv");
    std::fs::write(&path, csv).unwrap();
    let (_, err) = seatable(
        &s,
        &["rows", "import", "Contacts", path.to_str().unwrap()],
        None,
        0,
    );
    assert!(err.contains("imported 3 row(s) into Contacts"), "{err}");
    let (out, err) = seatable(&s, &["rows", "export", "Contacts"], None, 0);
    assert!(err.contains("exported 3 row(s) of Contacts"), "{err}");
    assert_eq!(out, csv);
    // A view: its shown columns; JSON lines keyed by name with the row id.
    let (out, _) = seatable(
        &s,
        &[
            "rows", "export", "Contacts", "--view", "Short", "--format", "jsonl",
        ],
        None,
        0,
    );
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["Name"], "Ada");
    assert_eq!(lines[0]["Age"], 36);
    assert!(lines[0]["_id"].as_str().is_some());
    assert!(lines[0].get("Tags").is_none(), "{out}");

    // With a key and --resume, importing the same file again writes each row once.
    let (_, err) = seatable(
        &s,
        &[
            "rows", "import", "Contacts", "-", "--key", "Name", "--resume",
        ],
        Some(csv.as_bytes()),
        0,
    );
    assert!(err.contains("imported 3 row(s)"), "{err}");
    assert_eq!(s.mock.rows(&s.base, "Contacts").unwrap().len(), 3);
}

#[test]
fn an_import_that_fails_part_way_says_which_rows_and_resumes_by_key() {
    let s = server();
    let mut csv = String::from("Name,Age\n");
    for i in 0..2500 {
        csv.push_str(&format!("Person {i:04},{}\n", i % 90));
    }
    // The second batch of 1000 is refused for good; one batch at a time, so that the
    // second request is the second batch (with two in flight either may arrive first).
    s.mock
        .inject(Fault::status(Operation::AppendRows, 400).nth(2));
    let (_, err) = seatable(
        &s,
        &["rows", "import", "Contacts", "-", "--concurrency", "1"],
        Some(csv.as_bytes()),
        9,
    );
    assert!(err.contains("the import stored 1500 of 2500 rows"), "{err}");
    assert!(err.contains("rows 1000..2000 failed (not stored)"), "{err}");
    assert_eq!(s.mock.rows(&s.base, "Contacts").unwrap().len(), 1500);
    s.mock.clear_faults();
    // Run again by key: the stored rows are updated, the missing ones appended.
    let (_, err) = seatable(
        &s,
        &[
            "rows", "import", "Contacts", "-", "--key", "Name", "--resume",
        ],
        Some(csv.as_bytes()),
        0,
    );
    assert!(err.contains("imported 2500 row(s)"), "{err}");
    let stored = s.mock.rows(&s.base, "Contacts").unwrap();
    assert_eq!(stored.len(), 2500);
    let names: BTreeSet<String> = stored
        .iter()
        .map(|r| {
            r["0000"]
                .as_str()
                .or(r["Name"].as_str())
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(names.len(), 2500, "each row once");
}

#[test]
fn sql_prints_json_when_piped() {
    let s = server();
    s.mock
        .add_rows(&s.base, "Contacts", vec![json!({"Name": "Ada", "Age": 36})])
        .unwrap();
    let (out, _) = seatable(
        &s,
        &[
            "sql",
            "SELECT Name, Age FROM Contacts WHERE Age > ?",
            "-p",
            "30",
        ],
        None,
        0,
    );
    let rows: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["Name"], "Ada", "{out}");
    assert_eq!(rows[0]["Age"], 36, "{out}");
    // What a terminal shows, asked for explicitly.
    let (out, _) = seatable(
        &s,
        &["sql", "SELECT Name, Age FROM Contacts", "--table"],
        None,
        0,
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Name") && l.contains("Age")),
        "{out}"
    );
    assert!(
        lines.iter().any(|l| l.contains("Ada") && l.contains("36")),
        "{out}"
    );
    assert_eq!(lines.last(), Some(&"1 row(s)"), "{out}");
    // A statement SeaTable refuses: its message, exit 4.
    let (_, err) = seatable(&s, &["sql", "SELECT Nope FROM Missing"], None, 4);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("Missing"), "{err}");
}

#[test]
fn bad_input_is_reported_with_what_and_where_and_its_exit_code() {
    let s = server();
    // Unknown table: SeaTable's refusal for an operation, the tables listed for export.
    let (_, err) = seatable(&s, &["rows", "export", "Nope"], None, 4);
    assert_eq!(
        err.trim(),
        "error: the base has no table `Nope` (its tables: Contacts)"
    );
    let (_, err) = seatable(&s, &["base", "list-rows", "--table-name", "Nope"], None, 4);
    assert!(err.starts_with("error: listRows: HTTP 404"), "{err}");
    // Malformed JSON: nothing sent.
    let before = s.mock.requests().len();
    let (_, err) = seatable(
        &s,
        &["base", "append-rows", "--json", "{\"table_name\": "],
        None,
        2,
    );
    assert!(
        err.starts_with("error: --json: not valid JSON: EOF while parsing"),
        "{err}"
    );
    assert_eq!(s.mock.requests().len(), before);
    // A parameter of the wrong type: clap's usage error.
    let (_, err) = seatable(
        &s,
        &["base", "list-rows", "--table-name", "T", "--limit", "ten"],
        None,
        2,
    );
    assert!(err.contains("`ten` is not an integer"), "{err}");
    // A body missing.
    let (_, err) = seatable(&s, &["base", "append-rows"], None, 2);
    assert!(err.contains("this operation needs a body"), "{err}");
    // A CSV with an unknown column and a bad number: every problem at once, nothing stored.
    let dir = scratch("bad");
    let path = dir.join("bad.csv");
    std::fs::write(&path, "Name,Age\nAda,x\nBob,3,extra\n").unwrap();
    let (_, err) = seatable(
        &s,
        &["rows", "import", "Contacts", path.to_str().unwrap()],
        None,
        2,
    );
    assert!(err.contains("2 problem(s)"), "{err}");
    assert!(
        err.contains("line 2, column `Age`: `x` is not a number"),
        "{err}"
    );
    assert!(
        err.contains("line 3: 3 fields where the header has 2"),
        "{err}"
    );
    std::fs::write(&path, "Name,Colour\nAda,red\n").unwrap();
    let (_, err) = seatable(
        &s,
        &["rows", "import", "Contacts", path.to_str().unwrap()],
        None,
        2,
    );
    assert!(
        err.contains("the table `Contacts` has no column `Colour`"),
        "{err}"
    );
    assert!(s.mock.rows(&s.base, "Contacts").unwrap().is_empty());

    // Missing token and server: configuration, exit 3.
    let url = s.mock.url();
    let out = run(
        &["base", "get-metadata"],
        &[("SEATABLE_SERVER_URL", url.as_str())],
        None,
    );
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        text(&out.stderr).trim(),
        "error: no API-Token: give --token, set SEATABLE_API_TOKEN, or name one in a profile"
    );
    let out = run(&["base", "get-metadata"], &[], None);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("no server"),
        "{}",
        text(&out.stderr)
    );
    // A wrong token: SeaTable's refusal, and the token not shown.
    let out = run(
        &[
            "base",
            "get-metadata",
            "--server",
            &url,
            "--token",
            "0123456789abcdef0123456789abcdef01234567",
        ],
        &[],
        None,
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        !err.contains("0123456789abcdef0123456789abcdef01234567"),
        "{err}"
    );
}

#[test]
fn profiles_come_from_the_config_file() {
    let s = server();
    let dir = scratch("profiles");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default = \"work\"\n[profiles.work]\nserver = \"{}\"\napi_token = \"{}\"\n[profiles.other]\nserver = \"http://127.0.0.1:1\"\n",
            s.mock.url(),
            s.base.api_token
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let out = run(
        &["base", "get-metadata"],
        &[("SEATABLE_CONFIG", config)],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["metadata"]["tables"][0]["name"], "Contacts");
    let out = run(
        &["base", "get-metadata", "--profile", "nope"],
        &[("SEATABLE_CONFIG", config)],
        None,
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("no profile `nope`"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("(profiles: other, work)"),
        "{}",
        text(&out.stderr)
    );
    // A broken file: where, and not its text (a token could be on that line).
    std::fs::write(
        dir.join("broken.toml"),
        "[profiles.work]\napi_token = \"secret-token\nserver = 1\n",
    )
    .unwrap();
    let broken = dir.join("broken.toml");
    let out = run(
        &["base", "get-metadata"],
        &[("SEATABLE_CONFIG", broken.to_str().unwrap())],
        None,
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("broken.toml at line 2"), "{err}");
    assert!(!err.contains("secret-token"), "{err}");
}

#[test]
fn completions_and_events() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&["completions", shell], &[], None);
        assert_eq!(out.status.code(), Some(0));
        let script = text(&out.stdout);
        assert!(script.contains("list-rows"), "{shell}: no list-rows");
        assert!(script.contains("seatable"), "{shell}");
    }
    // Without a token, `events` is a configuration error like every base command.
    let out = run(&["events"], &[], None);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
}

/// `seatable events --table T --count 2`: once it says it is watching, two rows written
/// through the API come out as two JSON lines, in order, and it ends by itself.
#[test]
fn events_print_each_change_of_a_table_as_a_json_line() {
    use std::io::{BufRead, BufReader};
    let server = server();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seatable"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SEATABLE_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd
        .env("SEATABLE_CONFIG", scratch("none").join("absent.toml"))
        .env("SEATABLE_SERVER_URL", server.mock.url())
        .env("SEATABLE_API_TOKEN", server.base.api_token.as_str())
        .args(["events", "--table", "Contacts", "--count", "2"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // A hang fails the test instead of blocking it.
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(60));
        let _ = Command::new("kill").arg(pid.to_string()).status();
    });
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    assert!(first.starts_with("watching base "), "{first}");
    server._runtime.block_on(async {
        let base = server
            .mock
            .client()
            .base_with_api_token(server.base.api_token.as_str())
            .await
            .unwrap();
        for name in ["Ada", "Grace"] {
            let mut row = serde_json::Map::new();
            row.insert("Name".into(), json!(name));
            base.append_rows("Contacts", [row]).await.unwrap();
        }
    });
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    for (line, name) in lines.iter().zip(["Ada", "Grace"]) {
        assert_eq!(line["event"], "base_changed");
        assert_eq!(line["op_type"], "insert_row");
        assert_eq!(line["table_id"], "0000");
        assert_eq!(line["operation"]["row_data"]["0000"], name);
    }
    assert!(!text(&out.stdout).contains(server.base.api_token.as_str()));
}
