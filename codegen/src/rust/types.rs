//! Models: structs, string enums with an `Unknown` fallback, tagged and untagged unions.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::de::{map_deserialize, DeField};
use super::{doc, origin_sentence, type_label, Ctx};
use crate::ir::{EnumValue, Field, TypeDef, TypeKind, TypeRef, Variant};

/// The definitions of `defs`, and apart from them their hand-written serde impls.
pub(crate) fn emit_types(ctx: &Ctx, defs: &[TypeDef]) -> (TokenStream, TokenStream) {
    let mut out = TokenStream::new();
    let mut serde = TokenStream::new();
    // A model moved out of `types` into an area says which feature it needs.
    let badge = match (&ctx.feature, ctx.here) {
        (Some(f), None) => quote!(#[cfg_attr(docsrs, doc(cfg(feature = #f)))]),
        _ => quote!(),
    };
    for def in defs {
        let mut text = def
            .description
            .clone()
            .or_else(|| origin_sentence(ctx.api, def))
            .unwrap_or_default();
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&format!("Schema: `{}`.", def.origin));
        let mut d = doc(&text);
        d.extend(badge.clone());
        let name = format_ident!("{}", def.name);
        let (def_tokens, serde_tokens) = match &def.kind {
            TypeKind::Struct {
                fields,
                extra,
                row_cells,
            } => emit_struct(ctx, &d, &name, fields, extra.as_ref(), *row_cells),
            TypeKind::Enum { values } => emit_enum(ctx, &d, &name, values),
            TypeKind::Tagged { property, variants } => {
                emit_tagged(ctx, &d, &name, property, variants)
            }
            TypeKind::Untagged { variants } => (emit_untagged(ctx, &d, &name, variants), quote!()),
            TypeKind::Alias(t) => {
                let t = ctx.ty(t);
                (quote! { #d pub type #name = #t; }, quote!())
            }
        };
        out.extend(def_tokens);
        serde.extend(serde_tokens);
    }
    (out, serde)
}

/// Derives that every type can have: f64 fields rule out `Eq`.
fn derives() -> TokenStream {
    quote! {
        #[derive(Clone, Debug, PartialEq, rt::serde::Serialize, rt::serde::Deserialize)]
        #[serde(crate = "rt::serde")]
    }
}

fn field_type(ctx: &Ctx, f: &Field) -> TokenStream {
    let t = ctx.ty(&f.ty);
    if f.is_plain() {
        t
    } else {
        quote!(Option<#t>)
    }
}

fn emit_struct(
    ctx: &Ctx,
    d: &TokenStream,
    name: &syn::Ident,
    fields: &[Field],
    extra: Option<&TypeRef>,
    row_cells: bool,
) -> (TokenStream, TokenStream) {
    let derives = derives();
    // A struct only the server builds may gain a field in any SeaTable release.
    let path = crate::ir::TypePath {
        module: ctx.here.map(str::to_string),
        name: name.to_string(),
    };
    let non_exhaustive = if ctx.options.non_exhaustive && !ctx.inputs.contains(&path) {
        quote!(#[non_exhaustive])
    } else {
        quote!()
    };
    let fields_ts = fields.iter().map(|f| {
        let fname = format_ident!("{}", f.rust_name);
        let t = field_type(ctx, f);
        let mut attrs = Vec::new();
        if f.name != f.rust_name {
            let wire = &f.name;
            attrs.push(quote!(rename = #wire));
        }
        if !f.required {
            attrs.push(quote!(default, skip_serializing_if = "Option::is_none"));
        }
        let serde = if attrs.is_empty() {
            quote!()
        } else {
            quote!(#[serde(#(#attrs),*)])
        };
        let mut text = f
            .description
            .clone()
            .unwrap_or_else(|| format!("The `{}` field of `{name}`.", f.name));
        if f.required && f.nullable {
            text.push_str("\n\nAlways sent by the server; `None` when it is `null`.");
        }
        let fd = doc(&text);
        quote! { #fd #serde pub #fname: #t, }
    });
    let Some(extra) = extra else {
        let tokens = quote! {
            #d
            #derives
            #non_exhaustive
            pub struct #name {
                #(#fields_ts)*
            }
        };
        return (tokens, quote!());
    };
    let map = match extra {
        TypeRef::Any if row_cells => quote!(rt::RowCells),
        TypeRef::Any => quote!(rt::serde_json::Map<String, rt::serde_json::Value>),
        other => {
            let v = ctx.ty(other);
            quote!(std::collections::BTreeMap<String, #v>)
        }
    };
    let ed = if row_cells {
        doc("The cells, by column name (or by column key when read with `convert_keys(false)`),\nin the order received; a field the spec does not name lands here too, and is sent back\nunchanged.")
    } else {
        doc("Fields the spec does not name, kept as received so that nothing is lost and they are\nsent back unchanged.")
    };
    let de_fields: Vec<DeField> = fields
        .iter()
        .map(|f| DeField {
            wire: f.name.clone(),
            ident: format_ident!("{}", f.rust_name),
            ty: field_type(ctx, f),
            optional: !f.is_plain(),
        })
        .collect();
    let deserialize = map_deserialize(name, &de_fields, &map);
    let tokens = quote! {
        #d
        #[derive(Clone, Debug, PartialEq, rt::serde::Serialize)]
        #[serde(crate = "rt::serde")]
        #non_exhaustive
        pub struct #name {
            #(#fields_ts)*
            #ed #[serde(flatten)] pub extra: #map,
        }
    };
    (tokens, deserialize)
}

/// `#[non_exhaustive]` for an enum the server may extend, when the options want it.
fn enum_non_exhaustive(ctx: &Ctx) -> TokenStream {
    if ctx.options.non_exhaustive {
        quote!(#[non_exhaustive])
    } else {
        quote!()
    }
}

fn emit_enum(
    ctx: &Ctx,
    d: &TokenStream,
    name: &syn::Ident,
    values: &[EnumValue],
) -> (TokenStream, TokenStream) {
    let non_exhaustive = enum_non_exhaustive(ctx);
    let variants: Vec<syn::Ident> = values
        .iter()
        .map(|v| format_ident!("{}", v.rust_name))
        .collect();
    let wires: Vec<&String> = values.iter().map(|v| &v.value).collect();
    let docs = values.iter().map(|v| {
        doc(&v
            .description
            .clone()
            .unwrap_or_else(|| format!("The value `{}`.", v.value)))
    });
    let unknown_doc = doc(
        "A value this version of the client does not know, kept exactly as the server sent it.\n\n\
         Match it with a wildcard arm (`_ =>`) rather than naming it: a later version may turn\n\
         the same value into a variant of its own.",
    );
    let tokens = quote! {
        #d
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #non_exhaustive
        pub enum #name {
            #( #docs #variants, )*
            #unknown_doc
            Unknown(String),
        }

        impl #name {
            /// Every value this version knows, in the order of the spec.
            pub const KNOWN: &'static [#name] = &[#(#name::#variants),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( #name::#variants => #wires, )*
                    #name::Unknown(value) => value.as_str(),
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #wires => #name::#variants, )*
                    other => #name::Unknown(other.to_string()),
                }
            }
        }

        impl From<String> for #name {
            fn from(value: String) -> Self {
                match #name::from(value.as_str()) {
                    #name::Unknown(_) => #name::Unknown(value),
                    known => known,
                }
            }
        }

        impl std::str::FromStr for #name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(#name::from(value))
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
    let serde = quote! {
        impl rt::serde::Serialize for #name {
            fn serialize<S: rt::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str> as rt::serde::Deserialize<'de>>::deserialize(deserializer)?;
                Ok(match value {
                    std::borrow::Cow::Borrowed(v) => #name::from(v),
                    std::borrow::Cow::Owned(v) => #name::from(v),
                })
            }
        }
    };
    (tokens, serde)
}

fn emit_tagged(
    ctx: &Ctx,
    d: &TokenStream,
    name: &syn::Ident,
    property: &str,
    variants: &[Variant],
) -> (TokenStream, TokenStream) {
    let non_exhaustive = enum_non_exhaustive(ctx);
    let idents: Vec<syn::Ident> = variants
        .iter()
        .map(|v| format_ident!("{}", v.rust_name))
        .collect();
    let tags: Vec<String> = variants
        .iter()
        .map(|v| v.tag.clone().unwrap_or_default())
        .collect();
    let types: Vec<TokenStream> = variants.iter().map(|v| ctx.ty(&v.ty)).collect();
    // A member that does not declare the discriminator must not see it (it would land in its
    // `extra` map and be sent twice).
    let strip: Vec<bool> = variants
        .iter()
        .map(|v| match ctx.kind_of(&v.ty) {
            Some(TypeKind::Struct { fields, .. }) => !fields.iter().any(|f| f.name == property),
            _ => false,
        })
        .collect();
    let docs = variants.iter().map(|v| {
        doc(&format!(
            "An object whose `{property}` is `{}`, decoded as `{}`.",
            v.tag.clone().unwrap_or_default(),
            type_label(ctx, &v.ty)
        ))
    });
    let decode_arms = idents.iter().zip(&tags).zip(&types).zip(&strip).map(|(((ident, tag), ty), strip)| {
        let remove = if *strip {
            quote! { if let Some(object) = value.as_object_mut() { object.remove(#property); } }
        } else {
            quote!()
        };
        let context = format!("`{property}` = \"{tag}\"");
        quote! {
            Some(#tag) => {
                #remove
                <#ty as rt::serde::Deserialize>::deserialize(value)
                    .map(#name::#ident)
                    .map_err(|e| rt::serde::de::Error::custom(format_args!("{}: {}", #context, e)))
            }
        }
    });
    let encode_arms = idents.iter().zip(&tags).map(|(ident, tag)| {
        quote! {
            #name::#ident(inner) => {
                let mut value = rt::serde_json::to_value(inner).map_err(rt::serde::ser::Error::custom)?;
                if let Some(object) = value.as_object_mut() {
                    object.insert(#property.to_string(), rt::serde_json::Value::String(#tag.to_string()));
                }
                rt::serde::Serialize::serialize(&value, serializer)
            }
        }
    });
    let tag_arms = idents
        .iter()
        .zip(&tags)
        .map(|(ident, tag)| quote!(#name::#ident(_) => #tag,));
    let unknown_doc = doc(&format!(
        "A `{property}` this version of the client does not know: the whole object, kept as\nreceived and sent back unchanged."
    ));
    let tag_doc = doc(&format!(
        "The value of `{property}`, the property that tells the variants apart."
    ));
    // A string every variant requires (a column's `name` and `key`) is read without
    // matching on the variant.
    let shared = shared_strings(ctx, variants, property);
    let accessors = shared.iter().map(|(wire, rust)| {
        let method = format_ident!("{}", rust);
        let field = format_ident!("{}", rust);
        let arms = idents.iter().map(|ident| quote!(#name::#ident(inner) => Some(&inner.#field),));
        let d = doc(&format!(
            "The `{wire}` of this object, which every variant has; `None` only for an\n`Unknown` object that lacks it."
        ));
        quote! {
            #d
            pub fn #method(&self) -> Option<&str> {
                match self {
                    #(#arms)*
                    #name::Unknown(value) => value.get(#wire).and_then(rt::serde_json::Value::as_str),
                }
            }
        }
    });
    let tokens = quote! {
        #d
        #[derive(Clone, Debug, PartialEq)]
        #non_exhaustive
        pub enum #name {
            #( #docs #idents(#types), )*
            #unknown_doc
            Unknown(rt::serde_json::Value),
        }

        impl #name {
            #tag_doc
            pub fn tag(&self) -> &str {
                match self {
                    #(#tag_arms)*
                    #name::Unknown(value) => value.get(#property).and_then(rt::serde_json::Value::as_str).unwrap_or(""),
                }
            }

            #(#accessors)*
        }
    };
    let serde = quote! {
        impl rt::serde::Serialize for #name {
            fn serialize<S: rt::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#encode_arms)*
                    #name::Unknown(value) => rt::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl<'de> rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[allow(unused_mut)]
                let mut value = <rt::serde_json::Value as rt::serde::Deserialize<'de>>::deserialize(deserializer)?;
                let tag = value.get(#property).and_then(rt::serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #(#decode_arms)*
                    _ => Ok(#name::Unknown(value)),
                }
            }
        }
    };
    (tokens, serde)
}

/// `(wire name, Rust name)` of the plain `String` fields that every variant's struct
/// declares, other than the discriminator; none when a variant is not a struct.
fn shared_strings(ctx: &Ctx, variants: &[Variant], property: &str) -> Vec<(String, String)> {
    let mut structs = Vec::new();
    for v in variants {
        match ctx.kind_of(&v.ty) {
            Some(TypeKind::Struct { fields, .. }) => structs.push(fields),
            _ => return Vec::new(),
        }
    }
    let Some((first, rest)) = structs.split_first() else {
        return Vec::new();
    };
    let plain_string = |f: &Field| f.is_plain() && f.ty == TypeRef::String;
    first
        .iter()
        .filter(|f| plain_string(f) && f.name != property && f.rust_name != "tag")
        .filter(|f| {
            rest.iter().all(|fields| {
                fields
                    .iter()
                    .any(|g| g.name == f.name && g.rust_name == f.rust_name && plain_string(g))
            })
        })
        .map(|f| (f.name.clone(), f.rust_name.clone()))
        .collect()
}

fn emit_untagged(
    ctx: &Ctx,
    d: &TokenStream,
    name: &syn::Ident,
    variants: &[Variant],
) -> TokenStream {
    let derives = derives();
    let idents = variants.iter().map(|v| format_ident!("{}", v.rust_name));
    let types = variants.iter().map(|v| ctx.ty(&v.ty));
    let docs = variants.iter().enumerate().map(|(i, v)| {
        doc(&format!(
            "A value that decodes as `{}` (tried {} of {}: the first that decodes wins).",
            type_label(ctx, &v.ty),
            i + 1,
            variants.len()
        ))
    });
    quote! {
        #d
        #derives
        #[serde(untagged)]
        pub enum #name {
            #( #docs #idents(#types), )*
        }
    }
}
