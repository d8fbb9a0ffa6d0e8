//! Every `$ref` of every file, resolved and checked, whatever it points from.
//!
//! Lowering resolves the references it follows; this walk finds the rest (error responses,
//! headers, unused components), so a dangling reference or one to something that is not a
//! component of the right kind (`#/servers/0`) is never accepted silently. Both use
//! [`resolve`], so a reference both of them meet gives the same diagnostic once.

use serde_json::Value;

use crate::diagnostics::escape_pointer_token;
use crate::load::SpecFile;

/// What went wrong with one reference: where (`file` index and pointer of the `$ref`) and why.
pub(crate) struct BadRef {
    pub file: usize,
    pub pointer: String,
    pub message: String,
}

/// Resolves `[other.yaml]#/components/<kind>/<name>` from `file`: the target file and the
/// component name, or the message saying why not. With no `kind`, any component kind will do.
pub(crate) fn resolve(
    files: &[SpecFile],
    file: usize,
    reference: &str,
    kind: Option<&str>,
) -> Result<(usize, String), String> {
    let shown = kind.unwrap_or("<kind>");
    let Some((file_part, fragment)) = reference.split_once('#') else {
        return Err(format!(
            "unsupported $ref `{reference}`: expected `[file.yaml]#/components/{shown}/<name>`"
        ));
    };
    let target = if file_part.is_empty() {
        file
    } else {
        let wanted = file_part.trim_start_matches("./");
        let name = |i: usize| {
            let d = &files[i].display;
            d.rsplit('/').next().unwrap_or(d).to_string()
        };
        match (0..files.len()).find(|&i| name(i) == wanted) {
            Some(i) => i,
            None => {
                return Err(format!(
                    "dangling $ref `{reference}`: no spec file `{wanted}` is loaded"
                ))
            }
        }
    };
    let unsupported = || {
        format!(
            "unsupported $ref `{reference}`: expected a reference to `#/components/{shown}/<name>`"
        )
    };
    let rest = fragment
        .strip_prefix("/components/")
        .ok_or_else(unsupported)?;
    let (found_kind, name) = rest.split_once('/').ok_or_else(unsupported)?;
    if kind.is_some_and(|k| k != found_kind) {
        return Err(unsupported());
    }
    let name = name.replace("~1", "/").replace("~0", "~");
    let exists = files[target]
        .doc
        .components
        .as_ref()
        .is_some_and(|c| match found_kind {
            "schemas" => c.schemas.contains_key(&name),
            "parameters" => c.parameters.contains_key(&name),
            "requestBodies" => c.request_bodies.contains_key(&name),
            "responses" => c.responses.contains_key(&name),
            "headers" => c.headers.contains_key(&name),
            "examples" => c.examples.contains_key(&name),
            "links" => c.links.contains_key(&name),
            "callbacks" => c.callbacks.contains_key(&name),
            "securitySchemes" => c.security_schemes.contains_key(&name),
            _ => false,
        });
    if !exists {
        return Err(format!(
            "dangling $ref `{reference}`: {} has no `components/{found_kind}/{name}`",
            files[target].display
        ));
    }
    Ok((target, name))
}

/// Every reference in `files` that does not resolve, file by file (each on a thread of its
/// own, `par.rs`).
pub(crate) fn check(files: &[SpecFile]) -> Vec<BadRef> {
    let indices: Vec<usize> = (0..files.len()).collect();
    crate::par::map(&indices, |&fi| check_file(files, fi))
        .into_iter()
        .flatten()
        .collect()
}

/// One step of the walk: the key (or index) that led to a node, and the step before it.
/// The walk keeps every step once instead of a copy of the whole path per node, and
/// spells a path out only for a `$ref`.
struct Step<'a> {
    parent: Option<usize>,
    key: std::borrow::Cow<'a, str>,
}

