//! Schemas → types: component names, inline type names, and the shape of each schema
//! (scalars, arrays, maps, objects, string enums, `allOf` merges, `oneOf` unions).

use std::collections::HashMap;

use openapiv3::{
    AdditionalProperties, Discriminator, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::diagnostics::escape_pointer_token;
use crate::ir::*;
use crate::load::SpecFile;
use crate::naming::{pascal, snake, unique};

use super::{ext_str, not_an_ident, Lowerer, Scope, RESERVED_TYPE_NAMES};

/// A schema either maps onto an existing Rust type or needs a definition of its own.
enum Shape {
    Ref(TypeRef),
    Def(TypeKind),
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

impl<'a> Lowerer<'a> {
    // ---- components ---------------------------------------------------------------------

    pub(super) fn name_components(&mut self) {
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

    pub(super) fn lower_components(&mut self) {
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
    pub(super) fn schema_type(
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
        let shape = self.shape_of(file, pointer, s, name, scope);
        let Some(flag) = s.schema_data.extensions.get("x-row-cells") else {
            return shape;
        };
        let here = format!("{pointer}/x-row-cells");
        match (flag, shape) {
            (
                Value::Bool(on),
                Shape::Def(TypeKind::Struct {
                    fields,
                    extra: Some(TypeRef::Any),
                    ..
                }),
            ) => Shape::Def(TypeKind::Struct {
                fields,
                extra: Some(TypeRef::Any),
                row_cells: *on,
            }),
            (Value::Bool(_), shape) => {
                self.error(
                    file,
                    &here,
                    "x-row-cells is only for an object with properties and `additionalProperties: true`"
                        .to_string(),
                );
                shape
            }
            (_, shape) => {
                self.error(file, &here, "x-row-cells must be true or false".to_string());
                shape
            }
        }
    }

    fn shape_of(
        &mut self,
        file: usize,
        pointer: &str,
        s: &Schema,
        name: &str,
        scope: Scope,
    ) -> Shape {
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
        Shape::Def(TypeKind::Struct {
            fields,
            extra,
            row_cells: false,
        })
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

    /// The fields behind a named type, following aliases; `None` on an alias cycle, which
    /// is reported once lowering is done.
    pub(super) fn find_struct(&self, t: &TypeRef) -> Option<(Vec<Field>, bool)> {
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
                TypeKind::Struct { fields, extra, .. } => {
                    return Some((fields.clone(), extra.is_some()))
                }
                TypeKind::Alias(inner) => t = inner,
                _ => return None,
            }
        }
    }
}
