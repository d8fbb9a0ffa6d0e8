//! IR → a contract-test program: one call of every operation through the generated client,
//! with arguments built from the spec's examples, and a decoder per operation for recorded
//! answers. A test harness (`tests/contract.rs` of seatable-api) runs the calls against a
//! mock server that serves the spec and rejects requests that break it.
//!
//! Arguments are written as JSON and decoded into the argument's Rust type, so one rule
//! covers every type the generator emits, and a spec example that does not fit its own
//! schema fails the test instead of being papered over.

use std::collections::HashSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{json, Map, Value};

use super::operations::plan;
use super::{doc, Ctx};
use crate::ir::*;

/// How deep a sample follows nested named types before it keeps only required fields.
const DEPTH: usize = 4;

pub(crate) fn emit(ctx: &Ctx) -> TokenStream {
    let api = ctx.api;
    let modules = api.modules.iter().map(|m| format_ident!("{}", m.name));
    let mut fns = Vec::new();
    let mut decoders = Vec::new();
    for m in &api.modules {
        // `-` names no module, so every type is spelled `super::types::…` or
        // `super::<module>::…`: the calls live one module below the imports.
        let mctx = Ctx {
            feature: None,
            inputs: ctx.inputs,
            api,
            options: ctx.options,
            here: Some("-"),
        };
        let name = format_ident!("{}", m.name);
        let calls = m.operations.iter().map(|o| call(&mctx, &m.name, o));
        let d = doc(&format!(
            "Calls each of the {} operations of `{}` once, in spec order.",
            m.operations.len(),
            m.source
        ));
        fns.push(quote! {
            #d
            pub async fn #name(c: &super::Clients) -> Vec<super::Outcome> {
                let mut out = Vec::new();
                #(#calls)*
                out
            }
        });
        for o in &m.operations {
            let module = &m.name;
            let id = &o.id;
            let ty = match &o.response.kind {
                ResponseKind::Json(t) => mctx.ty(t),
                _ => continue,
            };
            decoders.push(quote! {
                (#module, #id) => Some(super::roundtrip::<#ty>(body)),
            });
        }
    }
    let names: Vec<&str> = api.modules.iter().map(|m| m.name.as_str()).collect();
    let idents = api.modules.iter().map(|m| format_ident!("{}", m.name));
    quote! {
        #[allow(unused_imports)]
        use ::seatable_api::{types, #(#modules),*};

        /// The modules, in the order their spec files are read.
        pub const MODULES: &[&str] = &[#(#names),*];

        #[allow(unused_imports, clippy::all)]
        pub mod calls {
            use ::seatable_api::__private as rt;
            #(#fns)*

            /// Calls every operation of `module` (one of `MODULES`).
            pub async fn run(module: &str, c: &super::Clients) -> Vec<super::Outcome> {
                match module {
                    #(#names => #idents(c).await,)*
                    _ => Vec::new(),
                }
            }

            /// Decodes `body` as the answer of operation `operation_id` of `module` and encodes
            /// it again; `None` when that operation answers no JSON.
            pub fn decode_response(
                module: &str,
                operation_id: &str,
                body: &str,
            ) -> Option<Result<(rt::serde_json::Value, rt::serde_json::Value), String>> {
                match (module, operation_id) {
                    #(#decoders)*
                    _ => None,
                }
            }
        }
    }
}

fn call(ctx: &Ctx, module: &str, o: &Operation) -> TokenStream {
    let plan = plan(o);
    let client = format_ident!("{}", o.token.variable());
    let method = format_ident!("{}", o.method_name);
    let id = &o.id;
    let args = plan.positional.iter().map(|i| {
        let t = ctx.ty(i.ty);
        let json = sample(ctx, i.ty, example_of(o, i.wire), 0, &mut HashSet::new()).to_string();
        quote!(super::sample::<#t>(#json)?)
    });
    let setters = plan.setters.iter().map(|i| {
        let t = ctx.ty(i.ty);
        let ident = &i.ident;
        let json = sample(ctx, i.ty, example_of(o, i.wire), 0, &mut HashSet::new()).to_string();
        quote!(.#ident(super::sample::<#t>(#json)?))
    });
    quote! {
        out.push(super::Outcome::of(#module, #id, async {
            c.#client.#method(#(#args),*)#(#setters)*.await.map_err(|e| e.to_string())?;
            Ok(())
        }.await));
    }
}

/// The spec's example for the parameter or body field named `wire` on the wire.
fn example_of<'o>(o: &'o Operation, wire: &str) -> Option<&'o Value> {
    if let Some(p) = o.params.iter().find(|p| p.name == wire) {
        return p.example.as_ref();
    }
    o.body
        .as_ref()
        .and_then(|b| b.fields.as_ref())
        .and_then(|fs| fs.iter().find(|f| f.name == wire))
        .and_then(|f| f.example.as_ref())
}

/// A JSON value of type `t`: the example where the spec gives one, else one built from
/// the type, with every field of a struct filled (only the required ones past [`DEPTH`]
/// or on a cycle).
fn sample(
    ctx: &Ctx,
    t: &TypeRef,
    example: Option<&Value>,
    depth: usize,
    seen: &mut HashSet<String>,
) -> Value {
    if let Some(e) = example {
        return e.clone();
    }
    match t {
        TypeRef::String => json!("sample"),
        TypeRef::Secret => json!("secret-sample"),
        TypeRef::I32 | TypeRef::I64 => json!(1),
        TypeRef::F64 => json!(1.5),
        TypeRef::Bool => json!(true),
        TypeRef::Bytes => json!(b"sample file\n".to_vec()),
        TypeRef::File => json!({"file_name": "sample.csv", "bytes": b"Name\nAda\n".to_vec()}),
        TypeRef::Any => json!("sample"),
        TypeRef::Object => json!({}),
        TypeRef::Array(inner) => json!([sample(ctx, inner, None, depth + 1, seen)]),
        TypeRef::Map(inner) => json!({ "key": sample(ctx, inner, None, depth + 1, seen) }),
        TypeRef::Nullable(inner) => sample(ctx, inner, None, depth, seen),
        TypeRef::Named(p) => {
            let key = format!("{:?}::{}", p.module, p.name);
            let fresh = seen.insert(key.clone());
            let value = match ctx.definition(t) {
                Some(TypeKind::Struct { fields, .. }) => {
                    let mut map = Map::new();
                    for f in fields {
                        if !f.required && (depth >= DEPTH || !fresh) {
                            continue;
                        }
                        let v = sample(ctx, &f.ty, f.example.as_ref(), depth + 1, seen);
                        map.insert(f.name.clone(), v);
                    }
                    Value::Object(map)
                }
                Some(TypeKind::Enum { values }) => {
                    json!(values.first().map_or("sample", |v| v.value.as_str()))
                }
                Some(TypeKind::Tagged { property, variants }) => match variants.first() {
                    Some(v) => {
                        let mut inner = sample(ctx, &v.ty, None, depth + 1, seen);
                        if let (Value::Object(map), Some(tag)) = (&mut inner, &v.tag) {
                            map.insert(property.clone(), json!(tag));
                        }
                        inner
                    }
                    None => json!({}),
                },
                Some(TypeKind::Untagged { variants }) => match variants.first() {
                    Some(v) => sample(ctx, &v.ty, None, depth + 1, seen),
                    None => json!(null),
                },
                Some(TypeKind::Alias(inner)) => sample(ctx, inner, None, depth, seen),
                None => json!(null),
            };
            if fresh {
                seen.remove(&key);
            }
            value
        }
    }
}
