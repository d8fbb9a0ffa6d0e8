//! The small typed model every emitter reads. Nothing here knows about YAML or openapiv3:
//! names are already Rust names, references are resolved, and every decision an emitter
//! would otherwise re-derive (which client, which body fields are positional) is made.

/// A whole generation: shared types plus one module per spec file with operations.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    /// Spec files the API came from, as named by the user (for headers).
    pub sources: Vec<String>,
    /// Types from `components/schemas` of every file, in the `types` module.
    pub types: Vec<TypeDef>,
    /// One module per spec file that has operations.
    pub modules: Vec<Module>,
    /// Each spec file reduced to what a check of JSON bodies needs (operations' ids,
    /// request bodies and responses; the components), as JSON: for a server that holds
    /// its answers to the spec at run time without reading YAML.
    pub check_documents: Vec<CheckDocument>,
}

/// A spec file as [`Api::check_documents`] keeps it: `paths` → method → `operationId`,
/// `requestBody`, `responses`, and `components` (`schemas`, `responses`, `requestBodies`),
/// with `$ref`s as written, and without prose (`description`, `summary`, `title`),
/// examples, defaults or `x-` extensions, which say nothing a check holds a body to.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckDocument {
    /// The file's stem, the name its `$ref`s use (`models` for `models.yaml`).
    pub stem: String,
    /// The reduced document.
    pub json: serde_json::Value,
}

/// The operations of one spec file.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    /// Rust module name (snake_case file stem).
    pub name: String,
    /// The spec file, as named by the user.
    pub source: String,
    /// `info.title`.
    pub title: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The file's operations, in spec order; each becomes a client method and a builder.
    pub operations: Vec<Operation>,
    /// Types declared inline in this file's operations (request bodies, responses, enums).
    pub types: Vec<TypeDef>,
}

/// Which token an operation needs, and so which client type it is a method of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenKind {
    /// No token: `Client`.
    None,
    /// Account-Token: `AccountClient`.
    Account,
    /// API-Token: `ApiTokenClient`.
    Api,
    /// Base-Token: `BaseClient`.
    Base,
    /// Account-Token of a team administrator, bound to one team: `TeamAdminClient`.
    TeamAdmin,
    /// Account-Token of a system administrator: `SystemAdminClient`.
    SystemAdmin,
    /// The Python scheduler's own token: `SchedulerClient`.
    Scheduler,
}

impl TokenKind {
    /// Every kind, in the order the clients are emitted.
    pub const ALL: [TokenKind; 7] = [
        TokenKind::None,
        TokenKind::Account,
        TokenKind::Api,
        TokenKind::Base,
        TokenKind::TeamAdmin,
        TokenKind::SystemAdmin,
        TokenKind::Scheduler,
    ];

    /// The value of `x-token` that names this kind.
    pub fn x_token(self) -> &'static str {
        match self {
            TokenKind::None => "none",
            TokenKind::Account => "account",
            TokenKind::Api => "api",
            TokenKind::Base => "base",
            TokenKind::TeamAdmin => "team-admin",
            TokenKind::SystemAdmin => "system-admin",
            TokenKind::Scheduler => "scheduler",
        }
    }

    /// The variable name examples give this kind's client (`base`, `team_admin`); the
    /// contract tests' `Clients` struct has a field of each name.
    pub fn variable(self) -> &'static str {
        match self {
            TokenKind::None => "client",
            TokenKind::Account => "account",
            TokenKind::Api => "api",
            TokenKind::Base => "base",
            TokenKind::TeamAdmin => "team_admin",
            TokenKind::SystemAdmin => "system_admin",
            TokenKind::Scheduler => "scheduler",
        }
    }

    /// The runtime type that holds this token.
    pub fn client_type(self) -> &'static str {
        match self {
            TokenKind::None => "Client",
            TokenKind::Account => "AccountClient",
            TokenKind::Api => "ApiTokenClient",
            TokenKind::Base => "BaseClient",
            TokenKind::TeamAdmin => "TeamAdminClient",
            TokenKind::SystemAdmin => "SystemAdminClient",
            TokenKind::Scheduler => "SchedulerClient",
        }
    }

    /// How the docs name the token.
    pub fn token_name(self) -> &'static str {
        match self {
            TokenKind::None => "none",
            TokenKind::Account => "Account-Token",
            TokenKind::Api => "API-Token",
            TokenKind::Base => "Base-Token",
            TokenKind::TeamAdmin => "Account-Token of a team admin",
            TokenKind::SystemAdmin => "Account-Token of a system admin",
            TokenKind::Scheduler => "Python-Scheduler-Token",
        }
    }
}

