//! A subcommand per operation of the spec, built from the generated table
//! ([`OPERATIONS`]): `seatable <area> <operation> --param value … [--json BODY]`. Nothing
//! here is written per operation; the request is assembled from the table row and sent
//! through the client that holds the operation's token.

use std::io::Read;

use clap::{Arg, ArgAction, ArgMatches, Command};
use seatable_api::__private::{encode_path, FileUpload, Method, Request};

use crate::connect::Session;
use crate::failure::Failure;
use crate::output;
use crate::table::{Answer, Kind, Location, Media, Operation, Param, Token, OPERATIONS};

/// The areas (spec files), in the order of the spec.
pub fn areas() -> Vec<&'static str> {
    let mut areas: Vec<&'static str> = Vec::new();
    for op in OPERATIONS {
        if !areas.contains(&op.area) {
            areas.push(op.area);
        }
    }
    areas
}

/// Whether the CLI fills the parameter itself (the base of the Base-Token).
fn filled_by_client(op: &Operation, p: &Param) -> bool {
    p.bound && op.token == Token::Base
}

fn about_area(area: &str) -> String {
    let token = OPERATIONS
        .iter()
        .find(|o| o.area == area)
        .map_or("", |o| o.token.describe());
    format!(
        "Operations of spec/{}.yaml ({token})",
        area.replace('-', "_")
    )
}

/// The subcommand of one area, with a subcommand per operation.
pub fn area_command(area: &'static str) -> Command {
    let mut cmd = Command::new(area)
        .about(about_area(area))
        .subcommand_required(true)
        .arg_required_else_help(true);
    for op in OPERATIONS.iter().filter(|o| o.area == area) {
        cmd = cmd.subcommand(operation_command(op));
    }
    cmd
}

fn value_help(kind: Kind) -> String {
    match kind {
        Kind::Text => String::new(),
        Kind::Integer => " [integer]".into(),
        Kind::Number => " [number]".into(),
        Kind::Bool => " [true|false]".into(),
        Kind::Choice(values) => format!(" [one of: {}]", values.join(", ")),
        Kind::Json => " [JSON]".into(),
    }
}

fn operation_command(op: &'static Operation) -> Command {
    let mut long = String::new();
    if !op.about.is_empty() {
        long.push_str(op.about);
    }
    if !op.long_about.is_empty() && op.long_about != op.about {
        long.push_str("\n\n");
        long.push_str(op.long_about);
    }
    let mut cmd = Command::new(op.name)
        .about(op.about)
        .long_about(long)
        .after_help(format!(
            "{} {} ({}) — token: {}{}",
            op.method,
            path_template(op),
            op.id,
            op.token.describe(),
            if op.deprecated { "; deprecated" } else { "" }
        ));
    for p in op.params.iter().filter(|p| !filled_by_client(op, p)) {
        let kind = p.kind;
        let mut arg = Arg::new(p.flag)
            .long(p.flag)
            .value_name(p.name.to_ascii_uppercase())
            .help(format!("{}{}", p.doc, value_help(kind)))
            .required(p.required)
            .value_parser(move |s: &str| check_value(kind, s));
        if p.repeated {
            arg = arg.action(ArgAction::Append);
        }
        cmd = cmd.arg(arg);
    }
    if let Some(body) = &op.body {
        let fields: Vec<String> = body
            .fields
            .iter()
            .filter(|f| !f.file)
            .map(|f| {
                if f.required {
                    format!("{} (required)", f.name)
                } else {
                    f.name.to_string()
                }
            })
            .collect();
        let what = if fields.is_empty() {
            String::new()
        } else {
            format!("; fields: {}", fields.join(", "))
        };
        if body.media == Media::Raw {
            cmd = cmd.arg(
                Arg::new("body-file")
                    .long("body-file")
                    .value_name("FILE")
                    .help(format!(
                        "The body ({}), from FILE or - for stdin",
                        body.content_type
                    )),
            );
        } else {
            cmd = cmd
                .arg(
                    Arg::new("json")
                        .long("json")
                        .value_name("JSON")
                        .conflicts_with("json-file")
                        .help(format!("The request body as JSON text{what}")),
                )
                .arg(
                    Arg::new("json-file")
                        .long("json-file")
                        .value_name("FILE")
                        .help("The request body from a JSON file, or - for stdin"),
                );
        }
        if body.fields.iter().any(|f| f.file) {
            let names: Vec<&str> = body
                .fields
                .iter()
                .filter(|f| f.file)
                .map(|f| f.name)
                .collect();
            cmd = cmd.arg(
                Arg::new("file")
                    .long("file")
                    .value_name("FIELD=PATH")
                    .action(ArgAction::Append)
                    .help(format!("A file part: {}", names.join(", "))),
            );
        }
    }
    cmd
}

