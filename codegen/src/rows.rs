//! A base's metadata → typed row structs, one pair per table.
//!
//! Input is the JSON answer of SeaTable's `getMetadata` (`{"metadata": {"tables": […]}}`, or
//! the bare `{"tables": […]}`). For every table the output holds a read struct
//! (`<Table>Row`: the system fields and every column, each cell an `Option`) and a write
//! struct (`<Table>Input`: only the columns a row write may set). Both name their table
//! through the `seatable_api::TableRow` / `TableInput` traits, which the typed row methods
//! of `BaseClient` take.
//!
//! The cell types follow `seatable_api::cells` (see `cell_type`); a column type this
//! generator does not know becomes a `serde_json::Value`, so a newer server's column still
//! reads and writes. Bad input is reported as [`Diagnostics`] with a JSON pointer and,
//! where the text allows, a line and column, never as a panic.
//!
//! ```no_run
//! let json = std::fs::read_to_string("metadata.json").unwrap();
//! match seatable_codegen::rows::generate(&json, &seatable_codegen::rows::RowsOptions::default()) {
//!     Ok(rust) => std::fs::write("src/rows.rs", rust).unwrap(),
//!     Err(problems) => eprintln!("{}", seatable_codegen::rows::render(&problems)),
//! }
//! ```

use std::collections::HashMap;
use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use crate::diagnostics::{escape_pointer_token, Diagnostic, Diagnostics};
use crate::naming;
use crate::rust::de::{map_deserialize, DeField};
use crate::rust::doc;

/// How the row structs are generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowsOptions {
    /// Path of the `seatable-api` crate as the generated code sees it: `::seatable_api`
    /// (the default) from a user's crate, `crate` inside seatable-api itself.
    pub runtime_crate: String,
    /// How the metadata is named in the generated header and in diagnostics, usually its
    /// file path. Default: `metadata.json`.
    pub source: String,
    /// Generate only these tables, by name; empty (the default) means every table.
    pub tables: Vec<String>,
}

impl Default for RowsOptions {
    fn default() -> Self {
        RowsOptions {
            runtime_crate: "::seatable_api".into(),
            source: "metadata.json".into(),
            tables: Vec::new(),
        }
    }
}

/// System fields every row carries, in the order the read struct lists them:
/// (JSON key, field name, what it is).
const SYSTEM_FIELDS: &[(&str, &str, &str)] = &[
    (
        "_id",
        "id",
        "The row id (`_id`, 22 characters); never changes.",
    ),
    ("_ctime", "ctime", "When the row was created (`_ctime`)."),
    (
        "_mtime",
        "mtime",
        "When the row was last changed (`_mtime`).",
    ),
    (
        "_creator",
        "creator",
        "User id of whoever created the row (`_creator`).",
    ),
    (
        "_last_modifier",
        "last_modifier",
        "User id of whoever last changed the row (`_last_modifier`).",
    ),
    (
        "_archived",
        "archived",
        "Whether the row is in big-data storage (`_archived`).",
    ),
    (
        "_locked",
        "locked",
        "Whether the row is locked against edits (`_locked`).",
    ),
    (
        "_locked_by",
        "locked_by",
        "User id of whoever locked the row (`_locked_by`).",
    ),
];

/// Field name of the map that keeps cells no field names.
const EXTRA: &str = "extra";

/// Renders `generate`'s problems the way the rest of the generator does, ending with a
/// summary that speaks of the metadata rather than a spec.
pub fn render(problems: &Diagnostics) -> String {
    let mut out = String::new();
    for d in &problems.0 {
        out.push_str(&format!("{d}\n\n"));
    }
    let n = problems.0.len();
    out.push_str(&format!(
        "error: the metadata has {n} problem{}; nothing was written",
        if n == 1 { "" } else { "s" }
    ));
    out
}

