//! `seatable`: SeaTable on the command line.
//!
//! - `seatable <area> <operation> …`: every operation of the spec, one subcommand each,
//!   generated from the spec's IR into a table (see `table.rs` and `build.rs`);
//! - `seatable rows export|import`, `seatable sql`: everyday work on the runtime's paging,
//!   batching and recovery;
//! - `seatable completions bash|zsh|fish`.
//!
//! The binary is a thin `main` over [`main`]; the library exists so that the tests can
//! walk the command tree ([`command`]) and the table ([`OPERATIONS`]).

mod config;
mod connect;
mod events;
mod failure;
mod generic;
mod output;
mod rows;
mod sql;
mod table;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

pub use failure::EXIT_CODES;
pub use table::{Operation, Token, OPERATIONS};

use crate::config::Flags;
use crate::connect::Session;
use crate::failure::Failure;

/// The everyday commands, which no area of the spec may be named as.
pub const EVERYDAY: [&str; 4] = ["rows", "sql", "events", "completions"];

const CONFIG_HELP: &str = "\
Configuration (a flag wins over a profile named with --profile, which wins over the
environment, which wins over the config file's default profile):
  --server / SEATABLE_SERVER_URL         the server, e.g. https://cloud.seatable.io
  --token / SEATABLE_API_TOKEN           API-Token of a base (base and files commands)
  SEATABLE_ACCOUNT_TOKEN, or SEATABLE_USERNAME and SEATABLE_PASSWORD
                                         account and admin commands (login)
  SEATABLE_SCHEDULER_TOKEN               scheduler commands
  --profile / SEATABLE_PROFILE           a [profiles.NAME] table of the config file
  SEATABLE_CONFIG                        the config file (default: seatable/config.toml
                                         in the user's config directory)
Tokens are never printed.";

/// The whole command tree.
pub fn command() -> Command {
    let mut cmd = Command::new("seatable")
        .version(env!("CARGO_PKG_VERSION"))
        .about("SeaTable on the command line: every operation of the API, plus rows export/import and SQL")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .after_help(format!("{CONFIG_HELP}\n\n{EXIT_CODES}"))
        .arg(
            Arg::new("server")
                .long("server")
                .global(true)
                .help_heading("Connection")
                .value_name("URL")
                .help("The SeaTable server [env: SEATABLE_SERVER_URL]"),
        )
        .arg(
            Arg::new("token")
                .long("token")
                .global(true)
                .help_heading("Connection")
                .value_name("API_TOKEN")
                .help("The API-Token of the base [env: SEATABLE_API_TOKEN]"),
        )
        .arg(
            Arg::new("profile")
                .long("profile")
                .global(true)
                .help_heading("Connection")
                .value_name("NAME")
                .help("A profile of the config file [env: SEATABLE_PROFILE]"),
        );
    cmd = cmd
        .subcommand(rows_command())
        .subcommand(
            Command::new("sql")
                .about("Runs an SQL statement on the base: a table on a terminal, JSON when piped")
                .arg(Arg::new("statement").required(true).value_name("SQL"))
                .arg(
                    Arg::new("param")
                        .long("param")
                        .short('p')
                        .action(ArgAction::Append)
                        .value_name("VALUE")
                        .help("A value for a `?` of the statement, in order (JSON, else text)"),
                )
                .arg(
                    Arg::new("json")
                        .long("json")
                        .action(ArgAction::SetTrue)
                        .help("Print the rows as JSON even on a terminal"),
                )
                .arg(
                    Arg::new("table")
                        .long("table")
                        .action(ArgAction::SetTrue)
                        .conflicts_with("json")
                        .help("Print a table even when piped"),
                ),
        )
        .subcommand(
            Command::new("events")
                .about(
                    "Tails a base's changes as they happen: one JSON line per event, until Ctrl-C",
                )
                .arg(
                    Arg::new("table")
                        .long("table")
                        .value_name("NAME")
                        .help("Only the changes of this table (by name)"),
                )
                .arg(
                    Arg::new("count")
                        .long("count")
                        .value_name("N")
                        .value_parser(clap::value_parser!(u64).range(1..))
                        .help("Stop after N changes"),
                ),
        )
        .subcommand(
            Command::new("completions")
                .about("Prints a shell completion script")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(["bash", "zsh", "fish"]),
                ),
        );
    for area in generic::areas() {
        cmd = cmd.subcommand(generic::area_command(area));
    }
    cmd
}

