//! IR → the default answers of a server that speaks the spec (`answers.rs`): per
//! `Operation`, its success status and an example body, and the spec's files reduced to
//! what a check of JSON bodies needs ([`crate::ir::CheckDocument`]).
//!
//! The runtime's `testing` stand-in answers an operation it has no behaviour for with this
//! example, and holds the answers a test sets to the spec through these documents, so it
//! reads no YAML at run time.

use crate::ir::{Api, ResponseKind};

/// `answers.rs`, with `header` on top: written as text, one table row a line (prettyplease
/// would spread each over several, and it prints long literals on one line anyway).
pub(crate) fn emit(api: &Api, header: &str) -> String {
    let mut out = String::from(header);
    let count: usize = api.modules.iter().map(|m| m.operations.len()).sum();
    out.push_str(
        "/// Where a default answer's body comes from.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq)]\n\
         pub(crate) enum AnswerSource {\n\
         \x20   /// The spec's example of the success response.\n\
         \x20   Spec,\n\
         \x20   /// Built from the response's schema: the spec gives no example.\n\
         \x20   Schema,\n\
         \x20   /// The success response has no JSON body (none, or a file).\n\
         \x20   NoJson,\n\
         }\n\n\
         /// The answer an operation gets by default.\n\
         #[derive(Clone, Copy, Debug)]\n\
         pub(crate) struct Answer {\n\
         \x20   /// The success status the spec declares (200 for `2XX` and `default`).\n\
         \x20   pub status: u16,\n\
         \x20   /// The media type of the body; empty when the response has none.\n\
         \x20   pub content_type: &'static str,\n\
         \x20   /// Where the body comes from.\n\
         \x20   pub source: AnswerSource,\n\
         \x20   /// The body, JSON text (empty when not JSON).\n\
         \x20   pub body: &'static str,\n\
         \x20   /// The token the operation needs, as `x-token` names it (`none`, `account`,\n\
         \x20   /// `api`, `base`, `team-admin`, `system-admin`, `scheduler`).\n\
         \x20   pub token: &'static str,\n\
         }\n\n\
         const fn answer(status: u16, content_type: &'static str, source: AnswerSource, token: &'static str, body: &'static str) -> Answer {\n\
         \x20   Answer { status, content_type, source, body, token }\n\
         }\n\n",
    );
    out.push_str(&format!(
        "/// One answer per operation ({count}), in the order of `Operation`, so that \
         `ANSWERS[op as usize]` is its row.\n\
         pub(crate) const ANSWERS: &[Answer] = &[\n"
    ));
    for m in &api.modules {
        for o in &m.operations {
            let r = &o.response;
            // `2XX`, `default`, `none`: a plain success.
            let status = r.status.parse::<u16>().unwrap_or(200);
            let content_type = r.media_type.clone().unwrap_or_default();
            let (source, body) = match (&r.kind, &r.example, &r.sample) {
                (ResponseKind::Json(_), Some(e), _) => ("Spec", e.to_string()),
                (ResponseKind::Json(_), None, Some(s)) => ("Schema", s.to_string()),
                (ResponseKind::Json(_), None, None) => ("Schema", "{}".to_string()),
                _ => ("NoJson", String::new()),
            };
            out.push_str(&format!(
                "    answer({status}, {content_type:?}, AnswerSource::{source}, {:?}, {}), // {} {}\n",
                o.token.x_token(),
                raw(&body),
                m.name,
                o.id
            ));
        }
    }
    out.push_str("];\n\n");
    out.push_str(
        "/// The spec files reduced to what a check of JSON bodies needs, as JSON, by file stem.\n\
         pub(crate) const CHECK_DOCUMENTS: &[(&str, &str)] = &[\n",
    );
    for d in &api.check_documents {
        out.push_str(&format!(
            "    ({:?}, {}),\n",
            d.stem,
            raw(&d.json.to_string())
        ));
    }
    out.push_str("];\n");
    out
}

/// `text` as a raw string literal, with enough `#`s that it cannot end early.
fn raw(text: &str) -> String {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
}
