//! IR → Rust source: one file per module plus a root `api.rs` that includes them.
//!
//! The output is formatted by prettyplease and starts with a header naming its source, so it
//! reads like hand-written code on GitHub and nobody mistakes it for a file to edit.

mod answers;
mod cli;
mod contract;
pub(crate) mod de;
mod operations;
pub(crate) mod server;
mod types;

pub use cli::{command_name, emit_cli};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Api, Operation, ParamLocation, TypeDef, TypeKind, TypeRef};

/// How generated code reaches the runtime and attaches operations to client types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustOptions {
    /// Path of the crate that holds the runtime: `crate` inside seatable-api itself,
    /// `::seatable_api` from a user's crate.
    pub runtime_crate: String,
    /// Inherent methods on the client types (only possible inside seatable-api); otherwise
    /// one extension trait per module and client type.
    pub inherent_methods: bool,
    /// Puts each module (spec file), and the models only it uses, behind a cargo feature of
    /// the crate that compiles the code: the module's name in kebab-case (`team_admin` →
    /// `team-admin`). Modules named in `ungated_modules` are always compiled.
    pub area_features: bool,
    /// Modules compiled whatever the features (the runtime needs `auth` for its tokens).
    pub ungated_modules: Vec<String>,
    /// `#[non_exhaustive]` on the structs only the server builds and on every enum, so that
    /// a field or value SeaTable adds is not a breaking change for the crate's users.
    pub non_exhaustive: bool,
    /// `call()` on every request builder, `iter()` on the paged ones, and the operations
    /// on the blocking clients of `seatable_api::blocking`, all behind the `blocking`
    /// feature of the crate that compiles the code (only seatable-api has one).
    pub blocking: bool,
    /// Writes the files only the `testing` stand-in reads (`server.rs`, its route table, and
    /// `answers.rs`, its default answers and the spec reduced for checking bodies); their
    /// modules are declared behind the `testing` feature either way. A `build.rs` turns it
    /// off when that feature is: the stand-in's files are a fifth of the generator's work.
    pub stand_in: bool,
}

impl Default for RustOptions {
    fn default() -> Self {
        RustOptions {
            runtime_crate: "crate".into(),
            inherent_methods: true,
            area_features: true,
            ungated_modules: vec!["auth".into()],
            non_exhaustive: true,
            blocking: true,
            stand_in: true,
        }
    }
}

impl RustOptions {
    /// Settings for code generated into a crate that depends on `seatable-api`.
    pub fn external() -> Self {
        RustOptions {
            runtime_crate: "::seatable_api".into(),
            inherent_methods: false,
            area_features: false,
            ungated_modules: Vec::new(),
            // The user's spec and crate: their own tests build their models.
            non_exhaustive: false,
            blocking: false,
            stand_in: false,
        }
    }

    /// The cargo feature that gates `module`, if any.
    pub fn feature_of(&self, module: &str) -> Option<String> {
        (self.area_features && !self.ungated_modules.iter().any(|m| m == module))
            .then(|| module.replace('_', "-"))
    }
}

pub(crate) struct Ctx<'a> {
    pub api: &'a Api,
    pub options: &'a RustOptions,
    /// The module being emitted (`None` for `types`).
    pub here: Option<&'a str>,
    /// The cargo feature the emitted items need, for their docs.rs badge.
    pub feature: Option<String>,
    /// The types a caller may build ([`Api::input_types`]); the others are `#[non_exhaustive]`.
    pub inputs: &'a std::collections::HashSet<crate::ir::TypePath>,
}

