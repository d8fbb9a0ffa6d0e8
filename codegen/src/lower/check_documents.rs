//! Spec files → [`CheckDocument`]s: what a check of JSON bodies against the spec reads,
//! without what it does not (prose, examples, extensions), so that a server can carry it.

use serde_json::{Map, Value};

use crate::ir::{Api, CheckDocument, ResponseKind};
use crate::load::SpecFile;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Keys of a schema that constrain no value.
const SCHEMA_PROSE: [&str; 9] = [
    "description",
    "example",
    "title",
    "externalDocs",
    "xml",
    "readOnly",
    "writeOnly",
    "deprecated",
    "default",
];

/// Fills [`Api::check_documents`], and [`Response::sample`] of every JSON success answer
/// the spec gives no example of.
pub(crate) fn add_to(api: &mut Api, files: &[SpecFile]) {
    // openapiv3's own types serialise back to OpenAPI JSON; a document it read can always
    // be written, so a file left out here is unreachable in practice.
    let full: Vec<(String, Value)> = files
        .iter()
        .filter_map(|f| Some((f.stem.clone(), serde_json::to_value(&f.doc).ok()?)))
        .collect();
    api.check_documents = full
        .iter()
        .map(|(stem, doc)| CheckDocument {
            stem: stem.clone(),
            json: reduce(doc),
        })
        .collect();
    let sampler = Sampler { docs: &full };
    for m in &mut api.modules {
        for o in &mut m.operations {
            if o.response.example.is_some() || !matches!(o.response.kind, ResponseKind::Json(_)) {
                continue;
            }
            o.response.sample = sampler.answer(&m.name, &o.id, &o.response.status);
        }
    }
}

/// Builds a JSON value from a schema of the full documents: the schema's own `example`
/// where it has one, else the first `enum` value, else a value of its type that keeps its
/// `format`, `minimum` and `minLength`; objects with their required properties (every
/// property near the top), arrays with one item near the top.
struct Sampler<'a> {
    docs: &'a [(String, Value)],
}

/// How deep a sample fills optional properties and array items.
const FULL_DEPTH: usize = 2;

impl Sampler<'_> {
    fn doc(&self, stem: &str) -> Option<&Value> {
        self.docs.iter().find(|(s, _)| s == stem).map(|(_, d)| d)
    }

    /// `node` with its `$ref`s followed, and the stem of the file it lives in.
    fn deref<'v>(&'v self, mut stem: &'v str, mut node: &'v Value) -> Option<(&'v str, &'v Value)> {
        for _ in 0..32 {
            let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
                return Some((stem, node));
            };
            let (target, pointer) = reference.split_once('#').unwrap_or((reference, ""));
            if !target.is_empty() {
                let name = target.rsplit('/').next().unwrap_or(target);
                stem = name.trim_end_matches(".yaml").trim_end_matches(".yml");
            }
            let (s, _) = self.docs.iter().find(|(s, _)| s == stem)?;
            stem = s;
            node = self.doc(stem)?.pointer(pointer)?;
        }
        None
    }

    fn answer(&self, stem: &str, id: &str, status: &str) -> Option<Value> {
        let doc = self.doc(stem)?;
        let op = doc
            .get("paths")?
            .as_object()?
            .values()
            .filter_map(Value::as_object)
            .flat_map(|item| METHODS.iter().filter_map(|m| item.get(*m)))
            .find(|op| op.get("operationId").and_then(Value::as_str) == Some(id))?;
        let response = op.get("responses")?.get(status)?;
        let (file, response) = self.deref(stem, response)?;
        let content = response.get("content")?.as_object()?;
        let (_, media) = content.iter().find(|(k, _)| {
            let k = k.to_ascii_lowercase();
            k.starts_with("application/json") || k.ends_with("+json")
        })?;
        let schema = media.get("schema")?;
        Some(self.sample(file, schema, 0, &mut Vec::new()))
    }

    fn sample(&self, stem: &str, schema: &Value, depth: usize, seen: &mut Vec<String>) -> Value {
        let reference = schema
            .get("$ref")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(r) = &reference {
            if seen.contains(r) {
                return Value::Null;
            }
            seen.push(r.clone());
        }
        let value = match self.deref(stem, schema) {
            Some((file, s)) => self.sample_resolved(file, s, depth, seen),
            None => Value::Null,
        };
        if reference.is_some() {
            seen.pop();
        }
        value
    }

    fn sample_resolved(
        &self,
        stem: &str,
        s: &Value,
        depth: usize,
        seen: &mut Vec<String>,
    ) -> Value {
        if let Some(e) = s.get("example") {
            return e.clone();
        }
        if let Some(first) = s
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        if let Some(members) = s.get("allOf").and_then(Value::as_array) {
            let mut out = Map::new();
            for m in members {
                if let Value::Object(part) = self.sample(stem, m, depth, seen) {
                    out.extend(part);
                }
            }
            if let Value::Object(own) = self.object(stem, s, depth, seen) {
                out.extend(own);
            }
            return Value::Object(out);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(first) = s.get(key).and_then(Value::as_array).and_then(|m| m.first()) {
                let mut value = self.sample(stem, first, depth, seen);
                if let (Some(d), Value::Object(map)) = (s.get("discriminator"), &mut value) {
                    if let Some(tag) = discriminator_tag(d, first) {
                        let property = d
                            .get("propertyName")
                            .and_then(Value::as_str)
                            .unwrap_or("type");
                        map.insert(property.to_string(), Value::String(tag));
                    }
                }
                return value;
            }
        }
        match s.get("type").and_then(Value::as_str) {
            Some("string") => Value::String(string_sample(s)),
            Some("integer") => number_sample(s, true),
            Some("number") => number_sample(s, false),
            Some("boolean") => Value::Bool(true),
            Some("array") => {
                let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0);
                let max = s
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(u64::MAX);
                let count = if depth < FULL_DEPTH { min.max(1) } else { min }.min(max);
                let item = s.get("items").cloned().unwrap_or(Value::Object(Map::new()));
                Value::Array(
                    (0..count)
                        .map(|_| self.sample(stem, &item, depth + 1, seen))
                        .collect(),
                )
            }
            _ => self.object(stem, s, depth, seen),
        }
    }

    fn object(&self, stem: &str, s: &Value, depth: usize, seen: &mut Vec<String>) -> Value {
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Map::new();
        for (name, property) in s
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if depth >= FULL_DEPTH && !required.contains(&name.as_str()) {
                continue;
            }
            let v = self.sample(stem, property, depth + 1, seen);
            let nullable = self
                .deref(stem, property)
                .and_then(|(_, p)| p.get("nullable"))
                .and_then(Value::as_bool)
                == Some(true);
            // A cycle gives null: a property that cannot be null is left out instead.
            if v.is_null() && !nullable {
                continue;
            }
            out.insert(name.clone(), v);
        }
        Value::Object(out)
    }
}