fn rows_command() -> Command {
    Command::new("rows")
        .about("Exports or imports the rows of a table")
        .subcommand_required(true)
        .subcommand(
            Command::new("export")
                .about("Writes a table's rows as CSV or JSON lines, page by page")
                .arg(Arg::new("table").required(true).value_name("TABLE"))
                .arg(Arg::new("view").long("view").value_name("VIEW").help(
                    "Only this view's rows and shown columns, in its order",
                ))
                .arg(
                    Arg::new("format")
                        .long("format")
                        .value_parser(["csv", "jsonl"])
                        .default_value("csv"),
                )
                .arg(
                    Arg::new("output")
                        .long("output")
                        .short('o')
                        .value_name("FILE")
                        .help("Write to FILE instead of stdout"),
                ),
        )
        .subcommand(
            Command::new("import")
                .about("Appends the rows of a CSV file (header row: column names), checked first, in batches")
                .long_about(
                    "Appends the rows of a CSV file to a table. The header row names the \
                     table's columns. The whole file is read and checked against the \
                     table before anything is sent (unknown columns, numbers, checkboxes, \
                     select options…); then rows go in batches of 1000 that keep going past \
                     a failed batch. With --key, a batch whose outcome is unknown is looked \
                     up by that column instead of being sent twice; with --key and --resume, \
                     rows whose key the table holds are updated and the others appended, so \
                     running the same import again after a failure writes each row once.",
                )
                .arg(Arg::new("table").required(true).value_name("TABLE"))
                .arg(
                    Arg::new("file")
                        .required(true)
                        .value_name("FILE.csv")
                        .help("The CSV file, or - for stdin"),
                )
                .arg(
                    Arg::new("key")
                        .long("key")
                        .value_name("COLUMN")
                        .help("A column of unique values that identifies a row"),
                )
                .arg(
                    Arg::new("resume")
                        .long("resume")
                        .action(ArgAction::SetTrue)
                        .requires("key")
                        .help("Update rows whose key exists, append the others"),
                )
                .arg(
                    Arg::new("concurrency")
                        .long("concurrency")
                        .value_name("N")
                        .value_parser(clap::value_parser!(u16).range(1..=16))
                        .default_value("2")
                        .help("Requests in flight at once"),
                ),
        )
}

/// Runs the command line `args` (the program name first) and returns the exit code.
pub fn main(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> ExitCode {
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(&matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) if f.code == 0 => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

async fn run(matches: &ArgMatches) -> Result<(), Failure> {
    let Some((name, sub)) = matches.subcommand() else {
        return Err(Failure::input("no command given"));
    };
    if name == "completions" {
        let shell = match sub.get_one::<String>("shell").map(String::as_str) {
            Some("zsh") => clap_complete::Shell::Zsh,
            Some("fish") => clap_complete::Shell::Fish,
            _ => clap_complete::Shell::Bash,
        };
        let mut out = std::io::stdout().lock();
        clap_complete::generate(shell, &mut command(), "seatable", &mut out);
        out.flush()?;
        return Ok(());
    }
    let flags = Flags {
        server: sub.get_one::<String>("server").cloned(),
        token: sub.get_one::<String>("token").cloned(),
        profile: sub.get_one::<String>("profile").cloned(),
    };
    let mut session = Session::new(config::resolve(&flags)?);
    match name {
        "rows" => run_rows(&mut session, sub).await,
        "events" => {
            let base = session.base().await?;
            let table = sub.get_one::<String>("table").map(String::as_str);
            let count = sub.get_one::<u64>("count").copied();
            events::tail(&base, table, count).await
        }
        "sql" => {
            let statement = sub
                .get_one::<String>("statement")
                .cloned()
                .unwrap_or_default();
            let parameters = sub
                .get_many::<String>("param")
                .map(|v| {
                    v.map(|p| {
                        serde_json::from_str(p).unwrap_or(serde_json::Value::String(p.clone()))
                    })
                    .collect()
                })
                .unwrap_or_default();
            let base = session.base().await?;
            let as_json = match (sub.get_flag("json"), sub.get_flag("table")) {
                (true, _) => true,
                (_, true) => false,
                _ => !output::is_terminal(),
            };
            sql::run(&base, &statement, parameters, as_json).await
        }
        area => {
            let Some((op, op_matches)) = sub.subcommand() else {
                return Err(Failure::input(format!(
                    "`seatable {area}` needs an operation"
                )));
            };
            generic::run(&mut session, area, op, op_matches).await
        }
    }
}

async fn run_rows(session: &mut Session, sub: &ArgMatches) -> Result<(), Failure> {
    let Some((what, m)) = sub.subcommand() else {
        return Err(Failure::input("`seatable rows` needs export or import"));
    };
    let table = m.get_one::<String>("table").cloned().unwrap_or_default();
    match what {
        "export" => {
            let format = match m.get_one::<String>("format").map(String::as_str) {
                Some("jsonl") => rows::Format::JsonLines,
                _ => rows::Format::Csv,
            };
            let view = m.get_one::<String>("view").map(String::as_str);
            let base = session.base().await?;
            let rows = match m.get_one::<String>("output") {
                Some(path) if path != "-" => {
                    let file = std::fs::File::create(path)
                        .map_err(|e| Failure::input(format!("cannot create {path}: {e}")))?;
                    let mut file = std::io::BufWriter::new(file);
                    rows::export(&base, &table, view, format, &mut file).await?
                }
                _ => {
                    let mut out = std::io::stdout().lock();
                    rows::export(&base, &table, view, format, &mut out).await?
                }
            };
            eprintln!("exported {rows} row(s) of {table}");
            Ok(())
        }
        _ => {
            let file = m.get_one::<String>("file").cloned().unwrap_or_default();
            let bytes = generic::read_input(&file)?;
            let options = rows::ImportOptions {
                key: m.get_one::<String>("key").cloned(),
                resume: m.get_flag("resume"),
                concurrency: m.get_one::<u16>("concurrency").copied().unwrap_or(2) as usize,
                progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            };
            let base = session.base().await?;
            let source = if file == "-" { "stdin" } else { file.as_str() };
            let stored = rows::import(&base, &table, &bytes, source, &options).await?;
            eprintln!("imported {stored} row(s) into {table}");
            Ok(())
        }
    }
}