/// The HTTP method of an operation (the key under the path item in the spec).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `get`.
    Get,
    /// `put`.
    Put,
    /// `post`.
    Post,
    /// `delete`.
    Delete,
    /// `patch`.
    Patch,
    /// `head`.
    Head,
    /// `options`.
    Options,
    /// `trace`.
    Trace,
}

impl Method {
    /// The method as sent on the wire, upper case, e.g. `"GET"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
        }
    }
}

/// One piece of a path template.
#[derive(Clone, Debug, PartialEq)]
pub enum PathPart {
    /// Text between parameters, copied as is, e.g. `/api/v2/dtables/`.
    Literal(String),
    /// Index into `Operation::params`.
    Param(usize),
}

/// One operation (path + method) of a spec file: a client method, its builder and
/// everything the runtime needs to send it.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// `operationId` as written in the spec.
    pub id: String,
    /// `x-seatable-operation-id`: the operationId SeaTable's published spec gives it.
    pub seatable_id: Option<String>,
    /// Method name on the client (snake_case).
    pub method_name: String,
    /// Builder type name (PascalCase, unique in the module).
    pub builder_name: String,
    /// The HTTP method it is sent with.
    pub http_method: Method,
    /// The path template as written, e.g. `/api-gateway/api/v2/dtables/{base_uuid}/rows/`.
    pub path: String,
    /// The path template (without its fixed query) split into literal text and path
    /// parameters, in order.
    pub path_parts: Vec<PathPart>,
    /// A query string baked into the path (`?ret-json=1`), kept as pairs.
    pub fixed_query: Vec<(String, String)>,
    /// The spec's one-line `summary`, the first line of the method's docs.
    pub summary: Option<String>,
    /// The spec's longer `description`, the rest of the method's docs.
    pub description: Option<String>,
    /// `deprecated: true` in the spec.
    pub deprecated: bool,
    /// The token it needs, and so the client type it is a method of.
    pub token: TokenKind,
    /// The security scheme's name, for the docs.
    pub scheme: Option<String>,
    /// Path, query and header parameters, path-item ones first; `PathPart::Param`
    /// indexes into this list.
    pub params: Vec<Param>,
    /// The request body, when the operation takes one.
    pub body: Option<Body>,
    /// The success response the method returns.
    pub response: Response,
    /// `x-paginate`: how to page through the results, for list operations.
    pub paginate: Option<Paginate>,
    /// `x-batch`: the body array or map split into chunks of a largest size.
    pub batch: Option<Batch>,
    /// `x-check-rows`: the rows the runtime checks against the table's columns before
    /// sending.
    pub check_rows: Option<CheckRows>,
    /// `x-idempotent`: overrides whether sending the request twice equals sending it once
    /// (by default: `GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS`); decides which failures the
    /// runtime repeats. `None` when the spec does not say.
    pub idempotent: Option<bool>,
    /// The request-body property holding an SQL statement, when the operation is
    /// idempotent exactly when that statement is one `SELECT` (the SQL style of
    /// `x-paginate` names it): decided per request.
    pub idempotent_if_select: Option<String>,
}

/// Where a parameter goes in the request (its `in:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLocation {
    /// `in: path`: substituted into the path template, e.g. `{base_uuid}`.
    Path,
    /// `in: query`: appended to the query string.
    Query,
    /// `in: header`: sent as a request header.
    Header,
}

/// One parameter of an operation: a positional argument when required, else a builder
/// setter (or filled in by the client when bound).
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Name on the wire.
    pub name: String,
    /// Rust argument / setter name.
    pub rust_name: String,
    /// Where it goes in the request.
    pub location: ParamLocation,
    /// The spec's `required` (always true for path parameters).
    pub required: bool,
    /// The Rust type of its value.
    pub ty: TypeRef,
    /// The spec's `description`, for the argument's or setter's docs.
    pub description: Option<String>,
    /// Filled in by the client (e.g. `base_uuid` from the `BaseClient`), not by the caller.
    pub bound: bool,
    /// The spec's example value (of the parameter, else of its schema).
    pub example: Option<serde_json::Value>,
    /// `x-client-default`: the value the client sends when the caller sets none, where it
    /// differs from the server's default (a boolean query parameter only).
    pub client_default: Option<bool>,
}

/// How a request body is encoded, chosen from the media types the spec offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyMedia {
    /// `application/json` (or any `+json` type): serialized as JSON.
    Json,
    /// `application/x-www-form-urlencoded`: serialized as a URL-encoded form.
    Form,
    /// `multipart/form-data`: sent as multipart parts, files as file parts.
    Multipart,
    /// Any other media type: the caller passes bytes.
    Raw,
}