impl Ctx<'_> {
    pub fn ty(&self, t: &TypeRef) -> TokenStream {
        match t {
            TypeRef::String => quote!(String),
            TypeRef::Secret => quote!(rt::Secret),
            TypeRef::I32 => quote!(i32),
            TypeRef::I64 => quote!(i64),
            TypeRef::F64 => quote!(f64),
            TypeRef::Bool => quote!(bool),
            TypeRef::Bytes => quote!(Vec<u8>),
            TypeRef::File => quote!(rt::FileUpload),
            TypeRef::Any => quote!(rt::serde_json::Value),
            TypeRef::Object => quote!(rt::serde_json::Map<String, rt::serde_json::Value>),
            TypeRef::Array(inner) => {
                let inner = self.ty(inner);
                quote!(Vec<#inner>)
            }
            TypeRef::Map(inner) => {
                let inner = self.ty(inner);
                quote!(std::collections::BTreeMap<String, #inner>)
            }
            TypeRef::Nullable(inner) => {
                let inner = self.ty(inner);
                quote!(Option<#inner>)
            }
            TypeRef::Named(p) => {
                let name = format_ident!("{}", p.name);
                match (&p.module, self.here) {
                    (m, h) if m.as_deref() == h => quote!(#name),
                    (None, _) => quote!(super::types::#name),
                    (Some(m), _) => {
                        let m = format_ident!("{}", m);
                        quote!(super::#m::#name)
                    }
                }
            }
        }
    }

    /// The definition behind a named type, following aliases.
    pub fn kind_of<'k>(&'k self, t: &TypeRef) -> Option<&'k TypeKind> {
        match self.definition(t)? {
            TypeKind::Alias(inner) => self.kind_of(inner),
            k => Some(k),
        }
    }

    /// The definition of a named type, aliases not followed.
    pub fn definition<'k>(&'k self, t: &TypeRef) -> Option<&'k TypeKind> {
        let TypeRef::Named(p) = t else { return None };
        let defs = match &p.module {
            None => &self.api.types,
            Some(m) => &self.api.modules.iter().find(|x| &x.name == m)?.types,
        };
        Some(&defs.iter().find(|d| d.name == p.name)?.kind)
    }

    pub fn runtime_use(&self) -> TokenStream {
        let path: syn::Path = syn::parse_str(&format!("{}::__private", self.options.runtime_crate))
            .unwrap_or_else(|_| syn::parse_quote!(::seatable_api::__private));
        quote!(#[allow(unused_imports)] use #path as rt;)
    }
}

/// A type as a reader names it in prose: `Row`, `Vec<String>`, `rt::serde_json::Value`.
pub(crate) fn type_label(ctx: &Ctx, t: &TypeRef) -> String {
    match t {
        TypeRef::Named(p) => p.name.clone(),
        other => ctx.ty(other).to_string().replace(' ', ""),
    }
}

/// The operation declared at `path` and `method` (lower case, as in a JSON pointer).
fn operation_at<'a>(api: &'a Api, path: &str, method: &str) -> Option<&'a Operation> {
    api.modules
        .iter()
        .flat_map(|m| &m.operations)
        .find(|o| o.path == path && o.http_method.as_str().eq_ignore_ascii_case(method))
}

/// What a schema declared without a description is, said from where it was declared:
/// "The `200` response of `listRows`", "An item of the `results` property of …". `None`
/// when the place is not one the generator knows how to name.
pub(crate) fn origin_sentence(api: &Api, def: &TypeDef) -> Option<String> {
    let (_, pointer) = def.origin.split_once('#')?;
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let (base, rest) = match segments.as_slice() {
        [paths, path, method, rest @ ..] if paths == "paths" => {
            let o = operation_at(api, path, method)?;
            let op = format!("`{}` (`{} {}`)", o.id, o.http_method.as_str(), o.path);
            match rest {
                [body, content, _, schema, rest @ ..]
                    if body == "requestBody" && content == "content" && schema == "schema" =>
                {
                    (format!("the request body of {op}"), rest)
                }
                [responses, status, content, _, schema, rest @ ..]
                    if responses == "responses" && content == "content" && schema == "schema" =>
                {
                    (format!("the `{status}` response of {op}"), rest)
                }
                [parameters, _, schema, rest @ ..]
                    if parameters == "parameters" && schema == "schema" =>
                {
                    let Some(param) = o.params.iter().find(|p| names(&p.ty, &def.name)) else {
                        // A one-valued query parameter is no argument: the client always sends it.
                        let TypeKind::Enum { values } = &def.kind else {
                            return None;
                        };
                        let [only] = values.as_slice() else {
                            return None;
                        };
                        let (key, value) = o.fixed_query.iter().find(|(_, v)| *v == only.value)?;
                        return Some(format!(
                            "The `{key}` query parameter of {op}, which the client always sends as `{key}={value}`."
                        ));
                    };
                    let location = match param.location {
                        ParamLocation::Path => "path",
                        ParamLocation::Query => "query",
                        ParamLocation::Header => "header",
                    };
                    (
                        format!("the `{}` {location} parameter of {op}", param.name),
                        rest,
                    )
                }
                _ => return None,
            }
        }
        // A named component says what it is by its name; only what is nested in one needs words.
        [components, schemas, schema, rest @ ..]
            if components == "components" && schemas == "schemas" && !rest.is_empty() =>
        {
            (format!("`{schema}`"), rest)
        }
        _ => return None,
    };
    let mut phrase = base;
    let mut rest = rest;
    loop {
        phrase = match rest {
            [] => break,
            [properties, property, tail @ ..] if properties == "properties" => {
                rest = tail;
                format!("the `{property}` property of {phrase}")
            }
            [items, tail @ ..] if items == "items" => {
                rest = tail;
                format!("an item of {phrase}")
            }
            [additional, tail @ ..] if additional == "additionalProperties" => {
                rest = tail;
                format!("a value of {phrase}")
            }
            _ => return None,
        };
    }
    let mut chars = phrase.chars();
    let first = chars.next()?;
    Some(format!("{}{}.", first.to_uppercase(), chars.as_str()))
}