/// Turns a base's metadata JSON into formatted Rust: a read and a write struct per table.
///
/// ```
/// let json = r#"{"metadata": {"tables": [{"_id": "0000", "name": "Projects", "columns": [
///     {"key": "0000", "name": "Name", "type": "text"},
///     {"key": "Ab12", "name": "Price", "type": "number"}]}]}}"#;
/// let rust = seatable_codegen::rows::generate(json, &Default::default()).unwrap();
/// assert!(rust.contains("pub struct ProjectsRow"));
/// assert!(rust.contains("pub price: Option<f64>"));
/// ```
pub fn generate(metadata_json: &str, options: &RowsOptions) -> Result<String, Diagnostics> {
    let mut problems = Problems {
        source: &options.source,
        positions: None,
        text: metadata_json,
        found: Vec::new(),
    };
    let root: Value = match serde_json::from_str(metadata_json) {
        Ok(v) => v,
        Err(e) => {
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let reason = full.strip_suffix(&suffix).unwrap_or(&full);
            return Err(Diagnostics(vec![Diagnostic {
                file: options.source.clone(),
                line: e.line(),
                column: e.column(),
                pointer: String::new(),
                message: format!("the metadata is not valid JSON: {reason}"),
            }]));
        }
    };
    let tables = read_tables(&root, options, &mut problems);
    if !problems.found.is_empty() {
        let mut d = Diagnostics(problems.found);
        d.sort();
        return Err(d);
    }
    Ok(emit(&tables, options))
}

/// For a `build.rs`: generates `$OUT_DIR/rows.rs` from the metadata file at
/// `metadata_path`, rerunning only when that file changes. On a problem it prints every
/// diagnostic and fails the build. [`crate::build_rows`] calls this with the default
/// options.
pub fn build(metadata_path: &str, options: RowsOptions) {
    println!("cargo:rerun-if-changed={metadata_path}");
    let options = RowsOptions {
        source: metadata_path.to_string(),
        ..options
    };
    let text = match std::fs::read_to_string(metadata_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read the metadata {metadata_path}: {e}");
            std::process::exit(1);
        }
    };
    let rust = match generate(&text, &options) {
        Ok(r) => r,
        Err(d) => {
            eprintln!("{}", render(&d));
            std::process::exit(1);
        }
    };
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        eprintln!(
            "error: OUT_DIR is not set; call seatable_codegen::build_rows from a build script"
        );
        std::process::exit(1);
    };
    if let Err(e) = crate::write_dir(&out_dir, &[("rows.rs".to_string(), rust)], false) {
        eprintln!(
            "error: cannot write {}: {e}",
            out_dir.join("rows.rs").display()
        );
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------------------------------
// Reading the metadata

struct TableModel {
    name: String,
    id: Option<String>,
    /// Stem of the struct names: `Projects` → `ProjectsRow`, `ProjectsInput`.
    stem: String,
    columns: Vec<ColumnModel>,
    /// Names of the button columns, which get no field.
    buttons: Vec<String>,
}

struct ColumnModel {
    name: String,
    key: Option<String>,
    kind: String,
    field: String,
    /// Extra words for the field's rustdoc (formula result type, linked table, …).
    detail: Option<String>,
}

struct Problems<'a> {
    source: &'a str,
    text: &'a str,
    positions: Option<HashMap<String, (usize, usize)>>,
    found: Vec<Diagnostic>,
}

impl Problems<'_> {
    fn report(&mut self, pointer: &str, message: String) {
        let text = self.text;
        let positions = self.positions.get_or_insert_with(|| positions(text));
        // A missing field is reported at the object that lacks it.
        let mut p = pointer;
        let (line, column) = loop {
            if let Some(pos) = positions.get(p) {
                break *pos;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => break (1, 1),
            }
        };
        self.found.push(Diagnostic {
            file: self.source.to_string(),
            line,
            column,
            pointer: pointer.to_string(),
            message,
        });
    }
}

fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_pointer_token(token))
}

