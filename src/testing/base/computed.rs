//! Computed columns: auto-numbers handed out on insert, and formulas evaluated on read.
//!
//! Formulas: numbers, text in double or single quotes, column references `{Name}`,
//! `+ - * / ^`, `&` (joins text), comparisons (`= <> != < > <= >=`), parentheses, and
//! the functions `concatenate`, `if`, `round`, `upper`, `lower`, `and`, `or`, `not`,
//! `true`, `false`, `abs`, `len`, `trim`, `sum`, `max`, `min`, `average`. A formula
//! using anything else reads as `null` (a documented placeholder: the stand-in does not
//! pretend to evaluate it); one that fails on its values (text where a number is needed,
//! a division by zero) reads as `"#VALUE!"`, as SeaTable's do.

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use super::{column_key, column_name, column_type, BaseData, MockTable, StoredColumn};

/// Formulas referring to formulas are followed this deep, then read as `#VALUE!` (a
/// cycle would otherwise never end).
const MAX_DEPTH: usize = 8;
/// Parentheses, calls and signs nest at most this deep; a deeper formula is not evaluated
/// (the parser recurses once per level, and the stack is not unlimited).
const MAX_NESTING: usize = 64;

/// Gives every auto-number column without a value in `row` the column's next number,
/// formatted as its data says: at least `digits` digits (or as many as `format` has
/// zeros), after `prefix` and a dash for `prefix_type` `string` (recorded: `row-0001`),
/// or after the creation date for `date` (inferred: `20240605-0001`).
pub(crate) fn assign_auto_numbers(
    table: &mut MockTable,
    row: &mut Map<String, Value>,
    date: NaiveDate,
) {
    for column in table.columns.iter_mut() {
        if column_type(column) != "auto-number" {
            continue;
        }
        let key = column_key(column).to_string();
        if row.get(&key).is_some_and(|v| !v.is_null()) {
            continue;
        }
        let data = column
            .entry("data")
            .or_insert_with(|| json!({"format": "0000", "digits": 4}));
        if !data.is_object() {
            *data = json!({"format": "0000", "digits": 4});
        }
        let Some(data) = data.as_object_mut() else {
            continue;
        };
        let number = data
            .get("max_used_auto_number")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            .saturating_add(1);
        data.insert("max_used_auto_number".into(), json!(number));
        let digits = data
            .get("digits")
            .and_then(Value::as_u64)
            .map(|d| d as usize)
            .or_else(|| {
                data.get("format")
                    .and_then(Value::as_str)
                    .map(|f| f.rsplit('-').next().unwrap_or(f).matches('0').count())
            })
            .filter(|d| *d > 0)
            .unwrap_or(4)
            // Column data is the test's or a client's: a width beyond what an i64 needs
            // would only allocate (a huge `digits` would exhaust memory).
            .min(MAX_DIGITS);
        let digits_text = format!("{number:0digits$}");
        let text = match data.get("prefix_type").and_then(Value::as_str) {
            Some("string") => match data.get("prefix").and_then(Value::as_str) {
                Some(prefix) if !prefix.is_empty() => format!("{prefix}-{digits_text}"),
                _ => digits_text,
            },
            Some("date") => format!("{}-{digits_text}", date.format("%Y%m%d")),
            _ => digits_text,
        };
        row.insert(key, json!(text));
    }
}

/// Digits of the widest auto-number (`i64::MAX` has 19).
const MAX_DIGITS: usize = 20;

/// A formula value while evaluating.
#[derive(Clone, Debug, PartialEq)]
enum F {
    Num(f64),
    Text(String),
    Bool(bool),
    Null,
}