/// The request body of an operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    /// How it is encoded.
    pub media: BodyMedia,
    /// The media type as written (sent as Content-Type for `Raw`).
    pub content_type: String,
    /// The type of the whole body (`TypeRef::Bytes` for `Raw`).
    pub ty: TypeRef,
    /// The spec's `requestBody.required`.
    pub required: bool,
    /// The spec's `requestBody.description`.
    pub description: Option<String>,
    /// When the body is an object the caller builds field by field: its fields (required
    /// ones become positional arguments, optional ones setters) and whether it keeps a
    /// map of extra fields.
    pub fields: Option<Vec<Field>>,
    /// The body struct keeps unknown properties (`additionalProperties`) in an `extra`
    /// map the builder can fill; only meaningful when `fields` is `Some`.
    pub has_extra: bool,
}

/// What the method does with the success response's body.
#[derive(Clone, Debug, PartialEq)]
pub enum ResponseKind {
    /// JSON decoded into the type.
    Json(TypeRef),
    /// Any other media type: the raw bytes.
    Bytes,
    /// No body worth reading.
    Empty,
}

/// The success response an operation's method returns: the lowest `2XX` the spec
/// declares, else `default`.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// The status key as written, e.g. `"200"`, `"2XX"` or `"default"`; `"none"` when the
    /// spec declares no usable response.
    pub status: String,
    /// How its body is read.
    pub kind: ResponseKind,
    /// The response's `description`, for the method's docs.
    pub description: Option<String>,
    /// The media type of its body, when it has one (`application/json`,
    /// `application/x-zip-compressed`).
    pub media_type: Option<String>,
    /// The spec's example of its body: the media type's `example`, else the value of its
    /// first `examples` entry, else the `example` of its schema when written in place.
    pub example: Option<serde_json::Value>,
    /// Where the spec gives no example of a JSON body: one built from its schema (filled in
    /// only for a server's route table, see [`Api::check_documents`]).
    pub sample: Option<serde_json::Value>,
}

/// `x-paginate`: how a list operation pages, and where the items of a page are.
#[derive(Clone, Debug, PartialEq)]
pub struct Paginate {
    /// How the pages are asked for.
    pub style: PageStyle,
    /// The response property holding the items.
    pub items: Items,
}

/// How the pages of a list operation are chosen.
#[derive(Clone, Debug, PartialEq)]
pub enum PageStyle {
    /// Query parameters holding the number of items to skip and the page size (wire names);
    /// `max` is the largest page the server accepts.
    Offset {
        /// The query parameter holding the number of items to skip, e.g. `start`.
        offset: String,
        /// The query parameter holding the page size, e.g. `limit`.
        limit: String,
        /// The largest page size the server accepts, e.g. `1000`.
        max: u64,
    },
    /// The statement in the body property `statement` (wire name) pages itself with
    /// `LIMIT`/`OFFSET`; `default` items come back without `LIMIT`, never more than `max`.
    Sql {
        /// The body property holding the SQL statement, e.g. `sql`.
        statement: String,
        /// How many rows come back without a `LIMIT`, e.g. `100`.
        default: u64,
        /// The largest `LIMIT` the server honours, e.g. `10000`.
        max: u64,
    },
    /// Query parameters holding the 1-based page number and the page size (wire names);
    /// `size` is the page size a stream asks for when the caller sets none.
    Page {
        /// The query parameter holding the 1-based page number, e.g. `page`.
        page: String,
        /// The query parameter holding the page size, e.g. `per_page`.
        per_page: String,
        /// The page size a stream asks for when the caller sets none.
        size: u64,
    },
}

/// The response property holding a page's items.
#[derive(Clone, Debug, PartialEq)]
pub struct Items {
    /// Name on the wire.
    pub name: String,
    /// Rust field name in the response struct.
    pub rust_name: String,
    /// The type of one item.
    pub item: TypeRef,
    /// The field is an `Option` (not required, or nullable).
    pub optional: bool,
}

/// `x-check-rows`: which body fields name the table and hold the rows to check. Names are
/// the Rust field names of the body struct.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckRows {
    /// The body field holding the table name.
    pub table: String,
    /// The body array of rows (or of items holding a row).
    pub rows: String,
    /// The field of each item that holds the row, when the items are not rows themselves.
    pub cells: Option<String>,
}

