//! A spec file's YAML as a `serde_yaml::Value`, built from the event stream that the guard
//! already reads, so that a file is parsed once on the way to `openapiv3::OpenAPI` instead
//! of a second time by serde_yaml's own parser (in a `build.rs`, where everything runs
//! unoptimised, each parse of the whole spec costs a good part of a second).
//!
//! The value is the one `serde_yaml::from_str::<serde_yaml::Value>` would give: plain
//! scalars are resolved as serde_yaml resolves them (YAML 1.2 core schema: null, booleans,
//! integers in base 10, 16, 8 and 2, floats with `.inf` and `.nan`), every other scalar
//! is a string. What serde_yaml would read differently from a value (a tag, an alias, a
//! key that is a mapping or a sequence, an integer wider than 64 bits) is not built:
//! [`Tree::finish`] then returns `None` and the caller reads the text with serde_yaml
//! itself, so such a file is read exactly as before, only slower.

use serde_yaml::{Mapping, Number, Value};
use yaml_rust2::parser::Event;
use yaml_rust2::scanner::TScalarStyle;

/// Builds the value from events, in order.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    stack: Vec<Open>,
    root: Option<Value>,
    /// Something serde_yaml would read differently from a value was seen.
    unsupported: bool,
}

#[derive(Debug)]
enum Open {
    /// A mapping, and the key whose value comes next.
    Map(Mapping, Option<Value>),
    Seq(Vec<Value>),
}

impl Tree {
    /// Takes the next event of the stream.
    pub(crate) fn event(&mut self, event: Event) {
        if self.unsupported {
            return;
        }
        match event {
            Event::Scalar(text, style, _, tag) => {
                if tag.is_some() {
                    return self.give_up();
                }
                let value = if style == TScalarStyle::Plain {
                    match resolve_plain(text) {
                        Some(v) => v,
                        None => return self.give_up(),
                    }
                } else {
                    Value::String(text)
                };
                self.add(value);
            }
            Event::Alias(_) => self.give_up(),
            Event::SequenceStart(_, tag) | Event::MappingStart(_, tag) if tag.is_some() => {
                self.give_up()
            }
            Event::SequenceStart(..) => self.open(Open::Seq(Vec::new())),
            Event::MappingStart(..) => self.open(Open::Map(Mapping::new(), None)),
            Event::SequenceEnd => match self.stack.pop() {
                Some(Open::Seq(items)) => self.add(Value::Sequence(items)),
                _ => self.give_up(),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Open::Map(map, None)) => self.add(Value::Mapping(map)),
                _ => self.give_up(),
            },
            _ => {}
        }
    }

    /// The document, when it was read completely and as serde_yaml would read it.
    pub(crate) fn finish(self) -> Option<Value> {
        if self.unsupported || !self.stack.is_empty() {
            return None;
        }
        self.root
    }

    fn give_up(&mut self) {
        self.unsupported = true;
        self.stack.clear();
    }

    fn open(&mut self, open: Open) {
        // A mapping or sequence used as a mapping key.
        if matches!(self.stack.last(), Some(Open::Map(_, None))) {
            return self.give_up();
        }
        self.stack.push(open);
    }

    fn add(&mut self, value: Value) {
        match self.stack.last_mut() {
            None if self.root.is_none() => self.root = Some(value),
            None => self.give_up(),
            Some(Open::Seq(items)) => items.push(value),
            Some(Open::Map(_, key @ None)) => {
                if matches!(value, Value::Mapping(_) | Value::Sequence(_)) {
                    return self.give_up();
                }
                *key = Some(value);
            }
            Some(Open::Map(map, key)) => {
                let k = key.take().unwrap_or(Value::Null);
                // serde_yaml refuses a repeated key; the guard reports those in the text,
                // but `1` and `0x1` are one key only once resolved.
                if map.insert(k, value).is_some() {
                    self.give_up();
                }
            }
        }
    }
}

