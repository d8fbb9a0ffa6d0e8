//! openapiv3 → IR: resolves references across files, names everything, decides which client
//! each operation belongs to, and reports every problem it meets (it never stops at the
//! first, and never panics on input).
//!
//! This file holds the entry point, the state every step shares and the lookups they all
//! use; each neighbouring file lowers one kind of thing.

use std::collections::HashMap;

use openapiv3::{ReferenceOr, Schema};
use serde_json::Value;

use crate::diagnostics::{escape_pointer_token, Diagnostic};
use crate::ir::*;
use crate::load::SpecFile;

pub(crate) mod check_documents;
mod clients;
mod hints;
mod media;
mod operations;
mod schemas;

/// Where an inline type is defined: the shared `types` module or the operation's module.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Shared,
    Module,
}

pub(crate) struct Lowerer<'a> {
    files: &'a [SpecFile],
    diags: Vec<Diagnostic>,
    /// (file index, component name) → Rust type name in `types`.
    schema_names: HashMap<(usize, String), String>,
    shared: Vec<TypeDef>,
    shared_taken: Vec<String>,
    module: Option<String>,
    module_types: Vec<TypeDef>,
    module_taken: Vec<String>,
    /// The components whose `allOf` members are being merged, outermost first: a member
    /// that leads back to one of them is a cycle, reported instead of followed.
    gathering: Vec<(usize, String)>,
}

/// Lowers every file; the diagnostics are empty when the API is complete.
pub(crate) fn lower(files: &[SpecFile]) -> (Api, Vec<Diagnostic>) {
    let mut l = Lowerer {
        files,
        diags: Vec::new(),
        schema_names: HashMap::new(),
        shared: Vec::new(),
        shared_taken: RESERVED_TYPE_NAMES.iter().map(|s| s.to_string()).collect(),
        module: None,
        module_types: Vec::new(),
        module_taken: Vec::new(),
        gathering: Vec::new(),
    };
    for bad in crate::refs::check(files) {
        l.error(bad.file, &bad.pointer, bad.message);
    }
    l.name_components();
    l.lower_components();
    let mut modules = Vec::new();
    for fi in 0..files.len() {
        if let Some(m) = l.lower_module(fi) {
            modules.push(m);
        }
    }
    l.check_receivers(&modules);
    let api = Api {
        sources: files.iter().map(|f| f.display.clone()).collect(),
        types: std::mem::take(&mut l.shared),
        modules,
        // Filled in only for a server's route table (see `Generator::lower`).
        check_documents: Vec::new(),
    };
    for cycle in crate::cycles::find(&api) {
        let (display, pointer) = cycle.origin.split_at(cycle.origin.find('#').unwrap_or(0));
        let fi = files.iter().position(|f| f.display == display).unwrap_or(0);
        l.error(fi, pointer, cycle.message);
    }
    (api, l.diags)
}

/// Names generated code uses from the prelude and std: a model named after one would
/// shadow it (SeaTable's own spec has a schema `from`).
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "From",
    "Into",
    "IntoIterator",
    "Iterator",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "ToString",
    "ToOwned",
    "AsRef",
    "Value",
    "Map",
    "Unknown",
];

fn ext_str<'v>(ext: &'v indexmap::IndexMap<String, Value>, key: &str) -> Option<&'v str> {
    ext.get(key).and_then(Value::as_str)
}

/// Why a name given in the spec (`x-rust-name`, `x-enum-varnames`) cannot be used as it is.
fn not_an_ident(name: &str) -> Option<String> {
    if crate::naming::is_ident(name) {
        return None;
    }
    Some(format!("`{}` is not a Rust identifier: use ASCII letters, digits and `_`, not starting with a digit, and no keyword", name.escape_debug()))
}

impl<'a> Lowerer<'a> {
    fn error(&mut self, file: usize, pointer: &str, message: impl Into<String>) {
        let f = &self.files[file];
        let (line, column) = f.positions.find(pointer);
        self.diags.push(Diagnostic {
            file: f.display.clone(),
            line,
            column,
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    fn file_name(&self, file: usize) -> &str {
        let d = &self.files[file].display;
        d.rsplit('/').next().unwrap_or(d)
    }

    // ---- references -------------------------------------------------------------------

    /// Resolves `[other.yaml]#/components/<kind>/<name>`; reports a dangling or unsupported
    /// reference at `pointer`.
    fn resolve(
        &mut self,
        file: usize,
        pointer: &str,
        reference: &str,
        kind: &str,
    ) -> Option<(usize, String)> {
        match crate::refs::resolve(self.files, file, reference, Some(kind)) {
            Ok(found) => Some(found),
            Err(message) => {
                self.error(file, &format!("{pointer}/$ref"), message);
                None
            }
        }
    }

    fn component_schema(&self, file: usize, name: &str) -> Option<&'a ReferenceOr<Schema>> {
        let files: &'a [SpecFile] = self.files;
        files[file].doc.components.as_ref()?.schemas.get(name)
    }

    /// Where operation `id` stands in file `fi`, for reporting on it after lowering.
    fn op_pointer(&self, fi: usize, id: &str) -> String {
        for (path, item) in self.files[fi].doc.paths.iter() {
            if let ReferenceOr::Item(item) = item {
                for (method, op) in item.iter() {
                    if op.operation_id.as_deref() == Some(id) {
                        return format!("#/paths/{}/{method}", escape_pointer_token(path));
                    }
                }
            }
        }
        "#".into()
    }
}
