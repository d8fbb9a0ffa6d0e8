//! Contract tests: the generated client and `spec/` agree, judged by tools no one here wrote.
//!
//! - `every_operation_passes_the_mock_server`: Stoplight Prism (pinned in
//!   `tests/contract/package-lock.json`, installed here with `npm ci` when missing) serves each
//!   spec file on 127.0.0.1. Every operation is called once through the generated client with
//!   arguments from the spec's examples (`generated/tests/contract.rs`). Prism answers a
//!   request that breaks the spec with an error status, which fails the call; its answer, built
//!   from the spec's examples, must decode into the generated response type.
//! - `recorded_answers_decode_losslessly`: every recorded SeaTable answer that belongs to an
//!   operation of the spec decodes into its response type and encodes back to the same JSON.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use seatable_api::{
    AccountClient, ApiTokenClient, BaseClient, Client, SchedulerClient, SystemAdminClient,
    TeamAdminClient,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

mod support;

mod generated {
    use super::{roundtrip, sample, Clients, Outcome};
    include!("../generated/tests/contract.rs");
}

/// One client per token kind, all pointed at the mock server of one spec file.
#[derive(Debug)]
pub struct Clients {
    /// No token.
    pub client: Client,
    /// An Account-Token.
    pub account: AccountClient,
    /// An API-Token.
    pub api: ApiTokenClient,
    /// A Base-Token.
    pub base: BaseClient,
    /// The Account-Token of a team administrator.
    pub team_admin: TeamAdminClient,
    /// The Account-Token of a system administrator.
    pub system_admin: SystemAdminClient,
    /// A scheduler token.
    pub scheduler: SchedulerClient,
}

impl Clients {
    fn new(server_url: &str) -> Clients {
        let client = Client::new(server_url).expect("a loopback URL is valid");
        let account = client.with_account_token("account-token-0123456789abcdef01234567");
        let base = BaseClient::new(
            client.clone(),
            "650d8a0d-7e27-46a8-8b18-6cc6f3db2057",
            "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJl".into(),
        );
        // The spec's example rows and example metadata are not one base; checking the
        // first against the second is the job of the round-trip tests, not of the contract.
        base.set_check_writes(false);
        Clients {
            api: client.with_api_token("api-token-0123456789abcdef0123456789abc"),
            base,
            team_admin: account.team_admin(1),
            system_admin: account.system_admin(),
            scheduler: client.with_scheduler_token("scheduler-token"),
            account,
            client,
        }
    }
}

/// What happened to one operation's call.
#[derive(Debug)]
pub struct Outcome {
    module: &'static str,
    operation: &'static str,
    result: Result<(), String>,
}

impl Outcome {
    /// The outcome of `operation` of `module`.
    pub fn of(module: &'static str, operation: &'static str, result: Result<(), String>) -> Self {
        Outcome {
            module,
            operation,
            result,
        }
    }
}

/// An argument from its JSON form; a spec example that does not fit the argument's type is
/// a failure of that operation, not of the whole run.
pub fn sample<T: DeserializeOwned>(json: &str) -> Result<T, String> {
    serde_json::from_str(json)
        .map_err(|e| format!("the spec's example {json} does not fit the argument: {e}"))
}

/// `body` decoded as `T` and encoded again: `(as received, as re-encoded)`.
pub fn roundtrip<T: DeserializeOwned + Serialize>(body: &str) -> Result<(Value, Value), String> {
    let received: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    let typed: T = serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(body))
        .map_err(|e| format!("does not decode at `{}`: {}", e.path(), e.inner()))?;
    let again = serde_json::to_value(&typed).map_err(|e| format!("does not encode: {e}"))?;
    Ok((received, again))
}

/// A Prism process serving one spec file; killed when dropped.
struct Prism {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn contract_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contract")
}

/// The pinned Prism, installed from the lockfile on first use.
fn prism_bin() -> PathBuf {
    let dir = contract_dir();
    let bin = dir.join("node_modules/.bin/prism");
    if !bin.exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .unwrap_or_else(|e| {
                panic!("cannot run npm to install Prism (Node.js and npm are needed): {e}")
            });
        assert!(status.success(), "`npm ci` in {} failed", dir.display());
    }
    assert!(bin.exists(), "npm ci did not install {}", bin.display());
    bin
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn start_prism(bin: &Path, spec: &Path) -> Prism {
    let port = free_port();
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "prism-{}.log",
        spec.file_stem().unwrap().to_string_lossy()
    ));
    let out = std::fs::File::create(&log).expect("create the Prism log");
    let child = Command::new(bin)
        .arg("mock")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(spec)
        .stdout(Stdio::from(out.try_clone().expect("log handle")))
        .stderr(Stdio::from(out))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    Prism {
        child,
        url: format!("http://127.0.0.1:{port}"),
        log,
    }
}