fn path_of(steps: &[Step<'_>], mut at: Option<usize>) -> Vec<String> {
    let mut path = Vec::new();
    while let Some(i) = at {
        path.push(steps[i].key.to_string());
        at = steps[i].parent;
    }
    path.reverse();
    path
}

fn check_file(files: &[SpecFile], fi: usize) -> Vec<BadRef> {
    let mut bad = Vec::new();
    let Ok(doc) = serde_json::to_value(&files[fi].doc) else {
        return bad;
    };
    let mut steps: Vec<Step> = Vec::new();
    // An explicit stack: the document's depth is bounded by the loader, but a walk that
    // cannot overflow needs no such argument. Each entry: the step that led to the value
    // (`None` for the root) and the value.
    let mut stack: Vec<(Option<usize>, &Value)> = vec![(None, &doc)];
    while let Some((at, value)) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    let path = path_of(&steps, at);
                    if let Some(kind) = expected_kind(&path) {
                        if let Err(message) = resolve(files, fi, reference, kind) {
                            bad.push(BadRef {
                                file: fi,
                                pointer: format!("{}/$ref", pointer(&path)),
                                message,
                            });
                        }
                    }
                }
                let names = at.is_some_and(|i| NAME_MAPS.contains(&steps[i].key.as_ref()));
                for (k, v) in map {
                    if !names && (k.starts_with("x-") || DATA_KEYS.contains(&k.as_str())) {
                        continue;
                    }
                    steps.push(Step {
                        parent: at,
                        key: std::borrow::Cow::Borrowed(k),
                    });
                    stack.push((Some(steps.len() - 1), v));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    steps.push(Step {
                        parent: at,
                        key: std::borrow::Cow::Owned(i.to_string()),
                    });
                    stack.push((Some(steps.len() - 1), v));
                }
            }
            _ => {}
        }
    }
    bad
}

/// Keys whose values are data, not spec: a `$ref` key inside them is an example's content.
const DATA_KEYS: &[&str] = &["example", "default", "enum", "value"];

/// Maps whose keys are names chosen by the spec's author (a property called `example`).
const NAME_MAPS: &[&str] = &[
    "properties",
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "paths",
    "content",
    "encoding",
];

/// The component kind a `$ref` at the object `path` must name: `Some(None)` when any kind
/// will do, `None` when the reference is not checked here (a path item given by `$ref`,
/// which lowering reports as unsupported).
fn expected_kind(path: &[String]) -> Option<Option<&'static str>> {
    let n = path.len();
    let at = |back: usize| n.checked_sub(back).map(|i| path[i].as_str());
    if n == 3 && path[0] == "components" {
        return Some(match path[1].as_str() {
            "schemas" => Some("schemas"),
            "responses" => Some("responses"),
            "parameters" => Some("parameters"),
            "requestBodies" => Some("requestBodies"),
            "headers" => Some("headers"),
            "examples" => Some("examples"),
            "links" => Some("links"),
            "callbacks" => Some("callbacks"),
            "securitySchemes" => Some("securitySchemes"),
            _ => None,
        });
    }
    if n == 2 && path[0] == "paths" {
        return None;
    }
    let kind = match (at(2), at(1)) {
        (_, Some("schema" | "items" | "additionalProperties" | "not")) => "schemas",
        (Some("properties" | "allOf" | "oneOf" | "anyOf"), _) => "schemas",
        (Some("responses"), _) => "responses",
        (Some("parameters"), _) => "parameters",
        (_, Some("requestBody")) => "requestBodies",
        (Some("headers"), _) => "headers",
        (Some("examples"), _) => "examples",
        (Some("links"), _) => "links",
        (Some("callbacks"), _) => "callbacks",
        _ => return Some(None),
    };
    Some(Some(kind))
}

fn pointer(path: &[String]) -> String {
    let mut p = String::from("#");
    for t in path {
        p.push('/');
        p.push_str(&escape_pointer_token(t));
    }
    p
}