/// Whether `t` is, or holds, the named type `name`.
fn names(t: &TypeRef, name: &str) -> bool {
    match t {
        TypeRef::Named(p) => p.name == name,
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            names(inner, name)
        }
        _ => false,
    }
}

/// `#[doc = "…"]` attributes, one per line, so prettyplease prints them as `///` comments.
///
/// Spec text is not trusted to be rustdoc: a control character (a bare CR is a compile error
/// in a doc comment) is shown escaped, and a code fence that rustdoc would run as a doctest
/// (no language, or `rust`) is marked `text`.
pub(crate) fn doc(text: &str) -> TokenStream {
    let mut in_fence = false;
    let lines: Vec<String> = text
        .trim_end()
        .lines()
        .map(|l| {
            let l = l.trim_end();
            // A line without control characters (nearly all) is copied whole: in a build
            // script's unoptimised code, going through it character by character was a
            // tenth of the run.
            let l: String = if l.chars().any(|c| c.is_control() && c != '\t') {
                let mut shown = String::with_capacity(l.len());
                for c in l.chars() {
                    if c.is_control() && c != '\t' {
                        shown.extend(c.escape_unicode());
                    } else {
                        shown.push(c);
                    }
                }
                shown
            } else {
                l.to_string()
            };
            let l = untested_fence(&l, &mut in_fence);
            if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            }
        })
        .collect();
    quote!(#(#[doc = #lines])*)
}

/// `line` with an opening code fence that rustdoc would test turned into a `text` fence.
fn untested_fence(line: &str, in_fence: &mut bool) -> String {
    let trimmed = line.trim_start();
    let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
    let Some(fence) = fence else {
        return line.to_string();
    };
    if *in_fence {
        *in_fence = false;
        return line.to_string();
    }
    *in_fence = true;
    let info = trimmed.trim_start_matches(fence.chars().next().unwrap_or('`'));
    let tested = info.trim().is_empty()
        || info.split([',', ' ']).any(|t| {
            matches!(
                t.trim(),
                "rust" | "should_panic" | "no_run" | "compile_fail"
            )
        });
    if tested {
        let indent = &line[..line.len() - trimmed.len()];
        format!("{indent}{fence}text")
    } else {
        line.to_string()
    }
}

fn header(source: &str) -> String {
    // File names come from the user's directory: a line break in one would end the comment
    // and put the rest of the name into the generated code.
    let source: String = source.chars().flat_map(char::escape_debug).collect();
    format!(
        "// Generated by seatable-codegen from {source}. Do not edit by hand:\n\
         // change the spec or the generator, then run `cargo run -p seatable-codegen -- regenerate`.\n\n"
    )
}

/// How the generated text is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Formatted by prettyplease, to be read (`generated/`).
    Pretty,
    /// One top-level item per line, unformatted, to be compiled (`build.rs`): formatting
    /// 85,000 lines in an unoptimised build script cost most of its run.
    Compact,
}