fn path_template(op: &Operation) -> String {
    let mut path = String::new();
    for seg in op.path {
        match seg {
            crate::table::Segment::Literal(text) => path.push_str(text),
            crate::table::Segment::Param(i) => {
                path.push('{');
                path.push_str(op.params.get(*i).map_or("?", |p| p.name));
                path.push('}');
            }
        }
    }
    path
}

fn check_value(kind: Kind, s: &str) -> Result<String, String> {
    match kind {
        Kind::Integer => s
            .parse::<i64>()
            .map(|_| s.to_string())
            .map_err(|_| format!("`{s}` is not an integer")),
        Kind::Number => s
            .parse::<f64>()
            .map(|_| s.to_string())
            .map_err(|_| format!("`{s}` is not a number")),
        Kind::Bool => match s {
            "true" | "false" => Ok(s.to_string()),
            _ => Err(format!("`{s}` is not true or false")),
        },
        Kind::Json => serde_json::from_str::<serde_json::Value>(s)
            .map(|_| s.to_string())
            .map_err(|e| format!("not JSON: {e}")),
        Kind::Text | Kind::Choice(_) => Ok(s.to_string()),
    }
}

/// Reads FILE, or stdin for `-`.
pub fn read_input(path: &str) -> Result<Vec<u8>, Failure> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Failure::input(format!("cannot read stdin: {e}")))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| Failure::input(format!("cannot read {path}: {e}")))
}

fn body_json(m: &ArgMatches) -> Result<Option<serde_json::Value>, Failure> {
    let (text, from) = if let Some(text) = m.get_one::<String>("json") {
        (text.as_bytes().to_vec(), "--json".to_string())
    } else if let Some(path) = m.get_one::<String>("json-file") {
        (read_input(path)?, format!("--json-file {path}"))
    } else {
        return Ok(None);
    };
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|e| Failure::input(format!("{from}: not valid JSON: {e}")))
}