/// Why a formula has no value: it uses what the stand-in does not evaluate (read as
/// null), or it fails on its values (read as `#VALUE!`).
#[derive(Debug)]
enum Stop {
    Unsupported,
    Failed,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Num(f64),
    Text(String),
    Column(String),
    Ident(String),
    Op(&'static str),
    Open,
    Close,
    Comma,
}

fn tokens(source: &str) -> Result<Vec<Token>, Stop> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '0'..='9' | '.' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                out.push(Token::Num(text.parse().map_err(|_| Stop::Unsupported)?));
            }
            '"' | '\'' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|x| *x == c)
                    .ok_or(Stop::Unsupported)?;
                out.push(Token::Text(chars[i + 1..i + 1 + end].iter().collect()));
                i += end + 2;
            }
            '{' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|x| *x == '}')
                    .ok_or(Stop::Unsupported)?;
                out.push(Token::Column(chars[i + 1..i + 1 + end].iter().collect()));
                i += end + 2;
            }
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            ',' => {
                out.push(Token::Comma);
                i += 1;
            }
            _ if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Token::Ident(
                    chars[start..i].iter().collect::<String>().to_lowercase(),
                ));
            }
            _ => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                let op = ["<>", "!=", "<=", ">="]
                    .into_iter()
                    .find(|op| two == *op)
                    .or_else(|| {
                        ["+", "-", "*", "/", "^", "&", "=", "<", ">"]
                            .into_iter()
                            .find(|op| op.starts_with(c))
                    })
                    .ok_or(Stop::Unsupported)?;
                out.push(Token::Op(op));
                i += op.len();
            }
        }
    }
    Ok(out)
}

struct Evaluation<'a> {
    base: &'a BaseData,
    table: &'a MockTable,
    row: &'a Map<String, Value>,
    depth: usize,
    tokens: Vec<Token>,
    at: usize,
    nesting: usize,
}

