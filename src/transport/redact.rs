//! Keeping secrets and size out of errors: the tokens a request carried are replaced by
//! `***` in every text an [`Error`](crate::Error) keeps, and every kept text is cut to a
//! bounded length.

use std::fmt;
use std::sync::Arc;

/// Shorter strings are no real SeaTable token (those have 40 characters or more), and
/// replacing them would garble a body instead of protecting anything.
const SHORTEST_SECRET: usize = 8;

/// The most an error keeps of an answer's body (64 KiB). An answer cut there ends with
/// [`CUT_MARK`].
pub(crate) const BODY_KEPT: usize = 64 * 1024;

/// The most an error keeps of a message or of one text in its source chain: serde quotes
/// the value it rejected, which can be an answer's whole (huge) string.
const TEXT_KEPT: usize = 4 * 1024;

/// What an error keeps of a body too broken to find the secrets in.
pub(crate) const WITHHELD: &str =
    "[withheld: the answer is not valid UTF-8 and names a token or password]";

/// Whether `text` (an answer read with invalid bytes replaced) names a token or a
/// password once the invalid bytes are dropped: the bytes may sit inside the field's name
/// and its value, where no search for either would find them.
fn mangled_secret(text: &str) -> bool {
    if !text.contains('\u{fffd}') {
        return false;
    }
    let clean: String = text
        .chars()
        .filter(|&c| c != '\u{fffd}')
        .collect::<String>()
        .to_ascii_lowercase();
    clean.contains("token") || clean.contains("password")
}

/// What ends a kept text that was cut.
pub(crate) const CUT_MARK: &str = "…[cut]";

/// How much of a body to read, so that a secret beginning within [`BODY_KEPT`] is whole
/// in what was read, even written as `\uXXXX` escapes (6 bytes per character), and can be
/// replaced before the cut.
pub(crate) fn body_read_limit(secrets: &Secrets) -> usize {
    BODY_KEPT.saturating_add(secrets.longest().saturating_mul(6))
}

/// The secrets one request carried (its token, a password it sent), to be removed from
/// whatever error that request ends in. Cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct Secrets(Option<Arc<Vec<String>>>);

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({})", self.values().len())
    }
}

impl Secrets {
    /// The secrets among `values` long enough to be worth replacing.
    pub(crate) fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Secrets {
        let kept: Vec<String> = values
            .into_iter()
            .filter(|s| s.len() >= SHORTEST_SECRET)
            .map(str::to_string)
            .collect();
        Secrets((!kept.is_empty()).then(|| Arc::new(kept)))
    }

    /// These secrets and `more`.
    pub(crate) fn and(&self, more: Vec<String>) -> Secrets {
        let mut all: Vec<&str> = self.values().iter().map(String::as_str).collect();
        all.extend(more.iter().map(String::as_str));
        Secrets::new(all)
    }

    fn values(&self) -> &[String] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    fn longest(&self) -> usize {
        self.values().iter().map(String::len).max().unwrap_or(0)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// `text` with every secret replaced: as it is, as a JSON string escapes it (also with
    /// `\/`), percent-encoded (a URL) and form-encoded.
    /// Whatever looks like a JWT (a Base-Token the client did not send, or one mangled
    /// past recognition as a field) is replaced as well.
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in self.values() {
            for form in forms(secret) {
                if text.contains(form.as_str()) {
                    text = text.replace(form.as_str(), "***");
                }
            }
        }
        without_jwts(&text)
    }

