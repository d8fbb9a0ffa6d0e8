//! `querySql` for the mock: one `SELECT` over one table, parsed by `sqlparser`.

mod group;

use std::cmp::Ordering;
use std::collections::HashSet;

use serde_json::{Map, Value};
use sqlparser::ast::{
    BinaryOperator, Expr, Ident, ObjectNamePart, OrderByKind, Query, SelectItem, SetExpr,
    Statement, TableFactor, UnaryOperator, Value as SqlValue,
};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;

use super::base::{column_key, column_name, column_type, BaseData, MockTable, StoredColumn};
use super::state::Reply;
use crate::base::QuerySqlRequest;
use crate::cells::RowCells;
use crate::types::{ColumnType, Row, SqlColumn, SqlResult};

/// Rows a `SELECT` without `LIMIT` returns.
pub(crate) const DEFAULT_LIMIT: u64 = 100;
/// Rows no statement returns more of.
pub(crate) const MAX_LIMIT: u64 = 10_000;

/// The system fields and the column type SQL metadata gives them.
const SYSTEM: [(&str, &str); 8] = [
    ("_id", "text"),
    ("_ctime", "ctime"),
    ("_mtime", "mtime"),
    ("_creator", "creator"),
    ("_last_modifier", "last-modifier"),
    ("_archived", "checkbox"),
    ("_locked", "checkbox"),
    ("_locked_by", "text"),
];

fn bad(message: impl Into<String>) -> Reply {
    Reply::error_message(400, &message.into())
}

fn unsupported(what: &str) -> Reply {
    bad(format!("MockSeaTable does not support {what} in SQL"))
}

/// A column of the table or a system field.
#[derive(Clone)]
enum Field {
    Column(usize),
    System(&'static str),
}

enum Operand {
    Field(Field),
    Literal(Value),
}

#[derive(Clone, Copy)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

enum Cond {
    Cmp(Operand, Cmp, Operand),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    /// With the list's texts in a set when every item is a text: a key lookup tests a
    /// thousand parameters against every row.
    In(Operand, Vec<Operand>, bool, Option<HashSet<String>>),
    Like(Operand, Operand, bool),
    IsNull(Operand, bool),
}

struct Compiler<'a> {
    table: &'a MockTable,
    parameters: &'a [Value],
    next: usize,
}

