//! openapiv3 → IR: resolves references across files, names everything, decides which client
//! each operation belongs to, and reports every problem it meets (it never stops at the
//! first, and never panics on input).

use std::collections::HashMap;

use openapiv3::{
    AdditionalProperties, Discriminator, Parameter, ParameterSchemaOrContent, ReferenceOr,
    RequestBody, Schema, SchemaKind, SecurityScheme, StatusCode, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::diagnostics::{escape_pointer_token, Diagnostic};
use crate::ir::*;
use crate::load::SpecFile;
use crate::naming::{pascal, snake, unique};

/// Where an inline type is defined: the shared `types` module or the operation's module.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Shared,
    Module,
}

/// A schema either maps onto an existing Rust type or needs a definition of its own.
enum Shape {
    Ref(TypeRef),
    Def(TypeKind),
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
    };
    for cycle in crate::cycles::find(&api) {
        let (display, pointer) = cycle.origin.split_at(cycle.origin.find('#').unwrap_or(0));
        let fi = files.iter().position(|f| f.display == display).unwrap_or(0);
        l.error(fi, pointer, cycle.message);
    }
    (api, l.diags)
}

/// The variant name for an enum value: `""` is `Empty`; with `spell`, punctuation becomes
/// words (`DD/MM/YYYY` → `DdSlashMmSlashYyyy`).
fn enum_name(value: &str, spell: bool) -> String {
    if value.is_empty() {
        return "Empty".into();
    }
    if !spell {
        return pascal(value);
    }
    let mut spelled = String::new();
    for c in value.chars() {
        let word = match c {
            '/' => " slash ",
            '.' => " dot ",
            '-' => " dash ",
            ':' => " colon ",
            '_' => " underscore ",
            '+' => " plus ",
            ' ' => " space ",
            _ => {
                spelled.push(c);
                continue;
            }
        };
        spelled.push_str(word);
    }
    pascal(&spelled)
}