    /// A body as an error keeps it: secrets replaced, then cut to [`BODY_KEPT`]. A JSON
    /// body that still holds a secret in another escape (`\u0061…`) is written anew from
    /// its parsed value, with the secret replaced there.
    pub(crate) fn redact_body(&self, body: &[u8], complete: bool) -> String {
        // Only what can end up in the kept prefix is looked at (and copied).
        let window = &body[..body.len().min(body_read_limit(self))];
        let complete = complete && window.len() == body.len();
        let text = String::from_utf8_lossy(window);
        if mangled_secret(&text) {
            return WITHHELD.to_string();
        }
        let mut redacted = self.redact(&text);
        if complete && !self.is_empty() && body.len() <= BODY_KEPT {
            if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&redacted) {
                if self.scrub(&mut value) {
                    redacted = value.to_string();
                }
            }
        }
        let cut = !complete || redacted.len() > BODY_KEPT;
        cut_to(redacted, BODY_KEPT, cut)
    }

    /// Replaces the secrets in every string and key of `value`; whether any was found.
    fn scrub(&self, value: &mut serde_json::Value) -> bool {
        use serde_json::Value;
        match value {
            Value::String(s) => {
                let clean = self.redact(s);
                let found = clean != *s;
                *s = clean;
                found
            }
            Value::Array(items) => items
                .iter_mut()
                .fold(false, |found, v| self.scrub(v) | found),
            Value::Object(map) => {
                let taken = std::mem::take(map);
                let mut found = false;
                for (key, mut v) in taken {
                    let clean = self.redact(&key);
                    found |= clean != key;
                    found |= self.scrub(&mut v);
                    map.insert(clean, v);
                }
                found
            }
            _ => false,
        }
    }

    /// A message as an error keeps it: secrets replaced, cut to a few KiB.
    pub(crate) fn message(&self, text: &str) -> String {
        let redacted = self.redact(text);
        let cut = redacted.len() > TEXT_KEPT;
        cut_to(redacted, TEXT_KEPT, cut)
    }

    /// What `shown` writes, as [`message`](Self::message) keeps it; formatting stops
    /// when enough is written, so a 50 MB message is never copied whole.
    pub(crate) fn shown(&self, shown: fmt::Arguments<'_>) -> String {
        self.message(&prefix(
            shown,
            TEXT_KEPT.saturating_add(self.longest().saturating_mul(6)),
        ))
    }

    /// `source` and its own sources, each as text with the secrets replaced. The original
    /// is dropped: reqwest's message names the URL, serde's quotes the value it rejected,
    /// and either may hold a secret.
    pub(crate) fn source(
        &self,
        source: &(dyn std::error::Error + 'static),
    ) -> Box<dyn std::error::Error + Send + Sync> {
        Box::new(Redacted {
            display: self.shown(format_args!("{source}")),
            debug: self.shown(format_args!("{source:?}")),
            source: source.source().map(|inner| self.source(inner)),
        })
    }
}

