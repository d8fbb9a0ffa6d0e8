//! Checks on a spec file's bytes and YAML event stream that must run before serde_yaml and
//! openapiv3 see the document: both lose positions, and openapiv3 panics on some shapes.
//!
//! - Encoding: the file must be UTF-8. A UTF-8 byte-order mark is dropped (editors on
//!   Windows write one); UTF-16 is named as such; an invalid byte is located.
//! - Duplicate mapping keys: YAML forbids them, serde keeps both and openapiv3 then panics
//!   (`somehow this parsed successfully the second time`).
//! - Nesting depth and alias expansion: serde_yaml stops at 128 levels and at an alias
//!   expansion of 100 jumps per event without saying where; yaml-rust2's own loader recurses
//!   once per level. The walk here is iterative and stops earlier, with a position.
//!
//! Anchors and aliases stay allowed (a spec may share a parameter list that way), but the
//! nodes they expand to are capped, so an alias bomb ("billion laughs") is refused where its
//! expansion passes the cap instead of exhausting memory.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostics::Diagnostic;

/// Deepest nesting of mappings and sequences accepted (serde_yaml gives up at 128, unlocated).
pub const MAX_DEPTH: usize = 100;

/// Most nodes that aliases may add to a document, in total.
pub const MAX_ALIAS_NODES: u64 = 100_000;

/// Aliases may add at most this many nodes per event of the document, which keeps serde_yaml's
/// own limit (100 alias jumps per event) out of reach.
const ALIAS_NODES_PER_EVENT: u64 = 10;

/// The text of a spec file, or a located diagnostic saying why its bytes are not UTF-8.
pub(crate) fn decode(file: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    let at = |line: usize, column: usize, message: String| Diagnostic {
        file: file.to_string(),
        line,
        column,
        pointer: String::new(),
        message,
    };
    let utf16 = match bytes.as_slice() {
        [0xFF, 0xFE, 0, 0, ..] | [0, 0, 0xFE, 0xFF, ..] => {
            return Err(at(
                1,
                1,
                "the file is UTF-32; spec files must be UTF-8: save it as UTF-8".into(),
            ));
        }
        [0xFF, 0xFE, ..] => Some("little-endian, with a byte-order mark"),
        [0xFE, 0xFF, ..] => Some("big-endian, with a byte-order mark"),
        [a, 0, ..] if *a != 0 => Some("little-endian, without a byte-order mark"),
        [0, b, ..] if *b != 0 => Some("big-endian, without a byte-order mark"),
        _ => None,
    };
    if let Some(kind) = utf16 {
        return Err(at(
            1,
            1,
            format!("the file is UTF-16 ({kind}); spec files must be UTF-8: save it as UTF-8"),
        ));
    }
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let offset = e.utf8_error().valid_up_to();
        // The prefix is valid UTF-8, so lines and columns count characters, as editors do.
        let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        let line = valid.matches('\n').count() + 1;
        let column = valid
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .chars()
            .count()
            + 1;
        at(
            line,
            column,
            format!(
                "invalid UTF-8 at byte {offset} (0x{:02X}); spec files must be UTF-8",
                bytes[offset]
            ),
        )
    })
}

/// One open mapping or sequence of the walk.
struct Open {
    /// `Some` for a mapping: each key seen, with where it was.
    keys: Option<HashMap<String, (usize, usize)>>,
    /// In a mapping: whether the next node is a key.
    expect_key: bool,
    /// Its anchor id (0: none), to record its size when it closes.
    anchor: usize,
    /// The mapping key it is the value of, when that is a plain scalar.
    key: Option<String>,
    /// In a mapping: the last key read (the key of the value that follows).
    last_key: Option<String>,
    /// Nodes counted when it opened (for the size of an anchored node).
    start: u64,
    /// Deepest nesting below it so far (for the depth an alias to it adds).
    depth_below: usize,
}

/// Every duplicate key, and the first depth or alias problem, of one YAML document.
#[cfg(test)]
pub(crate) fn screen(file: &str, text: &str) -> Vec<Diagnostic> {
    screen_events(file, text, |_| {}).problems
}

