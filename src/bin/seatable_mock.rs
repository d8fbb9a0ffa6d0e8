//! `seatable-mock`: MockSeaTable as a standalone server, for clients in any language.
//!
//! ```text
//! seatable-mock [--port N] [--base NAME=FILE]... [--user EMAIL:PASSWORD]...
//!               [--state FILE] [--rate-limit N] [--token-lifetime SECS] [--log-capacity N]
//! ```
//!
//! It prints `listening http://127.0.0.1:PORT`, then one line
//! `base NAME api-token TOKEN uuid UUID` per base, flushes, and serves until SIGINT or
//! SIGTERM; with `--state` it saves the state to that file then. Bad arguments or a bad
//! file end it with a message naming them and exit code 2.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use seatable_api::testing::MockSeaTable;
use serde_json::Value;

const USAGE: &str = "\
usage: seatable-mock [OPTIONS]

A SeaTable stand-in on 127.0.0.1 (MockSeaTable of the seatable-api crate).

options:
  --port N               port to listen on; 0 (the default) takes any free port
  --base NAME=FILE       add a base NAME whose structure is FILE: a JSON getMetadata
                         answer ({\"metadata\": {\"tables\": [...]}}), optionally with
                         \"rows\": {\"TABLE NAME\": [{\"COLUMN NAME\": value, ...}]};
                         repeatable
  --user EMAIL:PASSWORD  add an account that login accepts; repeatable
  --state FILE           load the state from FILE when it exists; save it there on exit
                         (bases and all they hold, users, tokens, groups)
  --rate-limit N         gateway requests per base and minute (500 by default; 0: none)
  --token-lifetime SECS  lifetime of a Base-Token (3 days by default)
  --log-capacity N       exchanges the request log keeps, the newest (4096 by default;
                         0: none)
  --help                 print this and exit

On start it prints `listening http://127.0.0.1:PORT` and, per base,
`base NAME api-token TOKEN uuid UUID`, one per line; it serves until SIGINT or SIGTERM.
";

/// A refused command line or input file: the message, for exit code 2.
struct Refusal(String);

#[derive(Default)]
struct Options {
    port: u16,
    bases: Vec<(String, PathBuf)>,
    users: Vec<(String, String)>,
    state: Option<PathBuf>,
    rate_limit: Option<u32>,
    token_lifetime: Option<Duration>,
    log_capacity: Option<usize>,
}

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    if arguments.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match parse(&arguments) {
        Ok(options) => options,
        Err(Refusal(message)) => {
            eprintln!("seatable-mock: {message}\n(see seatable-mock --help)");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("seatable-mock: no async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Refusal(message)) => {
            eprintln!("seatable-mock: {message}");
            ExitCode::from(2)
        }
    }
}

/// The value of the option at `arguments[*i]`: its `=VALUE` part or the next argument.
fn value<'a>(
    arguments: &'a [String],
    i: &mut usize,
    name: &str,
    inline: Option<&'a str>,
) -> Result<&'a str, Refusal> {
    if let Some(inline) = inline {
        return Ok(inline);
    }
    *i += 1;
    arguments
        .get(*i)
        .map(String::as_str)
        .ok_or_else(|| Refusal(format!("argument {} (`{name}`) needs a value", *i,)))
}

fn parse(arguments: &[String]) -> Result<Options, Refusal> {
    let mut options = Options::default();
    let mut i = 0;
    while i < arguments.len() {
        let position = i + 1;
        let argument = &arguments[i];
        let (name, inline) = match argument.split_once('=') {
            Some((name, rest)) if name.starts_with("--") => (name, Some(rest)),
            _ => (argument.as_str(), None),
        };
        let at = |what: &str, text: &str| {
            Refusal(format!("argument {position} (`{name} {text}`): {what}"))
        };
        match name {
            "--port" => {
                let text = value(arguments, &mut i, name, inline)?;
                options.port = text
                    .parse()
                    .map_err(|_| at("not a port number (0 to 65535)", text))?;
            }
            "--base" => {
                let text = value(arguments, &mut i, name, inline)?;
                let (base, file) = text
                    .split_once('=')
                    .filter(|(base, file)| !base.is_empty() && !file.is_empty())
                    .ok_or_else(|| at("expected NAME=FILE", text))?;
                if options.bases.iter().any(|(b, _)| b == base) {
                    return Err(at("a base of this name is given twice", text));
                }
                options.bases.push((base.to_string(), PathBuf::from(file)));
            }
            "--user" => {
                let text = value(arguments, &mut i, name, inline)?;
                let (email, password) = text
                    .split_once(':')
                    .filter(|(email, password)| !email.is_empty() && !password.is_empty())
                    .ok_or_else(|| at("expected EMAIL:PASSWORD", "…"))?;
                options
                    .users
                    .push((email.to_string(), password.to_string()));
            }
            "--state" => {
                let text = value(arguments, &mut i, name, inline)?;
                if text.is_empty() {
                    return Err(at("expected a file name", text));
                }
                options.state = Some(PathBuf::from(text));
            }
            "--rate-limit" => {
                let text = value(arguments, &mut i, name, inline)?;
                let n: u32 = text
                    .parse()
                    .map_err(|_| at("not a number of requests per minute", text))?;
                options.rate_limit = Some(n);
            }
            "--token-lifetime" => {
                let text = value(arguments, &mut i, name, inline)?;
                let seconds: u64 = text
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| at("not a positive number of seconds", text))?;
                options.token_lifetime = Some(Duration::from_secs(seconds));
            }
            "--log-capacity" => {
                let text = value(arguments, &mut i, name, inline)?;
                let n: usize = text
                    .parse()
                    .map_err(|_| at("not a number of exchanges", text))?;
                options.log_capacity = Some(n);
            }
            _ => {
                return Err(Refusal(format!(
                    "argument {position} (`{argument}`) is not an option of seatable-mock"
                )))
            }
        }
        i += 1;
    }
    Ok(options)
}

