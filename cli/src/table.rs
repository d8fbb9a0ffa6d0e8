//! The types of the command table that `seatable-codegen` generates from the spec into
//! `$OUT_DIR/commands.rs` (see `build.rs`): one [`Operation`] per operation of the spec.

/// Which token an operation needs (the IR's `TokenKind`); decides how the tool connects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    /// No token.
    None,
    /// Account-Token: from `SEATABLE_ACCOUNT_TOKEN`, or a login.
    Account,
    /// API-Token of a base.
    Api,
    /// Base-Token: exchanged for the API-Token.
    Base,
    /// Account-Token of a team administrator.
    TeamAdmin,
    /// Account-Token of a system administrator.
    SystemAdmin,
    /// The Python scheduler's token.
    Scheduler,
}

impl Token {
    /// How the help names the token.
    pub fn describe(self) -> &'static str {
        match self {
            Token::None => "no token",
            Token::Account => "Account-Token (login)",
            Token::Api => "API-Token",
            Token::Base => "Base-Token (from the API-Token)",
            Token::TeamAdmin => "Account-Token of a team admin (login)",
            Token::SystemAdmin => "Account-Token of a system admin (login)",
            Token::Scheduler => "Python-Scheduler-Token",
        }
    }
}

/// One piece of a path template.
#[derive(Clone, Copy, Debug)]
pub enum Segment {
    /// Text copied as it is.
    Literal(&'static str),
    /// The value of the parameter at this index of [`Operation::params`].
    Param(usize),
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// Into the path, percent-encoded.
    Path,
    /// Into the query string.
    Query,
    /// Into a header.
    Header,
}

/// How a parameter's text is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Any text.
    Text,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// One of these values (others are passed on: a newer server may know more).
    Choice(&'static [&'static str]),
    /// JSON text, sent as JSON.
    Json,
}

/// One parameter, a `--flag` of its subcommand.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// Name on the wire.
    pub name: &'static str,
    /// The flag, without `--`.
    pub flag: &'static str,
    /// Where it goes.
    pub location: Location,
    /// The flag must be given.
    pub required: bool,
    /// Filled in by the client (`base_uuid` of a Base-Token; `org_id` of a team admin).
    pub bound: bool,
    /// How its text is read.
    pub kind: Kind,
    /// An array of scalars: the flag may repeat.
    pub repeated: bool,
    /// The spec's description, first paragraph.
    pub doc: &'static str,
}

/// How a body is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    /// JSON.
    Json,
    /// A URL-encoded form (from a JSON object).
    Form,
    /// Multipart fields (from a JSON object, plus `--file` parts).
    Multipart,
    /// Bytes of the content type, from a file.
    Raw,
}

/// A field of a body object, for the help and the `--file` parts.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// Name on the wire.
    pub name: &'static str,
    /// Must be given and not null.
    pub required: bool,
    /// A file part of a multipart body.
    pub file: bool,
}

/// The request body of an operation.
#[derive(Clone, Copy, Debug)]
pub struct Body {
    /// How it is encoded.
    pub media: Media,
    /// The content type as the spec writes it.
    pub content_type: &'static str,
    /// The spec requires a body.
    pub required: bool,
    /// The spec's description, first paragraph.
    pub doc: &'static str,
    /// The fields of an object body (empty when the body is not an object).
    pub fields: &'static [Field],
}

/// What the answer holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// JSON, printed.
    Json,
    /// Bytes (a download), written to stdout as they are.
    Bytes,
    /// Nothing worth printing.
    Empty,
}

/// One operation of the spec: a subcommand `seatable <area> <name>`.
#[derive(Clone, Copy, Debug)]
pub struct Operation {
    /// The spec file's area, kebab-case (`base`, `team-admin`).
    pub area: &'static str,
    /// The subcommand, kebab-case (`list-rows`).
    pub name: &'static str,
    /// The operationId.
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The token it needs.
    pub token: Token,
    /// The path template.
    pub path: &'static [Segment],
    /// A query baked into the path.
    pub fixed_query: &'static [(&'static str, &'static str)],
    /// One line of help.
    pub about: &'static str,
    /// The long help.
    pub long_about: &'static str,
    /// Path, query and header parameters.
    pub params: &'static [Param],
    /// The body, when it takes one.
    pub body: Option<Body>,
    /// What the answer holds.
    pub answer: Answer,
    /// Sending it twice equals sending it once (decides what the runtime repeats).
    pub idempotent: bool,
    /// The body field holding an SQL statement: idempotent when that is one `SELECT`.
    pub idempotent_if_select: Option<&'static str>,
    /// The spec marks it deprecated.
    pub deprecated: bool,
}

include!(concat!(env!("OUT_DIR"), "/commands.rs"));
