//! The runtime's hints beyond one request: `x-paginate` (streams of pages), `x-batch`
//! (splitting long lists) and `x-check-rows` (checking rows against the base's columns).

use serde_json::Value;

use crate::ir::*;

use super::Lowerer;

/// The page size a page-style stream asks for when neither the caller nor `x-paginate`'s
/// `size` sets one: SeaTable's own default (25) would take four times the requests, and
/// no documented list caps `per_page` below 100.
const DEFAULT_PAGE_SIZE: u64 = 100;

impl<'a> Lowerer<'a> {
    pub(super) fn paginate(
        &mut self,
        fi: usize,
        pointer: &str,
        op: &openapiv3::Operation,
        params: &[Param],
        body: Option<&Body>,
        response: &Response,
    ) -> Option<Paginate> {
        let v = op.extensions.get("x-paginate")?;
        let at = format!("{pointer}/x-paginate");
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let n = |k: &str| v.get(k).and_then(Value::as_u64);
        // The stream sets these itself, page after page, so the caller's values are optional.
        let counter = |name: &str| {
            params.iter().any(|p| {
                p.location == ParamLocation::Query
                    && p.name == name
                    && !p.required
                    && matches!(p.ty, TypeRef::I32 | TypeRef::I64)
            })
        };
        let style = match s("style").as_deref() {
            Some("offset") => {
                match (s("offset"), s("limit"), n("max")) {
                    (Some(offset), Some(limit), Some(max)) => {
                        PageStyle::Offset { offset, limit, max }
                    }
                    _ => {
                        self.error(fi, &at, "x-paginate with style offset needs `offset`, `limit`, `max` and `items`");
                        return None;
                    }
                }
            }
            Some("page") => match (s("page"), s("per_page"), v.get("size")) {
                (Some(page), Some(per_page), None) => PageStyle::Page {
                    page,
                    per_page,
                    size: DEFAULT_PAGE_SIZE,
                },
                (Some(page), Some(per_page), Some(size)) => match size.as_u64() {
                    Some(size) => PageStyle::Page {
                        page,
                        per_page,
                        size,
                    },
                    None => {
                        self.error(fi, &at, "x-paginate `size` must be a whole number");
                        return None;
                    }
                },
                _ => {
                    self.error(
                        fi,
                        &at,
                        "x-paginate with style page needs `page`, `per_page` and `items`",
                    );
                    return None;
                }
            },
            Some("sql") => match (s("statement"), n("default"), n("max")) {
                (Some(statement), Some(default), Some(max)) => PageStyle::Sql {
                    statement,
                    default,
                    max,
                },
                _ => {
                    self.error(
                        fi,
                        &at,
                        "x-paginate with style sql needs `statement`, `default`, `max` and `items`",
                    );
                    return None;
                }
            },
            _ => {
                self.error(fi, &at, "x-paginate needs `style: offset | page | sql`");
                return None;
            }
        };
        let Some(items) = s("items") else {
            self.error(
                fi,
                &at,
                "x-paginate needs `items` (the response property holding the items)",
            );
            return None;
        };
        match &style {
            PageStyle::Offset {
                offset: a,
                limit: b,
                ..
            }
            | PageStyle::Page {
                page: a,
                per_page: b,
                ..
            } => {
                for p in [a, b] {
                    if !counter(p) {
                        self.error(fi, &at, format!("x-paginate names `{p}`, which is not an optional integer query parameter of this operation"));
                        return None;
                    }
                }
            }
            PageStyle::Sql { statement, .. } => {
                let found = body.and_then(|b| b.fields.as_ref()).is_some_and(|fs| {
                    fs.iter()
                        .any(|f| &f.name == statement && f.is_plain() && f.ty == TypeRef::String)
                });
                if !found {
                    self.error(fi, &at, format!("x-paginate names `{statement}`, which is not a required string property of the request body"));
                    return None;
                }
            }
        }
        let (smallest, what) = match &style {
            PageStyle::Offset { max, .. } => (*max, "`max`"),
            PageStyle::Page { size, .. } => (*size, "`size`"),
            PageStyle::Sql { default, max, .. } => ((*default).min(*max), "`default` and `max`"),
        };
        if smallest == 0 {
            self.error(fi, &at, format!("x-paginate {what} must be at least 1"));
            return None;
        }
        if let PageStyle::Sql { default, max, .. } = &style {
            if default > max {
                self.error(
                    fi,
                    &at,
                    format!("x-paginate `default` ({default}) is larger than `max` ({max})"),
                );
                return None;
            }
        }
        let field = match &response.kind {
            ResponseKind::Json(t) => self
                .find_struct(t)
                .and_then(|(fields, _)| fields.into_iter().find(|f| f.name == items)),
            _ => None,
        };
        let Some(Field {
            rust_name,
            ty: TypeRef::Array(item),
            ..
        }) = field.clone()
        else {
            self.error(fi, &at, format!("x-paginate names `items: {items}`, which is not an array property of the JSON response"));
            return None;
        };
        let optional = field.as_ref().is_some_and(|f| !f.is_plain());
        Some(Paginate {
            style,
            items: Items {
                name: items,
                rust_name,
                item: *item,
                optional,
            },
        })
    }