/// Rows to add to a base, by table name.
type TableRows = Vec<(String, Vec<Value>)>;

/// A base file: a `getMetadata` answer, and optionally `rows` by table name.
fn read_base_file(name: &str, file: &Path) -> Result<(Value, TableRows), Refusal> {
    let at = |why: String| Refusal(format!("--base {name}={}: {why}", file.display()));
    let text = std::fs::read_to_string(file).map_err(|e| at(format!("cannot be read: {e}")))?;
    let mut document: Value = serde_json::from_str(&text).map_err(|e| at(e.to_string()))?;
    let Some(object) = document.as_object_mut() else {
        return Err(at("not a JSON object (a getMetadata answer)".to_string()));
    };
    let mut rows = Vec::new();
    match object.remove("rows") {
        None => {}
        Some(Value::Object(by_table)) => {
            for (table, table_rows) in by_table {
                match table_rows {
                    Value::Array(list) => rows.push((table, list)),
                    _ => return Err(at(format!("`rows.{table}` is not a list of rows"))),
                }
            }
        }
        Some(_) => {
            return Err(at(
                "`rows` is not an object of table name → rows".to_string()
            ))
        }
    }
    Ok((document, rows))
}

async fn run(options: Options) -> Result<(), Refusal> {
    let mut builder = MockSeaTable::builder().port(options.port);
    if let Some(limit) = options.rate_limit {
        builder = builder.rate_limit((limit > 0).then_some(limit));
    }
    if let Some(lifetime) = options.token_lifetime {
        builder = builder.token_lifetime(lifetime);
    }
    if let Some(capacity) = options.log_capacity {
        builder = builder.log_capacity(capacity);
    }
    let mock = builder
        .start()
        .await
        .map_err(|e| Refusal(format!("--port {}: {e}", options.port)))?;
    if let Some(state) = options.state.as_ref().filter(|s| s.exists()) {
        mock.load_state(state)
            .map_err(|e| Refusal(format!("--state: {}", e)))?;
    }
    let loaded: Vec<String> = mock.bases().into_iter().map(|b| b.name).collect();
    for (name, file) in &options.bases {
        // A base the state file already holds keeps its saved rows and tokens.
        if loaded.contains(name) {
            continue;
        }
        let (metadata, rows) = read_base_file(name, file)?;
        let base = mock
            .add_base(name, metadata)
            .map_err(|e| Refusal(format!("--base {name}={}: {}", file.display(), e)))?;
        for (table, table_rows) in rows {
            mock.add_rows(&base, &table, table_rows).map_err(|e| {
                Refusal(format!(
                    "--base {name}={}: rows of `{table}`: {}",
                    file.display(),
                    e
                ))
            })?;
        }
    }
    for (email, password) in &options.users {
        mock.add_user(email, password);
    }
    {
        let mut out = std::io::stdout().lock();
        let mut lines = format!("listening {}\n", mock.url());
        for base in mock.bases() {
            lines.push_str(&format!(
                "base {} api-token {} uuid {}\n",
                base.name, base.api_token, base.uuid
            ));
        }
        // A reader waits for these lines; they must not sit in a buffer.
        if out
            .write_all(lines.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return Err(Refusal("standard output is closed".to_string()));
        }
    }
    // The exchange log is bounded (`--log-capacity`), so a server left running for hours
    // keeps no more than that.
    shutdown().await;
    if let Some(state) = &options.state {
        mock.save_state(state)
            .map_err(|e| Refusal(format!("--state: {}", e)))?;
        eprintln!("seatable-mock: state saved to {}", state.display());
    }
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            let interrupt = std::pin::pin!(tokio::signal::ctrl_c());
            let terminate = std::pin::pin!(terminate.recv());
            futures_util::future::select(interrupt, terminate).await;
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