/// `x-batch`: which body array or map is chunked, and its largest chunk.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// Name on the wire.
    pub field: String,
    /// Rust field name in the body struct.
    pub rust_name: String,
    /// An array (chunked by items) or a map (chunked by entries).
    pub kind: BatchKind,
    /// The most items (or entries) one request may carry, e.g. `1000`.
    pub max: u64,
}

/// What an `x-batch` field holds, and so how it is split into chunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchKind {
    /// A JSON array, chunked by items.
    Array,
    /// A JSON object, chunked by entries.
    Map,
}

/// A type as used in a field, parameter or body.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeRef {
    /// `type: string`: a `String`.
    String,
    /// A string the spec marks `format: password`: Debug never shows it.
    Secret,
    /// `type: integer, format: int32`: an `i32`.
    I32,
    /// `type: integer` of any other format: an `i64`.
    I64,
    /// `type: number`: an `f64`.
    F64,
    /// `type: boolean`: a `bool`.
    Bool,
    /// A whole request body of another media type, sent as given.
    Bytes,
    /// `format: binary` in a schema: a file with its name (a multipart file part).
    File,
    /// Any JSON value.
    Any,
    /// A JSON object with no declared fields.
    Object,
    /// `type: array`: a `Vec` of the item type.
    Array(Box<TypeRef>),
    /// String keys to values of one type.
    Map(Box<TypeRef>),
    /// An item or map value that may be `null`.
    Nullable(Box<TypeRef>),
    /// A generated type ([`TypeDef`]), by where it lives.
    Named(TypePath),
}

/// A generated type: in the shared `types` module (`module: None`) or in an operation module.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TypePath {
    /// The operation module that declares it, e.g. `base`; `None` for the shared `types`
    /// module.
    pub module: Option<String>,
    /// The Rust type name (PascalCase), e.g. `Row`.
    pub name: String,
}

/// A type the generator emits: a struct, enum or alias.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    /// The Rust type name (PascalCase, unique in its module), e.g. `Row`.
    pub name: String,
    /// The schema's `description`, for the type's docs.
    pub description: Option<String>,
    /// Where it was declared: `spec/models.yaml#/components/schemas/Row`.
    pub origin: String,
    /// What shape of type it is.
    pub kind: TypeKind,
}

/// The shape of a generated type.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// `type: object` with properties: a struct.
    Struct {
        /// The properties, in spec order (`allOf` members merged).
        fields: Vec<Field>,
        /// `additionalProperties` kept in a flattened map of this value type.
        extra: Option<TypeRef>,
        /// `x-row-cells`: the kept properties are the cells of a row, held in the runtime's
        /// `RowCells` (in the order received, names shared between the rows of a page)
        /// rather than a JSON object map. Only with `extra` of any type.
        row_cells: bool,
    },
    /// A string enum; an `Unknown(String)` variant is always added.
    Enum {
        /// The known values, in spec order.
        values: Vec<EnumValue>,
    },
    /// `oneOf` with a discriminator; an `Unknown(Value)` variant is always added.
    Tagged {
        /// The discriminator's `propertyName` (wire name), e.g. `type`.
        property: String,
        /// One variant per discriminator value.
        variants: Vec<Variant>,
    },
    /// `oneOf`/`anyOf` without a discriminator: the first variant that decodes wins.
    Untagged {
        /// One variant per `oneOf`/`anyOf` member, tried in this order.
        variants: Vec<Variant>,
    },
    /// A named schema that is just another type (a primitive, array, map or `$ref`): a
    /// `pub type` alias.
    Alias(TypeRef),
}

/// One property of an object schema: a struct field, or a body field of a builder.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Name on the wire (the property name), e.g. `table_name`.
    pub name: String,
    /// Rust field name (snake_case, or `x-rust-name`; unique in the struct).
    pub rust_name: String,
    /// The type of its value (without the `Option` that `required`/`nullable` add).
    pub ty: TypeRef,
    /// The property is in the schema's `required` list.
    pub required: bool,
    /// The property's schema allows `null` (`nullable: true`).
    pub nullable: bool,
    /// The property's `description`, for the field's docs.
    pub description: Option<String>,
    /// The spec's example value of the property's schema.
    pub example: Option<serde_json::Value>,
}

impl Field {
    /// A field the caller must give and that cannot be null.
    pub fn is_plain(&self) -> bool {
        self.required && !self.nullable
    }
}

/// One value of a string enum.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumValue {
    /// The value on the wire, e.g. `"single-select"`.
    pub value: String,
    /// The Rust variant name (PascalCase, or from `x-enum-varnames`), e.g. `SingleSelect`.
    pub rust_name: String,
    /// Docs for the variant, when there are any.
    pub description: Option<String>,
}

