//! The small regular-expression subset the spec's `pattern`s use, matched without a regex
//! crate: literals, `.`, classes (`[a-z0-9_-]`, `[^/]`, `\d`, `\w`, `\s` and their negations),
//! groups (`(…)`, `(?:…)`) with alternation `|`, the quantifiers `?`, `*`, `+`, `{n}`,
//! `{n,}`, `{n,m}` (a lazy `?` after them is accepted: it changes no match), and the anchors
//! `^` and `$`. Anything else (back-references, look-around, `\b`) is refused by
//! [`Pattern::compile`], so an unsupported pattern is reported, never mis-checked.
//!
//! Matching follows ECMA-262 as OpenAPI says: unanchored unless the pattern anchors itself.
//! It tracks the set of reachable positions instead of backtracking, so it cannot blow up.

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct Pattern {
    alternatives: Vec<Vec<Piece>>,
}

#[derive(Clone, Debug)]
struct Piece {
    atom: Atom,
    min: usize,
    max: Option<usize>,
}

#[derive(Clone, Debug)]
enum Atom {
    Char(char),
    Any,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Group(Vec<Vec<Piece>>),
    Start,
    End,
}

const DIGIT: &[(char, char)] = &[('0', '9')];
const WORD: &[(char, char)] = &[('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
const SPACE: &[(char, char)] = &[
    (' ', ' '),
    ('\t', '\r'),
    ('\u{a0}', '\u{a0}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{feff}', '\u{feff}'),
];

impl Pattern {
    /// Compiles `source`; `Err` names what is not supported or malformed, and where.
    ///
    /// ```no_run
    /// let row_id = seatable_api::testing::spec_check::Pattern::compile("^[A-Za-z0-9_-]{22}$");
    /// ```
    pub fn compile(source: &str) -> Result<Pattern, String> {
        let mut parser = Parser {
            chars: source.chars().collect(),
            at: 0,
        };
        let alternatives = parser.alternatives()?;
        if parser.at < parser.chars.len() {
            return Err(parser.error("unbalanced `)`"));
        }
        Ok(Pattern { alternatives })
    }

    /// Whether the pattern matches somewhere in `text`.
    ///
    /// ```no_run
    /// use seatable_api::testing::spec_check::Pattern;
    /// assert!(Pattern::compile("^[0-9]+$").unwrap().is_match("42"));
    /// ```
    pub fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        (0..=chars.len())
            .any(|start| !alternatives_ends(&self.alternatives, &chars, start).is_empty())
    }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    /// An error about the character at the cursor (not consumed yet).
    fn error(&self, what: &str) -> String {
        format!("{what} at character {}", self.at + 1)
    }

    /// An error about the character just consumed.
    fn error_consumed(&self, what: &str) -> String {
        format!("{what} at character {}", self.at)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.at += 1;
        c
    }

    fn alternatives(&mut self) -> Result<Vec<Vec<Piece>>, String> {
        let mut alternatives = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.at += 1;
            alternatives.push(self.sequence()?);
        }
        Ok(alternatives)
    }

    fn sequence(&mut self) -> Result<Vec<Piece>, String> {
        let mut pieces = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            let (min, max) = self.quantifier()?;
            pieces.push(Piece { atom, min, max });
        }
        Ok(pieces)
    }

    fn atom(&mut self) -> Result<Atom, String> {
        let c = self.next().ok_or_else(|| self.error("unexpected end"))?;
        Ok(match c {
            '(' => {
                if self.peek() == Some('?') {
                    self.at += 1;
                    if self.peek() != Some(':') {
                        return Err(
                            self.error("only the group `(?:…)` is supported, not look-around")
                        );
                    }
                    self.at += 1;
                }
                let inner = self.alternatives()?;
                if self.peek() != Some(')') {
                    return Err(self.error("unclosed `(`"));
                }
                self.at += 1;
                Atom::Group(inner)
            }
            '[' => self.class()?,
            '.' => Atom::Any,
            '^' => Atom::Start,
            '$' => Atom::End,
            '\\' => match self.escape()? {
                Escaped::Char(c) => Atom::Char(c),
                Escaped::Class(negated, ranges) => Atom::Class {
                    negated,
                    ranges: ranges.to_vec(),
                },
            },
            '*' | '+' | '?' | '{' => return Err(self.error_consumed("nothing to repeat")),
            c => Atom::Char(c),
        })
    }

    fn escape(&mut self) -> Result<Escaped, String> {
        let c = self.next().ok_or_else(|| self.error("`\\` at the end"))?;
        Ok(match c {
            'd' => Escaped::Class(false, DIGIT),
            'D' => Escaped::Class(true, DIGIT),
            'w' => Escaped::Class(false, WORD),
            'W' => Escaped::Class(true, WORD),
            's' => Escaped::Class(false, SPACE),
            'S' => Escaped::Class(true, SPACE),
            'n' => Escaped::Char('\n'),
            't' => Escaped::Char('\t'),
            'r' => Escaped::Char('\r'),
            c if c.is_ascii_punctuation() => Escaped::Char(c),
            c => return Err(self.error_consumed(&format!("the escape `\\{c}` is not supported"))),
        })
    }

    fn class(&mut self) -> Result<Atom, String> {
        let negated = self.peek() == Some('^');
        if negated {
            self.at += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = self.next().ok_or_else(|| self.error("unclosed `[`"))?;
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = match c {
                '\\' => match self.escape()? {
                    Escaped::Char(c) => c,
                    Escaped::Class(false, set) => {
                        ranges.extend_from_slice(set);
                        continue;
                    }
                    Escaped::Class(true, _) => {
                        return Err(
                            self.error("a negated class escape inside `[…]` is not supported")
                        )
                    }
                },
                c => c,
            };
            let is_range =
                self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|&n| n != ']');
            if is_range {
                self.at += 1;
                let high = match self.next() {
                    Some('\\') => match self.escape()? {
                        Escaped::Char(c) => c,
                        Escaped::Class(..) => return Err(self.error("a class cannot end a range")),
                    },
                    Some(c) => c,
                    None => return Err(self.error("unclosed `[`")),
                };
                if high < low {
                    return Err(self.error_consumed("range out of order"));
                }
                ranges.push((low, high));
            } else {
                ranges.push((low, low));
            }
        }
        Ok(Atom::Class { negated, ranges })
    }

    fn quantifier(&mut self) -> Result<(usize, Option<usize>), String> {
        let bounds = match self.peek() {
            Some('?') => (0, Some(1)),
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('{') => {
                self.at += 1;
                let min = self
                    .number()
                    .ok_or_else(|| self.error("`{` without a count"))?;
                let max = match self.next() {
                    Some('}') => Some(min),
                    Some(',') if self.peek() == Some('}') => {
                        self.at += 1;
                        None
                    }
                    Some(',') => {
                        let max = self.number().ok_or_else(|| self.error("bad `{n,m}`"))?;
                        if self.next() != Some('}') || max < min {
                            return Err(self.error("bad `{n,m}`"));
                        }
                        Some(max)
                    }
                    _ => return Err(self.error("bad `{n}`")),
                };
                self.at -= 1;
                (min, max)
            }
            _ => return Ok((1, Some(1))),
        };
        self.at += 1;
        if self.peek() == Some('?') {
            self.at += 1;
        }
        Ok(bounds)
    }

    fn number(&mut self) -> Option<usize> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        self.chars[start..self.at]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }
}

