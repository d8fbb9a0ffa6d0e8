//! IR → the route table of a server that speaks the spec (`server.rs`): one `Operation`
//! variant per operation, with its method, path template and area, and a matcher from a
//! request line to the operation and its path parameters.
//!
//! The runtime's in-process SeaTable stand-in (`seatable_api::testing`) dispatches on this
//! table, so it answers exactly the paths of the spec and cannot drift from it: an
//! operation added to the spec appears here as a variant its handler `match` must cover.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc, format, Layout};
use crate::ir::{Api, Module, Operation, PathPart};
use crate::naming::pascal;

/// The areas whose variants are the bare operationId; every other area's are prefixed with
/// the area's name. Fixed, so that a name depends only on the operation's own file and id.
pub const UNPREFIXED_AREAS: &[&str] = &["auth", "base", "files"];

/// The `Operation` variant of operation `o` of module `m`: its operationId in PascalCase,
/// prefixed by the module's name outside [`UNPREFIXED_AREAS`] (`SystemAdminListUsers`,
/// `AccountListWorkspaces`, `ListRows`). Nothing about other files enters the name.
pub fn variant_name(m: &Module, o: &Operation) -> String {
    if UNPREFIXED_AREAS.contains(&m.name.as_str()) {
        pascal(&o.id)
    } else {
        pascal(&format!("{}_{}", m.name, o.id))
    }
}

/// Operations whose variant another operation already has: `(module, operationId, what
/// clashes)` of the later one.
pub fn variant_clashes(api: &Api) -> Vec<(String, String, String)> {
    let mut seen: std::collections::HashMap<String, (String, String)> =
        std::collections::HashMap::new();
    let mut out = Vec::new();
    for m in &api.modules {
        for o in &m.operations {
            let v = variant_name(m, o);
            if let Some((pm, pid)) = seen.get(&v) {
                out.push((m.name.clone(), o.id.clone(), format!("`{}` becomes the `Operation` variant `{v}`, as `{pid}` of `{pm}` does; rename one of the operationIds", o.id)));
            } else {
                seen.insert(v, (m.name.clone(), o.id.clone()));
            }
        }
    }
    out
}

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

