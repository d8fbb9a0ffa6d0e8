//! A strict check of JSON bodies against the spec: does this answer (or request body) have
//! the shape the spec declares for the operation? [`MockSeaTable`](super::MockSeaTable)
//! holds the answers a test sets to it, and the project's tests hold the stand-in's
//! answers and SeaTable's recorded ones to it.
//!
//! [`SpecCheck::ours`] is this crate's own `spec/`, carried in the library as JSON (the
//! generator reduces each file to what a check reads), so no YAML is read at run time;
//! [`SpecCheck::from_documents`] takes any OpenAPI 3.0 documents already read as JSON.
//!
//! What it understands is what the spec files use (OpenAPI 3.0):
//! - `$ref` inside a file (`#/components/…`) and across files (`models.yaml#/components/…`),
//!   for schemas, responses and request bodies; siblings of a `$ref` are ignored, as 3.0 says;
//! - `type` (`integer` takes only numbers written without fraction or exponent, because
//!   that is what the generated `i64` fields decode), `nullable`, `enum`, `required`,
//!   `properties`, `additionalProperties` (`false`, `true` or a schema; absent allows
//!   anything), `items`, `allOf`, `anyOf`, `oneOf` (exactly one member must match; with a
//!   `discriminator` the member is chosen by the tag through `mapping` or the schema name,
//!   and the tag must name one), `minimum`/`maximum` (and the 3.0 boolean
//!   `exclusiveMinimum`/`exclusiveMaximum`), `minItems`/`maxItems`, `minLength`/`maxLength`
//!   (in characters);
//! - `format`: `date-time` (RFC 3339), `date` (`YYYY-MM-DD`), `uuid` (8-4-4-4-12 hex digits),
//!   `int32`/`int64` (range). Other formats (`password`, `binary`, `euro`, …) say nothing a
//!   check could hold a body to and are not checked;
//! - `pattern`, in the subset of `support::pattern` (all the spec uses); a pattern outside it
//!   makes the check fail with `Err` rather than pass unchecked;
//! - `not` is refused with `Err` (the spec does not use it); `x-…` extensions, `description`,
//!   `example`, `default` and `discriminator` outside a `oneOf` have no effect.
//!
//! Bodies: a response declared without `content` must be empty; a JSON one (`application/json`
//! or any `…+json`) must parse, and is then held to its schema. Bodies of other media types
//! (`text/plain`, files, forms) are not checked.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

pub use super::pattern::Pattern;

/// One way a body breaks the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer into the body (`/rows/3/_id`; empty for the body as a whole).
    pub path: String,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(body)"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.message)
    }
}

/// The loaded spec files, by file stem (`base`, `models`).
pub struct SpecCheck {
    files: BTreeMap<String, Value>,
}

impl fmt::Debug for SpecCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpecCheck")
            .field("files", &self.files.keys().collect::<Vec<_>>())
            .finish()
    }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A schema (or response, or request body) and the file its own `$ref`s are relative to.
type Located<'a> = (&'a str, &'a Value);

impl SpecCheck {
    /// The documents `files` holds, by file stem (`base`, `models`: the names `$ref`s use,
    /// `models.yaml#/…`), each an OpenAPI 3.0 document as JSON. `Err` when there are none.
    ///
    /// ```no_run
    /// use seatable_api::testing::spec_check::SpecCheck;
    /// let doc = serde_json::json!({"paths": {}});
    /// let check = SpecCheck::from_documents([("demo".to_string(), doc)].into_iter().collect());
    /// ```
    pub fn from_documents(files: BTreeMap<String, Value>) -> Result<SpecCheck, String> {
        if files.is_empty() {
            return Err("no spec documents".into());
        }
        Ok(SpecCheck { files })
    }