/// `text` with every run that looks like a JWT or a piece of one replaced: base64url
/// characters and dots, 32 or more, holding a dot and either `eyJ` (a base64-encoded
/// JSON object) or two parts of 16 characters or more (a payload's end and a signature).
/// A run next to a replaced one across one or two characters that are neither white space
/// nor a quote is replaced too: a flipped or inserted byte inside a token splits it into
/// runs that no longer look like one on their own.
fn without_jwts(text: &str) -> String {
    let jwt_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    // (start, end) of every run, in order.
    let mut runs = Vec::new();
    let mut at = 0;
    while let Some(offset) = text[at..].find(jwt_char) {
        let start = at + offset;
        let len = text[start..]
            .find(|c: char| !jwt_char(c))
            .unwrap_or(text.len() - start);
        runs.push((start, start + len));
        at = start + len;
    }
    let looks_like_jwt = |run: &str| {
        let long_parts = run.split('.').filter(|part| part.len() >= 16).count();
        run.len() >= 32 && run.contains('.') && (run.contains("eyJ") || long_parts >= 2)
    };
    let mut replaced: Vec<bool> = runs
        .iter()
        .map(|&(a, b)| looks_like_jwt(&text[a..b]))
        .collect();
    let joined = |left: (usize, usize), right: (usize, usize)| {
        let between = &text[left.1..right.0];
        between.chars().count() <= 2
            && !between
                .chars()
                .any(|c| c.is_whitespace() || c == '"' || c == '\'')
    };
    // Forward, then backward: a token split into several runs is replaced whole.
    for i in 1..runs.len() {
        if replaced[i - 1] && joined(runs[i - 1], runs[i]) {
            replaced[i] = true;
        }
    }
    for i in (1..runs.len()).rev() {
        if replaced[i] && joined(runs[i - 1], runs[i]) {
            replaced[i - 1] = true;
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (&(start, end), &replace) in runs.iter().zip(&replaced) {
        if replace {
            out.push_str(&text[last..start]);
            out.push_str("***");
            last = end;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// The forms a secret takes in an answer or a URL.
fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string()];
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or_default();
    for form in [
        json.to_string(),
        json.replace('/', "\\/"),
        percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
    ] {
        if !form.is_empty() && !forms.contains(&form) {
            forms.push(form);
        }
    }
    // Longest first, so that a form containing another is replaced whole.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms
}

/// The first `limit` bytes (and a little more) of what `shown` writes.
pub(crate) fn prefix(shown: fmt::Arguments<'_>, limit: usize) -> String {
    struct Prefix {
        text: String,
        limit: usize,
    }
    impl fmt::Write for Prefix {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            if self.text.len() >= self.limit {
                // Stops the formatting: the rest would be cut anyway.
                return Err(fmt::Error);
            }
            let room = self.limit - self.text.len();
            let mut end = room.min(s.len());
            while !s.is_char_boundary(end) {
                end += 1;
            }
            self.text.push_str(&s[..end]);
            Ok(())
        }
    }
    let mut out = Prefix {
        text: String::new(),
        limit: limit.saturating_add(1),
    };
    // An error here only means the limit was reached.
    let _ = fmt::write(&mut out, shown);
    out.text
}

/// `text` cut to at most `limit` bytes at a character boundary, marked when `cut`.
fn cut_to(mut text: String, limit: usize, cut: bool) -> String {
    if text.len() > limit {
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    if cut {
        text.push_str(CUT_MARK);
    }
    text
}

/// One error of a source chain, kept as its (redacted) texts.
struct Redacted {
    display: String,
    debug: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.debug)
    }
}

impl std::error::Error for Redacted {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "tok/en+0123456789\"abcdef";

    #[test]
    fn every_form_of_a_secret_is_replaced() {
        let secrets = Secrets::new([TOKEN, "short"]);
        let escaped = r#"tok\/en+0123456789\"abcdef"#;
        let text = format!(
            "raw {TOKEN} json {} slash {escaped} url {} form {}",
            serde_json::to_string(TOKEN).unwrap(),
            percent_encoding::utf8_percent_encode(TOKEN, percent_encoding::NON_ALPHANUMERIC),
            url::form_urlencoded::byte_serialize(TOKEN.as_bytes()).collect::<String>()
        );
        let clean = secrets.redact(&text);
        assert_eq!(
            clean, r#"raw *** json "***" slash *** url *** form ***"#,
            "{text}"
        );
        assert_eq!(secrets.redact("short stays"), "short stays");
    }

    #[test]
    fn whatever_looks_like_a_jwt_is_replaced() {
        let secrets = Secrets::default();
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3OTY4MTgwMTd9.ZmExMThmMmNhZGRmODZm";
        assert_eq!(
            secrets.redact(&format!("token {jwt}, and a piece eyJhbGci\u{fffd}XVCJ9.eyJhcHBfbmFtZSI6Im1vY2stc2VhdGFibGUi.c2ln!")),
            "token ***, and a piece ***\u{fffd}***!"
        );
        let plain = "row 650d8a0d-7e27-46a8-8b18-6cc6f3db2057.json eyJ short.x";
        assert_eq!(secrets.redact(plain), plain, "ids and short pieces stay");
    }

    #[test]
    fn a_jwt_split_by_flipped_bytes_is_replaced_whole() {
        let secrets = Secrets::new([]);
        let body = "{\"access_token\"z\"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3OT[2stc2VhdGFibGUiLCJkdGFibGVfdXVpZ\u{13}I6IiJ9.OWU4NjZhM2ZjOGE2Yjk5YzgyNzY4MTNm\",\"dtable_uuid\":\"08fa76fe-dca2-4dc9-8fa3-86ed1e24db37\"}";
        let shown = secrets.redact(body);
        assert_eq!(
            shown,
            "{\"access_token\"z\"***[***\u{13}***\",\"dtable_uuid\":\"08fa76fe-dca2-4dc9-8fa3-86ed1e24db37\"}"
        );
        // Words next to a token across a space or a quote stay.
        assert_eq!(
            secrets.redact("token eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3OTY4MTgwMTd9.ZmExMThm ok"),
            "token *** ok"
        );
    }

    #[test]
    fn a_broken_body_naming_a_token_is_withheld() {
        let secrets = Secrets::default();
        let body = b"{\"access_to\xffken\": \"abc\xff0123456789abcdef0123456789\"}";
        assert_eq!(secrets.redact_body(body, true), WITHHELD);
        let body = b"{\"name\": \"caf\xff\"}";
        assert_eq!(
            secrets.redact_body(body, true),
            "{\"name\": \"caf\u{fffd}\"}"
        );
    }

    #[test]
    fn a_json_body_is_rewritten_when_an_escape_hides_the_secret() {
        let secrets = Secrets::new(["abcdefgh12345678"]);
        let body = r#"{"echo": "x \u0061bcdefgh12345678 y", "\u0061bcdefgh12345678": 1}"#;
        let kept = secrets.redact_body(body.as_bytes(), true);
        assert_eq!(kept, r#"{"***":1,"echo":"x *** y"}"#);
    }

    #[test]
    fn bodies_and_messages_are_cut() {
        let secrets = Secrets::new(["abcdefgh12345678"]);
        let big = "é".repeat(BODY_KEPT);
        let kept = secrets.redact_body(big.as_bytes(), true);
        assert!(kept.len() <= BODY_KEPT + CUT_MARK.len() && kept.ends_with(CUT_MARK));
        // A secret across the cut is replaced before cutting.
        let mut body = "x".repeat(BODY_KEPT - 4).into_bytes();
        body.extend_from_slice(b"abcdefgh12345678 tail");
        let kept = secrets.redact_body(&body, false);
        assert!(!kept.contains("abcd"), "{}", &kept[kept.len() - 20..]);
        assert!(secrets.message(&"m".repeat(1 << 20)).len() < 5000);
        let long = "é".repeat(1 << 20);
        let shown = prefix(format_args!("{long}{long}"), 11);
        assert_eq!(
            shown, "éééééé",
            "stops at a character boundary past the limit"
        );
        assert!(secrets.shown(format_args!("{long}")).ends_with(CUT_MARK));
    }
}
