//! IR → Markdown: a page per module with an entry per operation, a page of models, and an
//! index. Written from the same IR as the Rust code, so docs and client cannot disagree.

use std::fmt::Write;

use crate::ir::*;

fn type_name(t: &TypeRef) -> String {
    match t {
        TypeRef::String => "String".into(),
        TypeRef::Secret => "Secret".into(),
        TypeRef::I32 => "i32".into(),
        TypeRef::I64 => "i64".into(),
        TypeRef::F64 => "f64".into(),
        TypeRef::Bool => "bool".into(),
        TypeRef::Bytes => "Vec<u8>".into(),
        TypeRef::File => "FileUpload".into(),
        TypeRef::Any => "Value".into(),
        TypeRef::Object => "Map<String, Value>".into(),
        TypeRef::Array(i) => format!("Vec<{}>", type_name(i)),
        TypeRef::Map(i) => format!("BTreeMap<String, {}>", type_name(i)),
        TypeRef::Nullable(i) => format!("Option<{}>", type_name(i)),
        TypeRef::Named(p) => match &p.module {
            None => format!("types::{}", p.name),
            Some(m) => format!("{m}::{}", p.name),
        },
    }
}

/// A Markdown link to a named type's entry, or the plain name.
fn type_link(t: &TypeRef, here: &str) -> String {
    match t {
        TypeRef::Named(p) => {
            let page = p.module.as_deref().unwrap_or("types");
            let anchor = p.name.to_ascii_lowercase();
            if page == here {
                format!("[`{}`](#{anchor})", type_name(t))
            } else {
                format!("[`{}`]({page}.md#{anchor})", type_name(t))
            }
        }
        TypeRef::Array(i) => format!("`Vec` of {}", type_link(i, here)),
        TypeRef::Nullable(i) => format!("{} or null", type_link(i, here)),
        other => format!("`{}`", type_name(other)),
    }
}

fn one_line(s: Option<&str>) -> String {
    s.map(|d| {
        d.split("\n\n")
            .next()
            .unwrap_or(d)
            .replace('\n', " ")
            .replace('|', "\\|")
            .trim()
            .to_string()
    })
    .unwrap_or_default()
}

fn example_value(t: &TypeRef, name: &str) -> String {
    match t {
        TypeRef::String | TypeRef::Secret => format!("\"{name}\""),
        TypeRef::I32 | TypeRef::I64 => "1".into(),
        TypeRef::F64 => "1.0".into(),
        TypeRef::Bool => "true".into(),
        TypeRef::Array(_) => format!("{name}_items"),
        _ => name.to_string(),
    }
}

