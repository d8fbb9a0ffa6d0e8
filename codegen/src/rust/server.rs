//! IR → the route table of a server that speaks the spec (`server.rs`): one `Operation`
//! variant per operation, with its method, path template and area, and a matcher from a
//! request line to the operation and its path parameters.
//!
//! The runtime's in-process SeaTable stand-in (`seatable_api::testing`) dispatches on this
//! table, so it answers exactly the paths of the spec and cannot drift from it: an
//! operation added to the spec appears here as a variant its handler `match` must cover.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::doc;
use crate::ir::{Api, PathPart};
use crate::naming::pascal;

struct Entry {
    variant: String,
    id: String,
    module: String,
    method: &'static str,
    path: String,
    /// Per path segment: `None` for a parameter, the literal text otherwise.
    segments: Vec<Option<String>>,
    /// Parameter names on the wire, in path order.
    params: Vec<String>,
}

/// The variant for each operation: its operationId in PascalCase, prefixed by the module's
/// name when the id occurs in more than one spec file (`SystemAdminListUsers`).
fn entries(api: &Api) -> Vec<Entry> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for m in &api.modules {
        for o in &m.operations {
            *count.entry(o.id.as_str()).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for m in &api.modules {
        for o in &m.operations {
            let variant = if count[o.id.as_str()] > 1 {
                pascal(&format!("{}_{}", m.name, o.id))
            } else {
                pascal(&o.id)
            };
            let mut segments = Vec::new();
            let mut params = Vec::new();
            // A template is split at `/`. A segment that mixes text and a parameter (none
            // in SeaTable's paths) is taken as a parameter: it matches any non-empty text.
            let mut current: Option<Option<String>> = None;
            for part in &o.path_parts {
                match part {
                    PathPart::Literal(text) => {
                        for (i, piece) in text.split('/').enumerate() {
                            if i > 0 {
                                if let Some(seg) = current.take() {
                                    segments.push(seg);
                                }
                                current = Some(Some(String::new()));
                            }
                            match &mut current {
                                Some(Some(s)) => s.push_str(piece),
                                Some(None) => {}
                                _ => current = Some(Some(piece.to_string())),
                            }
                        }
                    }
                    PathPart::Param(i) => {
                        params.push(o.params[*i].name.clone());
                        current = Some(None);
                    }
                }
            }
            if let Some(seg) = current {
                segments.push(seg);
            }
            // The template starts with `/`: drop the empty first segment.
            if segments.first() == Some(&Some(String::new())) {
                segments.remove(0);
            }
            out.push(Entry {
                variant,
                id: o.id.clone(),
                module: m.name.clone(),
                method: o.http_method.as_str(),
                path: o.path.clone(),
                segments,
                params,
            });
        }
    }
    out
}

pub(crate) fn emit(api: &Api) -> TokenStream {
    let entries = entries(api);
    let variants = entries.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let d = doc(&format!(
            "`{} {}`: `{}` of `spec/{}.yaml`.",
            e.method, e.path, e.id, e.module
        ));
        quote!(#d #v,)
    });
    let all = entries.iter().map(|e| format_ident!("{}", e.variant));
    // One row per operation, in the enum's order, so that `ROUTES[op as usize]` is its row.
    let routes = entries.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let (id, module, method, path) = (&e.id, &e.module, e.method, &e.path);
        let segs = e.segments.iter().map(|s| match s {
            Some(text) => quote!(Some(#text)),
            None => quote!(None),
        });
        let params = &e.params;
        quote! {
            Route {
                operation: Operation::#v,
                id: #id,
                module: #module,
                method: #method,
                path: #path,
                segments: &[#(#segs),*],
                params: &[#(#params),*],
            },
        }
    });
    let n = entries.len();
    let enum_doc = doc(&format!(
        "Every operation of the spec ({n}), as a server sees it: the variant is the \
         operationId in PascalCase, prefixed by its area when the id occurs in more than \
         one spec file (`SystemAdminListUsers`)."
    ));
    quote! {
        #enum_doc
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Operation { #(#variants)* }

        /// One operation as a server routes it.
        struct Route {
            operation: Operation,
            id: &'static str,
            module: &'static str,
            method: &'static str,
            path: &'static str,
            /// The path's segments, `None` where a parameter stands.
            segments: &'static [Option<&'static str>],
            /// The parameters' names, in path order.
            params: &'static [&'static str],
        }

        const ROUTES: &[Route] = &[#(#routes)*];

        impl Operation {
            /// Every operation, in spec order.
            pub const ALL: &'static [Operation] = &[#(Operation::#all),*];

            fn route_entry(self) -> &'static Route {
                &ROUTES[self as usize]
            }

            /// The operationId in the spec.
            pub fn operation_id(self) -> &'static str {
                self.route_entry().id
            }

            /// The area (spec file stem) that declares it: `base`, `auth`, `files`…
            pub fn module(self) -> &'static str {
                self.route_entry().module
            }

            /// The HTTP method, upper case.
            pub fn method(self) -> &'static str {
                self.route_entry().method
            }

            /// The path template, e.g. `/api-gateway/api/v2/dtables/{base_uuid}/rows/`.
            pub fn path(self) -> &'static str {
                self.route_entry().path
            }

            /// The operation a request with `method` and `path` (no query string) is for,
            /// and the template's path parameters with the segments they matched, still
            /// percent-encoded. Where templates overlap, the one with a literal segment
            /// earliest wins (`…/rows/batch/` before `…/rows/{row_id}/`). `None` when no
            /// operation of the spec has this path.
            pub fn route<'a>(method: &str, path: &'a str) -> Option<(Operation, Vec<(&'static str, &'a str)>)> {
                let segments: Vec<&'a str> = path.strip_prefix('/')?.split('/').collect();
                let mut best: Option<(&Route, Vec<bool>)> = None;
                for route in ROUTES {
                    let template = route.segments;
                    if !route.method.eq_ignore_ascii_case(method) || template.len() != segments.len() {
                        continue;
                    }
                    let fits = template.iter().zip(&segments).all(|(t, s)| match t {
                        Some(text) => text == s,
                        None => !s.is_empty(),
                    });
                    if !fits {
                        continue;
                    }
                    let literal: Vec<bool> = template.iter().map(Option::is_some).collect();
                    if best.as_ref().is_none_or(|(_, b)| literal > *b) {
                        best = Some((route, literal));
                    }
                }
                let (route, _) = best?;
                let values = route.segments.iter().zip(&segments).filter(|(t, _)| t.is_none()).map(|(_, s)| *s);
                Some((route.operation, route.params.iter().copied().zip(values).collect()))
            }
        }
    }
}