enum Escaped {
    Char(char),
    Class(bool, &'static [(char, char)]),
}

/// Every position where one of `alternatives` can end when started at `start`, sorted.
fn alternatives_ends(alternatives: &[Vec<Piece>], text: &[char], start: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    for sequence in alternatives {
        let mut at = vec![start];
        for piece in sequence {
            let mut next = Vec::new();
            for &p in &at {
                next.extend(piece_ends(piece, text, p));
            }
            next.sort_unstable();
            next.dedup();
            at = next;
            if at.is_empty() {
                break;
            }
        }
        ends.extend(at);
    }
    ends.sort_unstable();
    ends.dedup();
    ends
}

fn piece_ends(piece: &Piece, text: &[char], start: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    if piece.min == 0 {
        ends.push(start);
    }
    let mut seen = vec![start];
    let mut frontier = vec![start];
    let mut count = 0;
    while !frontier.is_empty() && piece.max.is_none_or(|max| count < max) {
        count += 1;
        let mut next = Vec::new();
        for &p in &frontier {
            next.extend(atom_ends(&piece.atom, text, p));
        }
        next.sort_unstable();
        next.dedup();
        if count >= piece.min {
            ends.extend(&next);
            // Once the minimum is reached, repeating from a position seen before adds nothing.
            next.retain(|p| !seen.contains(p));
        }
        seen.extend(&next);
        frontier = next;
    }
    ends
}

fn atom_ends(atom: &Atom, text: &[char], at: usize) -> Vec<usize> {
    let here = text.get(at).copied();
    match atom {
        Atom::Char(c) if here == Some(*c) => vec![at + 1],
        Atom::Any if here.is_some_and(|c| !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')) => {
            vec![at + 1]
        }
        Atom::Class { negated, ranges } => match here {
            Some(c) if ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated => {
                vec![at + 1]
            }
            _ => Vec::new(),
        },
        Atom::Group(alternatives) => alternatives_ends(alternatives, text, at),
        Atom::Start if at == 0 => vec![at],
        Atom::End if at == text.len() => vec![at],
        _ => Vec::new(),
    }
}