impl Compiler<'_> {
    fn field(&self, name: &str) -> Result<Field, Reply> {
        if let Some((field, _)) = SYSTEM.iter().find(|(f, _)| *f == name) {
            return Ok(Field::System(field));
        }
        self.table
            .columns
            .iter()
            .position(|c| column_name(c) == name)
            .map(Field::Column)
            .ok_or_else(|| bad(format!("no such column: {name}")))
    }

    fn ident(&self, parts: &[Ident]) -> Result<Field, Reply> {
        match parts {
            [column] => self.field(&column.value),
            [table, column] if table.value == self.table.info.name => self.field(&column.value),
            [table, _] => Err(bad(format!("no such table: {}", table.value))),
            _ => Err(unsupported("qualified names with more than two parts")),
        }
    }

    fn literal(&mut self, value: &SqlValue) -> Result<Value, Reply> {
        Ok(match value {
            SqlValue::Number(text, _) => number(text)?,
            SqlValue::SingleQuotedString(s) | SqlValue::DoubleQuotedString(s) => {
                Value::String(s.clone())
            }
            SqlValue::Boolean(b) => Value::Bool(*b),
            SqlValue::Null => Value::Null,
            SqlValue::Placeholder(p) if p == "?" => {
                let value = self.parameters.get(self.next).cloned().ok_or_else(|| {
                    bad(format!(
                        "the statement has more `?` placeholders than the {} parameters given",
                        self.parameters.len()
                    ))
                })?;
                self.next += 1;
                value
            }
            other => return Err(unsupported(&format!("the value `{other}`"))),
        })
    }

    fn operand(&mut self, expr: &Expr) -> Result<Operand, Reply> {
        Ok(match expr {
            Expr::Identifier(ident) => Operand::Field(self.ident(std::slice::from_ref(ident))?),
            Expr::CompoundIdentifier(parts) => Operand::Field(self.ident(parts)?),
            Expr::Value(v) => Operand::Literal(self.literal(&v.value)?),
            Expr::Nested(inner) => self.operand(inner)?,
            Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } => match self.operand(expr)? {
                Operand::Literal(Value::Number(n)) => Operand::Literal(negate(&n)),
                _ => return Err(unsupported("`-` before anything but a number")),
            },
            other => return Err(unsupported(&format!("the expression `{other}`"))),
        })
    }

    fn cond(&mut self, expr: &Expr) -> Result<Cond, Reply> {
        Ok(match expr {
            Expr::Nested(inner) => self.cond(inner)?,
            Expr::BinaryOp { left, op, right } => match op {
                BinaryOperator::And => {
                    Cond::And(Box::new(self.cond(left)?), Box::new(self.cond(right)?))
                }
                BinaryOperator::Or => {
                    Cond::Or(Box::new(self.cond(left)?), Box::new(self.cond(right)?))
                }
                op => {
                    let cmp = match op {
                        BinaryOperator::Eq => Cmp::Eq,
                        BinaryOperator::NotEq => Cmp::Ne,
                        BinaryOperator::Lt => Cmp::Lt,
                        BinaryOperator::Gt => Cmp::Gt,
                        BinaryOperator::LtEq => Cmp::Le,
                        BinaryOperator::GtEq => Cmp::Ge,
                        other => return Err(unsupported(&format!("the operator `{other}`"))),
                    };
                    let left = self.operand(left)?;
                    let right = self.operand(right)?;
                    Cond::Cmp(left, cmp, right)
                }
            },
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => Cond::Not(Box::new(self.cond(expr)?)),
            Expr::IsNull(inner) => Cond::IsNull(self.operand(inner)?, false),
            Expr::IsNotNull(inner) => Cond::IsNull(self.operand(inner)?, true),
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let operand = self.operand(expr)?;
                let list: Vec<Operand> = list
                    .iter()
                    .map(|e| self.operand(e))
                    .collect::<Result<_, _>>()?;
                let texts = list
                    .iter()
                    .map(|item| match item {
                        Operand::Literal(Value::String(text)) => Some(text.clone()),
                        _ => None,
                    })
                    .collect::<Option<HashSet<String>>>();
                Cond::In(operand, list, *negated, texts)
            }
            Expr::Like {
                negated,
                any: false,
                expr,
                pattern,
                escape_char: None,
            } => {
                let operand = self.operand(expr)?;
                let pattern = self.operand(pattern)?;
                Cond::Like(operand, pattern, *negated)
            }
            other => return Err(unsupported(&format!("the condition `{other}`"))),
        })
    }

    /// A `LIMIT` or `OFFSET` value: a non-negative integer or a `?` bound to one.
    fn count(&mut self, expr: &Expr, what: &str) -> Result<u64, Reply> {
        let value = match self.operand(expr)? {
            Operand::Literal(v) => v,
            Operand::Field(_) => return Err(bad(format!("{what} must be a number"))),
        };
        match &value {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
        .ok_or_else(|| {
            bad(format!(
                "{what} must be a non-negative integer, not {value}"
            ))
        })
    }
}

fn number(text: &str) -> Result<Value, Reply> {
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Value::from(i));
    }
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
        .ok_or_else(|| bad(format!("`{text}` is not a number")))
}

fn negate(n: &serde_json::Number) -> Value {
    if let Some(i) = n.as_i64() {
        return Value::from(-i);
    }
    n.as_f64()
        .and_then(|f| serde_json::Number::from_f64(-f))
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// A cell as SQL compares it: list cells by their first element, link items by their
/// display value; empty strings and lists are NULL.
fn comparable(value: Value) -> Value {
    match value {
        Value::Array(items) => items
            .into_iter()
            .next()
            .map(comparable)
            .unwrap_or(Value::Null),
        Value::Object(mut map) if map.contains_key("row_id") => {
            comparable(map.remove("display_value").unwrap_or(Value::Null))
        }
        Value::String(s) if s.is_empty() => Value::Null,
        other => other,
    }
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The order of two cells: NULL first, then booleans, numbers, strings, other values;
/// numbers by value, strings by code point.
pub(crate) fn compare_cells(a: &Value, b: &Value) -> Ordering {
    let a = comparable(a.clone());
    let b = comparable(b.clone());
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            _ => 4,
        }
    }
    match (&a, &b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => rank(&a)
            .cmp(&rank(&b))
            .then_with(|| a.to_string().cmp(&b.to_string())),
    }
}

/// `a <cmp> b` for two non-NULL values; `None` when they cannot be compared.
fn compare_values(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Number(_), _) | (_, Value::Number(_)) => as_number(a)?.partial_cmp(&as_number(b)?),
        _ => None,
    }
}