fn operation(out: &mut String, o: &Operation, module: &str) {
    let _ = writeln!(out, "## `{}`\n", o.method_name);
    if let Some(s) = &o.summary {
        let _ = writeln!(out, "{}\n", s.trim());
    }
    if let Some(d) = &o.description {
        let _ = writeln!(out, "{}\n", d.trim());
    }
    let _ = writeln!(out, "- Request: `{} {}`", o.http_method.as_str(), o.path);
    let token = match o.token {
        TokenKind::None => "none (`Client`)".to_string(),
        t => format!("{} (`{}`)", t.token_name(), t.client_type()),
    };
    let _ = writeln!(out, "- Token: {token}");
    let _ = writeln!(out, "- operationId: `{}`", o.id);
    if o.check_rows.is_some() {
        let _ = writeln!(out, "- Checked before sending: each row against the table's columns (unknown or read-only columns, link columns, checkbox, date, select option and rating values); nothing is sent when a row fails");
    }
    if let Some(id) = &o.seatable_id {
        let _ = writeln!(out, "- SeaTable's operationId: `{id}`");
    }
    if o.deprecated {
        let _ = writeln!(out, "- **Deprecated** by the server.");
    }
    if let Some(p) = &o.paginate {
        let items = &p.items.name;
        let line = match &p.style {
            PageStyle::Offset { offset, limit, max } => format!(
                "at most {max} `{items}` per call, paged with `{offset}` and `{limit}`; `.stream()` yields every item from `{offset}` on, page after page (pages of `{limit}`, at most {max}), `.all()` collects them"
            ),
            PageStyle::Sql { statement, default, max } => format!(
                "{default} `{items}` without `LIMIT`, at most {max}; cut silently beyond that. `.stream()` / `.all()` page a `SELECT` in `{statement}` by appending `LIMIT`/`OFFSET` (pages of {max}, or `.page_size(n)`); `.send_with_truncation()` says whether a plain answer may have been cut"
            ),
            PageStyle::Page { page, per_page, size } => format!(
                "`{items}` paged with `{page}` and `{per_page}`; `.stream()` yields every item from `{page}` on (default 1), page after page ({size} per page unless `{per_page}` is set), `.all()` collects them"
            ),
        };
        let _ = writeln!(out, "- Paging: {line}");
    }
    if let Some(b) = &o.batch {
        let what = match b.kind {
            BatchKind::Array => "items",
            BatchKind::Map => "entries",
        };
        let _ = writeln!(
            out,
            "- Limit: at most {max} {what} of `{field}` per request; a larger input is refused before sending, `.batched()` sends it in chunks of {max} and reports which ranges were committed",
            max = b.max,
            field = b.field
        );
    }
    let params: Vec<&Param> = o.params.iter().filter(|p| !p.bound).collect();
    if !params.is_empty() {
        let _ = writeln!(
            out,
            "\n| parameter | in | type | required | description |\n|---|---|---|---|---|"
        );
        for p in params {
            let location = match p.location {
                ParamLocation::Path => "path",
                ParamLocation::Query => "query",
                ParamLocation::Header => "header",
            };
            let _ = writeln!(
                out,
                "| `{}` | {location} | {} | {} | {} |",
                p.name,
                type_link(&p.ty, module),
                if p.required { "yes" } else { "no" },
                one_line(p.description.as_deref())
            );
        }
    }
    if let Some(b) = &o.body {
        let media = match b.media {
            BodyMedia::Json => "JSON",
            BodyMedia::Form => "form (`application/x-www-form-urlencoded`)",
            BodyMedia::Multipart => "multipart (`multipart/form-data`)",
            BodyMedia::Raw => "raw bytes",
        };
        let _ = writeln!(
            out,
            "\nBody: {media}, {}{}",
            type_link(&b.ty, module),
            if b.required { "" } else { " (optional)" }
        );
        if let Some(fields) = &b.fields {
            let _ = writeln!(
                out,
                "\n| field | type | required | description |\n|---|---|---|---|"
            );
            for f in fields {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} |",
                    f.name,
                    type_link(&f.ty, module),
                    if f.required { "yes" } else { "no" },
                    one_line(f.description.as_deref())
                );
            }
        }
    }
    let response = match &o.response.kind {
        ResponseKind::Json(t) => type_link(t, module),
        ResponseKind::Bytes => "the raw bytes".into(),
        ResponseKind::Empty => "nothing".into(),
    };
    let _ = writeln!(out, "\nResponse ({}): {response}", o.response.status);

    // A call a user can copy.
    let mut args = Vec::new();
    let mut setters = Vec::new();
    for p in o.params.iter().filter(|p| !p.bound) {
        let v = example_value(&p.ty, &p.rust_name);
        if p.required {
            args.push(v);
        } else {
            setters.push(format!(".{}({v})", p.rust_name));
        }
    }
    if let Some(b) = &o.body {
        match &b.fields {
            Some(fields) => {
                for f in fields.iter().filter(|f| f.is_plain()) {
                    args.push(example_value(&f.ty, &f.rust_name));
                }
            }
            None if b.required => args.push("body".into()),
            None => {}
        }
    }
    let _ = writeln!(
        out,
        "\n```rust,ignore\nlet result = {}.{}({}){}.await?;\n```\n",
        o.token.variable(),
        o.method_name,
        args.join(", "),
        setters.first().cloned().unwrap_or_default()
    );
}

