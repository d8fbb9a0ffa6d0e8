//! `GROUP BY` and the aggregates `COUNT(*)`, `COUNT(col)`, `SUM`, `AVG`, `MIN`, `MAX`.
//!
//! Rows are grouped by the cells of the `GROUP BY` columns as SQL compares them (list
//! cells by their first element, empty text as NULL; NULLs form one group), groups in the
//! order their first row comes. Without `GROUP BY`, a query with aggregates has one group
//! of all its rows (one result row even when no row matched: `COUNT(*)` is 0). A selected
//! column that is not grouped takes the value of the group's first row. `SUM` and `AVG`
//! read numbers (and numeric text), and are NULL for a group without any; `MIN` and `MAX`
//! order cells as `ORDER BY` does, NULLs left out.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::{json, Map, Value};
use sqlparser::ast::{
    DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments,
    GroupByExpr,
};

use super::{
    as_number, bad, comparable, compare_cells, unsupported, Compiler, Evaluator, Field, Output,
    Source,
};
use crate::testing::base::{column_type, MockTable};
use crate::testing::state::Reply;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

/// An aggregate of the select list: its function, and its column (`None` for `*`).
pub(crate) struct Aggregate {
    function: Kind,
    argument: Option<Field>,
}

/// The aggregate a selected function call names; 400 for any other function.
pub(super) fn aggregate(compiler: &Compiler<'_>, function: &Function) -> Result<Aggregate, Reply> {
    let name = function.name.to_string().to_uppercase();
    let kind = match name.as_str() {
        "COUNT" => Kind::Count,
        "SUM" => Kind::Sum,
        "AVG" => Kind::Avg,
        "MIN" => Kind::Min,
        "MAX" => Kind::Max,
        _ => return Err(unsupported(&format!("the function `{name}`"))),
    };
    if function.filter.is_some() || function.over.is_some() || !function.within_group.is_empty() {
        return Err(unsupported(&format!(
            "FILTER, OVER or WITHIN GROUP with `{name}`"
        )));
    }
    let FunctionArguments::List(list) = &function.args else {
        return Err(bad(format!("{name} needs one column in parentheses")));
    };
    if matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)) {
        return Err(unsupported(&format!("DISTINCT in `{name}`")));
    }
    let argument = match list.args.as_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)] if kind == Kind::Count => None,
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Identifier(ident)))] => {
            Some(compiler.ident(std::slice::from_ref(ident))?)
        }
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::CompoundIdentifier(parts)))] => {
            Some(compiler.ident(parts)?)
        }
        _ => {
            return Err(bad(format!(
                "{name} takes one column{}",
                if kind == Kind::Count { " or *" } else { "" }
            )))
        }
    };
    Ok(Aggregate {
        function: kind,
        argument,
    })
}

/// A number as JSON: integral values as integers.
fn number_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        json!(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

impl Aggregate {
    fn value(&self, evaluator: &Evaluator<'_>, rows: &[&Map<String, Value>]) -> Value {
        let cells: Vec<Value> = match &self.argument {
            None => return json!(rows.len()),
            Some(field) => rows
                .iter()
                .map(|row| comparable(evaluator.field(field, row)))
                .filter(|v| !v.is_null())
                .collect(),
        };
        match self.function {
            Kind::Count => json!(cells.len()),
            Kind::Sum | Kind::Avg => {
                let numbers: Vec<f64> = cells.iter().filter_map(as_number).collect();
                if numbers.is_empty() {
                    return Value::Null;
                }
                let sum: f64 = numbers.iter().sum();
                number_value(if self.function == Kind::Sum {
                    sum
                } else {
                    sum / numbers.len() as f64
                })
            }
            Kind::Min => cells
                .into_iter()
                .min_by(compare_cells)
                .unwrap_or(Value::Null),
            Kind::Max => cells
                .into_iter()
                .max_by(compare_cells)
                .unwrap_or(Value::Null),
        }
    }

    /// The column type the SQL metadata gives the result: `number` for counts, sums and
    /// averages, the column's own type for `MIN` and `MAX` (inferred: not recorded).
    pub(super) fn column_type(&self, table: &MockTable) -> &'static str {
        match (&self.function, &self.argument) {
            (Kind::Min | Kind::Max, Some(Field::Column(i))) => {
                match column_type(&table.columns[*i]) {
                    "date" => "date",
                    "text" => "text",
                    _ => "number",
                }
            }
            _ => "number",
        }
    }
}

/// The fields of a `GROUP BY` clause (columns only).
pub(super) fn group_by(compiler: &Compiler<'_>, clause: &GroupByExpr) -> Result<Vec<Field>, Reply> {
    let GroupByExpr::Expressions(exprs, modifiers) = clause else {
        return Err(unsupported("GROUP BY ALL"));
    };
    if !modifiers.is_empty() {
        return Err(unsupported("GROUP BY modifiers (ROLLUP, CUBE, TOTALS)"));
    }
    exprs
        .iter()
        .map(|expr| match expr {
            Expr::Identifier(ident) => compiler.ident(std::slice::from_ref(ident)),
            Expr::CompoundIdentifier(parts) => compiler.ident(parts),
            other => Err(unsupported(&format!("GROUP BY `{other}`"))),
        })
        .collect()
}

/// Which output an `ORDER BY` item of a grouped query names: an alias, a column name or
/// an aggregate as written (`COUNT(*)`).
pub(super) fn order_index(outputs: &[Output], expr: &Expr) -> Result<usize, Reply> {
    let wanted = match expr {
        Expr::Identifier(ident) => ident.value.clone(),
        other => other.to_string(),
    };
    outputs
        .iter()
        .position(|o| o.name == wanted)
        .or_else(|| {
            outputs
                .iter()
                .position(|o| o.name.eq_ignore_ascii_case(&wanted))
        })
        .ok_or_else(|| {
            bad(format!(
                "ORDER BY `{wanted}` in a grouped query must name a selected column, alias or aggregate"
            ))
        })
}

/// The values of the outputs for each group, groups in the order of their first row.
pub(super) fn lines(
    evaluator: &Evaluator<'_>,
    outputs: &[Output],
    group_by: &[Field],
    rows: &[&Map<String, Value>],
) -> Vec<Vec<Value>> {
    let mut groups: Vec<Vec<&Map<String, Value>>> = Vec::new();
    if group_by.is_empty() {
        groups.push(rows.to_vec());
    } else {
        let mut index: HashMap<String, usize> = HashMap::new();
        for row in rows {
            let key: Vec<Value> = group_by
                .iter()
                .map(|field| comparable(evaluator.field(field, row)))
                .collect();
            let key = Value::Array(key).to_string();
            let at = *index.entry(key).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[at].push(row);
        }
    }
    groups
        .iter()
        .map(|members| {
            outputs
                .iter()
                .map(|output| match &output.source {
                    Source::Aggregate(aggregate) => aggregate.value(evaluator, members),
                    Source::Field(field) => members
                        .first()
                        .map(|row| evaluator.field(field, row))
                        .unwrap_or(Value::Null),
                })
                .collect()
        })
        .collect()
}

/// Sorts group lines by the listed outputs (index, ascending).
pub(super) fn sort(lines: &mut [Vec<Value>], order: &[(usize, bool)]) {
    if order.is_empty() {
        return;
    }
    lines.sort_by(|a, b| {
        order
            .iter()
            .map(|(i, asc)| {
                let o = compare_cells(&a[*i], &b[*i]);
                if *asc {
                    o
                } else {
                    o.reverse()
                }
            })
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    });
}
