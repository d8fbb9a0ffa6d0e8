//! Helpers shared by the test crates: the restorer of recorded SeaTable answers, the map
//! of recorded answers to operations, the check of JSON bodies against the spec, and a
//! base on the stand-in (with what the fault tests read of its log) or on a `wiremock`
//! server.

// Each test binary that includes `support` uses a different part of it.
#![allow(dead_code)]

pub mod pattern;
pub mod recorded;
pub mod spec_check;
pub mod stand_in;
pub mod wiremock_base;

use serde_json::{json, Value};

/// SeaTable's test suite normalised its recordings by type: a value became the name of its
/// type. Where that name is not a string, a plausible value of the type goes back in:
/// `"int"` → `1`, `"float"` → `1.5`, `"bool"` → `true`, `"list"` → `[]`, `"dict"` → `{}`
/// (`"str"` stays, being a string already).
pub fn restore_placeholders(v: &mut Value) {
    match v {
        Value::String(s) => {
            let plausible = match s.as_str() {
                "int" => json!(1),
                "float" => json!(1.5),
                "bool" => json!(true),
                "list" => json!([]),
                "dict" => json!({}),
                _ => return,
            };
            *v = plausible;
        }
        Value::Array(items) => items.iter_mut().for_each(restore_placeholders),
        Value::Object(map) => map.values_mut().for_each(restore_placeholders),
        _ => {}
    }
}