/// What [`screen_events`] found.
pub(crate) struct Screened {
    /// Every duplicate key, and the first depth or alias problem.
    pub problems: Vec<Diagnostic>,
    /// The YAML syntax error that ended the stream early: line, column (both 1-based) and
    /// yaml-rust2's words.
    pub syntax_error: Option<(usize, usize, String)>,
}

/// Screens one YAML document and hands every event to `sink` in order, so that one parse
/// both checks the document and builds what is read from it. The stream stops at the
/// first problem that makes reading on pointless (depth, aliases, a second document) or
/// at a syntax error.
pub(crate) fn screen_events(file: &str, text: &str, mut sink: impl FnMut(Event)) -> Screened {
    let mut problems = Vec::new();
    let at = |mark: &Marker, message: String| Diagnostic {
        file: file.to_string(),
        line: mark.line(),
        column: mark.col() + 1,
        pointer: String::new(),
        message,
    };
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    // Per anchor id: nodes it expands to, and how deep it nests.
    let mut anchors: HashMap<usize, (u64, usize)> = HashMap::new();
    let mut nodes: u64 = 0;
    let mut events: u64 = 0;
    let mut alias_nodes: u64 = 0;
    let mut documents = 0;
    loop {
        let (event, mark) = match parser.next_token() {
            Ok(x) => x,
            Err(e) => {
                let m = e.marker();
                return Screened {
                    problems,
                    syntax_error: Some((m.line(), m.col() + 1, e.info().to_string())),
                };
            }
        };
        events += 1;
        // Whether the node this event starts is a mapping key, and the key's text.
        let mut key_of_parent = false;
        if matches!(
            event,
            Event::Scalar(..)
                | Event::Alias(_)
                | Event::MappingStart(..)
                | Event::SequenceStart(..)
        ) {
            if let Some(open) = stack.last_mut() {
                if open.keys.is_some() {
                    key_of_parent = open.expect_key;
                    open.expect_key = !open.expect_key;
                }
            }
        }
        match &event {
            Event::StreamEnd => return done(problems),
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    problems.push(at(
                        &mark,
                        "a second YAML document starts here; a spec file holds exactly one".into(),
                    ));
                    return done(problems);
                }
            }
            Event::Scalar(value, _, anchor, _) => {
                let anchor = *anchor;
                nodes += 1;
                if anchor > 0 {
                    anchors.insert(anchor, (1, 0));
                }
                if key_of_parent {
                    if let Some(problem) = path_problem(&stack, value) {
                        problems.push(at(&mark, problem));
                    }
                    if let Some(open) = stack.last_mut() {
                        open.last_key = Some(value.clone());
                    }
                    if let Some(keys) = stack.last_mut().and_then(|o| o.keys.as_mut()) {
                        let here = (mark.line(), mark.col() + 1);
                        match keys.get(value) {
                            Some(&(line, column)) => problems.push(at(
                                &mark,
                                format!("duplicate key `{}`: this mapping already has it at line {line}, column {column}", shorten(value)),
                            )),
                            None => {
                                keys.insert(value.clone(), here);
                            }
                        }
                    }
                }
            }
            Event::Alias(id) => {
                let (size, depth) = anchors.get(id).copied().unwrap_or((1, 0));
                alias_nodes = alias_nodes.saturating_add(size);
                nodes = nodes.saturating_add(size);
                let cap = MAX_ALIAS_NODES.min(events.saturating_mul(ALIAS_NODES_PER_EVENT));
                if alias_nodes > cap {
                    problems.push(at(
                        &mark,
                        format!("YAML aliases here expand this document by more than {cap} nodes (at most {MAX_ALIAS_NODES}, and at most {ALIAS_NODES_PER_EVENT} per node written; an alias bomb?): write the repeated part out or share it with $ref"),
                    ));
                    return done(problems);
                }
                if stack.len() + depth > MAX_DEPTH {
                    problems.push(at(
                        &mark,
                        format!("this alias nests the document deeper than {MAX_DEPTH} levels"),
                    ));
                    return done(problems);
                }
                note_depth(&mut stack, depth);
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                nodes += 1;
                if stack.len() >= MAX_DEPTH {
                    problems.push(at(
                        &mark,
                        format!("the document nests deeper than {MAX_DEPTH} levels here"),
                    ));
                    return done(problems);
                }
                let mapping = matches!(event, Event::MappingStart(..));
                let key = match stack.last_mut() {
                    Some(parent) if !key_of_parent => parent.last_key.take(),
                    _ => None,
                };
                stack.push(Open {
                    key,
                    last_key: None,
                    keys: mapping.then(HashMap::new),
                    expect_key: true,
                    anchor: *anchor,
                    start: nodes - 1,
                    depth_below: 0,
                });
                note_depth(&mut stack, 0);
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(open) = stack.pop() {
                    if open.anchor > 0 {
                        anchors.insert(open.anchor, (nodes - open.start, open.depth_below + 1));
                    }
                }
            }
            _ => {}
        }
        sink(event);
    }
}