    /// This crate's own spec (`spec/` at build time), read once and kept.
    ///
    /// ```no_run
    /// use seatable_api::testing::spec_check::SpecCheck;
    /// let problems = SpecCheck::ours().check_response("auth", "ping", 200, b"\"pong\"");
    /// ```
    pub fn ours() -> &'static SpecCheck {
        static OURS: std::sync::OnceLock<SpecCheck> = std::sync::OnceLock::new();
        OURS.get_or_init(|| {
            let files = crate::generated::answers::CHECK_DOCUMENTS
                .iter()
                .map(|(stem, text)| {
                    // Written by the generator from documents it read: always JSON.
                    let doc = serde_json::from_str(text).unwrap_or(Value::Null);
                    (stem.to_string(), doc)
                })
                .collect();
            SpecCheck { files }
        })
    }

    /// The violations of `body` against the response schema that `module` declares for
    /// `operation_id` and `status` (else its `2XX`-style range, else `default`); empty when
    /// the body is valid. `Err` when the operation, or a response for the status, is not in
    /// the spec, or the spec itself cannot be followed (a dangling `$ref`).
    ///
    /// ```no_run
    /// use seatable_api::testing::spec_check::SpecCheck;
    /// let body = br#"{"metadata": {"tables": []}}"#;
    /// let problems = SpecCheck::ours().check_response("base", "getMetadata", 200, body);
    /// assert_eq!(problems, Ok(vec![]));
    /// ```
    pub fn check_response(
        &self,
        module: &str,
        operation_id: &str,
        status: u16,
        body: &[u8],
    ) -> Result<Vec<Violation>, String> {
        let (file, operation) = self.operation(module, operation_id)?;
        let responses = operation
            .get("responses")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{module}::{operation_id} declares no responses"))?;
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        let response = responses
            .get(&exact)
            .or_else(|| {
                responses
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&range))
                    .map(|(_, v)| v)
            })
            .or_else(|| responses.get("default"))
            .ok_or_else(|| {
                format!(
                    "{module}::{operation_id} declares no response for status {status} (declared: {})",
                    responses.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            })?;
        let (file, response) = self.deref(file, response)?;
        match response.get("content").and_then(Value::as_object) {
            Some(content) if !content.is_empty() => self.check_content(file, content, body),
            _ if body.is_empty() => Ok(Vec::new()),
            _ => Ok(vec![Violation {
                path: String::new(),
                message: format!(
                    "expected an empty body (status {status} has no content), found {} bytes",
                    body.len()
                ),
            }]),
        }
    }

    /// The violations of `body` against the JSON request body `module` declares for
    /// `operation_id`; an operation without a request body takes only an empty one. `Err`
    /// when the operation is not in the spec or its body is not JSON (multipart, form).
    ///
    /// ```no_run
    /// use seatable_api::testing::spec_check::SpecCheck;
    /// let body = br#"{"table_name": "Table1", "rows": []}"#;
    /// let problems = SpecCheck::ours().check_request("base", "appendRows", body);
    /// ```
    pub fn check_request(
        &self,
        module: &str,
        operation_id: &str,
        body: &[u8],
    ) -> Result<Vec<Violation>, String> {
        let (file, operation) = self.operation(module, operation_id)?;
        let Some(request) = operation.get("requestBody") else {
            if body.is_empty() {
                return Ok(Vec::new());
            }
            return Ok(vec![Violation {
                path: String::new(),
                message: format!(
                    "expected no body ({module}::{operation_id} takes none), found {} bytes",
                    body.len()
                ),
            }]);
        };
        let (file, request) = self.deref(file, request)?;
        let content = request
            .get("content")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{module}::{operation_id}: its request body has no content"))?;
        if !content.keys().any(|k| is_json(k)) {
            return Err(format!(
                "{module}::{operation_id} takes no JSON body ({})",
                content.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        let required = request.get("required").and_then(Value::as_bool) == Some(true);
        if body.is_empty() && !required {
            return Ok(Vec::new());
        }
        self.check_content(file, content, body)
    }

    /// The body against the JSON media type of `content`, if it has one.
    fn check_content(
        &self,
        file: &str,
        content: &serde_json::Map<String, Value>,
        body: &[u8],
    ) -> Result<Vec<Violation>, String> {
        let Some((_, media)) = content.iter().find(|(k, _)| is_json(k)) else {
            return Ok(Vec::new());
        };
        let violation = |message: String| {
            Ok(vec![Violation {
                path: String::new(),
                message,
            }])
        };
        if body.is_empty() {
            return violation("expected a JSON body, found an empty body".into());
        }
        let value: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return violation(format!("expected a JSON body, found invalid JSON: {e}")),
        };
        let mut out = Vec::new();
        if let Some(schema) = media.get("schema") {
            self.check(file, schema, &value, "", &mut out)?;
        }
        Ok(out)
    }

    /// The operation `operation_id` of `module`, with its file.
    fn operation(&self, module: &str, operation_id: &str) -> Result<Located<'_>, String> {
        let (file, doc) = self
            .files
            .get_key_value(module)
            .ok_or_else(|| format!("no spec file `{module}` (loaded: {})", self.modules()))?;
        let paths = doc.get("paths").and_then(Value::as_object);
        paths
            .into_iter()
            .flat_map(|p| p.values())
            .filter_map(Value::as_object)
            .flat_map(|item| METHODS.iter().filter_map(|m| item.get(*m)))
            .find(|op| op.get("operationId").and_then(Value::as_str) == Some(operation_id))
            .map(|op| (file.as_str(), op))
            .ok_or_else(|| format!("no operation `{operation_id}` in {module}"))
    }

    fn modules(&self) -> String {
        self.files.keys().cloned().collect::<Vec<_>>().join(", ")
    }

    /// `node` with its `$ref`s followed, and the file the result lives in.
    fn deref<'a>(&'a self, mut file: &'a str, mut node: &'a Value) -> Result<Located<'a>, String> {
        for _ in 0..64 {
            let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
                return Ok((file, node));
            };
            let (target, pointer) = reference.split_once('#').unwrap_or((reference, ""));
            if !target.is_empty() {
                let stem = target
                    .trim_start_matches("./")
                    .trim_end_matches(".yaml")
                    .trim_end_matches(".yml");
                file = self
                    .files
                    .get_key_value(stem)
                    .map(|(k, _)| k.as_str())
                    .ok_or_else(|| format!("{file}: `$ref: {reference}` names no loaded file"))?;
            }
            node = self.files[file]
                .pointer(pointer)
                .ok_or_else(|| format!("{file}: `$ref: {reference}` points at nothing"))?;
        }
        Err(format!("{file}: `$ref`s form a cycle"))
    }

    /// Pushes the violations of `value` (at pointer `at`) against `schema` onto `out`.
    fn check(
        &self,
        file: &str,
        schema: &Value,
        value: &Value,
        at: &str,
        out: &mut Vec<Violation>,
    ) -> Result<(), String> {
        let (file, schema) = self.deref(file, schema)?;
        let Some(schema) = schema.as_object() else {
            // `true`/`false` schemas are not OpenAPI 3.0; `{}` lands here only as an object.
            return Err(format!("{file}: a schema that is not an object: {schema}"));
        };
        let mut push = |message: String| {
            out.push(Violation {
                path: at.to_string(),
                message,
            })
        };
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        if value.is_null() && nullable {
            return Ok(());
        }
        if schema.contains_key("not") {
            return Err(format!("{file}: `not` is not supported by this check"));
        }
        if let Some(ty) = schema.get("type").and_then(Value::as_str) {
            if !has_type(value, ty) {
                let or_null = if nullable { " or null" } else { "" };
                push(format!("expected {ty}{or_null}, found {}", describe(value)));
                return Ok(());
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.contains(value) {
                let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
                push(format!(
                    "expected one of {}, found {}",
                    list.join(", "),
                    describe(value)
                ));
                return Ok(());
            }
        }
        match value {
            Value::String(s) => self.check_string(file, schema, s, &mut push)?,
            Value::Number(n) => check_number(schema, value, n, &mut push),
            Value::Array(items) => {
                let count = items.len();
                if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
                    if (count as u64) < min {
                        push(format!(
                            "expected at least {min} {}, found {count}",
                            plural(min, "item")
                        ));
                    }
                }
                if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
                    if count as u64 > max {
                        push(format!(
                            "expected at most {max} {}, found {count}",
                            plural(max, "item")
                        ));
                    }
                }
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(file, item_schema, item, &format!("{at}/{i}"), out)?;
                    }
                }
            }
            Value::Object(members) => self.check_object(file, schema, members, at, out)?,
            Value::Bool(_) | Value::Null => {}
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for member in all {
                self.check(file, member, value, at, out)?;
            }
        }
        if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
            let matching = self.matching(file, any, value, at)?;
            if matching.is_empty() {
                out.push(Violation {
                    path: at.to_string(),
                    message: format!(
                        "expected a value matching at least one of anyOf [{}], found {} matching none",
                        member_names(any),
                        describe(value)
                    ),
                });
            }
        }
        if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
            match schema.get("discriminator") {
                Some(discriminator) => {
                    self.check_discriminated(file, one, discriminator, value, at, out)?
                }
                None => {
                    let matching = self.matching(file, one, value, at)?;
                    if matching.len() != 1 {
                        let found = match matching.len() {
                            0 => "none".to_string(),
                            n => format!("{n} of them ({})", matching.join(", ")),
                        };
                        out.push(Violation {
                            path: at.to_string(),
                            message: format!(
                                "expected a value matching exactly one of oneOf [{}], found {} matching {found}",
                                member_names(one),
                                describe(value)
                            ),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    fn check_string(
        &self,
        file: &str,
        schema: &serde_json::Map<String, Value>,
        s: &str,
        push: &mut impl FnMut(String),
    ) -> Result<(), String> {
        let length = s.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
            if length < min {
                push(format!(
                    "expected at least {min} {}, found {length} in {}",
                    plural(min, "character"),
                    quoted(s)
                ));
            }
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
            if length > max {
                push(format!(
                    "expected at most {max} {}, found {length} in {}",
                    plural(max, "character"),
                    quoted(s)
                ));
            }
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            let compiled = Pattern::compile(pattern)
                .map_err(|e| format!("{file}: pattern `{pattern}` is not supported: {e}"))?;
            if !compiled.is_match(s) {
                push(format!(
                    "expected a string matching `{pattern}`, found string {}",
                    quoted(s)
                ));
            }
        }
        let format = schema.get("format").and_then(Value::as_str);
        let (ok, what) = match format {
            Some("date-time") => (is_date_time(s), "a date-time (RFC 3339)"),
            Some("date") => (is_date(s), "a date (YYYY-MM-DD)"),
            Some("uuid") => (is_uuid(s), "a uuid (8-4-4-4-12 hex digits)"),
            _ => (true, ""),
        };
        if !ok {
            push(format!("expected {what}, found string {}", quoted(s)));
        }
        Ok(())
    }

    fn check_object(
        &self,
        file: &str,
        schema: &serde_json::Map<String, Value>,
        members: &serde_json::Map<String, Value>,
        at: &str,
        out: &mut Vec<Violation>,
    ) -> Result<(), String> {
        let properties = schema.get("properties").and_then(Value::as_object);
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !members.contains_key(name) {
                    out.push(Violation {
                        path: format!("{at}/{}", escape(name)),
                        message: format!("missing required property `{name}`"),
                    });
                }
            }
        }
        for (name, member) in members {
            let here = format!("{at}/{}", escape(name));
            if let Some(property) = properties.and_then(|p| p.get(name)) {
                self.check(file, property, member, &here, out)?;
                continue;
            }
            match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => out.push(Violation {
                    path: here,
                    message: format!(
                        "expected no property but {}, found `{name}`",
                        property_names(properties)
                    ),
                }),
                Some(extra @ Value::Object(_)) => self.check(file, extra, member, &here, out)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// A `oneOf` with a discriminator: the tag picks the member, which must then match.
    fn check_discriminated(
        &self,
        file: &str,
        members: &[Value],
        discriminator: &Value,
        value: &Value,
        at: &str,
        out: &mut Vec<Violation>,
    ) -> Result<(), String> {
        let property = discriminator
            .get("propertyName")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{file}: a discriminator without `propertyName`"))?;
        let Some(object) = value.as_object() else {
            out.push(Violation {
                path: at.to_string(),
                message: format!("expected object, found {}", describe(value)),
            });
            return Ok(());
        };
        let here = format!("{at}/{}", escape(property));
        let tag = match object.get(property) {
            None => {
                out.push(Violation {
                    path: here,
                    message: format!("missing required property `{property}` (the discriminator)"),
                });
                return Ok(());
            }
            Some(Value::String(tag)) => tag,
            Some(other) => {
                out.push(Violation {
                    path: here,
                    message: format!("expected string, found {}", describe(other)),
                });
                return Ok(());
            }
        };
        let mapping = discriminator.get("mapping").and_then(Value::as_object);
        let target = match mapping.and_then(|m| m.get(tag)).and_then(Value::as_str) {
            // A bare schema name is short for the schema of that name.
            Some(r) if !r.contains('#') && !r.contains('/') => {
                Some(format!("#/components/schemas/{r}"))
            }
            Some(r) => Some(r.to_string()),
            None => members
                .iter()
                .filter_map(|m| m.get("$ref").and_then(Value::as_str))
                .find(|r| r.rsplit('/').next() == Some(tag.as_str()))
                .map(str::to_string),
        };
        let Some(target) = target else {
            let mut tags: Vec<String> = mapping
                .map(|m| {
                    m.keys()
                        .map(|k| Value::from(k.as_str()).to_string())
                        .collect()
                })
                .unwrap_or_default();
            if tags.is_empty() {
                tags = member_names(members)
                    .split(", ")
                    .map(|n| format!("\"{n}\""))
                    .collect();
            }
            tags.sort();
            out.push(Violation {
                path: here,
                message: format!(
                    "expected one of {} (the discriminator), found string {}",
                    tags.join(", "),
                    quoted(tag)
                ),
            });
            return Ok(());
        };
        let member = serde_json::json!({ "$ref": target });
        self.check(file, &member, value, at, out)
    }

    /// The names of the members `value` matches without a violation.
    fn matching(
        &self,
        file: &str,
        members: &[Value],
        value: &Value,
        at: &str,
    ) -> Result<Vec<String>, String> {
        let mut names = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let mut scratch = Vec::new();
            self.check(file, member, value, at, &mut scratch)?;
            if scratch.is_empty() {
                names.push(member_name(member, i));
            }
        }
        Ok(names)
    }
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.to_ascii_lowercase().ends_with("+json")
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

fn check_number(
    schema: &serde_json::Map<String, Value>,
    value: &Value,
    n: &serde_json::Number,
    push: &mut impl FnMut(String),
) {
    let x = n.as_f64().unwrap_or(f64::NAN);
    let flag = |k: &str| schema.get(k).and_then(Value::as_bool) == Some(true);
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        let exclusive = flag("exclusiveMinimum");
        if x < min || (exclusive && x == min) {
            let op = if exclusive { ">" } else { ">=" };
            push(format!(
                "expected a value {op} {}, found {}",
                schema["minimum"],
                describe(value)
            ));
        }
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        let exclusive = flag("exclusiveMaximum");
        if x > max || (exclusive && x == max) {
            let op = if exclusive { "<" } else { "<=" };
            push(format!(
                "expected a value {op} {}, found {}",
                schema["maximum"],
                describe(value)
            ));
        }
    }
    let (fits, what) = match schema.get("format").and_then(Value::as_str) {
        Some("int32") => (
            n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
            "int32",
        ),
        Some("int64") => (n.as_i64().is_some() || n.is_f64(), "int64"),
        _ => (true, ""),
    };
    if !fits {
        push(format!(
            "expected an integer within {what}, found {}",
            describe(value)
        ));
    }
}

/// `value` for a message: its JSON type and, for scalars, the value.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) if n.is_f64() => format!("number {n}"),
        Value::Number(n) => format!("integer {n}"),
        Value::String(s) => format!("string {}", quoted(s)),
        Value::Array(items) => format!(
            "array of {} {}",
            items.len(),
            plural(items.len() as u64, "item")
        ),
        Value::Object(_) => "object".into(),
    }
}