/// A plain scalar as serde_yaml resolves it without a tag (serde_yaml's
/// `visit_untagged_scalar`); `None` for an integer it would read as 128 bits.
fn resolve_plain(text: String) -> Option<Value> {
    let v = text.as_str();
    if matches!(v, "" | "~" | "null" | "Null" | "NULL") {
        return Some(Value::Null);
    }
    match v {
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    // Only text that starts like a number can be one: most scalars are words.
    let numeric = v
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'));
    if !numeric {
        return Some(Value::String(text));
    }
    if let Some(n) = parse_unsigned(v, u64::from_str_radix) {
        return Some(Value::Number(Number::from(n)));
    }
    if let Some(n) = parse_negative(v, i64::from_str_radix) {
        return Some(Value::Number(Number::from(n)));
    }
    if parse_unsigned(v, u128::from_str_radix).is_some()
        || parse_negative(v, i128::from_str_radix).is_some()
    {
        return None;
    }
    if !digits_but_not_number(v) {
        if let Some(f) = parse_f64(v) {
            return Some(Value::Number(Number::from(f)));
        }
    }
    Some(Value::String(text))
}

type Radix<T> = fn(&str, u32) -> Result<T, std::num::ParseIntError>;

/// serde_yaml's `parse_unsigned_int`.
fn parse_unsigned<T>(scalar: &str, from_str_radix: Radix<T>) -> Option<T> {
    let unpositive = scalar.strip_prefix('+').unwrap_or(scalar);
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(int) = from_str_radix(rest, radix) {
                return Some(int);
            }
        }
    }
    if unpositive.starts_with(['+', '-']) || digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

/// serde_yaml's `parse_negative_int`.
fn parse_negative<T>(scalar: &str, from_str_radix: Radix<T>) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = scalar.strip_prefix(prefix) {
            if let Ok(int) = from_str_radix(&format!("-{rest}"), radix) {
                return Some(int);
            }
        }
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(scalar, 10).ok()
}

/// serde_yaml's `parse_f64`.
fn parse_f64(scalar: &str) -> Option<f64> {
    let unpositive = match scalar.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => scalar,
    };
    if let ".inf" | ".Inf" | ".INF" = unpositive {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = scalar {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = scalar {
        return Some(f64::NAN.copysign(1.0));
    }
    unpositive.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Leading zeros followed by digits are a string in YAML 1.2 (`0123`).
fn digits_but_not_number(scalar: &str) -> bool {
    let scalar = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
    scalar.len() > 1 && scalar.starts_with('0') && scalar[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaml_rust2::parser::Parser;

    fn build(text: &str) -> Option<Value> {
        try_build(text).expect("valid YAML")
    }

    /// `Err` when yaml-rust2 refuses the text.
    fn try_build(text: &str) -> Result<Option<Value>, String> {
        let mut tree = Tree::default();
        let mut parser = Parser::new_from_str(text);
        loop {
            let (event, _) = parser.next_token().map_err(|e| e.to_string())?;
            if event == Event::StreamEnd {
                break;
            }
            tree.event(event);
        }
        Ok(tree.finish())
    }

    /// The value must be serde_yaml's, scalar by scalar.
    #[test]
    fn scalars_resolve_as_serde_yaml_resolves_them() {
        let scalars = [
            "",
            "~",
            "null",
            "Null",
            "NULL",
            "nULL",
            "true",
            "True",
            "TRUE",
            "tRUE",
            "false",
            "0",
            "00",
            "0123",
            "-0123",
            "+12",
            "-12",
            "+-1",
            "0x1F",
            "0x-1",
            "-0x1F",
            "0o17",
            "0b101",
            "-0b101",
            "1.5",
            "-1.5",
            "+1.5",
            "1e3",
            "1E-3",
            ".5",
            "5.",
            ".inf",
            "-.Inf",
            "+.INF",
            ".nan",
            ".NaN",
            "inf",
            "nan",
            "1_000",
            "12:30",
            "2021-03-10",
            "v1",
            "1.0.0",
            "18446744073709551615",
            "-9223372036854775808",
            "3.0.3",
            "-",
            "+",
            ".",
            "- x",
        ];
        let mut checked = 0;
        for s in scalars {
            for quoted in [s.to_string(), format!("'{s}'"), format!("\"{s}\"")] {
                let text = format!("k: [{quoted}]\n{quoted}: 1\n");
                // Text that one of the two parsers refuses never reaches this value.
                let (Ok(want), Ok(got)) = (serde_yaml::from_str::<Value>(&text), try_build(&text))
                else {
                    continue;
                };
                assert_eq!(got, Some(want), "scalar {quoted}");
                checked += 1;
            }
        }
        assert!(checked > 100, "only {checked} cases compared");
    }

    #[test]
    fn what_a_value_cannot_say_is_left_to_serde_yaml() {
        assert_eq!(build("a: &x [1]\nb: *x\n"), None, "alias");
        assert_eq!(build("a: !!str 1\n"), None, "tag");
        assert_eq!(build("? [a]\n: 1\n"), None, "sequence as key");
        assert_eq!(build("a: 340282366920938463463374607431768211455\n"), None);
        assert_eq!(build("1: a\n0x1: b\n"), None, "keys equal once resolved");
        assert!(build("a: &x [1]\n").is_some(), "an anchor alone is fine");
    }
}