fn entries(api: &Api) -> Vec<Entry> {
    let mut out = Vec::new();
    for m in &api.modules {
        for o in &m.operations {
            let variant = variant_name(m, o);
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

/// `server.rs`, with `header` on top and the route table one line per route.
pub(crate) fn emit(api: &Api, layout: Layout, header: &str) -> String {
    let entries = entries(api);
    // The table is written by hand, one route a line, where prettyplease would spread each
    // row over nine; the rest is formatted as usual.
    let text = format(tokens(&entries), "", layout);
    let text = text.strip_prefix(&super::header("")).unwrap_or(&text);
    let mut table = String::from("const ROUTES: &[Route] = &[\n");
    for e in &entries {
        let segments: Vec<String> = e
            .segments
            .iter()
            .map(|s| match s {
                Some(text) => format!("Some({text:?})"),
                None => "None".to_string(),
            })
            .collect();
        let params: Vec<String> = e.params.iter().map(|p| format!("{p:?}")).collect();
        table.push_str(&format!(
            "    route(Operation::{}, {:?}, {:?}, {:?}, {:?}, &[{}], &[{}]),\n",
            e.variant,
            e.id,
            e.module,
            e.method,
            e.path,
            segments.join(", "),
            params.join(", ")
        ));
    }
    table.push_str("];");
    let start = text.find("const ROUTES");
    let end = start.and_then(|at| text[at..].find(';').map(|len| at + len + 1));
    let replaced = match (start, end) {
        (Some(start), Some(end)) => format!("{}{}{}", &text[..start], table, &text[end..]),
        _ => text.to_string(),
    };
    format!("{header}{replaced}")
}

fn tokens(entries: &[Entry]) -> TokenStream {
    let variants = entries.iter().map(|e| {
        let v = format_ident!("{}", e.variant);
        let d = doc(&format!(
            "`{} {}`: `{}` of `spec/{}.yaml`.",
            e.method, e.path, e.id, e.module
        ));
        quote!(#d #v,)
    });
    let all = entries.iter().map(|e| format_ident!("{}", e.variant));
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

        /// A row of the table, in the enum's order, so that `ROUTES[op as usize]` is its row.
        #[allow(clippy::too_many_arguments)]
        const fn route(
            operation: Operation,
            id: &'static str,
            module: &'static str,
            method: &'static str,
            path: &'static str,
            segments: &'static [Option<&'static str>],
            params: &'static [&'static str],
        ) -> Route {
            Route { operation, id, module, method, path, segments, params }
        }

        const ROUTES: &[Route] = &[];

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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use crate::{Generator, RustOptions};

    /// A spec file `area.yaml` with one `GET` per operationId; each method is named
    /// `<area>_<id>` (x-rust-name) so that areas never compete for a method of `Client`.
    fn area(area: &str, ids: &[&str]) -> String {
        let mut text = format!("openapi: 3.0.3\ninfo: {{title: {area}, version: \"1\"}}\npaths:\n");
        for id in ids {
            text.push_str(&format!(
                "  /{area}/{id}/:\n    get:\n      operationId: {id}\n      x-rust-name: {area}_{}\n      security: []\n      responses:\n        \"200\":\n          description: OK\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  {id}Field: {{type: string}}\n",
                crate::naming::snake(id)
            ));
        }
        text
    }

    /// Every item name the generation gives, by area: the `Operation` variants (from the
    /// route table), and the types, builders and methods of each area's file.
    fn names(spec: &[(&str, String)]) -> BTreeMap<String, BTreeSet<String>> {
        let dir = std::env::temp_dir().join(format!(
            "seatable-codegen-naming-{}-{}",
            std::process::id(),
            spec.iter().map(|(_, t)| t.len()).sum::<usize>()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut files = Vec::new();
        for (name, text) in spec {
            let path = dir.join(format!("{name}.yaml"));
            std::fs::write(&path, text).expect("write spec");
            files.push(path);
        }
        let output = Generator::from_files(&files)
            .options(RustOptions::default())
            .generate()
            .unwrap_or_else(|d| panic!("the spec generates:\n{d}"));
        std::fs::remove_dir_all(&dir).ok();
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (file, text) in &output.rust {
            if file == "server.rs" {
                for line in text.lines() {
                    let Some(rest) = line.trim().strip_prefix("route(Operation::") else {
                        continue;
                    };
                    let variant = rest.split(',').next().expect("variant");
                    let module = rest.split('"').nth(3).expect("module");
                    out.entry(module.to_string())
                        .or_default()
                        .insert(format!("Operation::{variant}"));
                }
                continue;
            }
            let Some(module) = file.strip_suffix(".rs") else {
                continue;
            };
            let parsed: syn::File = syn::parse_str(text).expect("generated code parses");
            let names = out.entry(module.to_string()).or_default();
            for item in parsed.items {
                match item {
                    syn::Item::Struct(s) => {
                        names.insert(s.ident.to_string());
                    }
                    syn::Item::Enum(e) => {
                        names.insert(e.ident.to_string());
                    }
                    syn::Item::Impl(i) => {
                        for f in i.items {
                            if let syn::ImplItem::Fn(f) = f {
                                names.insert(format!("fn {}", f.sig.ident));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }

    #[test]
    fn adding_an_operation_renames_nothing_in_other_areas() {
        let before = [
            ("base", area("base", &["listRows", "getRow"])),
            ("account", area("account", &["listUsers", "listGroups"])),
            ("system_admin", area("system_admin", &["listUsers"])),
            ("team_admin", area("team_admin", &["listTeams"])),
        ];
        // team_admin gains operations whose ids other areas already use.
        let mut after = before.clone();
        after[3].1 = area(
            "team_admin",
            &["listTeams", "listRows", "listUsers", "listGroups"],
        );
        let (old, new) = (names(&before), names(&after));
        for (module, items) in &old {
            if module.starts_with("team_admin") {
                continue;
            }
            assert_eq!(
                Some(items),
                new.get(module),
                "adding operations to team_admin renamed items of {module}"
            );
        }
        // The names are the ones the rule gives, and the new operations are there.
        assert!(
            old["base"].contains("Operation::ListRows"),
            "{:?}",
            old["base"]
        );
        assert!(old["account"].contains("Operation::AccountListUsers"));
        for variant in [
            "TeamAdminListRows",
            "TeamAdminListUsers",
            "TeamAdminListGroups",
        ] {
            assert!(
                new["team_admin"].contains(&format!("Operation::{variant}")),
                "{variant} in {:?}",
                new["team_admin"]
            );
        }
    }

    #[test]
    fn two_operations_with_one_variant_are_an_error_not_a_rename() {
        let spec = [
            ("auth", area("auth", &["listRows"])),
            ("base", area("base", &["listRows"])),
        ];
        let dir =
            std::env::temp_dir().join(format!("seatable-codegen-clash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let files: Vec<_> = spec
            .iter()
            .map(|(name, text)| {
                let path = dir.join(format!("{name}.yaml"));
                std::fs::write(&path, text).expect("write spec");
                path
            })
            .collect();
        let result = Generator::from_files(&files).generate();
        std::fs::remove_dir_all(&dir).ok();
        let d = result.expect_err("a clash of variants");
        let text = d.to_string();
        assert!(
            text.contains("`listRows` becomes the `Operation` variant `ListRows`, as `listRows` of `auth` does"),
            "{text}"
        );
    }
}