fn wait_ready(prism: &mut Prism) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let addr = prism.url.trim_start_matches("http://").to_string();
    loop {
        if TcpStream::connect(&addr).is_ok() {
            return;
        }
        if let Ok(Some(status)) = prism.child.try_wait() {
            panic!(
                "Prism exited ({status}) before listening:\n{}",
                read_log(&prism.log)
            );
        }
        assert!(
            Instant::now() < deadline,
            "Prism did not listen within 120 s:\n{}",
            read_log(&prism.log)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn read_log(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut f) = std::fs::File::open(path) {
        let _ = f.read_to_string(&mut text);
    }
    let tail: Vec<&str> = text.lines().rev().take(40).collect();
    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
}

/// A line for the test log that shows even when the test passes (libtest captures only
/// `print!`/`eprint!`, not direct writes).
fn report(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn spec_operation_count() -> usize {
    let api = seatable_codegen::Generator::from_dir("spec")
        .and_then(|g| g.lower())
        .unwrap_or_else(|d| panic!("the spec must load:\n{d}"));
    api.modules.iter().map(|m| m.operations.len()).sum()
}

#[test]
fn every_operation_passes_the_mock_server() {
    let bin = prism_bin();
    let mut servers: Vec<(&str, Prism)> = generated::MODULES
        .iter()
        .map(|m| {
            (
                *m,
                start_prism(&bin, &Path::new("spec").join(format!("{m}.yaml"))),
            )
        })
        .collect();
    for (_, prism) in &mut servers {
        wait_ready(prism);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut outcomes = Vec::new();
    for (module, prism) in &servers {
        let clients = Clients::new(&prism.url);
        let run = generated::calls::run(module, &clients);
        outcomes.extend(runtime.block_on(run));
    }
    let total = spec_operation_count();
    let passed = outcomes.iter().filter(|o| o.result.is_ok()).count();
    report(&format!("contract: {passed}/{total} operations exercised"));
    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|o| {
            let e = o.result.as_ref().err()?;
            Some(format!("{}::{}: {e}", o.module, o.operation))
        })
        .collect();
    if !failures.is_empty() {
        for (module, prism) in &servers {
            eprintln!("--- Prism log for {module}:\n{}", read_log(&prism.log));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} operations broke the contract:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        outcomes.len(),
        total,
        "every operation of the spec is called"
    );
}

/// Equal as JSON data: numbers by value (`50` and `50.0`), and a member that is `null` on
/// one side may be absent on the other: an optional field that is empty decodes to `None`
/// and is not sent back, which loses no value.
fn same_data(a: &Value, b: &Value, at: &str, diffs: &mut Vec<String>) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => {}
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let path = format!("{at}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => same_data(v, w, &path, diffs),
                    (Some(Value::Null), None) | (None, Some(Value::Null)) => {}
                    (Some(_), None) => diffs.push(format!("{path}: dropped")),
                    (None, Some(_)) => diffs.push(format!("{path}: added")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                same_data(v, w, &format!("{at}[{i}]"), diffs);
            }
        }
        _ if a == b => {}
        _ => diffs.push(format!("{at}: {a} became {b}")),
    }
}

#[test]
fn recorded_answers_decode_losslessly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/recorded");
    if !dir.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the recorded answers are missing on CI"
        );
        eprintln!("skipped: the recorded answers are not beside the repository");
        return;
    }
    let mut files = Vec::new();
    for folder in std::fs::read_dir(&dir).expect("recorded dir") {
        let folder = folder.expect("entry").path();
        if !folder.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&folder).expect("folder") {
            files.push(f.expect("entry").path());
        }
    }
    files.sort();
    let mut checked = 0;
    let mut skipped = BTreeMap::new();
    let mut failures = Vec::new();
    for path in &files {
        let folder = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy();
        let file = path.file_name().unwrap().to_string_lossy();
        let shown = format!("{folder}/{file}");
        let (module, operation, list) = match support::recorded::recorded_operation(&folder, &file)
        {
            Ok(x) => x,
            Err(why) => {
                skipped.insert(shown, why);
                continue;
            }
        };
        let text = std::fs::read_to_string(path).expect("read recorded answer");
        let mut value: Value = serde_json::from_str(&text).expect("recorded answers are JSON");
        support::restore_placeholders(&mut value);
        if let Some(list) = list {
            value = serde_json::json!({ list: [value] });
        }
        let body = value.to_string();
        match generated::calls::decode_response(module, operation, &body) {
            None => failures.push(format!("{shown}: {module}::{operation} answers no JSON")),
            Some(Err(e)) => failures.push(format!("{shown} as {module}::{operation}: {e}")),
            Some(Ok((received, again))) => {
                let mut diffs = Vec::new();
                same_data(&received, &again, "$", &mut diffs);
                if diffs.is_empty() {
                    checked += 1;
                } else {
                    failures.push(format!(
                        "{shown} as {module}::{operation} lost data:\n  {}",
                        diffs.join("\n  ")
                    ));
                }
            }
        }
    }
    report(&format!(
        "recorded: {checked} answers decoded and re-encoded losslessly, {} skipped",
        skipped.len()
    ));
    for (file, why) in &skipped {
        report(&format!("recorded: skipped {file}: {why}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 0, "no recorded answer was checked");
}