/// Runs the operation the matches name.
pub async fn run(
    session: &mut Session,
    area: &str,
    name: &str,
    m: &ArgMatches,
) -> Result<(), Failure> {
    let op = OPERATIONS
        .iter()
        .find(|o| o.area == area && o.name == name)
        .ok_or_else(|| Failure::input(format!("no operation `{area} {name}`")))?;
    // Everything the user gave is read and checked before anything is sent (the
    // Base-Token exchange included).
    let raw_body = match &op.body {
        Some(body) if body.media == Media::Raw => match m.get_one::<String>("body-file") {
            Some(path) => Some(read_input(path)?),
            None if body.required => {
                return Err(Failure::input(
                    "this operation needs a body: --body-file FILE (or - for stdin)",
                ))
            }
            None => None,
        },
        _ => None,
    };
    let json = match &op.body {
        Some(body) if body.media != Media::Raw => body_json(m)?,
        _ => None,
    };
    // `--file` exists only where the body has a file part.
    let mut files: Vec<(&'static str, FileUpload)> = Vec::new();
    if let Some(body) = &op.body {
        let specs: Vec<String> = m
            .try_get_many::<String>("file")
            .ok()
            .flatten()
            .map(|v| v.cloned().collect())
            .unwrap_or_default();
        for spec in specs {
            let (field, file) = spec
                .split_once('=')
                .ok_or_else(|| Failure::input(format!("--file {spec}: write FIELD=PATH")))?;
            let name = body
                .fields
                .iter()
                .find(|f| f.file && f.name == field)
                .map(|f| f.name)
                .ok_or_else(|| {
                    Failure::input(format!("--file: this operation has no file part `{field}`"))
                })?;
            let bytes = read_input(file)?;
            let file_name = std::path::Path::new(file)
                .file_name()
                .map_or("upload".into(), |n| n.to_string_lossy().to_string());
            files.push((name, FileUpload::new(file_name, bytes)));
        }
        if body.media != Media::Raw && json.is_none() && files.is_empty() && body.required {
            return Err(Failure::input(
                "this operation needs a body: --json '{…}' or --json-file FILE (- for stdin)",
            ));
        }
    }

    let text = |p: &Param| m.get_one::<String>(p.flag).cloned();

    let base_uuid = if op.params.iter().any(|p| filled_by_client(op, p)) {
        Some(session.base().await?.base_uuid().to_string())
    } else {
        None
    };
    let mut org_id = None;
    let mut path = String::new();
    for seg in op.path {
        match seg {
            crate::table::Segment::Literal(t) => path.push_str(t),
            crate::table::Segment::Param(i) => {
                let p = &op.params[*i];
                let value = if filled_by_client(op, p) {
                    base_uuid.clone().unwrap_or_default()
                } else {
                    text(p).ok_or_else(|| Failure::input(format!("--{} is needed", p.flag)))?
                };
                if op.token == Token::TeamAdmin && p.bound {
                    org_id = Some(value.parse::<i64>().map_err(|_| {
                        Failure::input(format!("--{}: `{value}` is not an integer", p.flag))
                    })?);
                }
                path.push_str(&encode_path(&value));
            }
        }
    }
    if !op.fixed_query.is_empty() {
        let pairs: Vec<String> = op
            .fixed_query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        path.push('?');
        path.push_str(&pairs.join("&"));
    }
    let method = Method::from_bytes(op.method.as_bytes())
        .map_err(|_| Failure::other(format!("unknown HTTP method {}", op.method)))?;
    let mut request = Request::new(op.id, method, path);
    request.idempotent(op.idempotent);

    for p in op.params.iter().filter(|p| p.location != Location::Path) {
        let values: Vec<String> = match m.get_many::<String>(p.flag) {
            Some(v) => v.cloned().collect(),
            None => continue,
        };
        for value in values {
            match (p.location, p.kind) {
                (Location::Query, Kind::Json) => {
                    let json: serde_json::Value = serde_json::from_str(&value)
                        .map_err(|e| Failure::input(format!("--{}: not JSON: {e}", p.flag)))?;
                    request.query_json(p.name, &json)?;
                }
                (Location::Query, _) => request.query(p.name, value),
                (_, _) => request.header(p.name, value),
            }
        }
    }

    if let Some(bytes) = raw_body {
        let content_type = op
            .body
            .map_or("application/octet-stream", |b| b.content_type);
        request.raw(content_type, bytes);
    }
    if let (Some(field), Some(serde_json::Value::Object(map))) = (op.idempotent_if_select, &json) {
        if let Some(serde_json::Value::String(sql)) = map.get(field) {
            if seatable_api::__private::paging::is_select(sql) {
                request.idempotent(true);
            }
        }
    }
    match (op.body.map(|b| b.media), json) {
        (_, None) => {}
        (Some(Media::Json), Some(value)) => request.json(&value)?,
        (Some(Media::Form), Some(value)) => request.form(&value)?,
        (_, Some(serde_json::Value::Object(map))) => request.multipart_map(&map)?,
        (_, Some(_)) => {
            return Err(Failure::input(
                "this operation's body is a form: give a JSON object",
            ))
        }
    }
    for (name, file) in files {
        request.multipart_file(name, file);
    }

    let response = session.execute(op.token, org_id, request).await?;
    match op.answer {
        Answer::Json => {
            let value: serde_json::Value = response.json().await?;
            output::print_json(&value)
        }
        Answer::Bytes => output::print_bytes(&response.bytes().await?),
        Answer::Empty => Ok(()),
    }
}
