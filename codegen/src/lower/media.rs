//! Request bodies and responses: which media type is used and the Rust type it carries.

use openapiv3::{ReferenceOr, RequestBody, StatusCode};

use crate::diagnostics::escape_pointer_token;
use crate::ir::*;
use crate::load::SpecFile;

use super::{Lowerer, Scope};

impl<'a> Lowerer<'a> {
    pub(super) fn body(
        &mut self,
        fi: usize,
        pointer: &str,
        b: &ReferenceOr<RequestBody>,
        builder: &str,
    ) -> Option<Body> {
        let files: &'a [SpecFile] = self.files;
        let (bfile, bpointer, body) = match b {
            ReferenceOr::Item(b) => (fi, pointer.to_string(), b),
            ReferenceOr::Reference { reference } => {
                let (tf, tn) = self.resolve(fi, pointer, reference, "requestBodies")?;
                match files[tf]
                    .doc
                    .components
                    .as_ref()
                    .and_then(|c| c.request_bodies.get(&tn))
                {
                    Some(ReferenceOr::Item(b)) => (
                        tf,
                        format!("#/components/requestBodies/{}", escape_pointer_token(&tn)),
                        b,
                    ),
                    _ => {
                        self.error(
                            fi,
                            pointer,
                            "unsupported: a requestBody $ref that points at another $ref",
                        );
                        return None;
                    }
                }
            }
        };
        let pick = |pred: &dyn Fn(&str) -> bool| {
            body.content
                .iter()
                .find(|(k, _)| pred(&k.to_ascii_lowercase()))
        };
        let (content_type, media, kind) =
            if let Some((k, m)) = pick(&|k| k == "application/json" || k.ends_with("+json")) {
                (k, m, BodyMedia::Json)
            } else if let Some((k, m)) = pick(&|k| k == "application/x-www-form-urlencoded") {
                (k, m, BodyMedia::Form)
            } else if let Some((k, m)) = pick(&|k| k == "multipart/form-data") {
                (k, m, BodyMedia::Multipart)
            } else if let Some((k, m)) = body.content.iter().next() {
                (k, m, BodyMedia::Raw)
            } else {
                self.error(
                    bfile,
                    &format!("{bpointer}/content"),
                    "request body has no content: name at least one media type",
                );
                return None;
            };
        let mpointer = format!("{bpointer}/content/{}", escape_pointer_token(content_type));
        let ty = match (&media.schema, kind) {
            (_, BodyMedia::Raw) => TypeRef::Bytes,
            (Some(s), _) => self.schema_type(
                bfile,
                &format!("{mpointer}/schema"),
                s,
                &format!("{builder}Request"),
                Scope::Module,
            ),
            (None, BodyMedia::Json) => TypeRef::Any,
            (None, _) => TypeRef::Object,
        };
        let (fields, has_extra) = match self.find_struct(&ty) {
            Some((fields, extra)) if body.required || fields.iter().all(|f| !f.is_plain()) => {
                (Some(fields), extra)
            }
            _ => (None, false),
        };
        Some(Body {
            media: kind,
            content_type: content_type.clone(),
            ty,
            required: body.required,
            description: body.description.clone(),
            fields,
            has_extra,
        })
    }

    pub(super) fn response(
        &mut self,
        fi: usize,
        pointer: &str,
        op: &openapiv3::Operation,
        builder: &str,
    ) -> Response {
        let files: &'a [SpecFile] = self.files;
        let mut chosen: Option<(String, &ReferenceOr<openapiv3::Response>)> = None;
        let mut best = u16::MAX;
        for (code, r) in &op.responses.responses {
            let n = match code {
                StatusCode::Code(n) if (200..300).contains(n) => *n,
                StatusCode::Range(2) => 299,
                _ => continue,
            };
            if n < best {
                best = n;
                chosen = Some((code.to_string(), r));
            }
        }
        if chosen.is_none() {
            if let Some(d) = &op.responses.default {
                chosen = Some(("default".into(), d));
            }
        }
        let Some((status, r)) = chosen else {
            return Response {
                status: "none".into(),
                kind: ResponseKind::Empty,
                description: None,
                media_type: None,
                example: None,
                sample: None,
            };
        };
        let rpointer = format!("{pointer}/responses/{}", escape_pointer_token(&status));
        let (rfile, rpointer, resp) = match r {
            ReferenceOr::Item(x) => (fi, rpointer, x),
            ReferenceOr::Reference { reference } => {
                let Some((tf, tn)) = self.resolve(fi, &rpointer, reference, "responses") else {
                    return Response {
                        status,
                        kind: ResponseKind::Empty,
                        description: None,
                        media_type: None,
                        example: None,
                        sample: None,
                    };
                };
                match files[tf]
                    .doc
                    .components
                    .as_ref()
                    .and_then(|c| c.responses.get(&tn))
                {
                    Some(ReferenceOr::Item(x)) => (
                        tf,
                        format!("#/components/responses/{}", escape_pointer_token(&tn)),
                        x,
                    ),
                    _ => {
                        self.error(
                            fi,
                            &rpointer,
                            "unsupported: a response $ref that points at another $ref",
                        );
                        return Response {
                            status,
                            kind: ResponseKind::Empty,
                            description: None,
                            media_type: None,
                            example: None,
                            sample: None,
                        };
                    }
                }
            }
        };
        let json = resp.content.iter().find(|(k, _)| {
            let k = k.to_ascii_lowercase();
            k == "application/json" || k.ends_with("+json") || k == "*/*"
        });
        let kind = match json {
            Some((k, m)) => match &m.schema {
                Some(s) => {
                    let at = format!("{rpointer}/content/{}/schema", escape_pointer_token(k));
                    ResponseKind::Json(self.schema_type(
                        rfile,
                        &at,
                        s,
                        &format!("{builder}Response"),
                        Scope::Module,
                    ))
                }
                None => ResponseKind::Json(TypeRef::Any),
            },
            None if resp.content.is_empty() => ResponseKind::Empty,
            None => ResponseKind::Bytes,
        };
        let (media_type, example) = match json.or_else(|| resp.content.first()) {
            Some((k, m)) => (Some(k.clone()), media_example(m)),
            None => (None, None),
        };
        Response {
            status,
            kind,
            description: Some(resp.description.clone()).filter(|d| !d.is_empty()),
            media_type,
            example,
            sample: None,
        }
    }
}

/// The example a media type gives of its body: its `example`, else its first `examples`
/// entry written in place, else the `example` of its schema when written in place (a
/// referenced schema's example describes the model, not this answer).
fn media_example(m: &openapiv3::MediaType) -> Option<serde_json::Value> {
    if let Some(e) = &m.example {
        return Some(e.clone());
    }
    let first = m.examples.values().find_map(|e| match e {
        ReferenceOr::Item(e) => e.value.clone(),
        ReferenceOr::Reference { .. } => None,
    });
    if first.is_some() {
        return first;
    }
    match &m.schema {
        Some(ReferenceOr::Item(s)) => s.schema_data.example.clone(),
        _ => None,
    }
}
