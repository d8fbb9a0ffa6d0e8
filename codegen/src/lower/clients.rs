//! Which client an operation lands on: the token its security scheme carries, and the
//! method names that must stay unique on each client type.

use std::collections::HashMap;

use openapiv3::{ReferenceOr, SecurityScheme};
use serde_json::Value;

use crate::diagnostics::escape_pointer_token;
use crate::ir::*;
use crate::load::SpecFile;

use super::{ext_str, Lowerer};

/// What an operation's first security requirement says.
pub(super) struct Security {
    /// The token, hence the client type the operation becomes a method of.
    pub(super) token: TokenKind,
    pub(super) scheme: Option<String>,
    /// Path parameters the client fills in itself (`x-bound-parameters`).
    pub(super) bound: Vec<String>,
}

impl<'a> Lowerer<'a> {
    /// `None` when the scheme is unknown or does not say its token (reported).
    pub(super) fn security(
        &mut self,
        fi: usize,
        pointer: &str,
        op: &openapiv3::Operation,
    ) -> Option<Security> {
        let files: &'a [SpecFile] = self.files;
        let f = &files[fi];
        let mut token = TokenKind::None;
        let mut scheme_name = None;
        let mut bound: Vec<String> = Vec::new();
        let requirements = op.security.as_ref().or(f.doc.security.as_ref());
        if let Some(first) = requirements.and_then(|r| r.first()) {
            if let Some((name, _)) = first.iter().next() {
                let sec_pointer = if op.security.is_some() {
                    format!("{pointer}/security/0")
                } else {
                    "#/security/0".into()
                };
                let scheme = f
                    .doc
                    .components
                    .as_ref()
                    .and_then(|c| c.security_schemes.get(name));
                match scheme {
                    None => {
                        self.error(fi, &sec_pointer, format!("unknown security scheme `{name}`: declare it under components/securitySchemes"));
                        return None;
                    }
                    Some(ReferenceOr::Reference { .. }) => {
                        self.error(
                            fi,
                            &sec_pointer,
                            format!("unsupported: security scheme `{name}` given by $ref"),
                        );
                        return None;
                    }
                    Some(ReferenceOr::Item(s)) => {
                        let ext = match s {
                            SecurityScheme::HTTP { extensions, .. }
                            | SecurityScheme::APIKey { extensions, .. }
                            | SecurityScheme::OAuth2 { extensions, .. }
                            | SecurityScheme::OpenIDConnect { extensions, .. } => extensions,
                        };
                        let declared = ext_str(ext, "x-token");
                        let kind = match declared {
                            Some(v) => TokenKind::ALL.into_iter().find(|k| k.x_token() == v),
                            None => {
                                // Specs without our extension (SeaTable's own) name schemes after the token.
                                let n = name.to_ascii_lowercase();
                                if n.contains("scheduler") {
                                    Some(TokenKind::Scheduler)
                                } else if n.contains("account") {
                                    Some(TokenKind::Account)
                                } else if n.contains("base") {
                                    Some(TokenKind::Base)
                                } else if n.contains("api") {
                                    Some(TokenKind::Api)
                                } else {
                                    None
                                }
                            }
                        };
                        let scheme_pointer = format!(
                            "#/components/securitySchemes/{}",
                            escape_pointer_token(name)
                        );
                        match kind {
                            Some(k) => token = k,
                            None => {
                                self.error(fi, &scheme_pointer, format!("security scheme `{name}` does not say which token it carries: add `x-token: {}`", TokenKind::ALL.map(TokenKind::x_token).join(" | ")));
                                return None;
                            }
                        }
                        if let Some(list) = ext.get("x-bound-parameters").and_then(Value::as_array)
                        {
                            bound = list
                                .iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect();
                        }
                        scheme_name = Some(name.clone());
                    }
                }
            }
        }
        Some(Security {
            token,
            scheme: scheme_name,
            bound,
        })
    }

    /// Inherent methods of all modules land on the same client types.
    pub(super) fn check_receivers(&mut self, modules: &[Module]) {
        let mut seen: HashMap<(TokenKind, String), String> = HashMap::new();
        for m in modules {
            let fi = self
                .files
                .iter()
                .position(|f| f.display == m.source)
                .unwrap_or(0);
            for o in &m.operations {
                let key = (o.token, o.method_name.clone());
                if let Some(prev) = seen.get(&key) {
                    if prev != &m.name {
                        let pointer = self.op_pointer(fi, &o.id);
                        let msg = format!("`{}` is already a method of `{}` from module `{prev}`; rename this one with x-rust-name", o.method_name, o.token.client_type());
                        self.error(fi, &pointer, msg);
                    }
                } else {
                    seen.insert(key, m.name.clone());
                }
            }
        }
    }
}