fn like(text: &str, pattern: &str) -> bool {
    like_counting(text, pattern).0
}

/// `LIKE` matching (`%` any run, `_` one character, case-insensitive) and the number of
/// character comparisons it made. The pattern is cut at its `%`s into pieces; the first
/// piece must start the text, the last must end it, and each piece between is taken at
/// its leftmost place after the previous one (taking it later never helps the pieces
/// after it). Each piece is looked for once, so the work is at most about the text's
/// length times the pattern's, where trying every split at every `%` grows exponentially
/// with the number of `%`s (`%a%a%a%a%b` over a long run of `a`s).
fn like_counting(text: &str, pattern: &str) -> (bool, u64) {
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    let mut steps = 0u64;
    let piece_at = |start: usize, piece: &[char], steps: &mut u64| {
        piece.iter().enumerate().all(|(i, p)| {
            *steps += 1;
            *p == '_' || text.get(start + i) == Some(p)
        })
    };
    let pieces: Vec<&[char]> = pattern.split(|c| *c == '%').collect();
    let [first, middle @ .., last] = pieces.as_slice() else {
        // No `%`: the one piece must be the whole text.
        let whole = pattern.len() == text.len() && piece_at(0, &pattern, &mut steps);
        return (whole, steps);
    };
    if first.len() > text.len() || !piece_at(0, first, &mut steps) {
        return (false, steps);
    }
    let mut at = first.len();
    for piece in middle {
        let found = (at..=text.len().saturating_sub(piece.len()))
            .find(|start| piece_at(*start, piece, &mut steps));
        match found {
            Some(start) => at = start + piece.len(),
            None => return (false, steps),
        }
    }
    let Some(end_start) = text.len().checked_sub(last.len()) else {
        return (false, steps);
    };
    (
        end_start >= at && piece_at(end_start, last, &mut steps),
        steps,
    )
}

struct Evaluator<'a> {
    base: &'a BaseData,
    table: &'a MockTable,
}

