//! Reading spec files: YAML text → `openapiv3::OpenAPI`, plus an index from JSON pointer to
//! source position so every later check can say where a problem is.
//!
//! One pass of yaml-rust2's event stream both screens the document ([`guard`]) and builds
//! its value (`tree.rs`), which openapiv3 is read from. serde_yaml parses the text
//! itself only when that value cannot stand for it (a tag, an alias) or when openapiv3
//! refuses the value: serde_yaml then says where the problem is, which a value cannot.
//!
//! A well-formed document loses its positions on the way; they are rebuilt from the text
//! (another pass of the event stream) the first time a check asks for one, which a spec
//! without problems never does.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostics::{escape_pointer_token, Diagnostic};
use crate::guard;
use crate::tree::Tree;

/// One loaded spec file.
#[derive(Debug)]
pub struct SpecFile {
    /// The file as the user named it (used in diagnostics and generated headers).
    pub display: String,
    /// File name without extension, e.g. `base` for `spec/base.yaml`.
    pub stem: String,
    /// The parsed document.
    pub doc: openapiv3::OpenAPI,
    /// Where each node of the document starts.
    pub positions: Positions,
}

/// Line and column (both 1-based) of every node, keyed by JSON pointer (`#/paths/...`),
/// indexed from the file's text when first asked.
#[derive(Default)]
pub struct Positions {
    text: String,
    index: OnceLock<Index>,
}

impl std::fmt::Debug for Positions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Positions")
            .field("bytes", &self.text.len())
            .field("indexed", &self.index.get().map(HashMap::len))
            .finish()
    }
}

impl Positions {
    fn of(text: &str) -> Positions {
        Positions {
            text: text.to_string(),
            index: OnceLock::new(),
        }
    }

    fn map(&self) -> &Index {
        // The text was parsed once already, so a syntax error cannot happen here; if it
        // did, every position would fall back to the start of the file.
        self.index
            .get_or_init(|| index_positions(&self.text).unwrap_or_default())
    }

    /// The position of `pointer`, or of its nearest ancestor that has one: a check that a
    /// field is missing points at the object that lacks it.
    pub fn find(&self, pointer: &str) -> (usize, usize) {
        let map = self.map();
        let mut p = pointer;
        loop {
            if let Some(pos) = map.get(p) {
                return *pos;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return (1, 1),
            }
        }
    }
}

/// Reads and parses every file; returns the files that parsed and diagnostics for the rest.
///
/// Files are read on threads of their own (`par.rs`).
pub fn load_files(paths: &[PathBuf]) -> (Vec<SpecFile>, Vec<Diagnostic>) {
    let results = crate::par::map(paths, |path| load_file(path));
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for result in results {
        match result {
            Ok(file) => files.push(file),
            Err(d) => diagnostics.extend(d),
        }
    }
    (files, diagnostics)
}

fn load_file(path: &Path) -> Result<SpecFile, Vec<Diagnostic>> {
    let display = path.to_string_lossy().replace('\\', "/");
    let stem = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = stem
        .strip_suffix(".yaml")
        .or_else(|| stem.strip_suffix(".yml"))
        .unwrap_or(&stem)
        .to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        vec![Diagnostic {
            file: display.clone(),
            line: 0,
            column: 0,
            pointer: String::new(),
            message: format!("cannot read the file: {e}"),
        }]
    })?;
    let text = guard::decode(&display, bytes).map_err(|d| vec![d])?;
    parse(&display, stem, &text)
}

