//! Turning spec names (`getBaseTokenWithApiToken`, `link-formula`, `DD/MM/YYYY`, `_id`)
//! into Rust identifiers.
//!
//! Only ASCII letters and digits make words: Rust accepts many non-ASCII identifiers, but not
//! every alphanumeric character (`²`, `Ⅻ`), and it warns on others, which `deny(warnings)`
//! turns into errors. Everything else separates words, so `a::b` is `a_b`.

/// Splits a name into lower-case words at case changes and any character that is not an ASCII
/// letter or digit.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    // ASCII tests on purpose: only ASCII letters and digits reach `current`, and a case
    // change is looked for only after one of them (a build script runs this unoptimised,
    // where the Unicode tables cost far more).
    let mut prev: Option<char> = None;
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev = Some(c);
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && !current.is_empty()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && chars.peek().is_some_and(|n| n.is_lowercase()))
            });
        if boundary {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
        prev = Some(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// `snake_case`, never a keyword and never starting with a digit (`type` → `type_`,
/// `2fa` → `_2fa`). Empty when the name has no letters or digits.
pub fn snake(name: &str) -> String {
    let s = words(name).join("_");
    fix_ident(s)
}

/// `PascalCase`, never a keyword or starting with a digit.
pub fn pascal(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for w in words(name) {
        // Words are ASCII, see `words`.
        let mut bytes = w.bytes();
        if let Some(first) = bytes.next() {
            s.push(first.to_ascii_uppercase() as char);
            s.push_str(&w[1..]);
        }
    }
    fix_ident(s)
}

fn fix_ident(s: String) -> String {
    if s.is_empty() {
        return s;
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("_{s}");
    }
    if KEYWORDS.contains(&s.as_str()) || s == "Self" {
        return format!("{s}_");
    }
    s
}

/// Whether `s` can be used as a Rust identifier as it is (ASCII only, see the module docs).
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&s)
        && s != "Self"
        && s != "_"
}

/// Makes `name` unique among `taken` by appending `_2`, `_3`, …; records the result.
pub fn unique(name: String, taken: &mut Vec<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    // `type_` goes on as `type_2`: a double underscore is not snake case.
    let sep = if name.ends_with('_') { "" } else { "_" };
    while taken.contains(&candidate) {
        candidate = format!("{name}{sep}{n}");
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(
            snake("getBaseTokenWithApiToken"),
            "get_base_token_with_api_token"
        );
        assert_eq!(snake("querySQL"), "query_sql");
        assert_eq!(snake("X-SEAFILE-OTP"), "x_seafile_otp");
        assert_eq!(snake("_id"), "id");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("2fa"), "_2fa");
        assert_eq!(pascal("link-formula"), "LinkFormula");
        assert_eq!(pascal("DD/MM/YYYY"), "DdMmYyyy");
        assert_eq!(pascal("h:mm:ss"), "HMmSs");
        assert_eq!(pascal("listRows"), "ListRows");
        assert_eq!(pascal("self"), "Self_");
        assert_eq!(pascal("YYYY-MM-DD HH:mm"), "YyyyMmDdHhMm");
        assert_eq!(snake("getHTTPServer"), "get_http_server");
    }

    #[test]
    fn hostile_names_become_identifiers_or_nothing() {
        assert_eq!(snake("a::b"), "a_b");
        assert_eq!(snake("123abc"), "_123abc");
        assert_eq!(pascal("123abc"), "_123abc");
        for kw in ["type", "match", "self", "crate", "super", "async"] {
            assert_eq!(snake(kw), format!("{kw}_"));
        }
        assert_eq!(pascal("Self"), "Self_");
        assert_eq!(snake("größe²"), "gr_e");
        assert_eq!(snake("日本"), "");
        assert_eq!(snake(""), "");
        assert_eq!(snake("_"), "");
        assert!(!is_ident("Self") && !is_ident("é") && !is_ident("a::b") && is_ident("r_type"));
    }
}