/// The tag a discriminator gives the member `member` (a `$ref`).
fn discriminator_tag(d: &Value, member: &Value) -> Option<String> {
    let reference = member.get("$ref").and_then(Value::as_str)?;
    let mapped = d.get("mapping").and_then(Value::as_object).and_then(|m| {
        m.iter()
            .find(|(_, target)| {
                target
                    .as_str()
                    .is_some_and(|t| t == reference || reference.ends_with(&format!("/{t}")))
            })
            .map(|(tag, _)| tag.clone())
    });
    mapped.or_else(|| reference.rsplit('/').next().map(str::to_string))
}

fn string_sample(s: &Value) -> String {
    let text = match s.get("format").and_then(Value::as_str) {
        Some("date-time") => "2025-01-01T00:00:00+00:00",
        Some("date") => "2025-01-01",
        Some("uuid") => "3f1c2b4e-5d6a-4b7c-8d9e-0f1a2b3c4d5e",
        Some("email") => "user@example.com",
        Some("uri" | "url") => "https://example.com/",
        _ => "sample",
    };
    let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = s
        .get("maxLength")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX) as usize;
    let mut text = text.to_string();
    while text.chars().count() < min {
        text.push('a');
    }
    text.chars().take(max.max(min)).collect()
}

fn number_sample(s: &Value, integer: bool) -> Value {
    let min = s.get("minimum").and_then(Value::as_f64);
    let max = s.get("maximum").and_then(Value::as_f64);
    let mut x = 1.0_f64;
    if let Some(min) = min {
        x = x.max(min);
    }
    if let Some(max) = max {
        x = x.min(max);
    }
    if integer {
        Value::from(x.ceil() as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::from(1), Value::Number)
    }
}

fn reduce(doc: &Value) -> Value {
    let mut paths = Map::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let mut kept = Map::new();
        for method in METHODS {
            let Some(op) = item.get(method).and_then(Value::as_object) else {
                continue;
            };
            let mut o = Map::new();
            for key in ["operationId", "requestBody", "responses"] {
                if let Some(v) = op.get(key) {
                    let v = match key {
                        "requestBody" => body(v),
                        "responses" => map_values(v, response),
                        _ => v.clone(),
                    };
                    o.insert(key.to_string(), v);
                }
            }
            kept.insert(method.to_string(), Value::Object(o));
        }
        if !kept.is_empty() {
            paths.insert(path.clone(), Value::Object(kept));
        }
    }
    let mut components = Map::new();
    if let Some(c) = doc.get("components") {
        for (kind, reduce_one) in [
            ("schemas", schema as fn(&Value) -> Value),
            ("responses", response),
            ("requestBodies", body),
        ] {
            if let Some(v) = c
                .get(kind)
                .filter(|v| v.as_object().is_some_and(|m| !m.is_empty()))
            {
                components.insert(kind.to_string(), map_values(v, reduce_one));
            }
        }
    }
    let mut out = Map::new();
    out.insert("paths".into(), Value::Object(paths));
    out.insert("components".into(), Value::Object(components));
    Value::Object(out)
}