/// Parses one document from text; `display` names it in diagnostics. Every problem found
/// before the document could be read (duplicate keys, say) is returned at once.
pub fn parse(display: &str, stem: String, text: &str) -> Result<SpecFile, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut tree = Tree::default();
    let screened = guard::screen_events(display, text, |event| tree.event(event));
    if !screened.problems.is_empty() {
        return Err(screened.problems);
    }
    if let Some((line, column, message)) = screened.syntax_error {
        return Err(vec![Diagnostic {
            file: display.to_string(),
            line,
            column,
            pointer: String::new(),
            message: format!("YAML syntax error: {message}"),
        }]);
    }
    let positions = Positions::of(text);
    if let Some(value) = tree.finish() {
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            serde_yaml::from_value::<openapiv3::OpenAPI>(value)
        }));
        if let Ok(Ok(doc)) = read {
            return Ok(SpecFile {
                display: display.to_string(),
                stem,
                doc,
                positions,
            });
        }
    }
    let read = std::panic::catch_unwind(|| serde_yaml::from_str::<openapiv3::OpenAPI>(text));
    let Ok(read) = read else {
        // openapiv3 panics on some documents serde accepts; the screen above catches the
        // known ones, and this keeps an unknown one a diagnostic instead of a crash.
        return Err(vec![Diagnostic {
            file: display.to_string(),
            line: 1,
            column: 1,
            pointer: "#".into(),
            message: "not a valid OpenAPI 3.0 document: the OpenAPI reader failed on it (a bug of the generator: please report it with this file)".into(),
        }]);
    };
    let doc: openapiv3::OpenAPI = read.map_err(|e| {
        // serde_yaml locates most errors; the rest (an empty document) are about the whole.
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        let message = strip_location(&e.to_string());
        let pointer = pointer_at(&positions, line, column);
        vec![Diagnostic {
            file: display.to_string(),
            line,
            column,
            pointer,
            message: format!("not a valid OpenAPI 3.0 document: {message}"),
        }]
    })?;
    Ok(SpecFile {
        display: display.to_string(),
        stem,
        doc,
        positions,
    })
}

/// serde_yaml appends " at line L column C" to its messages; the diagnostic prints the
/// position itself.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The pointer of the last node that starts at or before a position: serde reports where it
/// stopped, the pointer says which node that is.
/// A container and its first key start at the same place; serde then means the container.
fn pointer_at(positions: &Positions, line: usize, column: usize) -> String {
    let exact = positions
        .map()
        .iter()
        .filter(|(_, &pos)| pos == (line, column))
        .min_by_key(|(p, _)| p.len());
    if let Some((p, _)) = exact {
        return p.clone();
    }
    positions
        .map()
        .iter()
        .filter(|(_, &(l, c))| (l, c) <= (line, column))
        .max_by_key(|(p, &(l, c))| (l, c, p.len()))
        .map(|(p, _)| p.clone())
        .unwrap_or_default()
}

enum Frame {
    Map {
        pointer: String,
        key: Option<String>,
    },
    Seq {
        pointer: String,
        index: usize,
    },
}

struct Indexer {
    stack: Vec<Frame>,
    positions: HashMap<String, (usize, usize)>,
}

impl Indexer {
    /// Called for every node in value position: returns the node's pointer and records where
    /// it starts (a mapping value is located at its key, where a reader looks for it).
    fn enter_value(&mut self, mark: Marker) -> Option<String> {
        match self.stack.last_mut() {
            None => {
                self.positions
                    .entry("#".to_string())
                    .or_insert((mark.line(), mark.col() + 1));
                Some("#".to_string())
            }
            Some(Frame::Map { pointer, key }) => {
                let key = key.take()?;
                Some(format!("{pointer}/{}", escape_pointer_token(&key)))
            }
            Some(Frame::Seq { pointer, index }) => {
                let p = format!("{pointer}/{index}");
                *index += 1;
                self.positions
                    .insert(p.clone(), (mark.line(), mark.col() + 1));
                Some(p)
            }
        }
    }

    /// In a mapping, a scalar alternates between key and value.
    fn is_key_position(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }
}