fn type_entry(out: &mut String, def: &TypeDef, module: &str) {
    let _ = writeln!(out, "### {}\n", def.name);
    if let Some(d) = &def.description {
        let _ = writeln!(out, "{}\n", d.trim());
    }
    match &def.kind {
        TypeKind::Struct { fields, extra, .. } => {
            let _ = writeln!(
                out,
                "| field | type | required | description |\n|---|---|---|---|"
            );
            for f in fields {
                let _ = writeln!(
                    out,
                    "| `{}` | {}{} | {} | {} |",
                    f.name,
                    type_link(&f.ty, module),
                    if f.nullable { " or null" } else { "" },
                    if f.required { "yes" } else { "no" },
                    one_line(f.description.as_deref())
                );
            }
            if extra.is_some() {
                let _ = writeln!(out, "\nOther fields are kept as received (`extra`).");
            }
        }
        TypeKind::Enum { values } => {
            let list: Vec<String> = values.iter().map(|v| format!("`{}`", v.value)).collect();
            let _ = writeln!(
                out,
                "One of: {}. Any other value decodes as `Unknown`.",
                list.join(", ")
            );
        }
        TypeKind::Tagged { property, variants } => {
            let _ = writeln!(out, "Told apart by `{property}`:\n");
            for v in variants {
                let _ = writeln!(
                    out,
                    "- `{}` → {}",
                    v.tag.as_deref().unwrap_or(""),
                    type_link(&v.ty, module)
                );
            }
            let _ = writeln!(
                out,
                "\nAny other `{property}` decodes as `Unknown` and is sent back unchanged."
            );
        }
        TypeKind::Untagged { variants } => {
            let list: Vec<String> = variants.iter().map(|v| type_link(&v.ty, module)).collect();
            let _ = writeln!(out, "Any of: {}.", list.join(", "));
        }
        TypeKind::Alias(t) => {
            let _ = writeln!(out, "Same as {}.", type_link(t, module));
        }
    }
    let _ = writeln!(out);
}

const HEADER: &str = "<!-- Generated by seatable-codegen; do not edit. Change spec/ and run `cargo run -p seatable-codegen -- regenerate`. -->\n\n";

/// Renders the docs: `(file name, contents)` pairs.
pub fn emit(api: &Api) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut index = String::from(HEADER);
    index.push_str(INTRO);
    index.push_str("## Areas\n\n| area | operations | called on (token) | Rust module | source |\n|---|---|---|---|---|\n");
    for m in &api.modules {
        let _ = writeln!(
            index,
            "| [{}]({}.md) | {} | {} | `seatable_api::{}` | `{}` |",
            m.title,
            m.name,
            m.operations.len(),
            receivers(m),
            m.name,
            m.source
        );
        let mut page = String::from(HEADER);
        let _ = writeln!(page, "# {}\n", m.title);
        if let Some(d) = &m.description {
            let _ = writeln!(page, "{}\n", d.trim());
        }
        let _ = writeln!(
            page,
            "Source: `{}`. Rust module: `seatable_api::{}`.\n",
            m.source, m.name
        );
        let _ = writeln!(
            page,
            "| method | request | token | summary |\n|---|---|---|---|"
        );
        for o in &m.operations {
            let _ = writeln!(
                page,
                "| [`{}`](#{}) | `{} {}` | {} | {} |",
                o.method_name,
                o.method_name,
                o.http_method.as_str(),
                o.path,
                o.token.token_name(),
                one_line(o.summary.as_deref())
            );
        }
        let _ = writeln!(page);
        for o in &m.operations {
            operation(&mut page, o, &m.name);
        }
        if !m.types.is_empty() {
            let _ = writeln!(page, "## Types of this area\n");
            for t in &m.types {
                type_entry(&mut page, t, &m.name);
            }
        }
        files.push((format!("{}.md", m.name), page));
    }
    let _ = writeln!(
        index,
        "| [Models](types.md) | {} | — | `seatable_api::types` | {} |",
        match api.types.len() {
            1 => "1 type".to_string(),
            n => format!("{n} types"),
        },
        api.sources
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut types = String::from(HEADER);
    types.push_str("# Models\n\nThe component schemas shared by every area, as Rust types in `seatable_api::types`.\n\n");
    for t in &api.types {
        type_entry(&mut types, t, "types");
    }
    files.push(("types.md".into(), types));
    index.push_str(&clients(api));
    index.push_str(&features(api));
    index.push_str("\n## Operation names\n\n");
    index.push_str(&renames(api));
    files.insert(0, ("README.md".into(), index));
    files
}