    pub(super) fn check_rows(
        &mut self,
        fi: usize,
        pointer: &str,
        op: &openapiv3::Operation,
        body: Option<&Body>,
        token: TokenKind,
    ) -> Option<CheckRows> {
        let v = op.extensions.get("x-check-rows")?;
        let at = format!("{pointer}/x-check-rows");
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(table), Some(rows)) = (text("table"), text("rows")) else {
            self.error(
                fi,
                &at,
                "x-check-rows needs `table` (the body property naming the table) and `rows` (the body array of rows)",
            );
            return None;
        };
        if token != TokenKind::Base {
            self.error(fi, &at, "x-check-rows needs a Base-Token operation: the rows are checked against the base's metadata");
            return None;
        }
        let fields = body.and_then(|b| b.fields.as_ref());
        let field =
            |name: &str| fields.and_then(|fs| fs.iter().find(|f| f.name == name && f.is_plain()));
        let Some(table_field) = field(&table).filter(|f| f.ty == TypeRef::String) else {
            self.error(fi, &at, format!("x-check-rows names `{table}`, which is not a required string property of the request body"));
            return None;
        };
        let Some(rows_field) = field(&rows).filter(|f| matches!(f.ty, TypeRef::Array(_))) else {
            self.error(fi, &at, format!("x-check-rows names `{rows}`, which is not a required array property of the request body"));
            return None;
        };
        let cells = match text("cells") {
            None => None,
            Some(cells) => {
                let TypeRef::Array(item) = &rows_field.ty else {
                    return None;
                };
                let found = self.find_struct(item).and_then(|(fs, _)| {
                    fs.into_iter()
                        .find(|f| f.name == cells && f.is_plain())
                        .map(|f| f.rust_name)
                });
                let Some(rust_name) = found else {
                    self.error(fi, &at, format!("x-check-rows names `{cells}`, which is not a required property of the items of `{rows}`"));
                    return None;
                };
                Some(rust_name)
            }
        };
        Some(CheckRows {
            table: table_field.rust_name.clone(),
            rows: rows_field.rust_name.clone(),
            cells,
        })
    }

    pub(super) fn batch(
        &mut self,
        fi: usize,
        pointer: &str,
        op: &openapiv3::Operation,
        body: Option<&Body>,
    ) -> Option<Batch> {
        let v = op.extensions.get("x-batch")?;
        let at = format!("{pointer}/x-batch");
        let field = v.get("field").and_then(Value::as_str);
        let max = v.get("max").and_then(Value::as_u64);
        let (Some(field), Some(max)) = (field, max) else {
            self.error(
                fi,
                &at,
                "x-batch needs `field` (a body array or map property) and `max`",
            );
            return None;
        };
        if max == 0 {
            self.error(fi, &at, "x-batch `max` must be at least 1");
            return None;
        }
        let found = body
            .and_then(|b| b.fields.as_ref())
            .and_then(|fs| fs.iter().find(|f| f.name == field && f.is_plain()));
        let kind = match found.map(|f| &f.ty) {
            Some(TypeRef::Array(_)) => BatchKind::Array,
            Some(TypeRef::Map(_) | TypeRef::Object) => BatchKind::Map,
            _ => {
                self.error(
                    fi,
                    &at,
                    format!(
                        "x-batch names `{field}`, which is not a required array or map property of the request body"
                    ),
                );
                return None;
            }
        };
        Some(Batch {
            field: field.to_string(),
            rust_name: found.map(|f| f.rust_name.clone()).unwrap_or_default(),
            kind,
            max,
        })
    }
}