impl Evaluator<'_> {
    fn field(&self, field: &Field, row: &Map<String, Value>) -> Value {
        match field {
            Field::Column(i) => self.base.cell(self.table, &self.table.columns[*i], row),
            Field::System(name) => row.get(*name).cloned().unwrap_or(Value::Null),
        }
    }

    fn operand(&self, operand: &Operand, row: &Map<String, Value>) -> Value {
        match operand {
            Operand::Field(field) => comparable(self.field(field, row)),
            Operand::Literal(value) => value.clone(),
        }
    }

    /// SQL's three-valued logic: `None` is unknown (a comparison with NULL), and only
    /// rows whose condition is `Some(true)` are selected.
    fn test(&self, cond: &Cond, row: &Map<String, Value>) -> Option<bool> {
        match cond {
            Cond::And(a, b) => match (self.test(a, row), self.test(b, row)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            Cond::Or(a, b) => match (self.test(a, row), self.test(b, row)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            Cond::Not(inner) => self.test(inner, row).map(|b| !b),
            Cond::IsNull(operand, negated) => {
                Some(self.operand(operand, row).is_null() != *negated)
            }
            Cond::Cmp(left, cmp, right) => {
                let (a, b) = (self.operand(left, row), self.operand(right, row));
                if a.is_null() || b.is_null() {
                    return None;
                }
                let Some(order) = compare_values(&a, &b) else {
                    return Some(matches!(cmp, Cmp::Ne));
                };
                Some(match cmp {
                    Cmp::Eq => order == Ordering::Equal,
                    Cmp::Ne => order != Ordering::Equal,
                    Cmp::Lt => order == Ordering::Less,
                    Cmp::Gt => order == Ordering::Greater,
                    Cmp::Le => order != Ordering::Greater,
                    Cmp::Ge => order != Ordering::Less,
                })
            }
            Cond::In(operand, list, negated, texts) => {
                let value = self.operand(operand, row);
                if value.is_null() {
                    return None;
                }
                if let (Value::String(text), Some(texts)) = (&value, texts) {
                    return Some(texts.contains(text) != *negated);
                }
                let found = list.iter().any(|item| {
                    compare_values(&value, &self.operand(item, row)) == Some(Ordering::Equal)
                });
                Some(found != *negated)
            }
            Cond::Like(operand, pattern, negated) => {
                let value = self.operand(operand, row);
                let pattern = self.operand(pattern, row);
                let text = match &value {
                    Value::String(s) => s.clone(),
                    Value::Null => return None,
                    other => other.to_string(),
                };
                let Value::String(pattern) = pattern else {
                    return None;
                };
                Some(like(&text, &pattern) != *negated)
            }
        }
    }
}

/// Where the cells of a result column come from.
enum Source {
    Field(Field),
    Aggregate(group::Aggregate),
}

/// One column of the result: where its cells come from and its labels.
struct Output {
    source: Source,
    /// The label with `convert_keys` (the alias or column name).
    name: String,
    /// The label without `convert_keys` (the alias or column key).
    key: String,
}

fn statement(sql: &str) -> Result<Box<Query>, Reply> {
    let statements = Parser::parse_sql(&MySqlDialect {}, sql)
        .map_err(|e| bad(format!("SQL syntax error: {e}")))?;
    let mut statements = statements.into_iter();
    match (statements.next(), statements.next()) {
        (Some(Statement::Query(query)), None) => Ok(query),
        (Some(_), None) => Err(unsupported("statements other than SELECT")),
        (None, _) => Err(bad("the SQL statement is empty")),
        (Some(_), Some(_)) => Err(bad("only one SQL statement can run per request")),
    }
}

/// Runs `request` against `base`.
pub(crate) fn query(base: &BaseData, request: &QuerySqlRequest) -> Result<Reply, Reply> {
    let query = statement(&request.sql)?;
    if query.with.is_some() {
        return Err(unsupported("WITH"));
    }
    if query.fetch.is_some() || !query.locks.is_empty() || !query.limit_by.is_empty() {
        return Err(unsupported("FETCH, LIMIT BY and locking clauses"));
    }
    let SetExpr::Select(select) = query.body.as_ref() else {
        return Err(unsupported("UNION, subqueries and VALUES"));
    };
    if select.distinct.is_some() || select.top.is_some() || select.having.is_some() {
        return Err(unsupported("DISTINCT, TOP and HAVING"));
    }
    let [from] = select.from.as_slice() else {
        return Err(if select.from.is_empty() {
            bad("the statement names no table")
        } else {
            unsupported("queries over several tables")
        });
    };
    if !from.joins.is_empty() {
        return Err(unsupported("JOIN"));
    }
    let TableFactor::Table {
        name, args: None, ..
    } = &from.relation
    else {
        return Err(unsupported("FROM anything but a table name"));
    };
    let table_name = match name.0.as_slice() {
        [ObjectNamePart::Identifier(ident)] => ident.value.clone(),
        _ => return Err(unsupported("qualified table names")),
    };
    let table = base
        .tables
        .iter()
        .find(|t| t.info.name == table_name)
        .ok_or_else(|| bad(format!("no such table: {table_name}")))?;

    let parameters = request.parameters.clone().unwrap_or_default();
    let mut compiler = Compiler {
        table,
        parameters: &parameters,
        next: 0,
    };
    let mut outputs = Vec::new();
    let mut wildcard = false;
    for item in &select.projection {
        let (expr, alias) = match item {
            SelectItem::Wildcard(_) => {
                wildcard = true;
                continue;
            }
            SelectItem::UnnamedExpr(expr) => (expr, None),
            SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
            SelectItem::QualifiedWildcard(..) => {
                wildcard = true;
                continue;
            }
        };
        let field = match expr {
            Expr::Identifier(ident) => compiler.ident(std::slice::from_ref(ident))?,
            Expr::CompoundIdentifier(parts) => compiler.ident(parts)?,
            Expr::Function(function) => {
                // Labelled as written (`COUNT(*)`) unless aliased; inferred from SQL
                // engines' usual naming, SeaTable's label is not recorded.
                let label = expr.to_string();
                outputs.push(Output {
                    source: Source::Aggregate(group::aggregate(&compiler, function)?),
                    name: alias.clone().unwrap_or_else(|| label.clone()),
                    key: alias.unwrap_or(label),
                });
                continue;
            }
            other => return Err(unsupported(&format!("the selected expression `{other}`"))),
        };
        let (name, key) = match &field {
            Field::Column(i) => (
                column_name(&table.columns[*i]).to_string(),
                column_key(&table.columns[*i]).to_string(),
            ),
            Field::System(f) => (f.to_string(), f.to_string()),
        };
        outputs.push(Output {
            source: Source::Field(field),
            name: alias.clone().unwrap_or(name),
            key: alias.unwrap_or(key),
        });
    }
    if wildcard {
        let mut all: Vec<Output> = SYSTEM
            .iter()
            .map(|(f, _)| Output {
                source: Source::Field(Field::System(f)),
                name: f.to_string(),
                key: f.to_string(),
            })
            .collect();
        all.extend(table.columns.iter().enumerate().map(|(i, c)| Output {
            source: Source::Field(Field::Column(i)),
            name: column_name(c).to_string(),
            key: column_key(c).to_string(),
        }));
        all.extend(outputs);
        outputs = all;
    }
    let condition = select
        .selection
        .as_ref()
        .map(|e| compiler.cond(e))
        .transpose()?;
    let group_by = group::group_by(&compiler, &select.group_by)?;
    let grouped = !group_by.is_empty()
        || outputs
            .iter()
            .any(|o| matches!(o.source, Source::Aggregate(_)));
    if grouped && wildcard {
        return Err(unsupported("`*` with GROUP BY or aggregates"));
    }

    let mut order = Vec::new();
    let mut group_order = Vec::new();
    if let (Some(order_by), true) = (&query.order_by, grouped) {
        let OrderByKind::Expressions(exprs) = &order_by.kind else {
            return Err(unsupported("ORDER BY ALL"));
        };
        for item in exprs {
            group_order.push((
                group::order_index(&outputs, &item.expr)?,
                item.options.asc.unwrap_or(true),
            ));
        }
    } else if let Some(order_by) = &query.order_by {
        let OrderByKind::Expressions(exprs) = &order_by.kind else {
            return Err(unsupported("ORDER BY ALL"));
        };
        for item in exprs {
            let field = match &item.expr {
                Expr::Identifier(ident) => match outputs.iter().find(|o| o.name == ident.value) {
                    Some(Output {
                        source: Source::Field(field),
                        ..
                    }) if !matches!(field, Field::Column(i) if column_name(&table.columns[*i]) == ident.value) => {
                        field.clone()
                    }
                    _ => compiler.ident(std::slice::from_ref(ident))?,
                },
                Expr::CompoundIdentifier(parts) => compiler.ident(parts)?,
                other => return Err(unsupported(&format!("ORDER BY `{other}`"))),
            };
            order.push((field, item.options.asc.unwrap_or(true)));
        }
    }
    let limit = match &query.limit {
        Some(expr) => compiler.count(expr, "LIMIT")?,
        None => DEFAULT_LIMIT,
    }
    .min(MAX_LIMIT);
    let offset = match &query.offset {
        Some(offset) => compiler.count(&offset.value, "OFFSET")?,
        None => 0,
    };
    if compiler.next != parameters.len() {
        return Err(bad(format!(
            "the statement has {} `?` placeholders but {} parameters were given",
            compiler.next,
            parameters.len()
        )));
    }

    let evaluator = Evaluator { base, table };
    // `server_only` leaves out the rows in big-data storage.
    let server_only = request.server_only.unwrap_or(false);
    let mut rows: Vec<&Map<String, Value>> = table
        .rows
        .iter()
        .filter(|row| !(server_only && row.get("_archived") == Some(&Value::Bool(true))))
        .filter(|row| {
            condition
                .as_ref()
                .is_none_or(|c| evaluator.test(c, row) == Some(true))
        })
        .collect();
    let by_name = request.convert_keys.unwrap_or(true);
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let results: Vec<Row> = if grouped {
        let mut lines = group::lines(&evaluator, &outputs, &group_by, &rows);
        group::sort(&mut lines, &group_order);
        lines
            .into_iter()
            .skip(skip)
            .take(limit as usize)
            .map(|values| result_row(&outputs, values, None, by_name))
            .collect()
    } else {
        if !order.is_empty() {
            rows.sort_by(|a, b| {
                order
                    .iter()
                    .map(|(field, asc)| {
                        let o =
                            compare_cells(&evaluator.field(field, a), &evaluator.field(field, b));
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
        rows.into_iter()
            .skip(skip)
            .take(limit as usize)
            .map(|row| {
                let values = outputs
                    .iter()
                    .map(|o| match &o.source {
                        Source::Field(field) => evaluator.field(field, row),
                        Source::Aggregate(_) => Value::Null,
                    })
                    .collect();
                result_row(&outputs, values, Some(row), by_name)
            })
            .collect()
    };
    let metadata = outputs.iter().map(|o| sql_column(table, o)).collect();
    Ok(Reply::json(
        200,
        &SqlResult {
            results,
            metadata,
            is_join_stmt: Some(false),
            success: Some(true),
            error_message: None,
            extra: Map::new(),
        },
    ))
}

/// One result row from the values of its outputs; `row` is the stored row it comes from
/// (none for a group), whose `_id` it carries.
fn result_row(
    outputs: &[Output],
    values: Vec<Value>,
    row: Option<&Map<String, Value>>,
    by_name: bool,
) -> Row {
    let mut out = Row {
        id: row
            .and_then(|r| r.get("_id"))
            .and_then(Value::as_str)
            .map(str::to_string),
        ctime: None,
        mtime: None,
        creator: None,
        last_modifier: None,
        archived: None,
        locked: None,
        locked_by: None,
        extra: RowCells::new(),
    };
    for (output, value) in outputs.iter().zip(values) {
        let label = if by_name { &output.name } else { &output.key };
        let field = match &output.source {
            Source::Field(field) => Some(field),
            Source::Aggregate(_) => None,
        };
        match (label.as_str(), field) {
            ("_id", Some(Field::System(_))) => out.id = value.as_str().map(str::to_string),
            ("_ctime", Some(Field::System(_))) => out.ctime = value.as_str().map(str::to_string),
            ("_mtime", Some(Field::System(_))) => out.mtime = value.as_str().map(str::to_string),
            ("_creator", Some(Field::System(_))) => {
                out.creator = value.as_str().map(str::to_string)
            }
            ("_last_modifier", Some(Field::System(_))) => {
                out.last_modifier = value.as_str().map(str::to_string)
            }
            ("_archived", Some(Field::System(_))) => out.archived = value.as_bool(),
            ("_locked", Some(Field::System(_))) => out.locked = value.as_bool(),
            ("_locked_by", Some(Field::System(_))) => {
                out.locked_by = value.as_str().map(str::to_string)
            }
            _ => {
                out.extra.insert(label.clone(), value);
            }
        }
    }
    out
}

fn sql_column(table: &MockTable, output: &Output) -> SqlColumn {
    let field = match &output.source {
        Source::Field(field) => field,
        Source::Aggregate(aggregate) => {
            return SqlColumn {
                key: output.key.clone(),
                name: output.name.clone(),
                type_: Some(ColumnType::from(aggregate.column_type(table))),
                data: None,
                extra: Map::new(),
            }
        }
    };
    let (key, kind, data) = match field {
        Field::Column(i) => {
            let column: &StoredColumn = &table.columns[*i];
            (
                column_key(column).to_string(),
                column_type(column).to_string(),
                column.get("data").and_then(Value::as_object).cloned(),
            )
        }
        Field::System(f) => (
            f.to_string(),
            SYSTEM
                .iter()
                .find(|(name, _)| name == f)
                .map(|(_, t)| t.to_string())
                .unwrap_or_default(),
            None,
        ),
    };
    SqlColumn {
        key,
        name: output.name.clone(),
        type_: Some(ColumnType::from(kind.as_str())),
        data,
        extra: Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{like, like_counting};

    #[test]
    fn like_matches_percent_and_underscore_case_insensitively() {
        assert!(like("John Doe", "john%"));
        assert!(like("John Doe", "%DOE"));
        assert!(like("John", "J_hn"));
        assert!(!like("John", "J_n"));
        assert!(like("", "%"));
        assert!(!like("Jane", "John%"));
        assert!(like("abcabc", "%b_a%"));
        assert!(!like("ab", "a%%bb"));
        assert!(like("aXbXc", "a%b%c"));
        assert!(!like("ac", "a%b%c"));
        assert!(like("abc", "abc"));
        assert!(!like("abcd", "abc"));
        assert!(like("a", "%a%"));
        assert!(!like("", "_"));
    }

    #[test]
    fn like_takes_about_text_times_pattern_steps_however_many_percent_signs() {
        let text = "a".repeat(100_000);
        let pattern = "%a%a%a%a%b";
        let (matched, steps) = like_counting(&text, pattern);
        assert!(!matched);
        let bound = (text.len() as u64 + 1) * (pattern.len() as u64 + 1);
        assert!(steps <= bound, "{steps} steps for a bound of {bound}");
        let (matched, steps) = like_counting(&format!("{text}b"), pattern);
        assert!(matched);
        assert!(steps <= bound + pattern.len() as u64, "{steps} steps");
        // The worst case for the piece search: a piece that almost matches everywhere.
        let (matched, steps) = like_counting(&text, "%aaaaab%");
        assert!(!matched);
        assert!(steps <= 6 * text.len() as u64, "{steps} steps");
    }
}