fn format(tokens: TokenStream, source: &str, layout: Layout) -> String {
    let text = match layout {
        Layout::Compact => compact(tokens),
        // The emitters build well-formed items; should one ever not be, the raw tokens still
        // reach the compiler, whose error then points at them, instead of the generator dying.
        Layout::Pretty => match syn::parse2::<syn::File>(tokens.clone()) {
            Ok(file) => std::panic::catch_unwind(|| prettyplease::unparse(&file))
                .unwrap_or_else(|_| tokens.to_string()),
            Err(_) => tokens.to_string(),
        },
    };
    format!("{}{}", header(source), text)
}

/// The tokens with a line break after every attribute, every `;`, and at both ends of every
/// `{…}` group, at any depth: an item's signature and each statement get a line of their
/// own, so that a compiler message about generated code shows the line it means, and no two
/// blocks share a line (clippy reads `} if` on one line as a missing `else`). Each token is
/// spelt as `TokenStream`'s own printing spells it.
fn compact(tokens: TokenStream) -> String {
    let mut out = String::new();
    write_compact(tokens, &mut out);
    out.push('\n');
    out
}

fn write_compact(tokens: TokenStream, out: &mut String) {
    use proc_macro2::{Delimiter, Spacing, TokenTree};
    use std::fmt::Write as _;
    // Whether the tokens just written open an attribute (`#` or `#!`).
    let mut in_attribute = false;
    for tree in tokens {
        match tree {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{\n", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                write_compact(g.stream(), out);
                out.push_str(close);
                let ends_line = g.delimiter() == Delimiter::Brace
                    || (in_attribute && g.delimiter() == Delimiter::Bracket);
                out.push(if ends_line { '\n' } else { ' ' });
                in_attribute = false;
            }
            TokenTree::Punct(p) => {
                out.push(p.as_char());
                if p.as_char() == ';' {
                    out.push('\n');
                } else if p.spacing() == Spacing::Alone {
                    out.push(' ');
                }
                in_attribute = p.as_char() == '#' || (in_attribute && p.as_char() == '!');
            }
            other => {
                // Written in place: a `String` per identifier and literal was a good part of
                // this function's cost.
                let _ = write!(out, "{other} ");
                in_attribute = false;
            }
        }
    }
}

/// `#[cfg(feature = …)]` and its docs.rs badge, or nothing for an ungated module.
fn gate(feature: Option<&str>) -> TokenStream {
    match feature {
        Some(f) => quote! {
            #[cfg(feature = #f)]
            #[cfg_attr(docsrs, doc(cfg(feature = #f)))]
        },
        None => quote!(),
    }
}

