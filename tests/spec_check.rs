//! `support::spec_check`: JSON bodies held to `spec/`. Each construct the spec uses is
//! checked on a real operation with a valid and an invalid body (exact pointers and
//! messages), and every recorded SeaTable answer of a known operation is held to the spec.

mod support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{json, Value};
use support::pattern::Pattern;
use support::spec_check::{SpecCheck, Violation};

/// Our spec, loaded once for all tests (parsing it takes most of a second).
fn spec() -> &'static SpecCheck {
    static SPEC: OnceLock<SpecCheck> = OnceLock::new();
    SPEC.get_or_init(|| {
        support::spec_check::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("spec"))
            .unwrap_or_else(|e| panic!("the spec loads: {e}"))
    })
}

/// Violations as `pointer: message` lines, for exact comparison.
fn lines(violations: Vec<Violation>) -> Vec<String> {
    violations.iter().map(Violation::to_string).collect()
}

fn response(spec: &SpecCheck, module: &str, op: &str, status: u16, body: &Value) -> Vec<String> {
    let bytes = serde_json::to_vec(body).expect("JSON");
    lines(
        spec.check_response(module, op, status, &bytes)
            .unwrap_or_else(|e| panic!("{module}::{op} {status}: {e}")),
    )
}

fn request(spec: &SpecCheck, module: &str, op: &str, body: &Value) -> Vec<String> {
    let bytes = serde_json::to_vec(body).expect("JSON");
    lines(
        spec.check_request(module, op, &bytes)
            .unwrap_or_else(|e| panic!("{module}::{op} request: {e}")),
    )
}

// ---------------------------------------------------------------------------------------
// Recorded answers
// ---------------------------------------------------------------------------------------

/// The pointers of `value` where SeaTable's recorder put a type name (`"int"`, `"dict"`, …)
/// in place of a value: what the spec says about the real value there cannot be checked.
fn placeholder_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::String(s) if ["int", "float", "bool", "list", "dict"].contains(&s.as_str()) => {
            out.push(at)
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                placeholder_pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(members) => {
            for (k, v) in members {
                let token = k.replace('~', "~0").replace('/', "~1");
                placeholder_pointers(v, format!("{at}/{token}"), out);
            }
        }
        _ => {}
    }
}

/// One recording held to the spec: the violations that are real, and how many were only
/// the recorder's normalisation. Two kinds are: where a timestamp, user id or row id stood,
/// the recording holds `"str"`, which no `format` or id `pattern` accepts; and inside a
/// value replaced by a type name (`"dict"` → `{}` here, see `support::restore_placeholders`)
/// required members are missing. Where SeaTable's test kept one item of a list, the item is
/// wrapped into that list.
fn check_recording(
    spec: &SpecCheck,
    path: &Path,
    module: &str,
    op: &str,
    list: Option<&str>,
) -> (Vec<String>, usize) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let recorded: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut body = match list {
        Some(list) => json!({ list: [recorded] }),
        None => recorded,
    };
    let mut placeholders = Vec::new();
    placeholder_pointers(&body, String::new(), &mut placeholders);
    support::restore_placeholders(&mut body);
    let bytes = serde_json::to_vec(&body).expect("JSON");
    // The recordings keep no status: the operation's success status is the first 2xx the
    // spec declares for it.
    let all = [200, 201, 202, 204]
        .iter()
        .find_map(|&status| spec.check_response(module, op, status, &bytes).ok())
        .unwrap_or_else(|| panic!("{module}::{op} declares no success answer"));
    let total = all.len();
    let real: Vec<String> = all
        .into_iter()
        .filter(|v| {
            let str_placeholder = body.pointer(&v.path) == Some(&json!("str"))
                && (v.message.starts_with("expected a string matching")
                    || v.message.starts_with("expected a date-time")
                    || v.message.starts_with("expected a date ")
                    || v.message.starts_with("expected a uuid"));
            let inside_placeholder = placeholders
                .iter()
                .any(|p| v.path == *p || v.path.starts_with(&format!("{p}/")));
            !(str_placeholder || inside_placeholder)
        })
        .map(|v| v.to_string())
        .collect();
    let normalised = total - real.len();
    (real, normalised)
}