fn done(problems: Vec<Diagnostic>) -> Screened {
    Screened {
        problems,
        syntax_error: None,
    }
}

/// openapiv3 silently drops a key of `paths` that does not start with `/`; the spec's author
/// meant an endpoint, so it is reported here, where the key is still seen.
fn path_problem(stack: &[Open], key: &str) -> Option<String> {
    let [root, paths] = stack else { return None };
    if root.key.is_some() || paths.key.as_deref() != Some("paths") {
        return None;
    }
    if key.starts_with('/') || key.starts_with("x-") {
        return None;
    }
    Some(format!(
        "path `{}` must start with `/` (OpenAPI paths are relative to the server URL)",
        shorten(key)
    ))
}

/// Records that a node nesting `depth` levels was placed inside every open node.
fn note_depth(stack: &mut [Open], depth: usize) {
    let n = stack.len();
    for (i, open) in stack.iter_mut().enumerate() {
        open.depth_below = open.depth_below.max(n - 1 - i + depth);
    }
}

/// A key as a diagnostic quotes it: long keys cut, control characters escaped.
fn shorten(key: &str) -> String {
    let mut out: String = key.chars().take(60).flat_map(char::escape_debug).collect();
    if key.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_found_at_the_second() {
        let text = "a: 1\nb:\n  c: 1\n  c: 2\na: 3\n";
        let found: Vec<_> = screen("f.yaml", text)
            .into_iter()
            .map(|d| (d.line, d.column, d.message))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    4,
                    3,
                    "duplicate key `c`: this mapping already has it at line 3, column 3".into()
                ),
                (
                    5,
                    1,
                    "duplicate key `a`: this mapping already has it at line 1, column 1".into()
                ),
            ]
        );
    }

    #[test]
    fn sequences_of_mappings_and_complex_keys_are_no_duplicates() {
        assert!(screen("f.yaml", "x:\n  - a: 1\n  - a: 2\n").is_empty());
        // After a complex key, the next scalar is its value, not a key.
        assert!(screen("f.yaml", "? [a, b]\n: a\na: 1\n").is_empty());
        assert_eq!(screen("f.yaml", "? [a, b]\n: 1\nc: 1\nc: 2\n").len(), 1);
    }

    #[test]
    fn an_alias_bomb_is_refused_where_it_explodes() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let d = screen("f.yaml", &text);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("alias bomb"), "{}", d[0].message);
        assert!(d[0].line > 1 && d[0].column > 1);
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let text = "- ".repeat(100_000) + "x\n";
        let d = screen("f.yaml", &text);
        assert_eq!(
            d[0].message,
            "the document nests deeper than 100 levels here"
        );
        assert_eq!((d[0].line, d[0].column), (1, 201));
    }

    #[test]
    fn encodings() {
        assert_eq!(decode("f", b"\xEF\xBB\xBFa: 1".to_vec()).unwrap(), "a: 1");
        let e = decode("f", b"a: 1\nb: \xC3\x28\n".to_vec()).unwrap_err();
        assert_eq!((e.line, e.column), (2, 4));
        assert_eq!(
            e.message,
            "invalid UTF-8 at byte 8 (0xC3); spec files must be UTF-8"
        );
        let e = decode("f", b"\xFF\xFEa\0".to_vec()).unwrap_err();
        assert!(e
            .message
            .contains("UTF-16 (little-endian, with a byte-order mark)"));
        let e = decode("f", b"\0a\0:".to_vec()).unwrap_err();
        assert!(e
            .message
            .contains("UTF-16 (big-endian, without a byte-order mark)"));
    }
}