impl Evaluation<'_> {
    fn nested<T>(&mut self, inner: impl FnOnce(&mut Self) -> Result<T, Stop>) -> Result<T, Stop> {
        if self.nesting >= MAX_NESTING {
            return Err(Stop::Unsupported);
        }
        self.nesting += 1;
        let result = inner(self);
        self.nesting -= 1;
        result
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn expect(&mut self, token: Token) -> Result<(), Stop> {
        if self.next() == Some(token) {
            Ok(())
        } else {
            Err(Stop::Unsupported)
        }
    }

    fn op(&mut self, ops: &[&str]) -> Option<&'static str> {
        match self.peek() {
            Some(Token::Op(op)) if ops.contains(op) => {
                let op = *op;
                self.at += 1;
                Some(op)
            }
            _ => None,
        }
    }

    fn expr(&mut self) -> Result<F, Stop> {
        let left = self.concat()?;
        let Some(op) = self.op(&["=", "<>", "!=", "<", ">", "<=", ">="]) else {
            return Ok(left);
        };
        let right = self.concat()?;
        let order = match (&left, &right) {
            (F::Text(a), F::Text(b)) => a.cmp(b),
            _ => number(&left)?
                .partial_cmp(&number(&right)?)
                .ok_or(Stop::Failed)?,
        };
        use std::cmp::Ordering::*;
        Ok(F::Bool(match op {
            "=" => order == Equal,
            "<>" | "!=" => order != Equal,
            "<" => order == Less,
            ">" => order == Greater,
            "<=" => order != Greater,
            _ => order != Less,
        }))
    }

    fn concat(&mut self) -> Result<F, Stop> {
        let mut left = self.additive()?;
        while self.op(&["&"]).is_some() {
            let right = self.additive()?;
            left = F::Text(text(&left) + &text(&right));
        }
        Ok(left)
    }

    fn additive(&mut self) -> Result<F, Stop> {
        let mut left = self.term()?;
        while let Some(op) = self.op(&["+", "-"]) {
            let right = self.term()?;
            let (a, b) = (number(&left)?, number(&right)?);
            left = F::Num(if op == "+" { a + b } else { a - b });
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<F, Stop> {
        let mut left = self.unary()?;
        while let Some(op) = self.op(&["*", "/"]) {
            let right = self.unary()?;
            let (a, b) = (number(&left)?, number(&right)?);
            left = F::Num(if op == "*" {
                a * b
            } else if b == 0.0 {
                return Err(Stop::Failed);
            } else {
                a / b
            });
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<F, Stop> {
        if self.op(&["-"]).is_some() {
            return Ok(F::Num(-number(&self.nested(Self::unary)?)?));
        }
        if self.op(&["+"]).is_some() {
            return self.nested(Self::unary);
        }
        let base = self.primary()?;
        if self.op(&["^"]).is_some() {
            let exponent = self.nested(Self::unary)?;
            return Ok(F::Num(number(&base)?.powf(number(&exponent)?)));
        }
        Ok(base)
    }

    fn primary(&mut self) -> Result<F, Stop> {
        match self.next().ok_or(Stop::Unsupported)? {
            Token::Num(n) => Ok(F::Num(n)),
            Token::Text(s) => Ok(F::Text(s)),
            Token::Column(name) => self.column(&name),
            Token::Open => {
                let value = self.nested(Self::expr)?;
                self.expect(Token::Close)?;
                Ok(value)
            }
            Token::Ident(name) => {
                self.expect(Token::Open)?;
                let mut args = Vec::new();
                if self.peek() == Some(&Token::Close) {
                    self.at += 1;
                } else {
                    loop {
                        args.push(self.nested(Self::expr)?);
                        match self.next() {
                            Some(Token::Comma) => continue,
                            Some(Token::Close) => break,
                            _ => return Err(Stop::Unsupported),
                        }
                    }
                }
                call(&name, args)
            }
            _ => Err(Stop::Unsupported),
        }
    }

    fn column(&self, name: &str) -> Result<F, Stop> {
        let column = self
            .table
            .columns
            .iter()
            .find(|c| column_name(c) == name)
            .ok_or(Stop::Failed)?;
        let value = if column_type(column) == "formula" {
            if self.depth >= MAX_DEPTH {
                return Err(Stop::Failed);
            }
            formula(self.base, self.table, column, self.row, self.depth + 1)
        } else {
            self.base.cell(self.table, column, self.row)
        };
        Ok(from_json(&value))
    }
}

fn from_json(value: &Value) -> F {
    match value {
        Value::Null => F::Null,
        Value::Bool(b) => F::Bool(*b),
        Value::Number(n) => F::Num(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => F::Text(s.clone()),
        Value::Array(items) => F::Text(
            items
                .iter()
                .map(|item| match item {
                    Value::Object(map) => {
                        text(&from_json(map.get("display_value").unwrap_or(&Value::Null)))
                    }
                    other => text(&from_json(other)),
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Value::Object(_) => F::Text(value.to_string()),
    }
}

fn number(value: &F) -> Result<f64, Stop> {
    match value {
        F::Num(n) => Ok(*n),
        F::Null => Ok(0.0),
        F::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        F::Text(s) if s.trim().is_empty() => Ok(0.0),
        F::Text(s) => s.trim().parse().map_err(|_| Stop::Failed),
    }
}

fn text(value: &F) -> String {
    match value {
        F::Num(n) => match to_json(F::Num(*n)) {
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        },
        F::Text(s) => s.clone(),
        F::Bool(b) => b.to_string(),
        F::Null => String::new(),
    }
}

fn truthy(value: &F) -> bool {
    match value {
        F::Bool(b) => *b,
        F::Num(n) => *n != 0.0,
        F::Text(s) => !s.is_empty(),
        F::Null => false,
    }
}

fn call(name: &str, args: Vec<F>) -> Result<F, Stop> {
    let one = |args: &[F]| match args {
        [only] => Ok(only.clone()),
        _ => Err(Stop::Failed),
    };
    Ok(match name {
        "concatenate" => F::Text(args.iter().map(text).collect()),
        "if" => match args.as_slice() {
            [condition, then] => {
                if truthy(condition) {
                    then.clone()
                } else {
                    F::Null
                }
            }
            [condition, then, otherwise] => {
                if truthy(condition) {
                    then.clone()
                } else {
                    otherwise.clone()
                }
            }
            _ => return Err(Stop::Failed),
        },
        "round" => {
            let (value, digits) = match args.as_slice() {
                [value] => (number(value)?, 0),
                [value, digits] => (number(value)?, number(digits)? as i32),
                _ => return Err(Stop::Failed),
            };
            let scale = 10f64.powi(digits);
            F::Num((value * scale).round() / scale)
        }
        "upper" => F::Text(text(&one(&args)?).to_uppercase()),
        "lower" => F::Text(text(&one(&args)?).to_lowercase()),
        "trim" => F::Text(text(&one(&args)?).trim().to_string()),
        "len" => F::Num(text(&one(&args)?).chars().count() as f64),
        "abs" => F::Num(number(&one(&args)?)?.abs()),
        "and" => F::Bool(args.iter().all(truthy)),
        "or" => F::Bool(args.iter().any(truthy)),
        "not" => F::Bool(!truthy(&one(&args)?)),
        "true" if args.is_empty() => F::Bool(true),
        "false" if args.is_empty() => F::Bool(false),
        "sum" | "average" | "max" | "min" => {
            let numbers = args.iter().map(number).collect::<Result<Vec<_>, _>>()?;
            if numbers.is_empty() {
                return Err(Stop::Failed);
            }
            F::Num(match name {
                "sum" => numbers.iter().sum(),
                "average" => numbers.iter().sum::<f64>() / numbers.len() as f64,
                "max" => numbers.iter().cloned().fold(f64::MIN, f64::max),
                _ => numbers.iter().cloned().fold(f64::MAX, f64::min),
            })
        }
        _ => return Err(Stop::Unsupported),
    })
}

fn to_json(value: F) -> Value {
    match value {
        F::Num(n) if !n.is_finite() => json!("#VALUE!"),
        F::Num(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => json!(n as i64),
        F::Num(n) => json!(n),
        F::Text(s) => json!(s),
        F::Bool(b) => json!(b),
        F::Null => Value::Null,
    }
}

/// The value of a formula cell of `row`.
pub(crate) fn formula(
    base: &BaseData,
    table: &MockTable,
    column: &StoredColumn,
    row: &Map<String, Value>,
    depth: usize,
) -> Value {
    let Some(source) = column
        .get("data")
        .and_then(|d| d.get("formula"))
        .and_then(Value::as_str)
    else {
        return Value::Null;
    };
    let tokens = match tokens(source) {
        Ok(tokens) => tokens,
        Err(_) => return Value::Null,
    };
    let mut evaluation = Evaluation {
        base,
        table,
        row,
        depth,
        tokens,
        at: 0,
        nesting: 0,
    };
    let result = evaluation.expr().and_then(|value| {
        if evaluation.at == evaluation.tokens.len() {
            Ok(value)
        } else {
            Err(Stop::Unsupported)
        }
    });
    match result {
        Ok(value) => to_json(value),
        Err(Stop::Unsupported) => Value::Null,
        Err(Stop::Failed) => json!("#VALUE!"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_numbers_from_hostile_column_data_neither_overflow_nor_allocate_without_bound() {
        let mut base = BaseData::new(
            "u".into(),
            "b".into(),
            "t".into(),
            1,
            json!({"tables": [{"_id": "0000", "name": "T",
                "columns": [{"key": "A001", "name": "N", "type": "auto-number",
                    "data": {"digits": 1_000_000_000_000u64, "max_used_auto_number": i64::MAX}}],
                "views": []}]}),
        )
        .unwrap();
        let mut row = Map::new();
        let day = NaiveDate::from_ymd_opt(2030, 6, 20).unwrap();
        assign_auto_numbers(&mut base.tables[0], &mut row, day);
        let text = row["A001"].as_str().unwrap();
        assert_eq!(text, format!("{:020}", i64::MAX));
    }

    fn evaluate(source: &str) -> Value {
        let base = BaseData::new(
            "u".into(),
            "b".into(),
            "t".into(),
            1,
            json!({"tables": [{"_id": "0000", "name": "T",
                "columns": [{"key": "0000", "name": "Name", "type": "text"},
                            {"key": "F001", "name": "F", "type": "formula", "data": {"formula": source}}],
                "views": []}]}),
        )
        .unwrap();
        let table = &base.tables[0];
        let row = json!({"0000": "ada"}).as_object().cloned().unwrap();
        formula(&base, table, &table.columns[1], &row, 0)
    }

    #[test]
    fn formulas_evaluate_the_common_functions_and_refuse_the_rest() {
        assert_eq!(evaluate("1 + 2"), json!(3));
        assert_eq!(evaluate("1.3 + 2.6"), json!(3.9000000000000004));
        assert_eq!(evaluate("and(true(), false())"), json!(false));
        assert_eq!(evaluate("2 ^ 3 * -1"), json!(-8));
        assert_eq!(evaluate("upper({Name}) & '!'"), json!("ADA!"));
        assert_eq!(evaluate("if(len({Name}) = 3, 'three')"), json!("three"));
        assert_eq!(evaluate("1 / 0"), json!("#VALUE!"));
        assert_eq!(evaluate("{Nope}"), json!("#VALUE!"));
        assert_eq!(
            evaluate("{F}"),
            json!("#VALUE!"),
            "a formula referring to itself"
        );
        assert_eq!(evaluate("dateAdd({Name}, 1, 'year')"), Value::Null);
        assert_eq!(evaluate("1 +"), Value::Null);
        assert_eq!(
            evaluate(&format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000))),
            Value::Null
        );
        assert_eq!(evaluate(&"-".repeat(10_000)), Value::Null);
        assert_eq!(
            evaluate(&format!("{}1{}", "(".repeat(30), ")".repeat(30))),
            json!(1)
        );
    }
}
