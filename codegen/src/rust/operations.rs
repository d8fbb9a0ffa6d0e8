//! Operations: a method on the client that holds the token, returning a builder whose
//! required arguments were positional, whose optional ones are setters, and which sends
//! when awaited.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc, Ctx};
use crate::ir::*;
use crate::naming::pascal;

pub(crate) fn emit_module(ctx: &Ctx, m: &Module) -> TokenStream {
    let mut out = TokenStream::new();
    let mut receivers: Vec<TokenKind> = m.operations.iter().map(|o| o.token).collect();
    receivers.sort();
    receivers.dedup();
    for receiver in receivers {
        let ops: Vec<&Operation> = m
            .operations
            .iter()
            .filter(|o| o.token == receiver)
            .collect();
        let client = format_ident!("{}", receiver.client_type());
        let methods: Vec<(TokenStream, TokenStream)> =
            ops.iter().map(|o| constructor(ctx, o)).collect();
        if ctx.options.inherent_methods {
            let bodies = methods.iter().map(|(sig, body)| quote!(#sig #body));
            // The methods land on a client type outside the gated module: their badge on
            // docs.rs comes from the impl block.
            let badge = match &ctx.feature {
                Some(f) => quote!(#[cfg_attr(docsrs, doc(cfg(feature = #f)))]),
                None => quote!(),
            };
            out.extend(quote! {
                #badge
                impl rt::#client {
                    #(#bodies)*
                }
            });
        } else {
            let trait_name = format_ident!("{}{}Ext", pascal(&m.name), receiver.client_type());
            let trait_doc = doc(&format!(
                "The operations of `{}` that need {}: bring this trait into scope to call them on\n`{}`.",
                m.source,
                if receiver == TokenKind::None { "no token".to_string() } else { format!("the {}", receiver.token_name()) },
                receiver.client_type()
            ));
            let sigs = methods.iter().map(|(sig, _)| {
                let sig = strip(sig.clone(), false);
                quote!(#sig;)
            });
            let impls = methods.iter().map(|(sig, body)| {
                // The trait carries the docs; the impl repeats only the signature.
                let sig = strip(sig.clone(), true);
                quote!(#sig #body)
            });
            out.extend(quote! {
                #trait_doc
                pub trait #trait_name {
                    #(#sigs)*
                }
                impl #trait_name for rt::#client {
                    #(#impls)*
                }
            });
        }
        if ctx.options.blocking {
            out.extend(blocking_methods(ctx, receiver, &ops));
        }
        for o in ops {
            out.extend(builder(ctx, o));
        }
    }
    out
}

/// Trait items take no `pub`; their impls need no second copy of the docs.
fn strip(sig: TokenStream, docs: bool) -> TokenStream {
    let mut tokens = sig.into_iter().peekable();
    let mut out = TokenStream::new();
    while let Some(t) = tokens.next() {
        if let proc_macro2::TokenTree::Punct(p) = &t {
            if docs && p.as_char() == '#' {
                if let Some(proc_macro2::TokenTree::Group(_)) = tokens.peek() {
                    tokens.next();
                    continue;
                }
            }
        }
        if let proc_macro2::TokenTree::Ident(i) = &t {
            if i == "pub" {
                continue;
            }
        }
        out.extend(std::iter::once(t));
    }
    out
}

/// How a value of a type is accepted as an argument, and how it is turned into the stored type.
fn arg(ctx: &Ctx, t: &TypeRef, name: &syn::Ident) -> (TokenStream, TokenStream) {
    match t {
        TypeRef::Array(inner) => {
            let inner = ctx.ty(inner);
            (
                quote!(impl IntoIterator<Item = impl Into<#inner>>),
                quote!(#name.into_iter().map(Into::into).collect()),
            )
        }
        TypeRef::Object | TypeRef::Map(_) => (ctx.ty(t), quote!(#name)),
        other => {
            let t = ctx.ty(other);
            (quote!(impl Into<#t>), quote!(#name.into()))
        }
    }
}

/// Argument: a positional argument or a setter, and where its value is stored.
pub(super) struct Input<'a> {
    pub ident: syn::Ident,
    pub ty: &'a TypeRef,
    description: Option<&'a str>,
    pub wire: &'a str,
    /// What the input is, for its docs when the spec does not describe it: "the `page` query
    /// parameter".
    what: String,
    target: Target,
}

enum Target {
    /// A builder field holding a parameter.
    Param,
    /// A field of the body struct.
    BodyField(syn::Ident),
    /// The whole body.
    Body,
}

pub(super) struct Plan<'a> {
    pub positional: Vec<Input<'a>>,
    pub setters: Vec<Input<'a>>,
}

pub(super) fn plan(o: &Operation) -> Plan<'_> {
    let mut positional = Vec::new();
    let mut setters = Vec::new();
    let mut taken: Vec<String> = o.params.iter().map(|p| p.rust_name.clone()).collect();
    taken.extend(["client", "body", "send", "into_future"].map(String::from));
    // Path parameters first, in path order, then the other required ones.
    let mut ordered: Vec<&Param> = o
        .path_parts
        .iter()
        .filter_map(|p| match p {
            PathPart::Param(i) => Some(&o.params[*i]),
            PathPart::Literal(_) => None,
        })
        .collect();
    ordered.extend(
        o.params
            .iter()
            .filter(|p| p.location != ParamLocation::Path),
    );
    for p in ordered {
        if p.bound {
            continue;
        }
        let input = Input {
            ident: format_ident!("{}", p.rust_name),
            ty: &p.ty,
            description: p.description.as_deref(),
            wire: &p.name,
            what: format!(
                "the `{}` {} parameter",
                p.name,
                match p.location {
                    ParamLocation::Path => "path",
                    ParamLocation::Query => "query",
                    ParamLocation::Header => "header",
                }
            ),
            target: Target::Param,
        };
        if p.required {
            positional.push(input);
        } else {
            setters.push(input);
        }
    }
    if let Some(b) = &o.body {
        match &b.fields {
            Some(fields) => {
                for f in fields {
                    let name = if taken.contains(&f.rust_name) {
                        format!("body_{}", f.rust_name)
                    } else {
                        f.rust_name.clone()
                    };
                    let input = Input {
                        ident: format_ident!("{}", name),
                        ty: &f.ty,
                        description: f.description.as_deref(),
                        wire: &f.name,
                        what: format!("the `{}` field of the request body", f.name),
                        target: Target::BodyField(format_ident!("{}", f.rust_name)),
                    };
                    if f.is_plain() {
                        positional.push(input);
                    } else {
                        setters.push(input);
                    }
                }
            }
            None => {
                let input = Input {
                    ident: format_ident!("body"),
                    ty: &b.ty,
                    description: b.description.as_deref(),
                    wire: "body",
                    what: "the request body".to_string(),
                    target: Target::Body,
                };
                if b.required {
                    positional.push(input);
                } else {
                    setters.push(input);
                }
            }
        }
    }
    Plan {
        positional,
        setters,
    }
}

fn method_doc(ctx: &Ctx, o: &Operation, plan: &Plan) -> TokenStream {
    let mut text = String::new();
    match (&o.summary, &o.description) {
        (Some(s), _) => text.push_str(s.trim()),
        (None, Some(_)) => {}
        (None, None) => text.push_str(&format!("The `{}` operation.", o.id)),
    }
    if let Some(d) = &o.description {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(d.trim());
    }
    text.push_str(&format!("\n\n`{} {}`", o.http_method.as_str(), o.path));
    text.push_str(&match o.token {
        TokenKind::None => "\n\nToken: none.".to_string(),
        t => format!("\n\nToken: {} (`{}`).", t.token_name(), t.client_type()),
    });
    if o.check_rows.is_some() {
        text.push_str("\n\nChecked before sending: the rows are compared with the table's columns (from the\nmetadata, cached by the client) and refused with an error naming row, column and reason\nwhen SeaTable would drop or mangle a value. See `BaseClient::set_check_writes`.");
    }
    if let Some(p) = &o.paginate {
        let items = &p.items.name;
        let b = &o.builder_name;
        let stream = format!("[`stream`]({b}::stream) yields every item, page after page, and [`all`]({b}::all)\ncollects them");
        text.push_str(&match &p.style {
            PageStyle::Offset { offset, limit, max } => format!(
                "\n\nPaging: at most {max} `{items}` per call; page with `{offset}` and `{limit}`. {stream}."
            ),
            PageStyle::Sql { default, max, .. } => format!(
                "\n\nPaging: without a `LIMIT` the server returns {default} `{items}`, and never more than {max};\nthe result is cut silently. Page with `LIMIT`/`OFFSET`: {stream} (a `SELECT`\nwithout its own `LIMIT`). [`send_with_truncation`]({b}::send_with_truncation) says whether a\nplain answer may have been cut."
            ),
            PageStyle::Page { page, per_page, .. } => {
                format!("\n\nPaging: `{items}` come in pages chosen by `{page}` and `{per_page}`. {stream}.")
            }
        });
    }
    if let Some(b) = &o.batch {
        let what = match b.kind {
            BatchKind::Array => "items",
            BatchKind::Map => "entries",
        };
        text.push_str(&format!(
            "\n\nLimit: at most {max} {what} of `{field}` per request; more are refused before sending.\n[`batched`]({builder}::batched) sends any number in chunks of {max}.",
            max = b.max,
            field = b.field,
            builder = o.builder_name,
        ));
    }
    if !plan.positional.is_empty() {
        text.push_str("\n\nArguments:");
        for i in &plan.positional {
            text.push_str(&format!(
                "\n- `{}`: {}",
                i.ident,
                one_line(i.description, &i.what)
            ));
        }
    }
    if !plan.setters.is_empty() {
        let names: Vec<String> = plan
            .setters
            .iter()
            .map(|i| format!("[`{}`]({}::{})", i.ident, o.builder_name, i.ident))
            .collect();
        text.push_str(&format!("\n\nOptional settings: {}.", names.join(", ")));
    }
    let _ = ctx;
    doc(&text)
}

fn one_line(description: Option<&str>, what: &str) -> String {
    match description {
        Some(d) => d
            .split("\n\n")
            .next()
            .unwrap_or(d)
            .replace('\n', " ")
            .trim()
            .to_string(),
        None => format!("{what}."),
    }
}

/// `field: value`, or the shorthand `field` when the value is a variable of that name.
fn field_init(field: &syn::Ident, value: TokenStream) -> TokenStream {
    if *field == value.to_string() {
        quote!(#field)
    } else {
        quote!(#field: #value)
    }
}

/// The method on the client: its signature and its body.
fn constructor(ctx: &Ctx, o: &Operation) -> (TokenStream, TokenStream) {
    let plan = plan(o);
    let d = method_doc(ctx, o, &plan);
    let method = format_ident!("{}", o.method_name);
    let builder = format_ident!("{}", o.builder_name);
    let args = plan.positional.iter().map(|i| {
        let (t, _) = arg(ctx, i.ty, &i.ident);
        let ident = &i.ident;
        quote!(#ident: #t)
    });
    let mut inits = Vec::new();
    for p in &o.params {
        if p.bound {
            continue;
        }
        let ident = format_ident!("{}", p.rust_name);
        if p.required {
            let (_, conv) = arg(ctx, &p.ty, &ident);
            inits.push(field_init(&ident, conv));
        } else if let Some(value) = p.client_default {
            inits.push(quote!(#ident: Some(#value)));
        } else {
            inits.push(quote!(#ident: None));
        }
    }
    if let Some(b) = &o.body {
        match &b.fields {
            Some(fields) => {
                let ty = ctx.ty(&b.ty);
                let finits = fields.iter().map(|f| {
                    let fname = format_ident!("{}", f.rust_name);
                    match plan
                        .positional
                        .iter()
                        .find(|i| matches!(&i.target, Target::BodyField(n) if *n == fname))
                    {
                        Some(i) => {
                            let (_, conv) = arg(ctx, i.ty, &i.ident);
                            field_init(&fname, conv)
                        }
                        None => quote!(#fname: None),
                    }
                });
                let extra = if b.has_extra {
                    quote!(extra: Default::default(),)
                } else {
                    quote!()
                };
                inits.push(quote!(body: #ty { #(#finits,)* #extra }));
            }
            None if b.required => {
                let body = format_ident!("body");
                let (_, conv) = arg(ctx, &b.ty, &body);
                inits.push(field_init(&body, conv));
            }
            None => inits.push(quote!(body: None)),
        }
    }
    if is_sql(o) {
        inits.push(quote!(page_size: None));
    }
    let sig = quote! {
        #d
        pub fn #method(&self, #(#args),*) -> #builder<'_>
    };
    let body = quote! {
        {
            #builder { client: self, #(#inits,)* }
        }
    };
    (sig, body)
}

fn response_type(ctx: &Ctx, o: &Operation) -> TokenStream {
    match &o.response.kind {
        ResponseKind::Json(t) => ctx.ty(t),
        ResponseKind::Bytes => quote!(rt::Bytes),
        ResponseKind::Empty => quote!(()),
    }
}

/// Code that renders a stored value as query/header text.
fn to_text(t: &TypeRef, v: TokenStream) -> TokenStream {
    match t {
        TypeRef::String => quote!(#v),
        TypeRef::Secret => quote!(#v.expose_secret().to_string()),
        _ => quote!(#v.to_string()),
    }
}

fn is_scalar(ctx: &Ctx, t: &TypeRef) -> bool {
    match t {
        TypeRef::String
        | TypeRef::Secret
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::F64
        | TypeRef::Bool => true,
        TypeRef::Named(_) => matches!(ctx.kind_of(t), Some(TypeKind::Enum { .. })),
        _ => false,
    }
}

fn push_param(ctx: &Ctx, p: &Param, v: TokenStream) -> TokenStream {
    let name = &p.name;
    match p.location {
        ParamLocation::Query => match &p.ty {
            t if is_scalar(ctx, t) => {
                let text = to_text(t, v);
                quote!(request.query(#name, #text);)
            }
            TypeRef::Array(inner) if is_scalar(ctx, inner) => {
                let text = to_text(inner, quote!(item));
                quote!(for item in #v { request.query(#name, #text); })
            }
            _ => quote!(request.query_json(#name, &#v)?;),
        },
        ParamLocation::Header => {
            if is_scalar(ctx, &p.ty) {
                let text = to_text(&p.ty, v);
                quote!(request.header(#name, #text);)
            } else {
                quote!(request.header(#name, rt::serde_json::to_string(&#v).map_err(rt::Error::serialize)?);)
            }
        }
        ParamLocation::Path => quote!(),
    }
}

fn multipart_field(ctx: &Ctx, f: &Field, v: TokenStream) -> TokenStream {
    multipart_part(ctx, &f.name, &f.ty, v)
}

/// A multipart value: a file part, a text part, or, for a list of files or scalars, one
/// part per item under the same name (how form posts repeat a field).
fn multipart_part(ctx: &Ctx, name: &str, t: &TypeRef, v: TokenStream) -> TokenStream {
    match t {
        TypeRef::File => quote!(request.multipart_file(#name, #v);),
        TypeRef::Array(inner) if **inner == TypeRef::File || is_scalar(ctx, inner) => {
            let each = multipart_part(ctx, name, inner, quote!(item));
            quote!(for item in #v { #each })
        }
        t if is_scalar(ctx, t) => {
            let text = to_text(t, v);
            quote!(request.multipart_text(#name, #text);)
        }
        _ => quote!(request.multipart_json(#name, &#v)?;),
    }
}

fn builder(ctx: &Ctx, o: &Operation) -> TokenStream {
    let plan = plan(o);
    let builder = format_ident!("{}", o.builder_name);
    let client = format_ident!("{}", o.token.client_type());
    let out_ty = response_type(ctx, o);
    let id = &o.id;

    let mut fields = Vec::new();
    for p in &o.params {
        if p.bound {
            continue;
        }
        let ident = format_ident!("{}", p.rust_name);
        let t = ctx.ty(&p.ty);
        fields.push(if p.required {
            quote!(#ident: #t)
        } else {
            quote!(#ident: Option<#t>)
        });
    }
    if let Some(b) = &o.body {
        let t = ctx.ty(&b.ty);
        fields.push(if b.fields.is_some() || b.required {
            quote!(body: #t)
        } else {
            quote!(body: Option<#t>)
        });
    }

    if is_sql(o) {
        fields.push(quote!(page_size: Option<u64>));
    }

    let setters = plan.setters.iter().map(|i| {
        let ident = &i.ident;
        let (t, conv) = arg(ctx, i.ty, ident);
        let d = doc(&i
            .description
            .map(str::to_string)
            .unwrap_or_else(|| format!("Sets {} of `{}`.", i.what, o.id)));
        let store = match &i.target {
            Target::Param => quote!(self.#ident = Some(#conv);),
            Target::BodyField(f) => quote!(self.body.#f = Some(#conv);),
            Target::Body => quote!(self.body = Some(#conv);),
        };
        quote! {
            #d
            pub fn #ident(mut self, #ident: #t) -> Self {
                #store
                self
            }
        }
    });

    // The path: literal pieces with `{}` for each parameter.
    let mut fmt = String::new();
    let mut fmt_args = Vec::new();
    for part in &o.path_parts {
        match part {
            PathPart::Literal(l) => fmt.push_str(&l.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(i) => {
                fmt.push_str("{}");
                let p = &o.params[*i];
                let ident = format_ident!("{}", p.rust_name);
                fmt_args.push(if p.bound && p.ty == TypeRef::String {
                    quote!(rt::encode_path(self.client.#ident()))
                } else if p.bound {
                    quote!(rt::encode_path(&self.client.#ident().to_string()))
                } else if p.ty == TypeRef::String {
                    quote!(rt::encode_path(&self.#ident))
                } else {
                    quote!(rt::encode_path(&self.#ident.to_string()))
                });
            }
        }
    }
    if !o.fixed_query.is_empty() {
        let q: Vec<String> = o
            .fixed_query
            .iter()
            .map(|(k, v)| {
                if v.is_empty() {
                    k.clone()
                } else {
                    format!("{k}={v}")
                }
            })
            .collect();
        fmt.push('?');
        fmt.push_str(&q.join("&").replace('{', "{{").replace('}', "}}"));
    }
    let path = if fmt_args.is_empty() {
        // No arguments: the text is used as it is, so the brace escapes come off again.
        let plain = fmt.replace("{{", "{").replace("}}", "}");
        quote!(#plain.to_string())
    } else {
        quote!(format!(#fmt, #(#fmt_args),*))
    };
    let method = format_ident!("{}", o.http_method.as_str());

    let mut pushes = Vec::new();
    for p in &o.params {
        if p.bound || p.location == ParamLocation::Path {
            continue;
        }
        let ident = format_ident!("{}", p.rust_name);
        if p.required {
            pushes.push(push_param(ctx, p, quote!(self.#ident)));
        } else {
            let inner = push_param(ctx, p, quote!(value));
            pushes.push(quote!(if let Some(value) = self.#ident { #inner }));
        }
    }
    let body_code = match &o.body {
        None => quote!(),
        Some(b) => {
            let (whole, opt) = match (b.fields.is_some() || b.required, &b.media) {
                (true, _) => (quote!(self.body), false),
                (false, _) => (quote!(body), true),
            };
            let send = match b.media {
                BodyMedia::Json => quote!(request.json(&#whole)?;),
                BodyMedia::Form => quote!(request.form(&#whole)?;),
                BodyMedia::Raw => {
                    let ct = &b.content_type;
                    quote!(request.raw(#ct, #whole);)
                }
                // A struct body, flattened into the builder or passed whole, is sent field by field.
                BodyMedia::Multipart => match ctx.kind_of(&b.ty) {
                    Some(TypeKind::Struct { fields, extra, .. }) => {
                        let parts = fields.iter().map(|f| {
                            let fname = format_ident!("{}", f.rust_name);
                            if f.is_plain() {
                                multipart_field(ctx, f, quote!(#whole.#fname))
                            } else {
                                let inner = multipart_field(ctx, f, quote!(value));
                                quote!(if let Some(value) = #whole.#fname { #inner })
                            }
                        });
                        let extra = if extra.is_some() {
                            quote!(request.multipart_map(&#whole.extra)?;)
                        } else {
                            quote!()
                        };
                        quote!(#(#parts)* #extra)
                    }
                    _ => quote!(request.multipart_map(&#whole)?;),
                },
            };
            if opt {
                quote!(if let Some(body) = self.body { #send })
            } else {
                send
            }
        }
    };
    let decode = match &o.response.kind {
        ResponseKind::Json(_) => quote!(response.json().await),
        ResponseKind::Bytes => quote!(response.bytes().await),
        ResponseKind::Empty => quote!(response.empty().await),
    };
    let struct_doc = doc(&format!(
        "The request built by [`{}::{}`](rt::{}::{}): set options, then `.await` it (or call\n[`send`]({}::send)).",
        o.token.client_type(),
        o.method_name,
        o.token.client_type(),
        o.method_name,
        o.builder_name
    ));
    let send_doc = doc(&format!(
        "Sends the request: `{} {}`.",
        o.http_method.as_str(),
        o.path
    ));
    // Rows SeaTable would store wrongly or silently drop are refused before anything is sent.
    let check = match &o.check_rows {
        None => quote!(),
        Some(c) => {
            let table = format_ident!("{}", c.table);
            let rows = format_ident!("{}", c.rows);
            let items = match &c.cells {
                None => quote!(self.body.#rows.iter()),
                Some(cells) => {
                    let cells = format_ident!("{}", cells);
                    quote!(self.body.#rows.iter().map(|item| &item.#cells))
                }
            };
            quote!(rt::check_rows(self.client, #id, &self.body.#table, #items).await?;)
        }
    };
    let uses_request_mut = !pushes.is_empty() || o.body.is_some();
    // The runtime derives the default from the method; the spec's word overrides it.
    let mut idempotent = match o.idempotent {
        Some(v) => quote!(request.idempotent(#v);),
        None => quote!(),
    };
    if let Some(statement) = &o.idempotent_if_select {
        let sql = body_ident(o, statement);
        idempotent.extend(quote!(request.idempotent(rt::paging::is_select(&self.body.#sql));));
    }
    let uses_request_mut = uses_request_mut || !idempotent.is_empty();
    let let_request = if uses_request_mut {
        quote!(let mut request = rt::Request::new(#id, rt::Method::#method, #path);)
    } else {
        quote!(let request = rt::Request::new(#id, rt::Method::#method, #path);)
    };
    if o.paginate.is_some() || o.batch.is_some() {
        let build = quote! {
            #let_request
            #idempotent
            #(#pushes)*
            #body_code
        };
        return paged_builder(
            ctx,
            o,
            &struct_doc,
            &send_doc,
            &fields,
            &setters.collect::<Vec<_>>(),
            check,
            build,
            decode,
        );
    }
    let blocking_call = blocking_call(ctx, o);
    quote! {
        #struct_doc
        #[derive(Debug)]
        #[must_use = "a request does nothing until it is awaited or sent"]
        pub struct #builder<'a> {
            client: &'a rt::#client,
            #(#fields,)*
        }

        impl<'a> #builder<'a> {
            #(#setters)*

            #send_doc
            pub async fn send(self) -> Result<#out_ty, rt::Error> {
                #check
                #let_request
                #idempotent
                #(#pushes)*
                #body_code
                let response = rt::Transport::execute(self.client, request).await?;
                #decode
            }

            #blocking_call
        }

        impl<'a> std::future::IntoFuture for #builder<'a> {
            type Output = Result<#out_ty, rt::Error>;
            type IntoFuture = rt::BoxFuture<'a, Self::Output>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    }
}

fn is_sql(o: &Operation) -> bool {
    matches!(
        o.paginate,
        Some(Paginate {
            style: PageStyle::Sql { .. },
            ..
        })
    )
}

/// The Rust name of the query parameter named `wire` on the wire.
fn param_ident(o: &Operation, wire: &str) -> syn::Ident {
    let p = o
        .params
        .iter()
        .find(|p| p.name == wire)
        .map_or(wire, |p| p.rust_name.as_str());
    format_ident!("{}", p)
}

/// The Rust name of the body field named `wire` on the wire.
fn body_ident(o: &Operation, wire: &str) -> syn::Ident {
    let f = o
        .body
        .as_ref()
        .and_then(|b| b.fields.as_ref())
        .and_then(|fs| fs.iter().find(|f| f.name == wire))
        .map_or(wire, |f| f.rust_name.as_str());
    format_ident!("{}", f)
}

/// The builder of an operation that pages or chunks: `send` as usual, a private `dispatch`
/// that builds and sends one request (what every page and every chunk repeats), and the
/// stream or batch entry points into the runtime.
#[allow(clippy::too_many_arguments)]
fn paged_builder(
    ctx: &Ctx,
    o: &Operation,
    struct_doc: &TokenStream,
    send_doc: &TokenStream,
    fields: &[TokenStream],
    setters: &[TokenStream],
    check: TokenStream,
    build: TokenStream,
    decode: TokenStream,
) -> TokenStream {
    let builder = format_ident!("{}", o.builder_name);
    let client = format_ident!("{}", o.token.client_type());
    let out_ty = response_type(ctx, o);
    let id = &o.id;

    let mut extra = TokenStream::new();
    let mut send_body = quote! {
        #check
        let response = self.dispatch().await?;
        #decode
    };
    let mut batch_impl = TokenStream::new();
    if let Some(b) = &o.batch {
        let f = format_ident!("{}", b.rust_name);
        let wire = &b.field;
        let max =
            proc_macro2::Literal::usize_unsuffixed(usize::try_from(b.max).unwrap_or(usize::MAX));
        let unit = match b.kind {
            BatchKind::Array => "items",
            BatchKind::Map => "entries",
        };
        send_body = quote! {
            rt::batch::fits(#id, #wire, &self.body.#f, #max)?;
            #send_body
        };
        let bd = doc(&format!(
            "Sends any number of `{wire}` in requests of at most {max} {unit}, in order: see
[`Batched`](rt::Batched) (`.concurrency(n)`, and the report of which ranges were
committed when a request fails).{checked}",
            max = b.max,
            checked = if o.check_rows.is_some() {
                " Every row is checked before the first request goes out."
            } else {
                ""
            }
        ));
        extra.extend(quote! {
            #bd
            pub fn batched(self) -> rt::Batched<'a, Self> {
                rt::Batched::new(self)
            }
        });
        let check_body = if check.is_empty() {
            quote!(Box::pin(std::future::ready(Ok(()))))
        } else {
            quote!(Box::pin(async move {
                #check
                Ok(())
            }))
        };
        // Every `x-batch` field is a body property, so a batched operation has a body.
        let body_ty = o.body.as_ref().map_or_else(
            || quote!(()),
            |body| {
                let t = ctx.ty(&body.ty);
                if body.fields.is_some() || body.required {
                    t
                } else {
                    quote!(Option<#t>)
                }
            },
        );
        batch_impl = quote! {
            impl<'a> rt::Batch<'a> for #builder<'a> {
                type Output = #out_ty;
                type Client = rt::#client;
                type Body = #body_ty;
                const OPERATION: &'static str = #id;
                const FIELD: &'static str = #wire;
                const UNIT: &'static str = #unit;
                const MAX: usize = #max;

                fn count(&self) -> usize {
                    rt::batch::Chunks::count(&self.body.#f)
                }

                fn client(&self) -> &'a rt::#client {
                    self.client
                }

                fn body(&self) -> &#body_ty {
                    &self.body
                }

                fn body_mut(&mut self) -> &mut #body_ty {
                    &mut self.body
                }

                fn check(&self) -> rt::BoxFuture<'_, Result<(), rt::Error>> {
                    #check_body
                }

                fn split(mut self) -> Vec<Self> {
                    let whole = std::mem::take(&mut self.body.#f);
                    rt::batch::Chunks::split(whole, Self::MAX)
                        .into_iter()
                        .map(|part| {
                            let mut chunk = self.clone();
                            chunk.body.#f = part;
                            chunk
                        })
                        .collect()
                }

                fn send_chunk(self) -> rt::BoxFuture<'a, Result<#out_ty, rt::Error>> {
                    Box::pin(async move {
                        let response = self.dispatch().await?;
                        #decode
                    })
                }
            }
        };
    }
    if let Some(p) = &o.paginate {
        let item = ctx.ty(&p.items.item);
        let items = format_ident!("{}", p.items.rust_name);
        let extract = if p.items.optional {
            quote!(|out: #out_ty| out.#items.unwrap_or_default())
        } else {
            quote!(|out: #out_ty| out.#items)
        };
        let stream_fn = match &p.style {
            PageStyle::Offset { offset, limit, max } => {
                let max_lit = proc_macro2::Literal::u64_unsuffixed(*max);
                let off = param_ident(o, offset);
                let lim = param_ident(o, limit);
                let d = doc(&format!(
                    "Every item, page after page: the first page starts at `{offset}` (default 0) and\nholds `{limit}` items (default and at most {max}); each next page starts where the\nprevious one ended, and the first page shorter than that is the last. Only one page is\nheld at a time. A server that answers a page larger than asked for, or the same page\nagain, ends the stream with an error rather than looping."
                ));
                quote! {
                    #d
                    pub fn stream(self) -> rt::PageStream<'a, #item> {
                        let (first, size) = (self.#off, self.#lim);
                        rt::paging::offset(
                            #id,
                            first,
                            size,
                            #max_lit,
                            move |position, size| {
                                let mut next = self.clone();
                                next.#off = Some(position);
                                next.#lim = Some(size);
                                Box::pin(next.dispatch())
                            },
                            #extract,
                        )
                    }
                }
            }
            PageStyle::Page {
                page,
                per_page,
                size,
            } => {
                let size_lit = proc_macro2::Literal::u64_unsuffixed(*size);
                let pg = param_ident(o, page);
                let per = param_ident(o, per_page);
                let d = doc(&format!(
                    "Every item, page after page: from page `{page}` (default 1) on, `{per_page}` items per\npage (default {size}); the first page shorter than that, or empty, is the last. Only\none page is held at a time. A server that answers a page larger than asked for, or the\nsame page again, ends the stream with an error rather than looping."
                ));
                quote! {
                    #d
                    pub fn stream(self) -> rt::PageStream<'a, #item> {
                        let (first, size) = (self.#pg, self.#per);
                        rt::paging::pages(
                            #id,
                            first,
                            size,
                            #size_lit,
                            move |position, size| {
                                let mut next = self.clone();
                                next.#pg = Some(position);
                                next.#per = Some(size);
                                Box::pin(next.dispatch())
                            },
                            #extract,
                        )
                    }
                }
            }
            PageStyle::Sql {
                statement,
                default,
                max,
            } => {
                let (default_lit, max_lit) = (
                    proc_macro2::Literal::u64_unsuffixed(*default),
                    proc_macro2::Literal::u64_unsuffixed(*max),
                );
                let sql = body_ident(o, statement);
                let d = doc(&format!(
                    "Every row of a `SELECT`, page after page: the statement in `{statement}` is sent with\n` LIMIT <n> OFFSET <m>` appended (n = {max}, or [`page_size`]({b}::page_size)), keeping\nits parameters, until a page comes back shorter than n. Only one page is held at a time.\n\nRefused with an error of kind `InvalidArgument`, before anything is sent: a statement\nthat is not a `SELECT`, holds more than one statement, or has its own `LIMIT` or\n`OFFSET` (outside string literals, quoted names and comments).",
                    b = o.builder_name
                ));
                let pd = doc(&format!(
                    "Rows per page for [`stream`]({b}::stream) and [`all`]({b}::all): 1 to {max}\n(default {max}; larger values are lowered to {max}). A plain `send` ignores it.",
                    b = o.builder_name
                ));
                let td = doc(&format!(
                    "Sends the request like [`send`]({b}::send) and also says whether the answer may have been\ncut by the server: {default} rows for a `SELECT` without `LIMIT`, or {max} rows for a\nstatement that asks for more (or for an unknown number). SeaTable drops the rest\nwithout telling, so `Some` means \"read it with [`stream`]({b}::stream) or\n[`all`]({b}::all)\". Either way a possibly cut answer is logged with `tracing::warn!`\n(target `seatable_api`).",
                    b = o.builder_name
                ));
                let items_len = if p.items.optional {
                    quote!(out.#items.as_ref().map_or(0, Vec::len))
                } else {
                    quote!(out.#items.len())
                };
                send_body = quote! {
                    Ok(self.send_with_truncation().await?.0)
                };
                if ctx.options.blocking {
                    let cd = doc(&format!(
                        "[`send_with_truncation`]({b}::send_with_truncation) for code without an async runtime\n(see `seatable_api::blocking`).",
                        b = o.builder_name
                    ));
                    extra.extend(quote! {
                        #cd
                        #[cfg(feature = "blocking")]
                        #[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
                        pub fn call_with_truncation(self) -> Result<(#out_ty, Option<rt::Truncation>), rt::Error> {
                            rt::blocking::call(self.send_with_truncation())
                        }
                    });
                }
                extra.extend(quote! {
                    #pd
                    pub fn page_size(mut self, rows: u64) -> Self {
                        self.page_size = Some(rows);
                        self
                    }

                    #td
                    pub async fn send_with_truncation(self) -> Result<(#out_ty, Option<rt::Truncation>), rt::Error> {
                        let cap = rt::paging::sql_cap(&self.body.#sql, #default_lit, #max_lit);
                        let response = self.dispatch().await?;
                        let out: #out_ty = response.json().await?;
                        let truncation = rt::paging::truncation(#id, cap, #items_len);
                        Ok((out, truncation))
                    }
                });
                quote! {
                    #d
                    pub fn stream(mut self) -> rt::PageStream<'a, #item> {
                        let statement = std::mem::take(&mut self.body.#sql);
                        let size = self.page_size;
                        rt::paging::sql(
                            #id,
                            &statement,
                            size,
                            #max_lit,
                            move |statement| {
                                let mut next = self.clone();
                                next.body.#sql = statement;
                                Box::pin(next.dispatch())
                            },
                            #extract,
                        )
                    }
                }
            }
        };
        let all_doc = doc(&format!(
            "Every item of [`stream`]({}::stream), collected; the first error ends it.",
            o.builder_name
        ));
        extra.extend(quote! {
            #stream_fn

            #all_doc
            pub async fn all(self) -> Result<Vec<#item>, rt::Error> {
                self.stream().all().await
            }
        });
    }

    let mut blocking_call = blocking_call(ctx, o);
    if let (true, Some(p)) = (ctx.options.blocking, &o.paginate) {
        let item = ctx.ty(&p.items.item);
        let d = doc(&format!(
            "Every item of [`stream`]({}::stream) as an `Iterator`, for code without an async\nruntime: each page is sent when the previous one is used up (see `seatable_api::blocking`).",
            o.builder_name
        ));
        blocking_call.extend(quote! {
            #d
            #[cfg(feature = "blocking")]
            #[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
            pub fn iter(self) -> rt::blocking::Pages<'a, #item> {
                rt::blocking::Pages::new(self.stream())
            }
        });
    }
    quote! {
        #struct_doc
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until it is awaited or sent"]
        pub struct #builder<'a> {
            client: &'a rt::#client,
            #(#fields,)*
        }

        impl<'a> #builder<'a> {
            #(#setters)*

            #send_doc
            pub async fn send(self) -> Result<#out_ty, rt::Error> {
                #send_body
            }

            #extra

            #blocking_call

            async fn dispatch(self) -> Result<rt::Response, rt::Error> {
                #build
                rt::Transport::execute(self.client, request).await
            }
        }

        impl<'a> std::future::IntoFuture for #builder<'a> {
            type Output = Result<#out_ty, rt::Error>;
            type IntoFuture = rt::BoxFuture<'a, Self::Output>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }

        #batch_impl

    }
}

/// `call()`: the blocking counterpart of awaiting the request, run by the runtime bridge
/// of `seatable_api::blocking`.
fn blocking_call(ctx: &Ctx, o: &Operation) -> TokenStream {
    if !ctx.options.blocking {
        return TokenStream::new();
    }
    let out_ty = response_type(ctx, o);
    let d = doc(&format!(
        "Sends the request like [`send`]({}::send) and waits for the answer, for code without\nan async runtime (see `seatable_api::blocking`). Inside an async runtime it sends\nnothing and fails with `ErrorKind::InsideAsyncRuntime`.",
        o.builder_name
    ));
    quote! {
        #d
        #[cfg(feature = "blocking")]
        #[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
        pub fn call(self) -> Result<#out_ty, rt::Error> {
            rt::blocking::call(self.send())
        }
    }
}

/// The operations of `receiver` on its blocking counterpart (`seatable_api::blocking`):
/// the same arguments, the same request builder, which `call()` sends.
fn blocking_methods(ctx: &Ctx, receiver: TokenKind, ops: &[&Operation]) -> TokenStream {
    if !ctx.options.inherent_methods {
        return TokenStream::new();
    }
    let client = format_ident!("{}", receiver.client_type());
    let methods = ops.iter().map(|o| {
        let plan = plan(o);
        let method = format_ident!("{}", o.method_name);
        let builder = format_ident!("{}", o.builder_name);
        let args = plan.positional.iter().map(|i| {
            let (t, _) = arg(ctx, i.ty, &i.ident);
            let ident = &i.ident;
            quote!(#ident: #t)
        });
        let names = plan.positional.iter().map(|i| &i.ident);
        let d = doc(&format!(
            "`{} {}`: the request of [`{client}::{m}`]({rc}::{client}::{m}), sent by\n[`call`]({b}::call).",
            o.http_method.as_str(),
            o.path,
            client = receiver.client_type(),
            m = o.method_name,
            rc = ctx.options.runtime_crate,
            b = o.builder_name,
        ));
        quote! {
            #d
            pub fn #method(&self, #(#args),*) -> #builder<'_> {
                self.as_async().#method(#(#names),*)
            }
        }
    });
    let badge = match &ctx.feature {
        Some(f) => quote!(#[cfg_attr(docsrs, doc(cfg(all(feature = "blocking", feature = #f))))]),
        None => quote!(#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]),
    };
    quote! {
        #[cfg(feature = "blocking")]
        #badge
        impl rt::blocking::#client {
            #(#methods)*
        }
    }
}
