//! Paths and operations → `Operation`: one module per spec file, each operation's names,
//! parameters, path template and idempotence, with its body, response and hints lowered
//! by the neighbouring files.

use std::collections::HashMap;

use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};
use serde_json::Value;

use crate::diagnostics::escape_pointer_token;
use crate::ir::*;
use crate::load::SpecFile;
use crate::naming::{pascal, snake, unique};

use super::clients::Security;
use super::{ext_str, not_an_ident, Lowerer, Scope, RESERVED_TYPE_NAMES};

impl<'a> Lowerer<'a> {
    // ---- operations -------------------------------------------------------------------

    pub(super) fn lower_module(&mut self, fi: usize) -> Option<Module> {
        let files: &'a [SpecFile] = self.files;
        let f = &files[fi];
        if f.doc.paths.paths.is_empty() {
            return None;
        }
        let name = snake(&f.stem);
        if name.is_empty() || name == "types" {
            self.error(fi, "#", format!("the file name `{}` cannot name a Rust module (`types` is taken by the shared models)", f.stem));
            return None;
        }
        self.module = Some(name.clone());
        self.module_types = Vec::new();
        // Builder names share the namespace with inline types; reserve them first.
        self.module_taken = RESERVED_TYPE_NAMES.iter().map(|s| s.to_string()).collect();
        for (_, item) in f.doc.paths.iter() {
            if let ReferenceOr::Item(item) = item {
                for (_, op) in item.iter() {
                    if let Some(id) = &op.operation_id {
                        self.module_taken.push(pascal(id));
                    }
                }
            }
        }
        let mut operations: Vec<Operation> = Vec::new();
        let mut seen_ids: HashMap<String, String> = HashMap::new();
        for (path, item) in f.doc.paths.iter() {
            let path_pointer = format!("#/paths/{}", escape_pointer_token(path));
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => {
                    self.error(
                        fi,
                        &format!("{path_pointer}/$ref"),
                        "unsupported: a path item given by $ref; write the operations in place",
                    );
                    continue;
                }
            };
            for (method, op) in item.iter() {
                let pointer = format!("{path_pointer}/{method}");
                let Some(id) = op.operation_id.clone() else {
                    self.error(fi, &pointer, "operation has no operationId");
                    continue;
                };
                if let Some(first) = seen_ids.get(&id) {
                    // Located only now: finding a position indexes the file, which a spec
                    // without problems never needs.
                    let (line, _) = f.positions.find(first);
                    let msg = format!(
                        "duplicate operationId `{id}` in this file (first used at line {line})"
                    );
                    self.error(fi, &format!("{pointer}/operationId"), msg);
                    continue;
                }
                seen_ids.insert(id.clone(), format!("{pointer}/operationId"));
                if let Some(o) =
                    self.operation(fi, &pointer, path, method, &item.parameters, op, id)
                {
                    operations.push(o);
                }
            }
        }
        // Builder types share the module's namespace whatever their token.
        let mut builders: HashMap<String, String> = HashMap::new();
        for o in &operations {
            if let Some(prev) = builders.insert(o.builder_name.clone(), o.id.clone()) {
                let pointer = self.op_pointer(fi, &o.id);
                self.error(fi, &format!("{pointer}/operationId"), format!("operations `{prev}` and `{}` both become the Rust type `{}`; give them operationIds that differ in more than case and punctuation", o.id, o.builder_name));
            }
        }
        // Method names must be unique per client type.
        let mut names: HashMap<(TokenKind, String), String> = HashMap::new();
        for o in &operations {
            if let Some(prev) = names.insert((o.token, o.method_name.clone()), o.id.clone()) {
                let pointer = self.op_pointer(fi, &o.id);
                self.error(fi, &pointer, format!("operations `{prev}` and `{}` both become the method `{}` on `{}`; rename one with x-rust-name", o.id, o.method_name, o.token.client_type()));
            }
        }
        self.module = None;
        Some(Module {
            name,
            source: f.display.clone(),
            title: f.doc.info.title.clone(),
            description: f.doc.info.description.clone(),
            operations,
            types: std::mem::take(&mut self.module_types),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        fi: usize,
        pointer: &str,
        path: &str,
        method: &str,
        shared_params: &[ReferenceOr<Parameter>],
        op: &openapiv3::Operation,
        id: String,
    ) -> Option<Operation> {
        let files: &'a [SpecFile] = self.files;
        let builder_name = pascal(&id);
        let explicit = ext_str(&op.extensions, "x-rust-name");
        if let Some(why) = explicit.and_then(not_an_ident) {
            self.error(
                fi,
                &format!("{pointer}/x-rust-name"),
                format!("x-rust-name {why}"),
            );
            return None;
        }
        let method_name = explicit.map(str::to_string).unwrap_or_else(|| snake(&id));
        if builder_name.is_empty() || method_name.is_empty() {
            self.error(
                fi,
                &format!("{pointer}/operationId"),
                format!(
                    "operationId `{id}` has no ASCII letters or digits to make a Rust name from"
                ),
            );
            return None;
        }
        let http_method = match method {
            "get" => Method::Get,
            "put" => Method::Put,
            "post" => Method::Post,
            "delete" => Method::Delete,
            "patch" => Method::Patch,
            "head" => Method::Head,
            "options" => Method::Options,
            _ => Method::Trace,
        };

        let Security {
            token,
            scheme: scheme_name,
            bound,
        } = self.security(fi, pointer, op)?;

        // Parameters: path-level ones, overridden by operation-level ones of the same name.
        let mut params: Vec<Param> = Vec::new();
        // A required query parameter that can take only one value is part of the request,
        // not an argument (`ret-json=1` on the upload endpoint).
        let mut constant_query: Vec<(String, String)> = Vec::new();
        let all: Vec<(String, &ReferenceOr<Parameter>)> = shared_params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    format!(
                        "{}/parameters/{i}",
                        pointer.rsplit_once('/').map(|x| x.0).unwrap_or(pointer)
                    ),
                    p,
                )
            })
            .chain(
                op.parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (format!("{pointer}/parameters/{i}"), p)),
            )
            .collect();
        let mut taken_names: Vec<String> = vec!["client".into(), "body".into()];
        for (ppointer, p) in all {
            let (pfile, ppointer, param) = match p {
                ReferenceOr::Item(p) => (fi, ppointer, p),
                ReferenceOr::Reference { reference } => {
                    let Some((tf, tn)) = self.resolve(fi, &ppointer, reference, "parameters")
                    else {
                        continue;
                    };
                    match files[tf]
                        .doc
                        .components
                        .as_ref()
                        .and_then(|c| c.parameters.get(&tn))
                    {
                        Some(ReferenceOr::Item(p)) => (
                            tf,
                            format!("#/components/parameters/{}", escape_pointer_token(&tn)),
                            p,
                        ),
                        _ => {
                            self.error(
                                fi,
                                &ppointer,
                                "unsupported: a parameter $ref that points at another $ref",
                            );
                            continue;
                        }
                    }
                }
            };
            let (location, data) = match param {
                Parameter::Query { parameter_data, .. } => (ParamLocation::Query, parameter_data),
                Parameter::Path { parameter_data, .. } => (ParamLocation::Path, parameter_data),
                Parameter::Header { parameter_data, .. } => (ParamLocation::Header, parameter_data),
                Parameter::Cookie { parameter_data, .. } => {
                    self.error(
                        pfile,
                        &ppointer,
                        format!("unsupported: cookie parameter `{}`", parameter_data.name),
                    );
                    continue;
                }
            };
            let hint = format!("{builder_name}{}", pascal(&data.name));
            let ty = match &data.format {
                ParameterSchemaOrContent::Schema(s) => self.schema_type(
                    pfile,
                    &format!("{ppointer}/schema"),
                    s,
                    &hint,
                    Scope::Module,
                ),
                ParameterSchemaOrContent::Content(c) => {
                    match c.values().next().and_then(|m| m.schema.as_ref()) {
                        Some(s) => self.schema_type(
                            pfile,
                            &format!("{ppointer}/content"),
                            s,
                            &hint,
                            Scope::Module,
                        ),
                        None => TypeRef::String,
                    }
                }
            };
            if location == ParamLocation::Query && data.required {
                if let ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) = &data.format {
                    if let SchemaKind::Type(Type::String(t)) = &s.schema_kind {
                        if let [Some(only)] = t.enumeration.as_slice() {
                            constant_query.push((data.name.clone(), only.clone()));
                            continue;
                        }
                    }
                }
            }
            let is_bound = location == ParamLocation::Path && bound.contains(&data.name);
            let explicit = ext_str(&data.extensions, "x-rust-name");
            if let Some(why) = explicit.and_then(not_an_ident) {
                self.error(
                    pfile,
                    &format!("{ppointer}/x-rust-name"),
                    format!("x-rust-name {why}"),
                );
            }
            let rust = explicit
                .filter(|n| not_an_ident(n).is_none())
                .map(str::to_string)
                .unwrap_or_else(|| snake(&data.name));
            let rust = if rust.is_empty() {
                "param".to_string()
            } else {
                rust
            };
            let example = data.example.clone().or_else(|| match &data.format {
                ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) => {
                    s.schema_data.example.clone()
                }
                _ => None,
            });
            let client_default = match data.extensions.get("x-client-default") {
                None => None,
                Some(Value::Bool(b))
                    if location == ParamLocation::Query
                        && !data.required
                        && matches!(ty, TypeRef::Bool) =>
                {
                    Some(*b)
                }
                Some(_) => {
                    self.error(
                        pfile,
                        &format!("{ppointer}/x-client-default"),
                        "x-client-default is supported on optional boolean query parameters, with a boolean value",
                    );
                    None
                }
            };
            let new = Param {
                client_default,
                example,
                rust_name: String::new(),
                name: data.name.clone(),
                location,
                required: data.required || location == ParamLocation::Path,
                ty,
                description: data.description.clone(),
                bound: is_bound,
            };
            if let Some(existing) = params
                .iter_mut()
                .find(|x| x.name == new.name && x.location == new.location)
            {
                let keep = existing.rust_name.clone();
                *existing = Param {
                    rust_name: keep,
                    ..new
                };
            } else {
                let rust_name = unique(rust, &mut taken_names);
                params.push(Param { rust_name, ..new });
            }
        }

        // Path template.
        let (template, query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        let mut fixed_query: Vec<(String, String)> = query
            .map(|q| {
                q.split('&')
                    .filter(|s| !s.is_empty())
                    .map(|kv| match kv.split_once('=') {
                        Some((k, v)) => (k.to_string(), v.to_string()),
                        None => (kv.to_string(), String::new()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        fixed_query.extend(constant_query);
        let mut path_parts = Vec::new();
        let mut rest = template;
        let mut used = Vec::new();
        let path_pointer = pointer
            .rsplit_once('/')
            .map(|x| x.0)
            .unwrap_or(pointer)
            .to_string();
        while let Some(open) = rest.find('{') {
            if open > 0 {
                path_parts.push(PathPart::Literal(rest[..open].to_string()));
            }
            let Some(close) = rest[open..].find('}') else {
                self.error(
                    fi,
                    &path_pointer,
                    format!("path `{path}` has a `{{` without a closing `}}`"),
                );
                return None;
            };
            let name = &rest[open + 1..open + close];
            match params
                .iter()
                .position(|p| p.location == ParamLocation::Path && p.name == name)
            {
                Some(i) => {
                    used.push(i);
                    path_parts.push(PathPart::Param(i));
                }
                None => {
                    self.error(fi, pointer, format!("path parameter `{{{name}}}` is not declared: add a parameter with `in: path` and `name: {name}`"));
                    return None;
                }
            }
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            path_parts.push(PathPart::Literal(rest.to_string()));
        }
        for (i, p) in params.iter().enumerate() {
            if p.location == ParamLocation::Path && !used.contains(&i) {
                self.error(fi, pointer, format!("parameter `{}` is declared `in: path` but the path `{path}` has no `{{{}}}`", p.name, p.name));
                return None;
            }
        }

        let body = match &op.request_body {
            None => None,
            Some(b) => self.body(fi, &format!("{pointer}/requestBody"), b, &builder_name),
        };
        let response = self.response(fi, pointer, op, &builder_name);

        let paginate = self.paginate(fi, pointer, op, &params, body.as_ref(), &response);
        let batch = self.batch(fi, pointer, op, body.as_ref());
        let check_rows = self.check_rows(fi, pointer, op, body.as_ref(), token);
        let idempotent = match op.extensions.get("x-idempotent") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.error(
                    fi,
                    &format!("{pointer}/x-idempotent"),
                    "x-idempotent must be true or false",
                );
                None
            }
        };

        // A statement the SQL style pages is only read when it is a SELECT.
        let idempotent_if_select = match &paginate {
            Some(Paginate {
                style: PageStyle::Sql { statement, .. },
                ..
            }) => Some(statement.clone()),
            _ => None,
        };

        Some(Operation {
            seatable_id: ext_str(&op.extensions, "x-seatable-operation-id").map(str::to_string),
            id,
            method_name,
            builder_name,
            http_method,
            path: path.to_string(),
            path_parts,
            fixed_query,
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            token,
            scheme: scheme_name,
            params,
            body,
            response,
            paginate,
            batch,
            check_rows,
            idempotent,
            idempotent_if_select,
        })
    }
}