fn read_tables(root: &Value, options: &RowsOptions, problems: &mut Problems) -> Vec<TableModel> {
    let Some(root_object) = root.as_object() else {
        problems.report(
            "#",
            "expected a JSON object: the answer of SeaTable's getMetadata".into(),
        );
        return Vec::new();
    };
    let (holder, at) = match root_object.get("metadata") {
        Some(Value::Object(m)) => (m, "#/metadata".to_string()),
        Some(_) => {
            problems.report("#/metadata", "`metadata` is not a JSON object".into());
            return Vec::new();
        }
        None => (root_object, "#".to_string()),
    };
    let tables_at = child(&at, "tables");
    let tables = match holder.get("tables") {
        Some(Value::Array(t)) => t,
        Some(_) => {
            problems.report(&tables_at, "`tables` is not an array".into());
            return Vec::new();
        }
        None => {
            problems.report(
                &at,
                "no `tables` array: expected SeaTable's getMetadata answer, \
                 `{\"metadata\": {\"tables\": [...]}}`"
                    .into(),
            );
            return Vec::new();
        }
    };
    if tables.is_empty() {
        problems.report(&tables_at, "the metadata lists no tables".into());
        return Vec::new();
    }

    // Table names first, so that a selection can be checked and duplicates found.
    let mut named: Vec<(String, String, &Map<String, Value>)> = Vec::new();
    for (i, table) in tables.iter().enumerate() {
        let pointer = child(&tables_at, &i.to_string());
        let Some(object) = table.as_object() else {
            problems.report(&pointer, format!("table {i} is not a JSON object"));
            continue;
        };
        match object.get("name") {
            Some(Value::String(name)) if !name.trim().is_empty() => {
                if named.iter().any(|(n, _, _)| n == name) {
                    problems.report(
                        &child(&pointer, "name"),
                        format!("two tables are named {}", code(name)),
                    );
                    continue;
                }
                named.push((name.clone(), pointer, object));
            }
            Some(Value::String(_)) => problems.report(
                &child(&pointer, "name"),
                format!("table {i} has an empty `name`"),
            ),
            Some(_) => problems.report(
                &child(&pointer, "name"),
                format!("the `name` of table {i} is not a string"),
            ),
            None => problems.report(&pointer, format!("table {i} has no `name`")),
        }
    }
    for wanted in &options.tables {
        if !named.iter().any(|(n, _, _)| n == wanted) {
            let known: Vec<String> = named.iter().map(|(n, _, _)| code(n)).collect();
            problems.report(
                &tables_at,
                format!(
                    "no table is named {} (the metadata has {})",
                    code(wanted),
                    known.join(", ")
                ),
            );
        }
    }
    // Table id → name, for the rustdoc of link columns.
    let table_names: HashMap<&str, &str> = named
        .iter()
        .filter_map(|(n, _, o)| Some((o.get("_id")?.as_str()?, n.as_str())))
        .collect();

    let mut stems: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (name, pointer, object) in &named {
        if !options.tables.is_empty() && !options.tables.contains(name) {
            continue;
        }
        let id = object
            .get("_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        let stem = unique_pascal(type_stem(name, id.as_deref()), &mut stems);
        let columns_at = child(pointer, "columns");
        let columns = match object.get("columns") {
            Some(Value::Array(c)) => c,
            Some(_) => {
                problems.report(
                    &columns_at,
                    format!("`columns` of table {} is not an array", code(name)),
                );
                continue;
            }
            None => {
                problems.report(
                    pointer,
                    format!("table {} has no `columns` array", code(name)),
                );
                continue;
            }
        };
        let mut table = TableModel {
            name: name.clone(),
            id,
            stem,
            columns: Vec::new(),
            buttons: Vec::new(),
        };
        let mut taken: Vec<String> = SYSTEM_FIELDS
            .iter()
            .map(|(_, field, _)| field.to_string())
            .chain([EXTRA.to_string()])
            .collect();
        let mut seen: Vec<&str> = Vec::new();
        for (j, column) in columns.iter().enumerate() {
            let at = child(&columns_at, &j.to_string());
            let Some(column) = column.as_object() else {
                problems.report(
                    &at,
                    format!("column {j} of table {} is not a JSON object", code(name)),
                );
                continue;
            };
            let column_name = match column.get("name") {
                Some(Value::String(n)) if !n.is_empty() => n,
                Some(Value::String(_)) => {
                    problems.report(
                        &child(&at, "name"),
                        format!("column {j} of table {} has an empty `name`", code(name)),
                    );
                    continue;
                }
                Some(_) => {
                    problems.report(
                        &child(&at, "name"),
                        format!(
                            "the `name` of column {j} of table {} is not a string",
                            code(name)
                        ),
                    );
                    continue;
                }
                None => {
                    problems.report(
                        &at,
                        format!("column {j} of table {} has no `name`", code(name)),
                    );
                    continue;
                }
            };
            let kind = match column.get("type") {
                Some(Value::String(t)) if !t.is_empty() => t.clone(),
                Some(_) => {
                    problems.report(
                        &child(&at, "type"),
                        format!(
                            "the `type` of column {} of table {} is not a string",
                            code(column_name),
                            code(name)
                        ),
                    );
                    continue;
                }
                None => {
                    problems.report(
                        &at,
                        format!(
                            "column {} of table {} has no `type`",
                            code(column_name),
                            code(name)
                        ),
                    );
                    continue;
                }
            };
            if SYSTEM_FIELDS.iter().any(|(key, _, _)| key == column_name) {
                problems.report(
                    &child(&at, "name"),
                    format!(
                        "column {} of table {} has the name of a system field",
                        code(column_name),
                        code(name)
                    ),
                );
                continue;
            }
            if seen.contains(&column_name.as_str()) {
                problems.report(
                    &child(&at, "name"),
                    format!(
                        "table {} has two columns named {}",
                        code(name),
                        code(column_name)
                    ),
                );
                continue;
            }
            seen.push(column_name);
            if kind == "button" {
                table.buttons.push(column_name.clone());
                continue;
            }
            let key = column
                .get("key")
                .and_then(Value::as_str)
                .map(str::to_string);
            let field = naming::unique(field_name(column_name, key.as_deref(), j), &mut taken);
            let detail = detail(&kind, column.get("data"), &table_names);
            table.columns.push(ColumnModel {
                name: column_name.clone(),
                key,
                kind,
                field,
                detail,
            });
        }
        out.push(table);
    }
    out
}

/// Words about a column's settings that tell a reader what its cells hold.
fn detail(kind: &str, data: Option<&Value>, tables: &HashMap<&str, &str>) -> Option<String> {
    let data = data?.as_object()?;
    let text = |k: &str| {
        data.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    match kind {
        "formula" => text("result_type").map(|r| format!("result type {}", code(r))),
        "link-formula" => {
            let parts: Vec<String> = [
                text("formula").map(|f| format!("formula {}", code(f))),
                text("result_type").map(|r| format!("result type {}", code(r))),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        "link" => {
            let other = text("other_table_id")?;
            Some(match tables.get(other) {
                Some(name) => format!("links to rows of table {}", code(name)),
                None => format!("links to rows of table id {}", code(other)),
            })
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Names

/// Latin letters with diacritics written the way a German, French or Nordic speaker would
/// spell them without; other characters that are not ASCII letters or digits separate
/// words.
fn ascii_fold(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
            continue;
        }
        let lower = c.to_lowercase().next().unwrap_or(c);
        let folded = match lower {
            'ä' | 'æ' => "ae",
            'ö' | 'ø' | 'œ' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' | 'ą' => "a",
            'ç' | 'ć' | 'č' => "c",
            'ď' | 'đ' | 'ð' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'ğ' => "g",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
            'ł' | 'ľ' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ō' | 'ő' => "o",
            'ř' => "r",
            'ś' | 'š' | 'ş' => "s",
            'ť' | 'ţ' => "t",
            'ù' | 'ú' | 'û' | 'ů' | 'ū' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            'þ' => "th",
            _ => " ",
        };
        if c.is_uppercase() && folded != " " {
            // `Ä` → `Ae` in a word, `AE` in an all-caps one.
            let next_upper = chars.get(i + 1).is_some_and(|n| n.is_uppercase());
            let mut f = folded.chars();
            if let Some(first) = f.next() {
                out.push(first.to_ascii_uppercase());
            }
            for rest in f {
                out.push(if next_upper {
                    rest.to_ascii_uppercase()
                } else {
                    rest
                });
            }
        } else {
            out.push_str(folded);
        }
    }
    out
}

/// The field of a column: snake_case of its name, or `column_<key>` when the name has no
/// letter or digit this generator can spell.
fn field_name(name: &str, key: Option<&str>, index: usize) -> String {
    let snake = naming::snake(&ascii_fold(name));
    if !snake.is_empty() {
        return snake;
    }
    let key = key
        .map(|k| naming::snake(&ascii_fold(k)))
        .unwrap_or_default();
    if key.is_empty() {
        format!("column_{index}")
    } else {
        format!("column_{}", key.trim_start_matches('_'))
    }
}

/// PascalCase stem of a table's struct names; never starts with a digit and never ends up a
/// keyword (the `Row` / `Input` suffix follows).
fn type_stem(name: &str, id: Option<&str>) -> String {
    let stem = naming::pascal(&ascii_fold(name))
        .trim_matches('_')
        .to_string();
    if stem.is_empty() {
        let id = id
            .map(|i| naming::pascal(&ascii_fold(i)))
            .unwrap_or_default();
        return format!("Table{}", id.trim_matches('_'));
    }
    if stem.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("Table{stem}");
    }
    stem
}

/// Like [`naming::unique`], but `Projects2` rather than `Projects_2`, which would not be
/// UpperCamelCase.
fn unique_pascal(stem: String, taken: &mut Vec<String>) -> String {
    let mut candidate = stem.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{stem}{n}");
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

/// `name` as inline code in rustdoc and messages, whatever characters it holds.
fn code(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.contains('`') {
        format!("`` {clean} ``")
    } else {
        format!("`{clean}`")
    }
}

// ---------------------------------------------------------------------------------------
// Rust

struct CellType {
    rust: TokenStream,
    read_only: bool,
    known: bool,
}

/// The type of a text the generated structs hold: inline up to 24 bytes (row ids, names,
/// options, short texts), so that most strings of a row cost no heap allocation of their own
/// when it is decoded; allocations dominate the decode of a typed row.
fn text_type(krate: &TokenStream) -> TokenStream {
    quote!(#krate::cells::CompactString)
}

/// The Rust type of a column type's cell, after `seatable_api::cells` (ISSUE4's table).
/// `button` never reaches here: it has no cell.
fn cell_type(kind: &str, krate: &TokenStream) -> CellType {
    let text = text_type(krate);
    let (rust, read_only) = match kind {
        "text" | "long-text" | "email" | "url" | "single-select" => (text.clone(), false),
        "creator" | "last-modifier" | "auto-number" => (text.clone(), true),
        "number" => (quote!(f64), false),
        "rate" | "department-single-select" => (quote!(i64), false),
        "checkbox" => (quote!(bool), false),
        "duration" => (quote!(#krate::cells::Duration), false),
        "date" => (quote!(#krate::cells::Date), false),
        "ctime" | "mtime" => (quote!(#krate::cells::Timestamp), true),
        "multiple-select" | "collaborator" | "image" => (quote!(Vec<#text>), false),
        "file" => (quote!(Vec<#krate::types::FileCellItem>), false),
        "geolocation" => (quote!(#krate::types::GeolocationCell), false),
        "formula" => (quote!(#krate::cells::FormulaValue), true),
        "link" => (quote!(Vec<#krate::types::LinkCellItem>), true),
        "link-formula" => (quote!(#krate::cells::LinkFormulaValue), true),
        "digital-sign" => (quote!(#krate::types::DigitalSignCell), true),
        _ => {
            return CellType {
                rust: quote!(rt::serde_json::Value),
                read_only: false,
                known: false,
            }
        }
    };
    CellType {
        rust,
        read_only,
        known: true,
    }
}

fn column_doc(column: &ColumnModel, cell: &CellType, for_input: bool) -> String {
    let mut text = format!("Column {}", code(&column.name));
    if cell.known {
        text.push_str(&format!(": {}", column.kind));
    } else {
        text.push_str(&format!(
            ": {}, a type this generator does not know, kept as raw JSON",
            code(&column.kind)
        ));
    }
    if let Some(d) = &column.detail {
        text.push_str(&format!(", {d}"));
    }
    if let Some(k) = &column.key {
        text.push_str(&format!("; key {}", code(k)));
    }
    if cell.read_only && !for_input {
        text.push_str("; read-only");
    }
    text.push('.');
    text
}

fn emit(tables: &[TableModel], options: &RowsOptions) -> String {
    let krate: TokenStream = syn::parse_str::<syn::Path>(&options.runtime_crate)
        .map(|p| quote!(#p))
        .unwrap_or_else(|_| quote!(::seatable_api));
    let private = quote!(#krate::__private);
    let mut items = vec![quote! {
        #[allow(unused_imports)]
        use #private as rt;
    }];
    for table in tables {
        items.push(emit_table(table, &krate));
    }
    let tokens = quote!(#(#items)*);
    let body = match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    };
    format!(
        "// Generated by seatable-codegen from {}, the metadata of a SeaTable base.\n\
         // Do not edit by hand: fetch the metadata again and rerun `seatable-codegen rows`.\n\n{body}",
        options.source
    )
}

fn emit_table(table: &TableModel, krate: &TokenStream) -> TokenStream {
    let row = format_ident!("{}Row", table.stem);
    let input = format_ident!("{}Input", table.stem);
    let table_name = &table.name;
    let table_code = code(&table.name);
    let id_words = table
        .id
        .as_deref()
        .map(|i| format!(" (table id {})", code(i)))
        .unwrap_or_default();
    let buttons = if table.buttons.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = table.buttons.iter().map(|b| code(b)).collect();
        format!(
            "\n\nButton columns hold no data and have no field: {}.",
            names.join(", ")
        )
    };

    let row_doc = doc(&format!(
        "A row of table {table_code}{id_words}, as read with `convert_keys` (cells keyed by\n\
         column name): the system fields, then one field per column.\n\n\
         Each cell is `None` when it is empty or when the view read from hides its column.\n\
         Cells of columns added after this file was generated are kept in `extra`.{buttons}\n\n\
         Read with `BaseClient::list_typed_rows` or `get_typed_row`; write with [`{input}`]."
    ));
    let input_doc = doc(&format!(
        "Cells to write to a row of table {table_code}: the columns a row write may set.\n\n\
         A field left `None` is not sent, so appending leaves the cell empty and updating\n\
         keeps its value. Read-only columns (formulas, links, auto-numbers, creator and\n\
         time stamps, signatures) have no field. To empty a cell, put `null` under its\n\
         column name in `extra`; cells of columns this file does not know go there too.\n\n\
         Write with `BaseClient::append_typed_rows` or `update_typed_rows`.\n\n\
         ```ignore\n\
         let input = {input} {{ /* field: Some(value), */ ..Default::default() }};\n\
         ```"
    ));

    let text = text_type(krate);
    let mut row_fields = Vec::new();
    let mut row_de = Vec::new();
    let mut input_de = Vec::new();
    for (key, field, what) in SYSTEM_FIELDS {
        let ident = format_ident!("{}", field);
        let d = doc(what);
        let field_tokens = match *key {
            "_id" => {
                row_de.push(DeField {
                    wire: key.to_string(),
                    ident: ident.clone(),
                    ty: text.clone(),
                    optional: false,
                });
                quote! {
                    #d
                    #[serde(rename = "_id")]
                    pub #ident: #text,
                }
            }
            _ => {
                let ty = match *key {
                    "_ctime" | "_mtime" => quote!(#krate::cells::Timestamp),
                    "_archived" | "_locked" => quote!(bool),
                    _ => text.clone(),
                };
                row_de.push(DeField {
                    wire: key.to_string(),
                    ident: ident.clone(),
                    ty: quote!(Option<#ty>),
                    optional: true,
                });
                quote! {
                    #d
                    #[serde(rename = #key, default)]
                    pub #ident: Option<#ty>,
                }
            }
        };
        row_fields.push(field_tokens);
    }
    let mut input_fields = Vec::new();
    let mut copies = Vec::new();
    for column in &table.columns {
        let cell = cell_type(&column.kind, krate);
        let ident = format_ident!("{}", column.field);
        let name = &column.name;
        let ty = &cell.rust;
        let d = doc(&column_doc(column, &cell, false));
        row_fields.push(quote! {
            #d
            #[serde(rename = #name, default)]
            pub #ident: Option<#ty>,
        });
        row_de.push(DeField {
            wire: name.clone(),
            ident: ident.clone(),
            ty: quote!(Option<#ty>),
            optional: true,
        });
        if !cell.read_only {
            input_de.push(DeField {
                wire: name.clone(),
                ident: ident.clone(),
                ty: quote!(Option<#ty>),
                optional: true,
            });
            let d = doc(&column_doc(column, &cell, true));
            input_fields.push(quote! {
                #d
                #[serde(rename = #name, default, skip_serializing_if = "Option::is_none")]
                pub #ident: Option<#ty>,
            });
            copies.push(quote!(#ident: row.#ident,));
        }
    }
    let extra_doc = doc(
        "Cells of columns not listed above, by column name, kept as received (names shared\nwith the other rows of the page, as in `Row::extra`).",
    );
    let extra_input_doc = doc(
        "More cells by column name, sent as they are: `null` empties a cell, and columns\nadded after this file was generated can be written here.",
    );
    let from_doc = doc(&format!(
        "The writable cells of a row read from table {table_code}, to change and write back."
    ));
    let row_param = if copies.is_empty() {
        quote!(_row)
    } else {
        quote!(row)
    };

    let map = quote!(rt::serde_json::Map<String, rt::serde_json::Value>);
    let cells = quote!(rt::RowCells);
    let row_deserialize = map_deserialize(&row, &row_de, &cells);
    let input_deserialize = map_deserialize(&input, &input_de, &map);
    quote! {
        #row_doc
        #[derive(Clone, Debug, PartialEq, rt::serde::Serialize)]
        #[serde(crate = "rt::serde")]
        pub struct #row {
            #(#row_fields)*
            #extra_doc
            #[serde(flatten)]
            pub extra: #cells,
        }
        #row_deserialize
        impl #krate::TableRow for #row {
            const TABLE: &'static str = #table_name;
            fn row_id(&self) -> &str {
                &self.id
            }
        }
        #input_doc
        #[derive(Clone, Debug, Default, PartialEq, rt::serde::Serialize)]
        #[serde(crate = "rt::serde")]
        pub struct #input {
            #(#input_fields)*
            #extra_input_doc
            #[serde(flatten)]
            pub extra: rt::serde_json::Map<String, rt::serde_json::Value>,
        }
        #input_deserialize
        impl #krate::TableInput for #input {
            const TABLE: &'static str = #table_name;
        }
        impl From<#row> for #input {
            #from_doc
            fn from(#row_param: #row) -> Self {
                #input {
                    #(#copies)*
                    extra: rt::serde_json::Map::new(),
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Positions in the JSON text

/// Line and column (1-based) of every value in `text`, keyed by JSON pointer. Only called
/// for text serde_json has accepted, so the walk can be simple; it still never panics.
fn positions(text: &str) -> HashMap<String, (usize, usize)> {
    let mut scan = Scan {
        chars: text.chars().collect(),
        at: 0,
        line: 1,
        column: 1,
        out: HashMap::new(),
    };
    scan.value("#".to_string(), 0);
    scan.out
}

struct Scan {
    chars: Vec<char>,
    at: usize,
    line: usize,
    column: usize,
    out: HashMap<String, (usize, usize)>,
}

impl Scan {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    /// A string starting at `"`, unescaped.
    fn string(&mut self) -> String {
        let mut raw = String::from('"');
        self.bump();
        while let Some(c) = self.bump() {
            raw.push(c);
            match c {
                '\\' => {
                    if let Some(e) = self.bump() {
                        raw.push(e);
                    }
                }
                '"' => break,
                _ => {}
            }
        }
        serde_json::from_str(&raw).unwrap_or_default()
    }

    fn value(&mut self, pointer: String, depth: usize) {
        self.whitespace();
        self.out.insert(pointer.clone(), (self.line, self.column));
        // serde_json refuses nesting beyond 128 levels, so this never cuts a real answer.
        if depth > 256 {
            return;
        }
        match self.peek() {
            Some('{') => {
                self.bump();
                loop {
                    self.whitespace();
                    match self.peek() {
                        None => break,
                        Some('}') => {
                            self.bump();
                            break;
                        }
                        Some('"') => {
                            let key = self.string();
                            self.whitespace();
                            if self.peek() == Some(':') {
                                self.bump();
                            }
                            self.value(child(&pointer, &key), depth + 1);
                        }
                        Some(_) => {
                            self.bump();
                        }
                    }
                }
            }
            Some('[') => {
                self.bump();
                let mut index = 0;
                loop {
                    self.whitespace();
                    match self.peek() {
                        None => break,
                        Some(']') => {
                            self.bump();
                            break;
                        }
                        Some(',') => {
                            self.bump();
                        }
                        Some(_) => {
                            self.value(format!("{pointer}/{index}"), depth + 1);
                            index += 1;
                        }
                    }
                }
            }
            Some('"') => {
                self.string();
            }
            _ => {
                while self
                    .peek()
                    .is_some_and(|c| !matches!(c, ',' | ']' | '}') && !c.is_whitespace())
                {
                    self.bump();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(field_name("Größe (cm)", None, 0), "groesse_cm");
        assert_eq!(field_name("ÄRGER", None, 0), "aerger");
        assert_eq!(field_name("2024 Budget", None, 0), "_2024_budget");
        assert_eq!(field_name("type", None, 0), "type_");
        assert_eq!(field_name("名前", Some("Ab1x"), 3), "column_ab1x");
        assert_eq!(field_name("名前", None, 3), "column_3");
        assert_eq!(type_stem("self", None), "Self");
        assert_eq!(type_stem("2024 budget", None), "Table2024Budget");
        assert_eq!(type_stem("表", Some("0000")), "Table0000");
        assert_eq!(code("a`b"), "`` a`b ``");
    }

    #[test]
    fn positions_follow_pointers() {
        let text = "{\n  \"a\": [1, {\"b~/\": true}],\n  \"c\": \"x\\\"y\"\n}";
        let p = positions(text);
        assert_eq!(p["#"], (1, 1));
        assert_eq!(p["#/a"], (2, 8));
        assert_eq!(p["#/a/1"], (2, 12));
        assert_eq!(p["#/a/1/b~0~1"], (2, 20));
        assert_eq!(p["#/c"], (3, 8));
    }
}