/// One variant of a `oneOf`/`anyOf` enum.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// The discriminator value (Tagged only).
    pub tag: Option<String>,
    /// The Rust variant name: the tag in PascalCase, or when untagged the member's type
    /// name, e.g. `Row`, `String`, `Object`.
    pub rust_name: String,
    /// The type the variant holds.
    pub ty: TypeRef,
}

impl Api {
    /// For each type of [`Api::types`], the modules whose operations reach it (through
    /// parameters, bodies, responses and the types those hold, transitively), in module
    /// order. A type no operation reaches maps to an empty list.
    ///
    /// An emitter places a type reached from one module only with that module, so that an
    /// area left out of a build leaves out its models too.
    pub fn type_users(&self) -> std::collections::HashMap<&str, Vec<&str>> {
        let by_name: std::collections::HashMap<&str, &TypeDef> =
            self.types.iter().map(|t| (t.name.as_str(), t)).collect();
        let mut users: std::collections::HashMap<&str, Vec<&str>> = self
            .types
            .iter()
            .map(|t| (t.name.as_str(), Vec::new()))
            .collect();
        for m in &self.modules {
            let mut roots: Vec<&TypeRef> = Vec::new();
            for o in &m.operations {
                roots.extend(o.params.iter().map(|p| &p.ty));
                if let Some(b) = &o.body {
                    roots.push(&b.ty);
                    roots.extend(b.fields.iter().flatten().map(|f| &f.ty));
                }
                if let ResponseKind::Json(t) = &o.response.kind {
                    roots.push(t);
                }
                if let Some(p) = &o.paginate {
                    roots.push(&p.items.item);
                }
            }
            for t in &m.types {
                roots.extend(t.kind.refs());
            }
            let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
            let mut todo: Vec<&TypeRef> = roots;
            while let Some(t) = todo.pop() {
                let Some(name) = t.shared_name() else {
                    continue;
                };
                if !seen.insert(name) {
                    continue;
                }
                if let Some(def) = by_name.get(name) {
                    todo.extend(def.kind.refs());
                }
            }
            for name in seen {
                if let Some(list) = users.get_mut(name) {
                    list.push(m.name.as_str());
                }
            }
        }
        users
    }
}

impl Api {
    /// The types a caller may have to build: those reached from an operation's parameters
    /// or request body, transitively. The others only come back from the server, so they
    /// can grow a field without breaking anyone (`#[non_exhaustive]`).
    pub fn input_types(&self) -> std::collections::HashSet<TypePath> {
        let find = |p: &TypePath| -> Option<&TypeDef> {
            let defs = match &p.module {
                None => &self.types,
                Some(m) => &self.modules.iter().find(|x| &x.name == m)?.types,
            };
            defs.iter().find(|d| d.name == p.name)
        };
        let mut todo: Vec<&TypeRef> = Vec::new();
        for o in self.modules.iter().flat_map(|m| &m.operations) {
            todo.extend(o.params.iter().map(|p| &p.ty));
            if let Some(b) = &o.body {
                todo.push(&b.ty);
                todo.extend(b.fields.iter().flatten().map(|f| &f.ty));
            }
        }
        let mut seen = std::collections::HashSet::new();
        while let Some(t) = todo.pop() {
            let Some(path) = t.named() else { continue };
            if !seen.insert(path.clone()) {
                continue;
            }
            if let Some(def) = find(path) {
                todo.extend(def.kind.refs());
            }
        }
        seen
    }
}

impl TypeKind {
    /// The types this definition names directly.
    pub fn refs(&self) -> Vec<&TypeRef> {
        match self {
            TypeKind::Struct { fields, extra, .. } => {
                fields.iter().map(|f| &f.ty).chain(extra.as_ref()).collect()
            }
            TypeKind::Enum { .. } => Vec::new(),
            TypeKind::Tagged { variants, .. } | TypeKind::Untagged { variants } => {
                variants.iter().map(|v| &v.ty).collect()
            }
            TypeKind::Alias(t) => vec![t],
        }
    }
}

impl TypeRef {
    /// The named type this reference ends in, through arrays, maps and `Option`.
    pub fn named(&self) -> Option<&TypePath> {
        match self {
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => inner.named(),
            TypeRef::Named(p) => Some(p),
            _ => None,
        }
    }

    /// The name of the shared type (`types`) this reference ends in, through arrays, maps
    /// and `Option`; `None` for a primitive or a module's own type.
    pub fn shared_name(&self) -> Option<&str> {
        match self {
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                inner.shared_name()
            }
            TypeRef::Named(TypePath { module: None, name }) => Some(name),
            _ => None,
        }
    }
}