/// `include!` of the file holding the serde impls of a file's types, kept apart from the
/// definitions so that those read as a list of types; nothing when there are none.
fn serde_part(
    files: &mut Vec<(String, String)>,
    file: &str,
    serde: TokenStream,
    source: &str,
    layout: Layout,
) -> TokenStream {
    if serde.is_empty() {
        return quote!();
    }
    files.push((file.to_string(), format(serde, source, layout)));
    quote! {
        // The `Serialize` and `Deserialize` impls of the types above.
        include!(#file);
    }
}

/// Renders the whole API: `(file name, contents)` pairs, `api.rs` first.
pub fn emit(api: &Api, options: &RustOptions, layout: Layout) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut root = Vec::new();
    let sources = api.sources.join(", ");

    // A model only one gated module reaches lives with it and is compiled only with it;
    // `types` re-exports it, so its path stays `types::Name`.
    let users = api.type_users();
    let inputs = api.input_types();
    let mut placed: std::collections::HashMap<&str, Option<&str>> = api
        .types
        .iter()
        .map(|t| {
            let area = match users.get(t.name.as_str()).map(Vec::as_slice) {
                Some([only]) if options.feature_of(only).is_some() => Some(*only),
                _ => None,
            };
            (t.name.as_str(), area)
        })
        .collect();
    // What a shared model holds must be shared too, even when one area alone reaches it
    // directly: the shared model is compiled whatever the features.
    let mut todo: Vec<&str> = placed
        .iter()
        .filter(|(_, area)| area.is_none())
        .map(|(name, _)| *name)
        .collect();
    while let Some(name) = todo.pop() {
        let Some(def) = api.types.iter().find(|t| t.name == name) else {
            continue;
        };
        for r in def.kind.refs() {
            if let Some(inner) = r.shared_name() {
                if let Some(area @ Some(_)) = placed.get_mut(inner) {
                    *area = None;
                    todo.push(inner);
                }
            }
        }
    }
    let area_of = |t: &TypeDef| -> Option<String> {
        placed
            .get(t.name.as_str())
            .copied()
            .flatten()
            .map(str::to_string)
    };
    let module_job = |m: &crate::ir::Module| {
        let mut files = Vec::new();
        let ctx = Ctx {
            api,
            options,
            here: Some(&m.name),
            feature: options.feature_of(&m.name),
            inputs: &inputs,
        };
        let (defs, serde) = types::emit_types(&ctx, &m.types);
        let mut tokens = ctx.runtime_use();
        tokens.extend(defs);
        tokens.extend(operations::emit_module(&ctx, m));
        tokens.extend(serde_part(
            &mut files,
            &format!("{}_serde.rs", m.name),
            serde,
            &m.source,
            layout,
        ));
        files.push((format!("{}.rs", m.name), format(tokens, &m.source, layout)));
        files
    };
    // The models only one area uses: a file per area.
    let area_job = |m: &crate::ir::Module| {
        let own: Vec<TypeDef> = api
            .types
            .iter()
            .filter(|t| area_of(t).as_deref() == Some(m.name.as_str()))
            .cloned()
            .collect();
        if own.is_empty() {
            return None;
        }
        let mut files = Vec::new();
        let ctx = Ctx {
            api,
            options,
            here: None,
            feature: options.feature_of(&m.name),
            inputs: &inputs,
        };
        let (defs, serde) = types::emit_types(&ctx, &own);
        let serde_file = format!("types_{}_serde.rs", m.name);
        let serde = serde_part(&mut files, &serde_file, serde, &m.source, layout);
        let runtime = ctx.runtime_use();
        let tokens = quote! {
            // The other models, by their plain names.
            #[allow(unused_imports)]
            use super::*;
            #runtime
            #defs
            #serde
        };
        files.push((
            format!("types_{}.rs", m.name),
            format(tokens, &m.source, layout),
        ));
        Some(files)
    };
    // The modules' files are independent of each other and of the models': written side
    // by side, the shared models on this thread.
    let module_files = std::thread::scope(|scope| {
        let modules = scope.spawn(|| crate::par::map(&api.modules, module_job));
        let areas = scope.spawn(|| crate::par::map(&api.modules, area_job));
        let types_ctx = Ctx {
            api,
            options,
            here: None,
            feature: None,
            inputs: &inputs,
        };
        let shared: Vec<TypeDef> = api
            .types
            .iter()
            .filter(|t| area_of(t).is_none())
            .cloned()
            .collect();
        let (defs, serde) = types::emit_types(&types_ctx, &shared);
        let mut types_tokens = types_ctx.runtime_use();
        types_tokens.extend(defs);
        let area_files = areas
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        for (m, written) in api.modules.iter().zip(area_files) {
            let Some(written) = written else {
                continue;
            };
            files.extend(written);
            let feature = options.feature_of(&m.name);
            let file = format!("types_{}.rs", m.name);
            let inner = format_ident!("{}_models", m.name);
            let g = gate(feature.as_deref());
            let cfg = feature.as_deref().map(|f| quote!(#[cfg(feature = #f)]));
            types_tokens.extend(quote! {
                #cfg
                mod #inner { include!(#file); }
                #g
                pub use self::#inner::*;
            });
        }
        types_tokens.extend(serde_part(
            &mut files,
            "types_serde.rs",
            serde,
            &sources,
            layout,
        ));
        files.insert(
            0,
            (
                "types.rs".to_string(),
                format(types_tokens, &sources, layout),
            ),
        );
        let mut types_text =
            "The models: tables, columns, rows, errors and the other component schemas of the spec."
                .to_string();
        if options.area_features {
            types_text.push_str(
                "\n\nA model that only one area's operations use is compiled with that area's feature.",
            );
        }
        let types_doc = doc(&types_text);
        root.push(quote! {
            #types_doc
            #[allow(clippy::large_enum_variant, clippy::too_many_arguments, deprecated)]
            pub mod types { include!("types.rs"); }
        });

        modules
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    for (m, written) in api.modules.iter().zip(module_files) {
        files.extend(written);
        let feature = options.feature_of(&m.name);
        let file = format!("{}.rs", m.name);
        let name = format_ident!("{}", m.name);
        let mut text = m.title.clone();
        if let Some(d) = &m.description {
            text.push_str("\n\n");
            text.push_str(d);
        }
        text.push_str(&format!("\n\nGenerated from `{}`.", m.source));
        let d = doc(&text);
        let g = gate(feature.as_deref());
        root.push(quote! {
            #d
            #g
            #[allow(clippy::large_enum_variant, clippy::too_many_arguments, deprecated)]
            pub mod #name { include!(#file); }
        });
    }
    if options.inherent_methods {
        // Only the runtime crate has a server to route for: its `testing` stand-in.
        if options.stand_in {
            files.push((
                "server.rs".to_string(),
                server::emit(api, layout, &header(&sources)),
            ));
        }
        let d = doc("The spec's operations as a server routes them: `Operation` and its table of\nmethods and path templates, for the `testing` stand-in.");
        root.push(quote! {
            #d
            #[cfg(feature = "testing")]
            pub mod server { include!("server.rs"); }
        });
        if options.stand_in {
            files.push((
                "answers.rs".to_string(),
                answers::emit(api, &header(&sources)),
            ));
        }
        let d = doc("The default answer of every operation and the spec reduced for checking bodies,\nfor the `testing` stand-in.");
        root.push(quote! {
            #d
            #[cfg(feature = "testing")]
            pub(crate) mod answers { include!("answers.rs"); }
        });
    }
    if let Some(check) = version_check(options) {
        root.insert(0, check);
    }
    let root = quote! { #(#root)* };
    files.insert(0, ("api.rs".to_string(), format(root, &sources, layout)));
    files
}

/// In code for another crate, a call that compiles only when the `seatable-api` it builds
/// against has this generator's major and minor version: the runtime defines one function
/// per version, named after it, so a mismatch is an error that names both versions
/// ("cannot find function `seatable_codegen_0_2_needs_seatable_api_0_2`"), instead of
/// errors deep in the generated code about a changed `__private` API.
fn version_check(options: &RustOptions) -> Option<TokenStream> {
    if options.runtime_crate == "crate" {
        return None;
    }
    let version = format!(
        "{}_{}",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    let marker = format_ident!("seatable_codegen_{version}_needs_seatable_api_{version}");
    let path: syn::Path = syn::parse_str(&format!("{}::__private", options.runtime_crate))
        .unwrap_or_else(|_| syn::parse_quote!(::seatable_api::__private));
    let d = doc(&format!(
        "This code was generated by seatable-codegen {major}.{minor} and needs seatable-api \
         {major}.{minor}. If the line below does not compile, the two versions in Cargo.toml \
         differ: use the same version of `seatable-codegen` (build-dependency) and \
         `seatable-api` (dependency).",
        major = env!("CARGO_PKG_VERSION_MAJOR"),
        minor = env!("CARGO_PKG_VERSION_MINOR"),
    ));
    Some(quote! {
        #d
        const _: () = #path::#marker();
    })
}

/// Renders the contract-test program (`contract.rs`), which drives the client from outside
/// the crate, as a user's code would.
pub fn emit_contract(api: &Api) -> Vec<(String, String)> {
    let options = RustOptions::external();
    let inputs = api.input_types();
    let ctx = Ctx {
        api,
        options: &options,
        here: None,
        feature: None,
        inputs: &inputs,
    };
    let sources = api.sources.join(", ");
    vec![(
        "contract.rs".to_string(),
        format(contract::emit(&ctx), &sources, Layout::Pretty),
    )]
}

#[cfg(test)]
mod header_tests {
    #[test]
    fn a_line_break_in_a_file_name_stays_inside_the_comment() {
        let text = super::header("spec/a\nfn injected() {}\r.yaml");
        assert_eq!(
            text.lines()
                .filter(|l| !l.is_empty() && !l.starts_with("//"))
                .count(),
            0,
            "{text}"
        );
        assert!(text.contains(r"spec/a\nfn injected() {}\r.yaml"), "{text}");
    }
}