impl MarkedEventReceiver for Indexer {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, ..) => {
                if self.is_key_position() {
                    if let Some(Frame::Map { pointer, key }) = self.stack.last_mut() {
                        let p = format!("{pointer}/{}", escape_pointer_token(&value));
                        self.positions.insert(p, (mark.line(), mark.col() + 1));
                        *key = Some(value);
                    }
                } else {
                    self.enter_value(mark);
                }
            }
            Event::Alias(_) => {
                self.enter_value(mark);
            }
            Event::MappingStart(..) => {
                if self.is_key_position() {
                    // A complex key: index nothing inside it.
                    self.stack.push(Frame::Map {
                        pointer: "#/?".into(),
                        key: None,
                    });
                    return;
                }
                let pointer = self.enter_value(mark).unwrap_or_else(|| "#/?".into());
                self.stack.push(Frame::Map { pointer, key: None });
            }
            Event::SequenceStart(..) => {
                let pointer = if self.is_key_position() {
                    "#/?".into()
                } else {
                    self.enter_value(mark).unwrap_or_else(|| "#/?".into())
                };
                self.stack.push(Frame::Seq { pointer, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

/// Line and column of every node, by JSON pointer.
type Index = HashMap<String, (usize, usize)>;

fn index_positions(text: &str) -> Result<Index, (usize, usize, String)> {
    let mut indexer = Indexer {
        stack: Vec::new(),
        positions: HashMap::new(),
    };
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut indexer, false).map_err(|e| {
        let m = e.marker();
        (m.line(), m.col() + 1, e.info().to_string())
    })?;
    Ok(indexer.positions)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document read from the one-pass value must be the one serde_yaml reads from the
    /// text, for our spec and for SeaTable's published files (when the reference is there).
    #[test]
    fn the_value_reads_as_serde_yaml_reads_the_text() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut files: Vec<PathBuf> = Vec::new();
        for dir in ["spec", "../shared/reference/seatable-openapi-6.2"] {
            let Ok(entries) = std::fs::read_dir(Path::new(root).join(dir)) else {
                continue;
            };
            files.extend(
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "yaml")),
            );
        }
        assert!(files.len() >= 8, "spec files found: {files:?}");
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut tree = Tree::default();
            let screened = guard::screen_events("f", &text, |e| tree.event(e));
            assert!(screened.problems.is_empty() && screened.syntax_error.is_none());
            let value = tree
                .finish()
                .unwrap_or_else(|| panic!("{}: no value built", path.display()));
            let fast: openapiv3::OpenAPI =
                serde_yaml::from_value(value).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let slow: openapiv3::OpenAPI = serde_yaml::from_str(&text).unwrap();
            assert!(fast == slow, "{}: the documents differ", path.display());
        }
    }

    /// serde_yaml reads a plain `1.0` as a string where openapiv3 wants one; the value holds
    /// a number there, so the document is read from the text instead, as before.
    #[test]
    fn what_the_value_refuses_is_read_from_the_text() {
        let text =
            "openapi: 3.0.3\ninfo:\n  title: T\n  version: 1.0\n  description: 123\npaths: {}\n";
        let mut tree = Tree::default();
        guard::screen_events("f", text, |e| tree.event(e));
        let value = tree.finish().expect("a value");
        assert!(serde_yaml::from_value::<openapiv3::OpenAPI>(value).is_err());
        let file = parse("f.yaml", "f".into(), text).expect("read from the text");
        assert_eq!(file.doc.info.version, "1.0");
        assert_eq!(file.doc.info.description.as_deref(), Some("123"));
    }

    #[test]
    fn positions_point_at_keys_and_items() {
        let text = "openapi: 3.0.3\npaths:\n  /rows/:\n    get:\n      tags: [a, b]\n";
        let p = Positions::of(text);
        assert_eq!(p.find("#/paths"), (2, 1));
        assert_eq!(p.find("#/paths/~1rows~1/get"), (4, 5));
        assert_eq!(p.find("#/paths/~1rows~1/get/tags/1"), (5, 17));
        // a missing child falls back to its parent
        assert_eq!(p.find("#/paths/~1rows~1/get/operationId"), (4, 5));
    }
}