/// The full set of recordings when it is beside the checkout (or `SEATABLE_RECORDED`).
fn shared_recordings() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SEATABLE_RECORDED") {
        return Some(PathBuf::from(dir));
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/recorded");
    dir.is_dir().then_some(dir)
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    paths.sort();
    paths
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// A line for the test log that shows even when the test passes.
fn report(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[test]
fn the_recorded_copies_match_the_spec() {
    let spec = spec();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/recorded");
    let mut checked = Vec::new();
    let mut failures = Vec::new();
    for path in sorted_entries(&dir) {
        let file = file_name(&path);
        if !file.ends_with(".json") {
            continue;
        }
        let (module, op) = support::recorded::operation_of_copy(&file)
            .unwrap_or_else(|| panic!("tests/recorded/{file} names no operation of the spec"));
        let (violations, _) = check_recording(spec, &path, module, op, None);
        if violations.is_empty() {
            checked.push(file);
        } else {
            failures.push(format!(
                "{file} as {module}::{op}:\n  {}",
                violations.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        checked,
        [
            "appendRows.json",
            "getBaseToken.json",
            "getMetadata.json",
            "getRow.json",
            "listRows.json",
            "login.json",
            "querySql.json"
        ]
    );
}

/// Recorded answers the spec contradicts, with the contradiction: none. (The copied rows
/// of `duplicateTable` carry no lock fields; the spec gives them their own `StoredRow`.)
const CONTRADICTIONS: &[(&str, &[&str])] = &[];

#[test]
fn every_recorded_answer_matches_the_spec_but_the_known_contradictions() {
    let Some(dir) = shared_recordings() else {
        report("skipped: the full set of recorded answers is not beside the checkout (SEATABLE_RECORDED)");
        return;
    };
    let spec = spec();
    let mut checked = 0;
    let mut normalised = 0;
    let mut skipped = 0;
    let mut contradictions: Vec<(String, Vec<String>)> = Vec::new();
    for folder in sorted_entries(&dir).into_iter().filter(|p| p.is_dir()) {
        let folder_name = file_name(&folder);
        for path in sorted_entries(&folder) {
            let file = file_name(&path);
            let (module, op, list) =
                match support::recorded::recorded_operation(&folder_name, &file) {
                    Ok(mapped) => mapped,
                    Err(_) => {
                        skipped += 1;
                        continue;
                    }
                };
            let (violations, n) = check_recording(spec, &path, module, op, list);
            normalised += n;
            checked += 1;
            if !violations.is_empty() {
                contradictions.push((format!("{folder_name}/{file}"), violations));
            }
        }
    }
    report(&format!(
        "recorded: {checked} answers held to the spec ({normalised} placeholder violations ignored), {skipped} skipped, {} contradicting",
        contradictions.len()
    ));
    let known: Vec<(String, Vec<String>)> = CONTRADICTIONS
        .iter()
        .map(|(f, v)| (f.to_string(), v.iter().map(|s| s.to_string()).collect()))
        .collect();
    assert_eq!(contradictions, known);
    assert!(
        checked >= 50,
        "only {checked} recorded answers were checked"
    );
}

// ---------------------------------------------------------------------------------------
// Looking up operations and responses
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_modules_operations_and_statuses_are_errors() {
    let spec = spec();
    let err = |r: Result<Vec<Violation>, String>| r.expect_err("not in the spec");
    assert_eq!(
        err(spec.check_response("nope", "listRows", 200, b"")),
        "no spec file `nope` (loaded: account, auth, base, files, models, scheduler, system_admin, team_admin)"
    );
    assert_eq!(
        err(spec.check_response("base", "listRowz", 200, b"")),
        "no operation `listRowz` in base"
    );
    assert_eq!(
        err(spec.check_response("base", "listRows", 418, b"")),
        "base::listRows declares no response for status 418 (declared: 200, 400, 401, 403, 404, 429)"
    );
    assert_eq!(
        err(spec.check_request("files", "uploadFile", b"x")),
        "files::uploadFile takes no JSON body (multipart/form-data)"
    );
}

#[test]
fn the_status_falls_back_to_its_range_then_to_default() {
    let spec = fixture();
    // 200 is declared itself; 201 falls to `2XX`; 500 to `default`.
    assert_eq!(
        lines(
            spec.check_response("demo", "getThing", 200, br#"{"id": 1}"#)
                .unwrap()
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        lines(
            spec.check_response("demo", "getThing", 201, br#"{"id": 1}"#)
                .unwrap()
        ),
        ["(body): expected string, found object"]
    );
    assert_eq!(
        lines(
            spec.check_response("demo", "getThing", 500, br#"{"id": 1}"#)
                .unwrap()
        ),
        ["(body): expected an empty body (status 500 has no content), found 9 bytes"]
    );
    assert_eq!(
        spec.check_response("demo", "getOther", 500, b""),
        Err("demo::getOther declares no response for status 500 (declared: 200)".into())
    );
}

// ---------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------

#[test]
fn an_answer_without_content_must_be_empty() {
    let spec = spec();
    assert_eq!(
        lines(spec.check_response("base", "listRows", 429, b"").unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(
        lines(
            spec.check_response("base", "listRows", 429, b"slow down")
                .unwrap()
        ),
        ["(body): expected an empty body (status 429 has no content), found 9 bytes"]
    );
}

#[test]
fn a_json_answer_must_be_present_and_parse() {
    let spec = spec();
    assert_eq!(
        lines(spec.check_response("base", "listRows", 200, b"").unwrap()),
        ["(body): expected a JSON body, found an empty body"]
    );
    assert_eq!(
        lines(spec.check_response("base", "listRows", 200, b"{\"rows\": [").unwrap()),
        ["(body): expected a JSON body, found invalid JSON: EOF while parsing a list at line 1 column 10"]
    );
}

#[test]
fn request_bodies_are_held_to_the_operation_body() {
    let spec = spec();
    let valid = json!({"table_name": "Table1", "rows": [{"Name": "Ada"}], "apply_default": true});
    assert_eq!(
        request(spec, "base", "appendRows", &valid),
        Vec::<String>::new()
    );
    assert_eq!(
        request(
            spec,
            "base",
            "appendRows",
            &json!({"rows": {"Name": "Ada"}})
        ),
        [
            "/table_name: missing required property `table_name`",
            "/rows: expected array, found object"
        ]
    );
    // An operation without a body takes none.
    assert_eq!(
        lines(spec.check_request("base", "getMetadata", b"").unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(
        lines(spec.check_request("base", "getMetadata", b"{}").unwrap()),
        ["(body): expected no body (base::getMetadata takes none), found 2 bytes"]
    );
    // A required body cannot be left out.
    assert_eq!(
        lines(spec.check_request("base", "appendRows", b"").unwrap()),
        ["(body): expected a JSON body, found an empty body"]
    );
}

// ---------------------------------------------------------------------------------------
// Schema constructs, each on a real operation
// ---------------------------------------------------------------------------------------

fn row(id: &str) -> Value {
    json!({"_id": id, "_ctime": "2021-03-10T16:19:31.761+00:00", "_locked": null, "_locked_by": null, "0000": "Ada"})
}

#[test]
fn refs_across_files_required_properties_and_items() {
    // base.yaml's listRows answer is models.yaml's RowList, whose items are models.yaml's Row.
    let spec = spec();
    let valid = json!({"rows": [row("Qtf7xPmoRaiFyQPO1aENTj"), row("Bko1e60YT-egit2SljWSZA")]});
    assert_eq!(
        response(spec, "base", "listRows", 200, &valid),
        Vec::<String>::new()
    );
    assert_eq!(
        response(spec, "base", "listRows", 200, &json!({"row": []})),
        ["/rows: missing required property `rows`"]
    );
    assert_eq!(
        response(
            spec,
            "base",
            "listRows",
            200,
            &json!({"rows": [row("Qtf7xPmoRaiFyQPO1aENTj"), 7, {"_locked": "yes"}]})
        ),
        [
            "/rows/1: expected object, found integer 7",
            "/rows/2/_locked_by: missing required property `_locked_by`",
            "/rows/2/_locked: expected boolean or null, found string \"yes\""
        ]
    );
}

#[test]
fn refs_within_a_file_and_min_items() {
    // lockRows' body is base.yaml's own TableRowIds, whose `row_ids` needs one id.
    let spec = spec();
    assert_eq!(
        request(
            spec,
            "base",
            "lockRows",
            &json!({"table_name": "T", "row_ids": ["Qtf7xPmoRaiFyQPO1aENTj"]})
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        request(
            spec,
            "base",
            "lockRows",
            &json!({"table_name": "T", "row_ids": []})
        ),
        ["/row_ids: expected at least 1 item, found 0"]
    );
}

#[test]
fn max_items() {
    let spec = spec();
    let rows: Vec<Value> = (0..1001).map(|i| json!({"Name": i})).collect();
    assert_eq!(
        request(
            spec,
            "base",
            "appendRows",
            &json!({"table_name": "T", "rows": rows[..1000]})
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        request(
            spec,
            "base",
            "appendRows",
            &json!({"table_name": "T", "rows": rows})
        ),
        ["/rows: expected at most 1000 items, found 1001"]
    );
}

#[test]
fn integer_is_not_number_and_null_needs_nullable() {
    let spec = spec();
    let answer = |count: Value| json!({"inserted_row_count": count, "row_ids": [{"_id": "Qtf7xPmoRaiFyQPO1aENTj"}]});
    assert_eq!(
        response(spec, "base", "appendRows", 200, &answer(json!(1))),
        Vec::<String>::new()
    );
    assert_eq!(
        response(spec, "base", "appendRows", 200, &answer(json!(1.5))),
        ["/inserted_row_count: expected integer, found number 1.5"]
    );
    assert_eq!(
        response(spec, "base", "appendRows", 200, &answer(json!(1.0))),
        ["/inserted_row_count: expected integer, found number 1.0"]
    );
    assert_eq!(
        response(spec, "base", "appendRows", 200, &answer(Value::Null)),
        ["/inserted_row_count: expected integer, found null"]
    );
    // `number` takes integers too.
    let with_bounds = |min: Value| {
        metadata(
            json!({"key": "Fs5v", "name": "Age", "type": "number", "data": {"format_min_value": min}}),
        )
    };
    assert_eq!(
        response(spec, "base", "getMetadata", 200, &with_bounds(json!(5))),
        Vec::<String>::new()
    );
    assert_eq!(
        response(spec, "base", "getMetadata", 200, &with_bounds(json!(-2.5))),
        Vec::<String>::new()
    );
    assert_eq!(
        response(spec, "base", "getMetadata", 200, &with_bounds(json!("5"))),
        ["/metadata/tables/0/columns/0/data/format_min_value: expected number, found string \"5\""]
    );
}

/// A getMetadata answer with one table holding `column`.
fn metadata(column: Value) -> Value {
    json!({"metadata": {"tables": [{"_id": "0000", "name": "Table1", "columns": [column], "views": []}]}})
}

#[test]
fn nullable_schemas_take_null() {
    let spec = spec();
    // A column's `data` is a nullable schema; a row's `_locked` a nullable property.
    assert_eq!(
        response(
            spec,
            "base",
            "getMetadata",
            200,
            &metadata(json!({"key": "0000", "name": "Name", "type": "text", "data": null}))
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        response(
            spec,
            "base",
            "getMetadata",
            200,
            &metadata(json!({"key": "0000", "name": "Name", "type": "text", "data": 3}))
        ),
        ["/metadata/tables/0/columns/0/data: expected object or null, found integer 3"]
    );
}

#[test]
fn enums() {
    let spec = spec();
    let number = |decimal: &str| {
        metadata(
            json!({"key": "Fs5v", "name": "Age", "type": "number", "data": {"format": "number", "decimal": decimal}}),
        )
    };
    assert_eq!(
        response(spec, "base", "getMetadata", 200, &number("comma")),
        Vec::<String>::new()
    );
    assert_eq!(
        response(spec, "base", "getMetadata", 200, &number("point")),
        ["/metadata/tables/0/columns/0/data/decimal: expected one of \"dot\", \"comma\", found string \"point\""]
    );
}

#[test]
fn additional_properties_are_allowed_unless_a_schema_or_false_says_otherwise() {
    let spec = spec();
    // No `additionalProperties`: anything extra is fine.
    assert_eq!(
        response(
            spec,
            "base",
            "appendRows",
            200,
            &json!({"inserted_row_count": 0, "row_ids": [], "took_ms": 3})
        ),
        Vec::<String>::new()
    );
    // A schema: every extra member must match it.
    assert_eq!(
        response(
            spec,
            "base",
            "countCommentsPerRow",
            200,
            &json!({"rows_comments_num": {"Qtf7xPmoRaiFyQPO1aENTj": 2}})
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        response(
            spec,
            "base",
            "countCommentsPerRow",
            200,
            &json!({"rows_comments_num": {"a": 2, "b": "2"}})
        ),
        ["/rows_comments_num/b: expected integer, found string \"2\""]
    );
    // `false` (our spec has none; a fixture does).
    let fixture = fixture();
    assert_eq!(
        lines(
            fixture
                .check_response("demo", "getOther", 200, br#"{"name": "x", "a/b": 1}"#)
                .unwrap()
        ),
        ["/a~1b: expected no property but `name`, found `a/b`"]
    );
}

#[test]
fn plain_one_of_needs_exactly_one_match() {
    // Every error answer is models.yaml's Error: a oneOf of four shapes.
    let spec = spec();
    assert_eq!(
        response(
            spec,
            "base",
            "listRows",
            400,
            &json!({"error_message": "no such table"})
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        response(spec, "base", "listRows", 404, &json!({"message": "gone"})),
        ["(body): expected a value matching exactly one of oneOf [ErrorMsg, ErrorMessage, ErrorDetail, ErrorNonFieldErrors], found object matching none"]
    );
    assert_eq!(
        response(spec, "base", "listRows", 403, &json!({"error_msg": "no", "detail": "no"})),
        ["(body): expected a value matching exactly one of oneOf [ErrorMsg, ErrorMessage, ErrorDetail, ErrorNonFieldErrors], found object matching 2 of them (ErrorMsg, ErrorDetail)"]
    );
}

#[test]
fn discriminated_one_of_and_all_of() {
    // Column is a oneOf by `type`; each member is allOf [ColumnCommon, {data}].
    let spec = spec();
    let rate = |data: Value| {
        metadata(
            json!({"key": "r4te", "name": "Stars", "type": "rate", "width": 100, "data": data}),
        )
    };
    assert_eq!(
        response(
            spec,
            "base",
            "getMetadata",
            200,
            &rate(json!({"rate_max_number": 5}))
        ),
        Vec::<String>::new()
    );
    // The member the tag names is checked, not any member that happens to fit.
    assert_eq!(
        response(spec, "base", "getMetadata", 200, &rate(json!({"rate_max_number": 11}))),
        ["/metadata/tables/0/columns/0/data/rate_max_number: expected a value <= 10, found integer 11"]
    );
    // allOf: ColumnCommon's rules hold as well.
    assert_eq!(
        response(
            spec,
            "base",
            "getMetadata",
            200,
            &metadata(json!({"name": "Stars", "type": "rate", "width": "wide", "data": null}))
        ),
        [
            "/metadata/tables/0/columns/0/key: missing required property `key`",
            "/metadata/tables/0/columns/0/width: expected integer, found string \"wide\""
        ]
    );
    assert_eq!(
        response(spec, "base", "getMetadata", 200, &metadata(json!({"key": "r4te", "name": "Stars"}))),
        ["/metadata/tables/0/columns/0/type: missing required property `type` (the discriminator)"]
    );
    assert_eq!(
        response(spec, "base", "getMetadata", 200, &metadata(json!({"key": "r4te", "name": "Stars", "type": "rainbow"}))),
        ["/metadata/tables/0/columns/0/type: expected one of \"auto-number\", \"button\", \"checkbox\", \
          \"collaborator\", \"creator\", \"ctime\", \"date\", \"department-single-select\", \"digital-sign\", \
          \"duration\", \"email\", \"file\", \"formula\", \"geolocation\", \"image\", \"last-modifier\", \"link\", \
          \"link-formula\", \"long-text\", \"mtime\", \"multiple-select\", \"number\", \"rate\", \"single-select\", \
          \"text\", \"url\" (the discriminator), found string \"rainbow\""]
    );
}

#[test]
fn minimum_and_maximum() {
    let spec = spec();
    assert_eq!(
        response(spec, "base", "countRowComments", 200, &json!({"count": 0})),
        Vec::<String>::new()
    );
    assert_eq!(
        response(spec, "base", "countRowComments", 200, &json!({"count": -1})),
        ["/count: expected a value >= 0, found integer -1"]
    );
}

#[test]
fn formats_date_time_and_date() {
    let spec = spec();
    let rows = |ctime: &str| {
        let mut r = row("Qtf7xPmoRaiFyQPO1aENTj");
        r["_ctime"] = json!(ctime);
        json!({"rows": [r]})
    };
    for valid in [
        "2021-03-10T16:19:31.761+00:00",
        "2024-02-29T23:59:60Z",
        "2030-06-20T23:55:00-05:30",
    ] {
        assert_eq!(
            response(spec, "base", "listRows", 200, &rows(valid)),
            Vec::<String>::new(),
            "{valid}"
        );
    }
    for invalid in [
        "2021-03-10 16:19:31",
        "2023-02-29T10:00:00Z",
        "2021-03-10T16:19:31",
        "2021-03-10T24:00:00Z",
        "yesterday",
    ] {
        assert_eq!(
            response(spec, "base", "listRows", 200, &rows(invalid)),
            [format!(
                "/rows/0/_ctime: expected a date-time (RFC 3339), found string \"{invalid}\""
            )]
        );
    }
    let days = |date: &str| json!({"results": [{"date": date, "number_of_operations": 3}]});
    assert_eq!(
        response(
            spec,
            "team_admin",
            "getAdminLogStatisticsByDay",
            200,
            &days("2024-06-05")
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        response(
            spec,
            "team_admin",
            "getAdminLogStatisticsByDay",
            200,
            &days("2024-6-5")
        ),
        ["/results/0/date: expected a date (YYYY-MM-DD), found string \"2024-6-5\""]
    );
}

#[test]
fn patterns() {
    let spec = spec();
    let column =
        |name: &str| json!({"table_name": "T", "column_name": name, "column_type": "text"});
    assert_eq!(
        request(spec, "base", "insertColumn", &column("Due date")),
        Vec::<String>::new()
    );
    assert_eq!(
        request(spec, "base", "insertColumn", &column("a.b")),
        ["/column_name: expected a string matching `^[^.{}`]*$`, found string \"a.b\""]
    );
}

#[test]
fn lengths_and_uuids_from_a_fixture() {
    // Our spec uses neither minLength/maxLength nor a uuid format in a body.
    let spec = fixture();
    let thing =
        |name: &str, uuid: &str| format!(r#"{{"name": "{name}", "uuid": "{uuid}"}}"#).into_bytes();
    let ok = "650d8a0d-7e27-46a8-8b18-6cc6f3db2057";
    assert_eq!(
        lines(
            spec.check_request("demo", "getThing", &thing("añb", ok))
                .unwrap()
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        lines(spec.check_request("demo", "getThing", &thing("a", "650d8a0d7e2746a88b186cc6f3db2057")).unwrap()),
        [
            "/name: expected at least 2 characters, found 1 in \"a\"",
            "/uuid: expected a uuid (8-4-4-4-12 hex digits), found string \"650d8a0d7e2746a88b186cc6f3db2057\""
        ]
    );
    assert_eq!(
        lines(
            spec.check_request("demo", "getThing", &thing("abcdef", ok))
                .unwrap()
        ),
        ["/name: expected at most 5 characters, found 6 in \"abcdef\""]
    );
}

/// A small spec for what ours does not use: `2XX` and `default` responses,
/// `additionalProperties: false`, lengths, `uuid`, a `$ref` to a second file.
fn fixture() -> SpecCheck {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("spec_check_fixture");
    std::fs::create_dir_all(&dir).expect("fixture dir");
    std::fs::write(
        dir.join("demo.yaml"),
        r#"openapi: 3.0.3
info: {title: Demo, version: "1"}
paths:
  /thing/:
    get:
      operationId: getThing
      requestBody:
        content:
          application/json:
            schema: {$ref: 'shared.yaml#/components/schemas/Thing'}
      responses:
        "200":
          description: OK
          content: {application/json: {schema: {type: object}}}
        2XX:
          description: Other success
          content: {application/json: {schema: {type: string}}}
        default:
          description: Anything else, without a body
  /other/:
    get:
      operationId: getOther
      responses:
        200:
          description: Unquoted status
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                properties:
                  name: {type: string}
"#,
    )
    .expect("write fixture");
    std::fs::write(
        dir.join("shared.yaml"),
        r#"openapi: 3.0.3
info: {title: Shared, version: "1"}
paths: {}
components:
  schemas:
    Thing:
      type: object
      properties:
        name: {type: string, minLength: 2, maxLength: 5}
        uuid: {type: string, format: uuid}
"#,
    )
    .expect("write fixture");
    support::spec_check::load(&dir).expect("the fixture loads")
}

// ---------------------------------------------------------------------------------------
// The pattern subset
// ---------------------------------------------------------------------------------------

fn patterns_in(value: &serde_yaml::Value, out: &mut Vec<String>) {
    match value {
        serde_yaml::Value::Mapping(map) => {
            for (k, v) in map {
                match (k.as_str(), v.as_str()) {
                    (Some("pattern"), Some(p)) => out.push(p.to_string()),
                    _ => patterns_in(v, out),
                }
            }
        }
        serde_yaml::Value::Sequence(items) => items.iter().for_each(|v| patterns_in(v, out)),
        _ => {}
    }
}

#[test]
fn every_pattern_of_the_spec_is_in_the_supported_subset() {
    let mut patterns = Vec::new();
    for path in sorted_entries(&Path::new(env!("CARGO_MANIFEST_DIR")).join("spec")) {
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).expect("spec file");
            let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
            patterns_in(&yaml, &mut patterns);
        }
    }
    assert!(
        patterns.len() >= 50,
        "found only {} patterns",
        patterns.len()
    );
    let unsupported: Vec<String> = patterns
        .iter()
        .filter_map(|p| Pattern::compile(p).err().map(|e| format!("{p}: {e}")))
        .collect();
    assert!(unsupported.is_empty(), "{unsupported:#?}");
}

#[test]
fn the_pattern_subset_matches_like_ecmascript() {
    let cases: &[(&str, &str, bool)] = &[
        ("^[A-Za-z0-9_-]{22}$", "Qtf7xPmoRaiFyQPO1aENTj", true),
        ("^[A-Za-z0-9_-]{22}$", "Qtf7xPmoRaiFyQPO1aENT", false),
        ("^[A-Za-z0-9_-]{22}$", "Qtf7xPmoRaiFyQPO1aENT.", false),
        (
            "^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$",
            "650d8a0d-7e27-46a8-8b18-6cc6f3db2057",
            true,
        ),
        (
            "^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$",
            "650d8a0d-7e27-46a8-6cc6f3db2057",
            false,
        ),
        (
            "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$",
            "650d8a0d7e2746a88b186cc6f3db2057",
            true,
        ),
        ("^[0-9]{4}-(0[1-9]|1[0-2])$", "2024-12", true),
        ("^[0-9]{4}-(0[1-9]|1[0-2])$", "2024-13", false),
        (
            "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$",
            "2024-06-05 13:28:00",
            true,
        ),
        (
            "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$",
            "2024-06-05T13:28:00",
            false,
        ),
        ("^[^/]+@[^/]+$", "a@auth.local", true),
        ("^[^/]+@[^/]+$", "a/b@c", false),
        ("^[^.{}`]*$", "", true),
        ("^[^.{}`]*$", "a`b", false),
        ("^[01]$", "1", true),
        ("^[01]$", "10", false),
        ("^[+-][0-9]{2}:[0-9]{2}$", "+02:00", true),
        // Unanchored patterns match anywhere, as in ECMAScript.
        ("[0-9]+", "abc7", true),
        ("a.c", "xxabcxx", true),
        ("a.c", "a\nc", false),
        ("^(?:ab|cd)+$", "abcdab", true),
        ("^(?:ab|cd)+$", "abca", false),
        ("^a{2,}b?$", "aaab", true),
        ("^a{2,}b?$", "ab", false),
        (
            "^(a*)*$",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
            false,
        ),
        ("^\\w+\\s\\W$", "ab_1 !", true),
        ("^[\\d.]+$", "1.5", true),
    ];
    for (pattern, text, expected) in cases {
        let compiled = Pattern::compile(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        assert_eq!(compiled.is_match(text), *expected, "{pattern} on {text:?}");
    }
    for (pattern, error) in [
        (
            "(?=a)",
            "only the group `(?:…)` is supported, not look-around at character 3",
        ),
        (
            "\\bword",
            "the escape `\\b` is not supported at character 2",
        ),
        ("a)", "unbalanced `)` at character 2"),
        ("(a", "unclosed `(` at character 3"),
        ("*a", "nothing to repeat at character 1"),
        ("[z-a]", "range out of order at character 4"),
    ] {
        assert_eq!(
            Pattern::compile(pattern).map(|_| ()),
            Err(error.to_string()),
            "{pattern}"
        );
    }
}

/// The spec's own JSON examples (request bodies and answers) are held to their schemas: an
/// example the spec contradicts misleads readers and the mock server alike.
#[test]
fn every_example_of_the_spec_matches_its_schema() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut record = |what: String, result: Result<Vec<Violation>, String>| {
        checked += 1;
        match result {
            Ok(v) if v.is_empty() => {}
            Ok(v) => failures.push(format!("{what}: {}", lines(v).join("; "))),
            Err(e) => failures.push(format!("{what}: {e}")),
        }
    };
    for path in sorted_entries(&dir) {
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let module = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path).expect("spec file");
        let doc: Value = serde_yaml::from_str(&text).expect("the spec's keys are strings");
        let operations = doc
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.values())
            .filter_map(Value::as_object)
            .flat_map(|item| item.values());
        for op in operations {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let responses = op.get("responses").and_then(Value::as_object);
            for (status, answer) in responses.into_iter().flatten() {
                let (Ok(code), Some(example)) = (
                    status.parse::<u16>(),
                    answer.pointer("/content/application~1json/example"),
                ) else {
                    continue;
                };
                let body = serde_json::to_vec(example).expect("JSON");
                record(
                    format!("{module}::{id} {status}"),
                    spec().check_response(&module, id, code, &body),
                );
            }
            if let Some(example) = op.pointer("/requestBody/content/application~1json/example") {
                let body = serde_json::to_vec(example).expect("JSON");
                record(
                    format!("{module}::{id} request"),
                    spec().check_request(&module, id, &body),
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 300, "only {checked} examples found");
}

/// MockSeaTable's default answers (`testing::default_answer`): the spec's example of each
/// operation's success response, else one the generator built from its schema. Each is
/// held to the YAML spec and to the spec the library carries (`SpecCheck::ours`), which
/// must agree; the counts say how many come from where.
#[test]
fn every_default_answer_of_the_stand_in_matches_the_spec() {
    use seatable_api::testing::{default_answer, DefaultAnswerSource, Operation};
    let ours = SpecCheck::ours();
    let mut failures = Vec::new();
    let (mut from_spec, mut from_schema, mut no_json) = (0, 0, 0);
    for &op in Operation::ALL {
        let answer = default_answer(op);
        match answer.source {
            DefaultAnswerSource::SpecExample => from_spec += 1,
            DefaultAnswerSource::Schema => from_schema += 1,
            _ => no_json += 1,
        }
        assert!(
            (200..300).contains(&answer.status),
            "{op:?}: {}",
            answer.status
        );
        if answer.source == DefaultAnswerSource::NoJson {
            assert!(!answer.content_type.contains("json"), "{op:?}");
            continue;
        }
        let body = answer.body.as_bytes();
        let yaml = spec().check_response(op.module(), op.operation_id(), answer.status, body);
        let carried = ours.check_response(op.module(), op.operation_id(), answer.status, body);
        if yaml != carried {
            failures.push(format!(
                "{op:?}: the YAML spec says {yaml:?}, the carried one {carried:?}"
            ));
        }
        match yaml {
            Ok(v) if v.is_empty() => {}
            Ok(v) => failures.push(format!(
                "{op:?} ({:?}): {}",
                answer.source,
                lines(v).join("; ")
            )),
            Err(e) => failures.push(format!("{op:?}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("default answers: {from_spec} spec examples, {from_schema} built from the schema, {no_json} without JSON");
    assert_eq!(from_spec + from_schema + no_json, Operation::ALL.len());
    assert!(from_spec >= 300, "{from_spec}");
}

#[test]
fn the_carried_spec_finds_what_the_yaml_spec_finds() {
    let ours = SpecCheck::ours();
    let bad = json!({"metadata": {"tables": [{"_id": 5}]}});
    let bytes = serde_json::to_vec(&bad).expect("JSON");
    let carried = ours
        .check_response("base", "getMetadata", 200, &bytes)
        .expect("getMetadata is in the spec");
    assert!(!carried.is_empty());
    assert_eq!(
        Ok(carried),
        spec().check_response("base", "getMetadata", 200, &bytes)
    );
    assert!(ours
        .check_response("base", "noSuchOperation", 200, b"{}")
        .is_err());
}