/// Names generated code uses from the prelude and std: a model named after one would
/// shadow it (SeaTable's own spec has a schema `from`).
/// The page size a page-style stream asks for when neither the caller nor `x-paginate`'s
/// `size` sets one: SeaTable's own default (25) would take four times the requests, and
/// no documented list caps `per_page` below 100.
const DEFAULT_PAGE_SIZE: u64 = 100;

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

    // ---- components ---------------------------------------------------------------------

    fn name_components(&mut self) {
        let mut first_seen: HashMap<String, String> = HashMap::new();
        for fi in 0..self.files.len() {
            let Some(components) = &self.files[fi].doc.components else {
                continue;
            };
            for (name, schema) in &components.schemas {
                let explicit = match schema {
                    ReferenceOr::Item(s) => {
                        ext_str(&s.schema_data.extensions, "x-rust-name").map(str::to_string)
                    }
                    ReferenceOr::Reference { .. } => None,
                };
                let pointer = format!("#/components/schemas/{}", escape_pointer_token(name));
                if let Some(why) = explicit.as_deref().and_then(not_an_ident) {
                    self.error(
                        fi,
                        &format!("{pointer}/x-rust-name"),
                        format!("x-rust-name {why}"),
                    );
                    continue;
                }
                let rust = explicit.unwrap_or_else(|| pascal(name));
                if rust.is_empty() {
                    self.error(fi, &pointer, format!("schema name `{name}` has no ASCII letters or digits to make a Rust name from; add x-rust-name"));
                    continue;
                }
                let rust = if RESERVED_TYPE_NAMES.contains(&rust.as_str()) {
                    format!("{rust}Model")
                } else {
                    rust
                };
                let here = format!("{}{}", self.files[fi].display, pointer);
                if let Some(prev) = first_seen.get(&rust) {
                    self.error(fi, &pointer, format!("schema `{name}` becomes the Rust type `{rust}`, which {prev} already defines"));
                    continue;
                }
                first_seen.insert(rust.clone(), here);
                self.shared_taken.push(rust.clone());
                self.schema_names.insert((fi, name.clone()), rust);
            }
        }
    }

    fn lower_components(&mut self) {
        let files: &'a [SpecFile] = self.files;
        for (fi, f) in files.iter().enumerate() {
            let Some(components) = &f.doc.components else {
                continue;
            };
            for (name, schema) in &components.schemas {
                let Some(rust) = self.schema_names.get(&(fi, name.clone())).cloned() else {
                    continue;
                };
                let pointer = format!("#/components/schemas/{}", escape_pointer_token(name));
                let (kind, description) = match schema {
                    ReferenceOr::Reference { reference } => {
                        let t = self.ref_type(fi, &pointer, reference);
                        (TypeKind::Alias(t), None)
                    }
                    ReferenceOr::Item(s) => {
                        let kind = match self.shape(fi, &pointer, s, &rust, Scope::Shared) {
                            Shape::Ref(t) => TypeKind::Alias(t),
                            Shape::Def(k) => k,
                        };
                        (kind, s.schema_data.description.clone())
                    }
                };
                self.shared.push(TypeDef {
                    name: rust,
                    description,
                    origin: format!("{}{}", f.display, pointer),
                    kind,
                });
            }
        }
    }

    // ---- schemas ----------------------------------------------------------------------

    fn ref_type(&mut self, file: usize, pointer: &str, reference: &str) -> TypeRef {
        match self.resolve(file, pointer, reference, "schemas") {
            Some(key) => match self.schema_names.get(&key) {
                Some(name) => TypeRef::Named(TypePath {
                    module: None,
                    name: name.clone(),
                }),
                None => TypeRef::Any,
            },
            None => TypeRef::Any,
        }
    }

    /// The Rust type for a schema used somewhere; inline definitions get `hint` as name.
    fn schema_type(
        &mut self,
        file: usize,
        pointer: &str,
        schema: &ReferenceOr<Schema>,
        hint: &str,
        scope: Scope,
    ) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.ref_type(file, pointer, reference),
            ReferenceOr::Item(s) => self.inline_type(file, pointer, s, hint, scope),
        }
    }

    fn boxed_type(
        &mut self,
        file: usize,
        pointer: &str,
        schema: &ReferenceOr<Box<Schema>>,
        hint: &str,
        scope: Scope,
    ) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.ref_type(file, pointer, reference),
            ReferenceOr::Item(s) => self.inline_type(file, pointer, s, hint, scope),
        }
    }

    fn inline_type(
        &mut self,
        file: usize,
        pointer: &str,
        s: &Schema,
        hint: &str,
        scope: Scope,
    ) -> TypeRef {
        let name = self.reserve(hint, scope);
        match self.shape(file, pointer, s, &name, scope) {
            Shape::Ref(t) => {
                self.release(&name, scope);
                t
            }
            Shape::Def(kind) => {
                let def = TypeDef {
                    name: name.clone(),
                    description: s.schema_data.description.clone(),
                    origin: format!("{}{}", self.files[file].display, pointer),
                    kind,
                };
                match scope {
                    Scope::Shared => {
                        self.shared.push(def);
                        TypeRef::Named(TypePath { module: None, name })
                    }
                    Scope::Module => {
                        self.module_types.push(def);
                        TypeRef::Named(TypePath {
                            module: self.module.clone(),
                            name,
                        })
                    }
                }
            }
        }
    }

    fn reserve(&mut self, hint: &str, scope: Scope) -> String {
        let base = pascal(hint);
        let base = if base.is_empty() {
            "Inline".to_string()
        } else {
            base
        };
        let taken = match scope {
            Scope::Shared => &mut self.shared_taken,
            Scope::Module => &mut self.module_taken,
        };
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{base}{n}");
            n += 1;
        }
        taken.push(candidate.clone());
        candidate
    }

    fn release(&mut self, name: &str, scope: Scope) {
        let taken = match scope {
            Scope::Shared => &mut self.shared_taken,
            Scope::Module => &mut self.module_taken,
        };
        if let Some(i) = taken.iter().rposition(|t| t == name) {
            taken.remove(i);
        }
    }

    fn is_nullable(&self, file: usize, schema: &ReferenceOr<Box<Schema>>) -> bool {
        match schema {
            ReferenceOr::Item(s) => s.schema_data.nullable,
            ReferenceOr::Reference { reference } => {
                // Resolution errors are reported where the type is lowered.
                let (target, name) = match reference.split_once('#') {
                    Some((f, frag)) => {
                        let t = if f.is_empty() {
                            Some(file)
                        } else {
                            (0..self.files.len())
                                .find(|&i| self.file_name(i) == f.trim_start_matches("./"))
                        };
                        (t, frag.rsplit('/').next().unwrap_or_default().to_string())
                    }
                    None => (None, String::new()),
                };
                target
                    .and_then(|t| self.component_schema(t, &name))
                    .is_some_and(|s| matches!(s, ReferenceOr::Item(s) if s.schema_data.nullable))
            }
        }
    }

    fn shape(&mut self, file: usize, pointer: &str, s: &Schema, name: &str, scope: Scope) -> Shape {
        match &s.schema_kind {
            SchemaKind::Type(Type::String(t)) => {
                let values: Vec<String> = t.enumeration.iter().flatten().cloned().collect();
                if !values.is_empty() {
                    return self.string_enum(file, pointer, s, values);
                }
                Shape::Ref(match &t.format {
                    VariantOrUnknownOrEmpty::Item(StringFormat::Password) => TypeRef::Secret,
                    VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => TypeRef::File,
                    _ => TypeRef::String,
                })
            }
            SchemaKind::Type(Type::Number(_)) => Shape::Ref(TypeRef::F64),
            SchemaKind::Type(Type::Integer(t)) => Shape::Ref(match &t.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            }),
            SchemaKind::Type(Type::Boolean(_)) => Shape::Ref(TypeRef::Bool),
            SchemaKind::Type(Type::Object(o)) => {
                let props: Vec<_> = o
                    .properties
                    .iter()
                    .map(|(k, v)| (file, pointer.to_string(), k.clone(), v.clone()))
                    .collect();
                self.object(
                    file,
                    pointer,
                    props,
                    &o.required,
                    o.additional_properties.as_ref(),
                    name,
                    scope,
                )
            }
            SchemaKind::Type(Type::Array(a)) => {
                let item = match &a.items {
                    Some(items) => {
                        let t = self.boxed_type(
                            file,
                            &format!("{pointer}/items"),
                            items,
                            &format!("{name}Item"),
                            scope,
                        );
                        if self.is_nullable(file, items) {
                            TypeRef::Nullable(Box::new(t))
                        } else {
                            t
                        }
                    }
                    None => TypeRef::Any,
                };
                Shape::Ref(TypeRef::Array(Box::new(item)))
            }
            SchemaKind::OneOf { one_of } => self.one_of(
                file,
                pointer,
                one_of,
                s.schema_data.discriminator.as_ref(),
                name,
                scope,
                "oneOf",
            ),
            SchemaKind::AnyOf { any_of } => {
                self.one_of(file, pointer, any_of, None, name, scope, "anyOf")
            }
            SchemaKind::AllOf { all_of } => self.all_of(file, pointer, all_of, name, scope),
            SchemaKind::Not { .. } => {
                self.error(file, &format!("{pointer}/not"), "unsupported schema construct `not`: a Rust type cannot express \"anything but\"; describe the allowed shape instead");
                Shape::Ref(TypeRef::Any)
            }
            SchemaKind::Any(a) => {
                if a.not.is_some() {
                    self.error(file, &format!("{pointer}/not"), "unsupported schema construct `not`: a Rust type cannot express \"anything but\"; describe the allowed shape instead");
                    return Shape::Ref(TypeRef::Any);
                }
                if !a.all_of.is_empty() && a.properties.is_empty() {
                    return self.all_of(file, pointer, &a.all_of, name, scope);
                }
                if !a.one_of.is_empty() {
                    return self.one_of(
                        file,
                        pointer,
                        &a.one_of,
                        s.schema_data.discriminator.as_ref(),
                        name,
                        scope,
                        "oneOf",
                    );
                }
                if !a.any_of.is_empty() {
                    return self.one_of(file, pointer, &a.any_of, None, name, scope, "anyOf");
                }
                match a.typ.as_deref() {
                    None | Some("object")
                        if !a.properties.is_empty()
                            || a.additional_properties.is_some()
                            || a.typ.is_some() =>
                    {
                        let mut props: Vec<_> = a
                            .properties
                            .iter()
                            .map(|(k, v)| (file, pointer.to_string(), k.clone(), v.clone()))
                            .collect();
                        let mut required = a.required.clone();
                        let mut additional = a.additional_properties.clone();
                        if !a.all_of.is_empty() {
                            self.gather(
                                file,
                                pointer,
                                &a.all_of,
                                &mut props,
                                &mut required,
                                &mut additional,
                            );
                        }
                        self.object(
                            file,
                            pointer,
                            props,
                            &required,
                            additional.as_ref(),
                            name,
                            scope,
                        )
                    }
                    None => Shape::Ref(if a.items.is_some() {
                        TypeRef::Array(Box::new(TypeRef::Any))
                    } else {
                        TypeRef::Any
                    }),
                    Some("array") => {
                        let item = match &a.items {
                            Some(items) => self.boxed_type(
                                file,
                                &format!("{pointer}/items"),
                                items,
                                &format!("{name}Item"),
                                scope,
                            ),
                            None => TypeRef::Any,
                        };
                        Shape::Ref(TypeRef::Array(Box::new(item)))
                    }
                    Some("string") => Shape::Ref(match a.format.as_deref() {
                        Some("password") => TypeRef::Secret,
                        Some("binary") => TypeRef::File,
                        _ => TypeRef::String,
                    }),
                    Some("integer") => Shape::Ref(if a.format.as_deref() == Some("int32") {
                        TypeRef::I32
                    } else {
                        TypeRef::I64
                    }),
                    Some("number") => Shape::Ref(TypeRef::F64),
                    Some("boolean") => Shape::Ref(TypeRef::Bool),
                    Some(other) => {
                        self.error(file, &format!("{pointer}/type"), format!("unsupported schema type `{other}`: OpenAPI 3.0 knows string, number, integer, boolean, array and object"));
                        Shape::Ref(TypeRef::Any)
                    }
                }
            }
        }
    }

    fn string_enum(
        &mut self,
        file: usize,
        pointer: &str,
        s: &Schema,
        values: Vec<String>,
    ) -> Shape {
        let names: Option<Vec<String>> = s
            .schema_data
            .extensions
            .get("x-enum-varnames")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .collect()
            });
        if let Some(n) = &names {
            if n.len() != values.len() {
                self.error(
                    file,
                    &format!("{pointer}/x-enum-varnames"),
                    format!(
                        "x-enum-varnames has {} names for {} enum values",
                        n.len(),
                        values.len()
                    ),
                );
            }
        }
        // Values that differ only in punctuation (`DD/MM/YYYY`, `DD.MM.YYYY`) are told apart
        // by spelling the punctuation out; only a collision that survives that is an error.
        let plain: Vec<String> = values.iter().map(|v| enum_name(v, false)).collect();
        let mut out: Vec<EnumValue> = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let explicit = names
                .as_ref()
                .and_then(|n| n.get(i))
                .filter(|n| !n.is_empty());
            let clashes = plain.iter().filter(|p| **p == plain[i]).count() > 1;
            if let Some(why) = explicit.and_then(|n| not_an_ident(n)) {
                self.error(
                    file,
                    &format!("{pointer}/x-enum-varnames/{i}"),
                    format!("x-enum-varnames {why}"),
                );
                continue;
            }
            let rust_name = match explicit {
                Some(n) => n.clone(),
                None => enum_name(value, clashes),
            };
            if rust_name.is_empty() {
                self.error(file, &format!("{pointer}/enum/{i}"), format!("enum value `{value}` has no ASCII letters or digits to make a Rust name from; name it with x-enum-varnames"));
                continue;
            }
            if rust_name == "Unknown" {
                self.error(file, &format!("{pointer}/enum/{i}"), format!("enum value `{value}` becomes the Rust name `Unknown`, which is kept for values this version does not know; name it with x-enum-varnames"));
                continue;
            }
            if let Some(prev) = out.iter().find(|v| v.rust_name == rust_name) {
                let msg = format!("enum values `{}` and `{value}` both become the Rust name `{rust_name}`; name them with x-enum-varnames", prev.value);
                self.error(file, &format!("{pointer}/enum/{i}"), msg);
                continue;
            }
            if out.iter().any(|v| &v.value == value) {
                continue;
            }
            out.push(EnumValue {
                value: value.clone(),
                rust_name,
                description: None,
            });
        }
        Shape::Def(TypeKind::Enum { values: out })
    }

    #[allow(clippy::too_many_arguments)]
    fn object(
        &mut self,
        _file: usize,
        _pointer: &str,
        props: Vec<(usize, String, String, ReferenceOr<Box<Schema>>)>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        name: &str,
        scope: Scope,
    ) -> Shape {
        let extra_file = props.first().map(|p| p.0).unwrap_or(_file);
        let extra = match additional {
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Any),
            Some(AdditionalProperties::Schema(s)) => {
                let t = self.schema_type(
                    extra_file,
                    &format!("{_pointer}/additionalProperties"),
                    s,
                    &format!("{name}Value"),
                    scope,
                );
                Some(t)
            }
            _ => None,
        };
        if props.is_empty() {
            return Shape::Ref(match extra {
                Some(TypeRef::Any) | None => TypeRef::Object,
                Some(t) => TypeRef::Map(Box::new(t)),
            });
        }
        let mut taken = vec!["extra".to_string()];
        let mut fields = Vec::new();
        for (file, parent, prop, schema) in props {
            let pointer = format!("{parent}/properties/{}", escape_pointer_token(&prop));
            let explicit = match &schema {
                ReferenceOr::Item(s) => {
                    ext_str(&s.schema_data.extensions, "x-rust-name").map(str::to_string)
                }
                _ => None,
            };
            if let Some(why) = explicit.as_deref().and_then(not_an_ident) {
                self.error(
                    file,
                    &format!("{pointer}/x-rust-name"),
                    format!("x-rust-name {why}"),
                );
            }
            let explicit = explicit.filter(|n| not_an_ident(n).is_none());
            let mut rust = explicit.unwrap_or_else(|| snake(&prop));
            if rust.is_empty() {
                rust = "field".into();
            }
            let rust_name = unique(rust, &mut taken);
            let ty = self.boxed_type(
                file,
                &pointer,
                &schema,
                &format!("{name}{}", pascal(&prop)),
                scope,
            );
            let (description, example) = match &schema {
                ReferenceOr::Item(s) => (
                    s.schema_data.description.clone(),
                    s.schema_data.example.clone(),
                ),
                _ => (None, None),
            };
            fields.push(Field {
                example,
                nullable: self.is_nullable(file, &schema),
                required: required.contains(&prop),
                name: prop,
                rust_name,
                ty,
                description,
            });
        }
        Shape::Def(TypeKind::Struct { fields, extra })
    }

    /// Collects the properties of `allOf` members into one list, following references.
    fn gather(
        &mut self,
        file: usize,
        pointer: &str,
        members: &[ReferenceOr<Schema>],
        props: &mut Vec<(usize, String, String, ReferenceOr<Box<Schema>>)>,
        required: &mut Vec<String>,
        additional: &mut Option<AdditionalProperties>,
    ) {
        for (i, member) in members.iter().enumerate() {
            let at = format!("{pointer}/allOf/{i}");
            let (mfile, mpointer, schema) = match member {
                ReferenceOr::Item(s) => (file, at.clone(), s),
                ReferenceOr::Reference { reference } => {
                    let Some((tf, tn)) = self.resolve(file, &at, reference, "schemas") else {
                        continue;
                    };
                    if let Some(i) = self.gathering.iter().position(|g| *g == (tf, tn.clone())) {
                        let mut path: Vec<&str> =
                            self.gathering[i..].iter().map(|g| g.1.as_str()).collect();
                        path.push(&tn);
                        let msg = format!("allOf cycle: {} merge each other's properties without end; break the cycle", path.join(" → "));
                        self.error(file, &at, msg);
                        continue;
                    }
                    match self.component_schema(tf, &tn) {
                        Some(ReferenceOr::Item(s)) => (
                            tf,
                            format!("#/components/schemas/{}", escape_pointer_token(&tn)),
                            s,
                        ),
                        _ => {
                            self.error(file, &at, "unsupported schema construct: an allOf member that is itself only a $ref to a $ref");
                            continue;
                        }
                    }
                }
            };
            let entered = match member {
                ReferenceOr::Reference { reference } => {
                    let name = reference.rsplit('/').next().unwrap_or_default();
                    let name = name.replace("~1", "/").replace("~0", "~");
                    self.gathering.push((mfile, name));
                    true
                }
                ReferenceOr::Item(_) => false,
            };
            self.gather_member(
                mfile, &mpointer, &at, file, schema, props, required, additional,
            );
            if entered {
                self.gathering.pop();
            }
        }
    }

    /// Merges one `allOf` member (already resolved to `schema`, found at `mpointer`).
    #[allow(clippy::too_many_arguments)]
    fn gather_member(
        &mut self,
        mfile: usize,
        mpointer: &str,
        at: &str,
        file: usize,
        schema: &Schema,
        props: &mut Vec<(usize, String, String, ReferenceOr<Box<Schema>>)>,
        required: &mut Vec<String>,
        additional: &mut Option<AdditionalProperties>,
    ) {
        {
            let (p, r, a, nested) = match &schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => {
                    (&o.properties, &o.required, &o.additional_properties, None)
                }
                SchemaKind::AllOf { all_of } => {
                    self.gather(mfile, mpointer, all_of, props, required, additional);
                    return;
                }
                SchemaKind::Any(a) if a.typ.as_deref().is_none_or(|t| t == "object") => (
                    &a.properties,
                    &a.required,
                    &a.additional_properties,
                    Some(&a.all_of),
                ),
                _ => {
                    self.error(file, at, "unsupported schema construct: an allOf member that is not an object; only objects can be merged");
                    return;
                }
            };
            if let Some(nested) = nested {
                if !nested.is_empty() {
                    self.gather(mfile, mpointer, nested, props, required, additional);
                }
            }
            for (k, v) in p {
                if let Some(existing) = props.iter_mut().find(|x| &x.2 == k) {
                    *existing = (mfile, mpointer.to_string(), k.clone(), v.clone());
                } else {
                    props.push((mfile, mpointer.to_string(), k.clone(), v.clone()));
                }
            }
            required.extend(r.iter().cloned());
            if a.is_some() {
                *additional = a.clone();
            }
        }
    }

    fn all_of(
        &mut self,
        file: usize,
        pointer: &str,
        members: &[ReferenceOr<Schema>],
        name: &str,
        scope: Scope,
    ) -> Shape {
        if let [only] = members {
            return Shape::Ref(self.schema_type(
                file,
                &format!("{pointer}/allOf/0"),
                only,
                name,
                scope,
            ));
        }
        let mut props = Vec::new();
        let mut required = Vec::new();
        let mut additional = None;
        self.gather(
            file,
            pointer,
            members,
            &mut props,
            &mut required,
            &mut additional,
        );
        self.object(
            file,
            pointer,
            props,
            &required,
            additional.as_ref(),
            name,
            scope,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn one_of(
        &mut self,
        file: usize,
        pointer: &str,
        members: &[ReferenceOr<Schema>],
        discriminator: Option<&Discriminator>,
        name: &str,
        scope: Scope,
        keyword: &str,
    ) -> Shape {
        if let (None, [only]) = (discriminator, members) {
            return Shape::Ref(self.schema_type(
                file,
                &format!("{pointer}/{keyword}/0"),
                only,
                name,
                scope,
            ));
        }
        let mut taken = vec!["Unknown".to_string()];
        if let Some(d) = discriminator {
            let mut variants: Vec<Variant> = Vec::new();
            let mut covered = Vec::new();
            for (tag, target) in &d.mapping {
                let at = format!(
                    "{pointer}/discriminator/mapping/{}",
                    escape_pointer_token(tag)
                );
                let target_ref = if target.contains('#') {
                    target.clone()
                } else {
                    format!("#/components/schemas/{target}")
                };
                let ty = match self.resolve(file, &at.replace("/$ref", ""), &target_ref, "schemas")
                {
                    Some(key) => {
                        covered.push(key.clone());
                        match self.schema_names.get(&key) {
                            Some(n) => TypeRef::Named(TypePath {
                                module: None,
                                name: n.clone(),
                            }),
                            None => continue,
                        }
                    }
                    None => continue,
                };
                let rust = pascal(tag);
                if rust.is_empty() || taken.contains(&rust) {
                    self.error(file, &at, format!("discriminator value `{tag}` becomes the variant name `{rust}`, which is empty or already used"));
                    continue;
                }
                taken.push(rust.clone());
                variants.push(Variant {
                    tag: Some(tag.clone()),
                    rust_name: rust,
                    ty,
                });
            }
            for (i, member) in members.iter().enumerate() {
                let at = format!("{pointer}/{keyword}/{i}");
                match member {
                    ReferenceOr::Reference { reference } => {
                        let Some(key) = self.resolve(file, &at, reference, "schemas") else {
                            continue;
                        };
                        if covered.contains(&key) {
                            continue;
                        }
                        let tag = key.1.clone();
                        let rust = pascal(&tag);
                        if taken.contains(&rust) {
                            self.error(file, &at, format!("discriminator value `{tag}` becomes the variant name `{rust}`, which is already used"));
                            continue;
                        }
                        taken.push(rust.clone());
                        if let Some(n) = self.schema_names.get(&key) {
                            variants.push(Variant {
                                tag: Some(tag),
                                rust_name: rust,
                                ty: TypeRef::Named(TypePath {
                                    module: None,
                                    name: n.clone(),
                                }),
                            });
                        }
                    }
                    ReferenceOr::Item(_) => {
                        self.error(file, &at, format!("unsupported schema construct: an inline {keyword} member under a discriminator; give it a name in components/schemas and a mapping entry"));
                    }
                }
            }
            return Shape::Def(TypeKind::Tagged {
                property: d.property_name.clone(),
                variants,
            });
        }
        let mut variants = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let at = format!("{pointer}/{keyword}/{i}");
            let ty = self.schema_type(file, &at, member, &format!("{name}Variant{i}"), scope);
            let base = match &ty {
                TypeRef::String => "String".to_string(),
                TypeRef::Secret => "Secret".to_string(),
                TypeRef::I32 | TypeRef::I64 => "Integer".to_string(),
                TypeRef::F64 => "Number".to_string(),
                TypeRef::Bool => "Boolean".to_string(),
                TypeRef::Bytes => "Bytes".to_string(),
                TypeRef::File => "File".to_string(),
                TypeRef::Any => "Value".to_string(),
                TypeRef::Object | TypeRef::Map(_) => "Object".to_string(),
                TypeRef::Array(_) => "Array".to_string(),
                TypeRef::Nullable(_) => "Null".to_string(),
                TypeRef::Named(p) => p.name.clone(),
            };
            let mut candidate = base.clone();
            let mut n = 2;
            while taken.contains(&candidate) {
                candidate = format!("{base}{n}");
                n += 1;
            }
            taken.push(candidate.clone());
            variants.push(Variant {
                tag: None,
                rust_name: candidate,
                ty,
            });
        }
        Shape::Def(TypeKind::Untagged { variants })
    }

    // ---- operations -------------------------------------------------------------------

    fn lower_module(&mut self, fi: usize) -> Option<Module> {
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
                if let Some(prev) = seen_ids.get(&id) {
                    let msg =
                        format!("duplicate operationId `{id}` in this file (first used at {prev})");
                    self.error(fi, &format!("{pointer}/operationId"), msg);
                    continue;
                }
                let (line, _) = f.positions.find(&format!("{pointer}/operationId"));
                seen_ids.insert(id.clone(), format!("line {line}"));
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

    /// Inherent methods of all modules land on the same client types.
    fn check_receivers(&mut self, modules: &[Module]) {
        let mut seen: HashMap<(TokenKind, String), String> = HashMap::new();
        for m in modules {
            let fi = self
                .files
                .iter()
                .position(|f| f.display == m.source)
                .unwrap_or(0);
            for o in &m.operations {
                let key = (o.token, o.method_name.clone());
                if let Some(prev) = seen.get(&key) {
                    if prev != &m.name {
                        let pointer = self.op_pointer(fi, &o.id);
                        let msg = format!("`{}` is already a method of `{}` from module `{prev}`; rename this one with x-rust-name", o.method_name, o.token.client_type());
                        self.error(fi, &pointer, msg);
                    }
                } else {
                    seen.insert(key, m.name.clone());
                }
            }
        }
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
        let f = &files[fi];
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

        // Security: which client holds the token.
        let mut token = TokenKind::None;
        let mut scheme_name = None;
        let mut bound: Vec<String> = Vec::new();
        let requirements = op.security.as_ref().or(f.doc.security.as_ref());
        if let Some(first) = requirements.and_then(|r| r.first()) {
            if let Some((name, _)) = first.iter().next() {
                let sec_pointer = if op.security.is_some() {
                    format!("{pointer}/security/0")
                } else {
                    "#/security/0".into()
                };
                let scheme = f
                    .doc
                    .components
                    .as_ref()
                    .and_then(|c| c.security_schemes.get(name));
                match scheme {
                    None => {
                        self.error(fi, &sec_pointer, format!("unknown security scheme `{name}`: declare it under components/securitySchemes"));
                        return None;
                    }
                    Some(ReferenceOr::Reference { .. }) => {
                        self.error(
                            fi,
                            &sec_pointer,
                            format!("unsupported: security scheme `{name}` given by $ref"),
                        );
                        return None;
                    }
                    Some(ReferenceOr::Item(s)) => {
                        let ext = match s {
                            SecurityScheme::HTTP { extensions, .. }
                            | SecurityScheme::APIKey { extensions, .. }
                            | SecurityScheme::OAuth2 { extensions, .. }
                            | SecurityScheme::OpenIDConnect { extensions, .. } => extensions,
                        };
                        let declared = ext_str(ext, "x-token");
                        let kind = match declared {
                            Some(v) => TokenKind::ALL.into_iter().find(|k| k.x_token() == v),
                            None => {
                                // Specs without our extension (SeaTable's own) name schemes after the token.
                                let n = name.to_ascii_lowercase();
                                if n.contains("scheduler") {
                                    Some(TokenKind::Scheduler)
                                } else if n.contains("account") {
                                    Some(TokenKind::Account)
                                } else if n.contains("base") {
                                    Some(TokenKind::Base)
                                } else if n.contains("api") {
                                    Some(TokenKind::Api)
                                } else {
                                    None
                                }
                            }
                        };
                        let scheme_pointer = format!(
                            "#/components/securitySchemes/{}",
                            escape_pointer_token(name)
                        );
                        match kind {
                            Some(k) => token = k,
                            None => {
                                self.error(fi, &scheme_pointer, format!("security scheme `{name}` does not say which token it carries: add `x-token: {}`", TokenKind::ALL.map(TokenKind::x_token).join(" | ")));
                                return None;
                            }
                        }
                        if let Some(list) = ext.get("x-bound-parameters").and_then(Value::as_array)
                        {
                            bound = list
                                .iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect();
                        }
                        scheme_name = Some(name.clone());
                    }
                }
            }
        }

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
            let new = Param {
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

    /// The fields behind a named type, following aliases; `None` on an alias cycle, which
    /// is reported once lowering is done.
    fn find_struct(&self, t: &TypeRef) -> Option<(Vec<Field>, bool)> {
        let mut t = t;
        let mut seen: Vec<&TypePath> = Vec::new();
        loop {
            let TypeRef::Named(p) = t else { return None };
            if seen.contains(&p) {
                return None;
            }
            seen.push(p);
            let defs = if p.module.is_some() {
                &self.module_types
            } else {
                &self.shared
            };
            let def = defs.iter().find(|d| d.name == p.name)?;
            match &def.kind {
                TypeKind::Struct { fields, extra } => {
                    return Some((fields.clone(), extra.is_some()))
                }
                TypeKind::Alias(inner) => t = inner,
                _ => return None,
            }
        }
    }

    fn body(
        &mut self,
        fi: usize,
        pointer: &str,
        b: &ReferenceOr<RequestBody>,
        builder: &str,
    ) -> Option<Body> {
        let files: &'a [SpecFile] = self.files;
        let (bfile, bpointer, body) = match b {
            ReferenceOr::Item(b) => (fi, pointer.to_string(), b),
            ReferenceOr::Reference { reference } => {
                let (tf, tn) = self.resolve(fi, pointer, reference, "requestBodies")?;
                match files[tf]
                    .doc
                    .components
                    .as_ref()
                    .and_then(|c| c.request_bodies.get(&tn))
                {
                    Some(ReferenceOr::Item(b)) => (
                        tf,
                        format!("#/components/requestBodies/{}", escape_pointer_token(&tn)),
                        b,
                    ),
                    _ => {
                        self.error(
                            fi,
                            pointer,
                            "unsupported: a requestBody $ref that points at another $ref",
                        );
                        return None;
                    }
                }
            }
        };
        let pick = |pred: &dyn Fn(&str) -> bool| {
            body.content
                .iter()
                .find(|(k, _)| pred(&k.to_ascii_lowercase()))
        };
        let (content_type, media, kind) =
            if let Some((k, m)) = pick(&|k| k == "application/json" || k.ends_with("+json")) {
                (k, m, BodyMedia::Json)
            } else if let Some((k, m)) = pick(&|k| k == "application/x-www-form-urlencoded") {
                (k, m, BodyMedia::Form)
            } else if let Some((k, m)) = pick(&|k| k == "multipart/form-data") {
                (k, m, BodyMedia::Multipart)
            } else if let Some((k, m)) = body.content.iter().next() {
                (k, m, BodyMedia::Raw)
            } else {
                self.error(
                    bfile,
                    &format!("{bpointer}/content"),
                    "request body has no content: name at least one media type",
                );
                return None;
            };
        let mpointer = format!("{bpointer}/content/{}", escape_pointer_token(content_type));
        let ty = match (&media.schema, kind) {
            (_, BodyMedia::Raw) => TypeRef::Bytes,
            (Some(s), _) => self.schema_type(
                bfile,
                &format!("{mpointer}/schema"),
                s,
                &format!("{builder}Request"),
                Scope::Module,
            ),
            (None, BodyMedia::Json) => TypeRef::Any,
            (None, _) => TypeRef::Object,
        };
        let (fields, has_extra) = match self.find_struct(&ty) {
            Some((fields, extra)) if body.required || fields.iter().all(|f| !f.is_plain()) => {
                (Some(fields), extra)
            }
            _ => (None, false),
        };
        Some(Body {
            media: kind,
            content_type: content_type.clone(),
            ty,
            required: body.required,
            description: body.description.clone(),
            fields,
            has_extra,
        })
    }

    fn response(
        &mut self,
        fi: usize,
        pointer: &str,
        op: &openapiv3::Operation,
        builder: &str,
    ) -> Response {
        let files: &'a [SpecFile] = self.files;
        let mut chosen: Option<(String, &ReferenceOr<openapiv3::Response>)> = None;
        let mut best = u16::MAX;
        for (code, r) in &op.responses.responses {
            let n = match code {
                StatusCode::Code(n) if (200..300).contains(n) => *n,
                StatusCode::Range(2) => 299,
                _ => continue,
            };
            if n < best {
                best = n;
                chosen = Some((code.to_string(), r));
            }
        }
        if chosen.is_none() {
            if let Some(d) = &op.responses.default {
                chosen = Some(("default".into(), d));
            }
        }
        let Some((status, r)) = chosen else {
            return Response {
                status: "none".into(),
                kind: ResponseKind::Empty,
                description: None,
            };
        };
        let rpointer = format!("{pointer}/responses/{}", escape_pointer_token(&status));
        let (rfile, rpointer, resp) = match r {
            ReferenceOr::Item(x) => (fi, rpointer, x),
            ReferenceOr::Reference { reference } => {
                let Some((tf, tn)) = self.resolve(fi, &rpointer, reference, "responses") else {
                    return Response {
                        status,
                        kind: ResponseKind::Empty,
                        description: None,
                    };
                };
                match files[tf]
                    .doc
                    .components
                    .as_ref()
                    .and_then(|c| c.responses.get(&tn))
                {
                    Some(ReferenceOr::Item(x)) => (
                        tf,
                        format!("#/components/responses/{}", escape_pointer_token(&tn)),
                        x,
                    ),
                    _ => {
                        self.error(
                            fi,
                            &rpointer,
                            "unsupported: a response $ref that points at another $ref",
                        );
                        return Response {
                            status,
                            kind: ResponseKind::Empty,
                            description: None,
                        };
                    }
                }
            }
        };
        let json = resp.content.iter().find(|(k, _)| {
            let k = k.to_ascii_lowercase();
            k == "application/json" || k.ends_with("+json") || k == "*/*"
        });
        let kind = match json {
            Some((k, m)) => match &m.schema {
                Some(s) => {
                    let at = format!("{rpointer}/content/{}/schema", escape_pointer_token(k));
                    ResponseKind::Json(self.schema_type(
                        rfile,
                        &at,
                        s,
                        &format!("{builder}Response"),
                        Scope::Module,
                    ))
                }
                None => ResponseKind::Json(TypeRef::Any),
            },
            None if resp.content.is_empty() => ResponseKind::Empty,
            None => ResponseKind::Bytes,
        };
        Response {
            status,
            kind,
            description: Some(resp.description.clone()).filter(|d| !d.is_empty()),
        }
    }

    fn paginate(
        &mut self,
        fi: usize,
        pointer: &str,
        op: &openapiv3::Operation,
        params: &[Param],
        body: Option<&Body>,
        response: &Response,
    ) -> Option<Paginate> {
        let v = op.extensions.get("x-paginate")?;
        let at = format!("{pointer}/x-paginate");
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let n = |k: &str| v.get(k).and_then(Value::as_u64);
        // The stream sets these itself, page after page, so the caller's values are optional.
        let counter = |name: &str| {
            params.iter().any(|p| {
                p.location == ParamLocation::Query
                    && p.name == name
                    && !p.required
                    && matches!(p.ty, TypeRef::I32 | TypeRef::I64)
            })
        };
        let style = match s("style").as_deref() {
            Some("offset") => {
                match (s("offset"), s("limit"), n("max")) {
                    (Some(offset), Some(limit), Some(max)) => {
                        PageStyle::Offset { offset, limit, max }
                    }
                    _ => {
                        self.error(fi, &at, "x-paginate with style offset needs `offset`, `limit`, `max` and `items`");
                        return None;
                    }
                }
            }
            Some("page") => match (s("page"), s("per_page"), v.get("size")) {
                (Some(page), Some(per_page), None) => PageStyle::Page {
                    page,
                    per_page,
                    size: DEFAULT_PAGE_SIZE,
                },
                (Some(page), Some(per_page), Some(size)) => match size.as_u64() {
                    Some(size) => PageStyle::Page {
                        page,
                        per_page,
                        size,
                    },
                    None => {
                        self.error(fi, &at, "x-paginate `size` must be a whole number");
                        return None;
                    }
                },
                _ => {
                    self.error(
                        fi,
                        &at,
                        "x-paginate with style page needs `page`, `per_page` and `items`",
                    );
                    return None;
                }
            },
            Some("sql") => match (s("statement"), n("default"), n("max")) {
                (Some(statement), Some(default), Some(max)) => PageStyle::Sql {
                    statement,
                    default,
                    max,
                },
                _ => {
                    self.error(
                        fi,
                        &at,
                        "x-paginate with style sql needs `statement`, `default`, `max` and `items`",
                    );
                    return None;
                }
            },
            _ => {
                self.error(fi, &at, "x-paginate needs `style: offset | page | sql`");
                return None;
            }
        };
        let Some(items) = s("items") else {
            self.error(
                fi,
                &at,
                "x-paginate needs `items` (the response property holding the items)",
            );
            return None;
        };
        match &style {
            PageStyle::Offset {
                offset: a,
                limit: b,
                ..
            }
            | PageStyle::Page {
                page: a,
                per_page: b,
                ..
            } => {
                for p in [a, b] {
                    if !counter(p) {
                        self.error(fi, &at, format!("x-paginate names `{p}`, which is not an optional integer query parameter of this operation"));
                        return None;
                    }
                }
            }
            PageStyle::Sql { statement, .. } => {
                let found = body.and_then(|b| b.fields.as_ref()).is_some_and(|fs| {
                    fs.iter()
                        .any(|f| &f.name == statement && f.is_plain() && f.ty == TypeRef::String)
                });
                if !found {
                    self.error(fi, &at, format!("x-paginate names `{statement}`, which is not a required string property of the request body"));
                    return None;
                }
            }
        }
        let (smallest, what) = match &style {
            PageStyle::Offset { max, .. } => (*max, "`max`"),
            PageStyle::Page { size, .. } => (*size, "`size`"),
            PageStyle::Sql { default, max, .. } => ((*default).min(*max), "`default` and `max`"),
        };
        if smallest == 0 {
            self.error(fi, &at, format!("x-paginate {what} must be at least 1"));
            return None;
        }
        if let PageStyle::Sql { default, max, .. } = &style {
            if default > max {
                self.error(
                    fi,
                    &at,
                    format!("x-paginate `default` ({default}) is larger than `max` ({max})"),
                );
                return None;
            }
        }
        let field = match &response.kind {
            ResponseKind::Json(t) => self
                .find_struct(t)
                .and_then(|(fields, _)| fields.into_iter().find(|f| f.name == items)),
            _ => None,
        };
        let Some(Field {
            rust_name,
            ty: TypeRef::Array(item),
            ..
        }) = field.clone()
        else {
            self.error(fi, &at, format!("x-paginate names `items: {items}`, which is not an array property of the JSON response"));
            return None;
        };
        let optional = field.as_ref().is_some_and(|f| !f.is_plain());
        Some(Paginate {
            style,
            items: Items {
                name: items,
                rust_name,
                item: *item,
                optional,
            },
        })
    }

    fn check_rows(
        &mut self,
        fi: usize,
        pointer: &str,
        op: &openapiv3::Operation,
        body: Option<&Body>,
        token: TokenKind,
    ) -> Option<CheckRows> {
        let v = op.extensions.get("x-check-rows")?;
        let at = format!("{pointer}/x-check-rows");
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(table), Some(rows)) = (text("table"), text("rows")) else {
            self.error(
                fi,
                &at,
                "x-check-rows needs `table` (the body property naming the table) and `rows` (the body array of rows)",
            );
            return None;
        };
        if token != TokenKind::Base {
            self.error(fi, &at, "x-check-rows needs a Base-Token operation: the rows are checked against the base's metadata");
            return None;
        }
        let fields = body.and_then(|b| b.fields.as_ref());
        let field =
            |name: &str| fields.and_then(|fs| fs.iter().find(|f| f.name == name && f.is_plain()));
        let Some(table_field) = field(&table).filter(|f| f.ty == TypeRef::String) else {
            self.error(fi, &at, format!("x-check-rows names `{table}`, which is not a required string property of the request body"));
            return None;
        };
        let Some(rows_field) = field(&rows).filter(|f| matches!(f.ty, TypeRef::Array(_))) else {
            self.error(fi, &at, format!("x-check-rows names `{rows}`, which is not a required array property of the request body"));
            return None;
        };
        let cells = match text("cells") {
            None => None,
            Some(cells) => {
                let TypeRef::Array(item) = &rows_field.ty else {
                    return None;
                };
                let found = self.find_struct(item).and_then(|(fs, _)| {
                    fs.into_iter()
                        .find(|f| f.name == cells && f.is_plain())
                        .map(|f| f.rust_name)
                });
                let Some(rust_name) = found else {
                    self.error(fi, &at, format!("x-check-rows names `{cells}`, which is not a required property of the items of `{rows}`"));
                    return None;
                };
                Some(rust_name)
            }
        };
        Some(CheckRows {
            table: table_field.rust_name.clone(),
            rows: rows_field.rust_name.clone(),
            cells,
        })
    }

    fn batch(
        &mut self,
        fi: usize,
        pointer: &str,
        op: &openapiv3::Operation,
        body: Option<&Body>,
    ) -> Option<Batch> {
        let v = op.extensions.get("x-batch")?;
        let at = format!("{pointer}/x-batch");
        let field = v.get("field").and_then(Value::as_str);
        let max = v.get("max").and_then(Value::as_u64);
        let (Some(field), Some(max)) = (field, max) else {
            self.error(
                fi,
                &at,
                "x-batch needs `field` (a body array or map property) and `max`",
            );
            return None;
        };
        if max == 0 {
            self.error(fi, &at, "x-batch `max` must be at least 1");
            return None;
        }
        let found = body
            .and_then(|b| b.fields.as_ref())
            .and_then(|fs| fs.iter().find(|f| f.name == field && f.is_plain()));
        let kind = match found.map(|f| &f.ty) {
            Some(TypeRef::Array(_)) => BatchKind::Array,
            Some(TypeRef::Map(_) | TypeRef::Object) => BatchKind::Map,
            _ => {
                self.error(
                    fi,
                    &at,
                    format!(
                        "x-batch names `{field}`, which is not a required array or map property of the request body"
                    ),
                );
                return None;
            }
        };
        Some(Batch {
            field: field.to_string(),
            rust_name: found.map(|f| f.rust_name.clone()).unwrap_or_default(),
            kind,
            max,
        })
    }
}
