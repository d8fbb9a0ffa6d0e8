//! The spec check (`seatable_api::testing::spec_check`) as the tests use it: loaded from
//! the YAML files of a spec directory, and applied to every exchange of a stand-in.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

#[allow(unused_imports)]
pub use seatable_api::testing::spec_check::{SpecCheck, Violation};

/// Every `*.yaml` / `*.yml` file directly in `spec_dir`, read into a [`SpecCheck`].
pub fn load(spec_dir: &Path) -> Result<SpecCheck, String> {
    SpecCheck::from_documents(documents(spec_dir)?)
}

/// Every `*.yaml` / `*.yml` file directly in `spec_dir` as JSON, by file stem.
pub fn documents(spec_dir: &Path) -> Result<BTreeMap<String, Value>, String> {
    let entries = std::fs::read_dir(spec_dir)
        .map_err(|e| format!("cannot read {}: {e}", spec_dir.display()))?;
    let mut files = BTreeMap::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", spec_dir.display()))?
            .path();
        let is_yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if !is_yaml {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text)
            .map_err(|e| format!("{} is not YAML: {e}", path.display()))?;
        let json = yaml_to_json(yaml).map_err(|e| format!("{}: {e}", path.display()))?;
        files.insert(stem.to_string(), json);
    }
    if files.is_empty() {
        return Err(format!("no spec files in {}", spec_dir.display()));
    }
    Ok(files)
}

/// YAML → JSON data, keys written as strings (`200:` → `"200"`).
fn yaml_to_json(yaml: serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| format!("the number {n} has no JSON form"))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => return Err(format!("a mapping key that is not a scalar: {other:?}")),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

/// Every answer the stand-in gave, checked against `spec/` (the response schema the spec
/// declares for the operation and status), and every JSON request body the client sent
/// against the operation's request schema. The tests that inject faults or set unchecked
/// answers do not call this, as such an answer is the test's, not the stand-in's.
pub fn conforms_to_the_spec(mock: &seatable_api::testing::MockSeaTable) {
    static SPEC: std::sync::OnceLock<SpecCheck> = std::sync::OnceLock::new();
    let spec = SPEC.get_or_init(|| {
        load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec"))
            .expect("the spec loads")
    });
    let mut problems = Vec::new();
    let mut checked = 0;
    for exchange in mock.requests() {
        let Some(op) = exchange.operation else {
            continue;
        };
        let at = format!(
            "{} {} ({:?}, {})",
            exchange.method, exchange.path, op, exchange.status
        );
        match spec.check_response(
            op.module(),
            op.operation_id(),
            exchange.status,
            &exchange.response_body,
        ) {
            Ok(v) if v.is_empty() => checked += 1,
            Ok(v) => problems.push(format!("{at}: answer: {v:?}")),
            Err(e) => problems.push(format!("{at}: {e}")),
        }
        let json_body = exchange.request_headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("content-type") && v.starts_with("application/json")
        });
        // The bare-HTTP requests of these tests are malformed on purpose; the client's
        // own are checked.
        let from_client = exchange
            .request_headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("user-agent") && v.starts_with("seatable-api/"));
        if json_body && from_client {
            match spec.check_request(op.module(), op.operation_id(), &exchange.request_body) {
                Ok(v) if v.is_empty() => {}
                Ok(v) => problems.push(format!("{at}: request: {v:?}")),
                Err(e) => problems.push(format!("{at}: request: {e}")),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} exchanges break the spec:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(checked > 0, "no exchange was checked");
}