fn map_values(v: &Value, f: fn(&Value) -> Value) -> Value {
    match v.as_object() {
        Some(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), f(v))).collect()),
        None => v.clone(),
    }
}

fn is_ref(v: &Value) -> bool {
    v.get("$ref").is_some()
}

fn response(v: &Value) -> Value {
    if is_ref(v) {
        return v.clone();
    }
    let mut out = Map::new();
    if let Some(c) = v
        .get("content")
        .filter(|c| c.as_object().is_some_and(|m| !m.is_empty()))
    {
        out.insert("content".into(), content(c));
    }
    Value::Object(out)
}

fn body(v: &Value) -> Value {
    if is_ref(v) {
        return v.clone();
    }
    let mut out = Map::new();
    if let Some(r) = v.get("required") {
        out.insert("required".into(), r.clone());
    }
    if let Some(c) = v.get("content") {
        out.insert("content".into(), content(c));
    }
    Value::Object(out)
}

fn content(v: &Value) -> Value {
    let Some(m) = v.as_object() else {
        return v.clone();
    };
    Value::Object(
        m.iter()
            .map(|(media, m)| {
                let mut kept = Map::new();
                if let Some(s) = m.get("schema") {
                    kept.insert("schema".into(), schema(s));
                }
                (media.clone(), Value::Object(kept))
            })
            .collect(),
    )
}

/// A schema without its prose; the keys that hold schemas are followed, every other key
/// (`enum`, `required`, `discriminator`…) is data and kept as it is.
fn schema(v: &Value) -> Value {
    let Some(m) = v.as_object() else {
        return v.clone();
    };
    let mut out = Map::new();
    for (k, v) in m {
        if SCHEMA_PROSE.contains(&k.as_str()) || k.starts_with("x-") {
            continue;
        }
        let v = match k.as_str() {
            "properties" => map_values(v, schema),
            "items" | "additionalProperties" | "not" => schema(v),
            "allOf" | "anyOf" | "oneOf" => match v.as_array() {
                Some(items) => Value::Array(items.iter().map(schema).collect()),
                None => v.clone(),
            },
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{reduce, Sampler};

    #[test]
    fn reduction_drops_prose_but_keeps_a_property_named_like_it() {
        let doc = json!({
            "info": {"title": "x"},
            "paths": {"/a/": {
                "summary": "path prose",
                "get": {"operationId": "a", "description": "op prose", "tags": ["A"],
                    "responses": {"200": {"description": "OK", "content": {"application/json": {
                        "example": {"description": "d"},
                        "schema": {"type": "object", "description": "prose", "x-rust-name": "A",
                            "required": ["description"],
                            "properties": {"description": {"type": "string", "example": "e", "minLength": 1}}}}}}}}}},
            "components": {"schemas": {"B": {"title": "B", "enum": ["x"], "default": "x"}}}
        });
        assert_eq!(
            reduce(&doc),
            json!({
                "paths": {"/a/": {"get": {"operationId": "a",
                    "responses": {"200": {"content": {"application/json": {
                        "schema": {"type": "object", "required": ["description"],
                            "properties": {"description": {"type": "string", "minLength": 1}}}}}}}}}},
                "components": {"schemas": {"B": {"enum": ["x"]}}}
            })
        );
    }

    #[test]
    fn samples_keep_examples_enums_formats_minimums_and_discriminators() {
        let models = json!({"components": {"schemas": {
            "Cat": {"type": "object", "required": ["kind", "lives"],
                "properties": {"kind": {"type": "string"}, "lives": {"type": "integer", "minimum": 7}}},
            "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}],
                "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat"}}},
            "Node": {"type": "object", "required": ["id"],
                "properties": {"id": {"type": "string", "example": "n1"}, "next": {"$ref": "#/components/schemas/Node"}}}
        }}});
        let api = json!({"paths": {"/p/": {"get": {"operationId": "getPet", "responses": {"200": {
        "content": {"application/json": {"schema": {"type": "object", "properties": {
            "pet": {"$ref": "models.yaml#/components/schemas/Pet"},
            "when": {"type": "string", "format": "date-time"},
            "state": {"type": "string", "enum": ["open", "closed"]},
            "code": {"type": "string", "minLength": 8},
            "nodes": {"type": "array", "items": {"$ref": "models.yaml#/components/schemas/Node"}}
        }}}}}}}}}});
        let docs = vec![("api".to_string(), api), ("models".to_string(), models)];
        let sample = Sampler { docs: &docs }.answer("api", "getPet", "200");
        assert_eq!(
            sample,
            Some(json!({
                "pet": {"kind": "cat", "lives": 7},
                "when": "2025-01-01T00:00:00+00:00",
                "state": "open",
                "code": "sampleaa",
                // Deep down only required properties: `next` (a node again) is left out.
                "nodes": [{"id": "n1"}]
            }))
        );
    }
}