const INTRO: &str = "# SeaTable API reference\n\n\
`seatable-api` is a typed Rust client for the SeaTable REST API, generated by `seatable-codegen` from\n\
an OpenAPI description. These pages come from the same description: one page per area, and the models.\n\n";

/// The client types an area's operations are methods of, with the token each needs.
fn receivers(m: &Module) -> String {
    let mut kinds: Vec<TokenKind> = m.operations.iter().map(|o| o.token).collect();
    kinds.sort();
    kinds.dedup();
    kinds
        .iter()
        .map(|k| {
            let n = m.operations.iter().filter(|o| o.token == *k).count();
            let token = match k {
                TokenKind::None => "no token".to_string(),
                k => k.token_name().to_string(),
            };
            format!("`{}` ({token}): {n}", k.client_type())
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

/// How a program gets hold of the client type that holds a token.
fn obtained_by(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::None => "`Client::new(server_url)` or `Client::builder(server_url)`",
        TokenKind::Account => "`Client::login`, `Client::login_with_otp` or `Client::with_account_token`",
        TokenKind::Api => "`Client::with_api_token`",
        TokenKind::Base => "`Client::base_with_api_token` or `ApiTokenClient::base`; the Base-Token is renewed before it expires",
        TokenKind::TeamAdmin => "`AccountClient::team_admin(org_id)`",
        TokenKind::SystemAdmin => "`AccountClient::system_admin()`",
        TokenKind::Scheduler => "`Client::with_scheduler_token`",
    }
}

/// Every client type the API uses: its token, how to get one, and how many operations it holds.
fn clients(api: &Api) -> String {
    let mut out = String::from(
        "\n## Clients and tokens\n\nAn operation is a method of the client type that holds the token it needs, so a call\n\
         with the wrong token does not compile.\n\n| client type | token | obtained with | operations |\n|---|---|---|---|\n",
    );
    for kind in TokenKind::ALL {
        let n = api
            .modules
            .iter()
            .flat_map(|m| &m.operations)
            .filter(|o| o.token == kind)
            .count();
        if n == 0 {
            continue;
        }
        let token = match kind {
            TokenKind::None => "none".to_string(),
            k => k.token_name().to_string(),
        };
        let _ = writeln!(
            out,
            "| `seatable_api::{}` | {token} | {} | {n} |",
            kind.client_type(),
            obtained_by(kind)
        );
    }
    out
}

/// The runtime's work beyond one request per call, with the rustdoc items to read, and the
/// operations of this API that use it.
fn features(api: &Api) -> String {
    let ops: Vec<(&Module, &Operation)> = api
        .modules
        .iter()
        .flat_map(|m| m.operations.iter().map(move |o| (m, o)))
        .collect();
    // A few operations are named one by one; many are counted per area page, whose entries
    // say which of them page or batch.
    let list = |pick: &dyn Fn(&Operation) -> bool| -> String {
        let picked: Vec<&(&Module, &Operation)> = ops.iter().filter(|(_, o)| pick(o)).collect();
        if picked.is_empty() {
            return "none in this API".to_string();
        }
        if picked.len() <= 8 {
            let names: Vec<String> = picked
                .iter()
                .map(|(m, o)| format!("[`{}`]({}.md#{})", o.method_name, m.name, o.method_name))
                .collect();
            return names.join(", ");
        }
        let per_area: Vec<String> = api
            .modules
            .iter()
            .filter_map(|m| {
                let n = picked.iter().filter(|(pm, _)| pm.name == m.name).count();
                (n > 0).then(|| format!("{n} in [{}]({}.md)", m.name, m.name))
            })
            .collect();
        format!("{} in all, {}", picked.len(), per_area.join(", "))
    };
    let mut out = String::from("\n## Runtime features\n\nThe rustdoc of each item named here has the details and an example.\n\n");
    let _ = writeln!(
        out,
        "- **Paging** (`x-paginate`): the request builder's `stream()` returns a `seatable_api::PageStream`\n  \
         that fetches page after page, holding one page at a time; `all()` collects it. SQL queries\n  \
         also have `send_with_truncation()` (`seatable_api::Truncation`). Operations: {}.",
        list(&|o: &Operation| o.paginate.is_some())
    );
    let _ = writeln!(
        out,
        "- **Batches** (`x-batch`): a request over the server's limit is refused before sending;\n  \
         `batched()` returns a `seatable_api::Batched` that sends it in chunks, and on failure\n  \
         `seatable_api::Error::batch` gives a `seatable_api::BatchReport` of what was committed.\n  \
         Operations: {}.",
        list(&|o: &Operation| o.batch.is_some())
    );
    let _ = writeln!(
        out,
        "- **Retries and rate limits**: `seatable_api::RetryPolicy` (set with\n  \
         `seatable_api::ClientBuilder::retry_policy`) repeats only what cannot duplicate data, and\n  \
         waits out `429` answers; `ClientBuilder::requests_per_minute` paces requests and\n  \
         `Client::rate_limit` returns the `seatable_api::RateLimit` of the last answer that reported one.\n  \
         `seatable_api::Error::is_retryable` and `Error::retries` tell what happened."
    );
    let _ = writeln!(
        out,
        "- **Uploads and downloads**: `ApiTokenClient::upload_attachment` and\n  \
         `ApiTokenClient::upload_attachment_from_path` (a `seatable_api::UploadAttachment`) run the\n  \
         three-step upload and return a `seatable_api::UploadedFile` whose `cell()` goes into a file or\n  \
         image column; `ApiTokenClient::download_to_path` and `download_to_writer` fetch an asset\n  \
         (`seatable_api::AssetSource`)."
    );
    let _ = writeln!(
        out,
        "- **Links**: `BaseClient::add_links`, `set_links`, `remove_links` and `list_links` work\n  \
         with table and link-column names; the ids SeaTable needs are looked up in the base's metadata."
    );
    let _ = writeln!(
        out,
        "- **Checked writes** (`x-check-rows`): rows are compared with the table's columns before\n  \
         sending (`seatable_api::check_table_rows`, `BaseClient::set_check_writes`). Operations: {}.",
        list(&|o: &Operation| o.check_rows.is_some())
    );
    let _ = writeln!(
        out,
        "- **Errors**: one `seatable_api::Error` with `kind()` (`seatable_api::ErrorKind`), `status()`,\n  \
         SeaTable's `message()`, the `operation()` and, for writes, `applied()`\n  \
         (`seatable_api::Applied`)."
    );
    out
}

/// The operations whose name differs from SeaTable's published `operationId`
/// (`x-seatable-operation-id`), or that SeaTable's 6.2 files do not name, as a Markdown table.
pub fn renames(api: &Api) -> String {
    let mut total = 0;
    let mut rows = String::new();
    for m in &api.modules {
        for o in &m.operations {
            total += 1;
            let theirs = match &o.seatable_id {
                Some(id) if *id == o.id => continue,
                Some(id) => format!("`{id}`"),
                None => "— (not in SeaTable's 6.2 files)".to_string(),
            };
            let _ = writeln!(
                rows,
                "| {} | {theirs} | `{}` | `{}::{}` | `{} {}` |",
                m.name,
                o.id,
                o.token.client_type(),
                o.method_name,
                o.http_method.as_str(),
                o.path
            );
        }
    }
    format!(
        "{} of {total} operations are named differently from SeaTable's published files:\n\n\
         | module | SeaTable's operationId | ours | Rust method | request |\n|---|---|---|---|---|\n{rows}",
        rows.lines().count()
    )
}