/// `s` as a JSON string, shortened to 60 characters.
fn quoted(s: &str) -> String {
    if s.chars().count() <= 60 {
        return Value::from(s).to_string();
    }
    let head: String = s.chars().take(57).collect();
    let q = Value::from(head).to_string();
    format!("{}…\"", &q[..q.len() - 1])
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

fn property_names(properties: Option<&serde_json::Map<String, Value>>) -> String {
    let names: Vec<String> = properties
        .map(|p| p.keys().map(|k| format!("`{k}`")).collect())
        .unwrap_or_default();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn member_name(member: &Value, index: usize) -> String {
    member
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .map(str::to_string)
        .unwrap_or_else(|| format!("#{index}"))
}

fn member_names(members: &[Value]) -> String {
    members
        .iter()
        .enumerate()
        .map(|(i, m)| member_name(m, i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A property name as one JSON-pointer token.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn digits(s: &str, range: std::ops::Range<usize>) -> Option<u32> {
    let part = s.get(range)?;
    if part.bytes().all(|b| b.is_ascii_digit()) {
        part.parse().ok()
    } else {
        None
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(year), Some(month), Some(day)) = (digits(s, 0..4), digits(s, 5..7), digits(s, 8..10))
    else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// RFC 3339 `date-time`: `2021-03-10T16:06:48.981+00:00`, `…Z`.
fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't') || !is_date(&s[..10]) {
        return false;
    }
    if b[13] != b':' || b[16] != b':' {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) =
        (digits(s, 11..13), digits(s, 14..16), digits(s, 17..19))
    else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', _, _, b':', _, _] => {
            matches!((digits(rest, 1..3), digits(rest, 4..6)), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}
