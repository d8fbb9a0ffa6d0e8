//! Mutation fuzzing of the generator over the real spec.
//!
//! Each case takes one file of `spec/`, applies one to three seeded mutations to its bytes
//! (duplicate keys, type swaps, deleted keys and subtrees, broken and cyclic `$ref`s,
//! truncation, bad encodings, hostile names and doc strings, alias bombs, deep nesting) and
//! runs the whole generator (load, check, lower, both emitters) on it, with `models.yaml`
//! beside it because every area refers to it. The generator must answer every case with
//! output or diagnostics: no panic, and every diagnostic with a file, a line and a column.
//! Accepted output must parse as Rust; that accepted hostile names also compile is shown by
//! the `hostile_names` fixture, whose snapshot `tests/ui.rs` compiles with warnings denied.
//!
//! A stack overflow or an abort cannot be caught in-process, so the cases run in a child
//! process (this test binary, re-run on the ignored `fuzz::child`); the parent reports the
//! case the child was in when it died. In the child every case runs on a thread with an
//! 8 MiB stack, the size of the main thread that runs a `build.rs` or the CLI, so a result
//! does not depend on the test harness's thread size.
//!
//! `SEATABLE_FUZZ_SEED` replays a run, `SEATABLE_FUZZ_CASES` sets its size (default 300,
//! 100 under `CI`), `SEATABLE_FUZZ_ONLY=N` runs case N alone, `SEATABLE_FUZZ_KEEP=DIR`
//! keeps each case's files in DIR/case-N.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use seatable_codegen::Generator;

const CHILD_ENV: &str = "SEATABLE_FUZZ_CHILD";

/// splitmix64: small, seedable, and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

#[test]
fn mutated_real_specs_never_crash_the_generator() {
    let seed = env_u64("SEATABLE_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
    println!("mutation fuzz: seed {seed} (replay with SEATABLE_FUZZ_SEED={seed})");
    let started = Instant::now();
    let run = run_child(seed, None);
    for l in run.stdout.lines().filter(|l| l.starts_with("fuzz:")) {
        println!("{l}");
    }
    println!(
        "mutation fuzz: {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
    if !run.status.success() {
        let defects: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| l.starts_with("defect: "))
            .take(30)
            .collect();
        if !defects.is_empty() {
            panic!(
                "the generator failed on mutated specs:\n{}\n\
                 replay one: SEATABLE_FUZZ_SEED={seed} SEATABLE_FUZZ_ONLY=<case> cargo test -p seatable-codegen --test generator fuzz::child -- --ignored --exact --nocapture",
                defects.join("\n")
            );
        }
        panic!(
            "the fuzz child died ({}); last case started: {}\n\
             replay: SEATABLE_FUZZ_SEED={seed} SEATABLE_FUZZ_ONLY=<case> cargo test -p seatable-codegen --test generator fuzz::child -- --ignored --exact --nocapture\n\
             --- child stderr (tail)\n{}",
            run.status,
            run.last_case(),
            run.stderr_tail()
        );
    }
    assert!(
        run.stdout.lines().any(|l| l.starts_with("fuzz: variants")),
        "the child ran no cases:\n{}\n{}",
        run.stdout,
        run.stderr
    );
}

/// The parent sees a child that dies outside any unwinding (as on a stack overflow) and names
/// the case it died in.
#[test]
fn a_crashing_case_is_reported_with_its_case() {
    let run = run_child(7, Some("abort"));
    assert!(!run.status.success(), "the child was told to abort");
    assert!(
        run.last_case().starts_with("case 0: "),
        "last case: {}",
        run.last_case()
    );
}

struct ChildRun {
    status: std::process::ExitStatus,
    stdout: String,
    stderr: String,
}

impl ChildRun {
    fn last_case(&self) -> &str {
        self.stdout
            .lines()
            .rev()
            .find(|l| l.starts_with("case "))
            .unwrap_or("no case started")
    }

    fn stderr_tail(&self) -> String {
        let tail: Vec<&str> = self.stderr.lines().rev().take(40).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }
}

fn run_child(seed: u64, selftest: Option<&str>) -> ChildRun {
    let mut command = std::process::Command::new(std::env::current_exe().expect("test binary"));
    command
        .args(["fuzz::child", "--exact", "--ignored", "--nocapture"])
        .env(CHILD_ENV, "1")
        .env("SEATABLE_FUZZ_SEED", seed.to_string());
    match selftest {
        Some(s) => command
            .env("SEATABLE_FUZZ_SELFTEST", s)
            .env("SEATABLE_FUZZ_ONLY", "0"),
        None => command.env_remove("SEATABLE_FUZZ_SELFTEST"),
    };
    let out = command.output().expect("run the fuzz child");
    ChildRun {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

static PANICS: AtomicUsize = AtomicUsize::new(0);
static CURRENT_CASE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The fuzz loop; run by [`mutated_real_specs_never_crash_the_generator`] in a child process.
#[test]
#[ignore = "run in a child process by mutated_real_specs_never_crash_the_generator"]
fn child() {
    if std::env::var_os(CHILD_ENV).is_none() && std::env::var_os("SEATABLE_FUZZ_ONLY").is_none() {
        return;
    }
    let seed = env_u64("SEATABLE_FUZZ_SEED").unwrap_or(1);
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    let cases = env_u64("SEATABLE_FUZZ_CASES").unwrap_or(if ci { 100 } else { 300 });
    let only = env_u64("SEATABLE_FUZZ_ONLY");
    // Panics caught by the generator itself (openapiv3 is guarded) still count as defects.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        let case = CURRENT_CASE.load(Ordering::SeqCst);
        let message = info.to_string().replace('\n', " ");
        println!("defect: case {case}: panic: {message}");
        default_hook(info);
    }));

    let spec_dir = Path::new("../spec");
    let mut names: Vec<String> = std::fs::read_dir(spec_dir)
        .expect("the real spec directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    let originals: Vec<(String, Vec<u8>)> = names
        .iter()
        .map(|n| {
            (
                n.clone(),
                std::fs::read(spec_dir.join(n)).expect("spec file"),
            )
        })
        .collect();
    let scratch = std::env::temp_dir().join(format!("seatable-fuzz-{}", std::process::id()));
    let keep = std::env::var_os("SEATABLE_FUZZ_KEEP").map(PathBuf::from);

    let mut stats = Stats::default();
    let started = Instant::now();
    let range = match only {
        Some(n) => n..n + 1,
        None => 0..cases,
    };
    for case in range {
        CURRENT_CASE.store(case, Ordering::SeqCst);
        let mut rng = Rng(seed ^ case.wrapping_mul(0xA24B_AED4_963E_E407));
        let target = rng.below(originals.len());
        let (name, bytes) = &originals[target];
        let mut bytes = bytes.clone();
        let count = 1 + rng.below(3);
        let mut applied = Vec::new();
        for _ in 0..count {
            applied.push(mutate(&mut rng, &mut bytes));
        }
        println!("case {case}: {name}: {}", applied.join(", "));
        if std::env::var("SEATABLE_FUZZ_SELFTEST").as_deref() == Ok("abort") {
            std::process::abort();
        }
        let dir = match &keep {
            Some(k) => k.join(format!("case-{case}")),
            None => scratch.clone(),
        };
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let mut files = vec![dir.join(name)];
        std::fs::write(&files[0], &bytes).expect("write mutated file");
        // The other areas refer to models.yaml; models.yaml itself is exercised through auth.
        let partner = if name == "models.yaml" {
            "auth.yaml"
        } else {
            "models.yaml"
        };
        if let Some((_, b)) = originals.iter().find(|(n, _)| n == partner) {
            let p = dir.join(partner);
            std::fs::write(&p, b).expect("write partner file");
            files.push(p);
        }
        files.sort();
        let case_started = Instant::now();
        let outcome = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || {
                std::panic::catch_unwind(AssertUnwindSafe(|| {
                    Generator::from_files(files).generate()
                }))
            })
            .expect("spawn case thread")
            .join();
        stats.variants += 1;
        let millis = case_started.elapsed().as_millis();
        stats.slowest = stats.slowest.max((millis, case));
        match outcome {
            Ok(Ok(Ok(output))) => {
                stats.accepted += 1;
                for (file, text) in &output.rust {
                    if let Err(e) = syn::parse_file(text) {
                        stats.defects.push(format!(
                            "case {case}: accepted output {file} is not Rust: {e}"
                        ));
                    }
                }
            }
            Ok(Ok(Err(diagnostics))) => {
                stats.rejected += 1;
                for d in &diagnostics.0 {
                    stats.diagnostics += 1;
                    // The message without its quoted parts: `dangling $ref …: … has no …`.
                    let kind = d
                        .message
                        .split('`')
                        .step_by(2)
                        .collect::<Vec<_>>()
                        .join("…");
                    let kind: String = kind.chars().take(48).collect();
                    *stats.kinds.entry(kind).or_default() += 1;
                    if d.line == 0 || d.column == 0 || d.file.is_empty() {
                        stats
                            .defects
                            .push(format!("case {case}: diagnostic without a location: {d}"));
                    } else {
                        stats.located += 1;
                    }
                }
            }
            Ok(Err(_)) | Err(_) => stats
                .defects
                .push(format!("case {case}: the generator panicked")),
        }
    }
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    let panics = PANICS.load(Ordering::SeqCst);
    println!(
        "fuzz: seed {seed}: variants {}, accepted {}, rejected {}, diagnostics {} ({} located), panics {panics}, {:.1} s",
        stats.variants,
        stats.accepted,
        stats.rejected,
        stats.diagnostics,
        stats.located,
        started.elapsed().as_secs_f64()
    );
    println!(
        "fuzz: slowest case {} ({} ms)",
        stats.slowest.1, stats.slowest.0
    );
    let mut kinds: Vec<(&String, &u64)> = stats.kinds.iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(a.1));
    let top: Vec<String> = kinds
        .iter()
        .take(15)
        .map(|(k, n)| format!("{n}× {k}"))
        .collect();
    println!("fuzz: diagnostic kinds: {}", top.join("; "));
    println!("fuzz: variants {}", stats.variants);
    for d in &stats.defects {
        println!("defect: {d}");
    }
    // The assertion below is the verdict, not a defect of a case.
    let _ = std::panic::take_hook();
    assert!(
        stats.defects.is_empty() && panics == 0,
        "{} defects, {panics} panics:\n{}",
        stats.defects.len(),
        stats.defects.join("\n")
    );
}

#[derive(Default)]
struct Stats {
    variants: u64,
    accepted: u64,
    rejected: u64,
    diagnostics: u64,
    located: u64,
    /// (milliseconds, case) of the slowest case.
    slowest: (u128, u64),
    /// How often each kind of diagnostic came up, by its first words.
    kinds: std::collections::BTreeMap<String, u64>,
    defects: Vec<String>,
}

/// Applies one random mutation; returns its name for the case log.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    let kinds: &[&str] = &[
        "duplicate key",
        "type swap",
        "delete key",
        "delete subtree",
        "broken ref",
        "cyclic ref",
        "truncate",
        "bad encoding",
        "hostile name",
        "hostile doc",
        "hostile path",
        "alias",
        "deep nesting",
        "byte flip",
    ];
    let kind = *rng.pick(kinds);
    let text = String::from_utf8_lossy(bytes).to_string();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let key_lines: Vec<usize> = (0..lines.len())
        .filter(|&i| key_of(&lines[i]).is_some())
        .collect();
    let find = |lines: &[String], needle: &str| -> Vec<usize> {
        (0..lines.len())
            .filter(|&i| {
                lines[i].trim_start().starts_with(needle)
                    || lines[i].contains(&format!("{{{needle}"))
                    || lines[i].contains(&format!(", {needle}"))
            })
            .collect()
    };
    let done = |lines: Vec<String>, bytes: &mut Vec<u8>| {
        *bytes = (lines.join("\n") + "\n").into_bytes();
    };
    match kind {
        "duplicate key" if !key_lines.is_empty() => {
            let i = *rng.pick(&key_lines);
            let copy = lines[i].clone();
            lines.insert(i + 1, copy);
            done(lines, bytes);
        }
        "type swap" => {
            let at = find(&lines, "type:");
            if at.is_empty() {
                return "type swap (none)".into();
            }
            let i = *rng.pick(&at);
            let to = *rng.pick(&[
                "string", "object", "array", "number", "integer", "boolean", "null", "{}", "[]",
                "42",
            ]);
            let l = &lines[i];
            let pos = l.find("type:").unwrap_or(0) + 5;
            let end = l[pos..]
                .find([',', '}'])
                .map(|e| pos + e)
                .unwrap_or(l.len());
            lines[i] = format!("{} {to}{}", &l[..pos], &l[end..]);
            done(lines, bytes);
        }
        "delete key" if !key_lines.is_empty() => {
            let i = *rng.pick(&key_lines);
            lines.remove(i);
            done(lines, bytes);
        }
        "delete subtree" if !key_lines.is_empty() => {
            let i = *rng.pick(&key_lines);
            let indent = indent_of(&lines[i]);
            let mut end = i + 1;
            while end < lines.len()
                && (lines[end].trim().is_empty() || indent_of(&lines[end]) > indent)
            {
                end += 1;
            }
            lines.drain(i..end);
            done(lines, bytes);
        }
        "broken ref" => {
            let at = find(&lines, "$ref:");
            if at.is_empty() {
                return "broken ref (none)".into();
            }
            let i = *rng.pick(&at);
            let to = *rng.pick(&[
                "'#/components/schemas/DoesNotExist'",
                "'#/servers/0'",
                "'#/components/responses/Nope'",
                "'nofile.yaml#/components/schemas/X'",
                "'#'",
                "''",
                "'#/components/schemas/'",
                "'https://example.com/schema.json'",
                "'#/components/schemas/Row/properties/_id'",
                "'#/paths/~1a'",
                "42",
                "[]",
            ]);
            lines[i] = replace_value(&lines[i], "$ref:", to);
            done(lines, bytes);
        }
        "cyclic ref" => {
            // Point a reference inside a component schema at that schema itself, or add an
            // alias pair and a by-value self-reference.
            let at = find(&lines, "$ref:");
            let refs: Vec<usize> = at
                .into_iter()
                .filter(|&i| lines[i].contains("schemas/"))
                .collect();
            if !refs.is_empty() && rng.below(2) == 0 {
                let i = *rng.pick(&refs);
                if let Some(owner) = owning_schema(&lines, i) {
                    let l = lines[i].clone();
                    lines[i] =
                        replace_value(&l, "$ref:", &format!("'#/components/schemas/{owner}'"));
                    done(lines, bytes);
                    return format!("cyclic ref ({owner})");
                }
            }
            if let Some(s) = lines.iter().position(|l| l == "  schemas:") {
                let extra = [
                    "    ZzA: {$ref: '#/components/schemas/ZzB'}",
                    "    ZzB: {allOf: [{$ref: '#/components/schemas/ZzA'}]}",
                    "    ZzNode: {type: object, properties: {next: {$ref: '#/components/schemas/ZzNode'}, all: {type: array, items: {$ref: '#/components/schemas/ZzNode'}}}}",
                    "    ZzMerge: {allOf: [{$ref: '#/components/schemas/ZzMerge'}, {type: object}]}",
                ];
                for (k, e) in extra.iter().enumerate() {
                    lines.insert(s + 1 + k, e.to_string());
                }
                done(lines, bytes);
            }
        }
        "truncate" => {
            let cut = rng.below(bytes.len().max(1));
            bytes.truncate(cut);
            return format!("truncate at byte {cut}");
        }
        "bad encoding" => {
            let which = rng.below(6);
            let at = rng.below(bytes.len().max(1));
            match which {
                0 => bytes.insert(at, 0xFF),
                1 => bytes.insert(at, 0xC3),
                2 => {
                    let utf16: Vec<u8> =
                        text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
                    *bytes = [vec![0xFF, 0xFE], utf16].concat();
                }
                3 => *bytes = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect(),
                4 => bytes.splice(0..0, [0xEF, 0xBB, 0xBF]).for_each(drop),
                _ => bytes.insert(at, 0),
            }
            return format!("bad encoding {which} at byte {at}");
        }
        "hostile name" => {
            let long = "n".repeat(10_000);
            let names = [
                "a::b",
                "123abc",
                "type",
                "match",
                "self",
                "Self",
                "crate",
                "super",
                "_",
                "",
                long.as_str(),
                "größe²",
                "日本",
                "r#raw",
                "a b",
                "\\\"q\\\"",
                "Unknown",
                "*/",
            ];
            let name = *rng.pick(&names);
            let ids = find(&lines, "operationId:");
            if !ids.is_empty() && rng.below(2) == 0 {
                let i = *rng.pick(&ids);
                lines[i] = replace_value(&lines[i], "operationId:", &format!("\"{name}\""));
            } else if !key_lines.is_empty() {
                // Rename some key: a property, a schema, a parameter name, a path.
                let i = *rng.pick(&key_lines);
                if let Some((start, end)) = key_range(&lines[i]) {
                    let l = &lines[i];
                    lines[i] = format!("{}\"{name}\"{}", &l[..start], &l[end..]);
                }
            }
            done(lines, bytes);
            return format!("hostile name ({} chars)", name.chars().count());
        }
        "hostile doc" => {
            let docs = find(&lines, "description:");
            if docs.is_empty() {
                return "hostile doc (none)".into();
            }
            let i = *rng.pick(&docs);
            let hostile = *rng.pick(&[
                r#""*/ /* \" # #![deny(warnings)] ` ``` </code> \r \a \x01 { }""#,
                "\"```\\ncompile_error!(\\\"x\\\");\\n```\"",
                "\"\\r\\n\\r\\u2028\\u0000\"",
                "'}}}{{{'",
                "\"\\\\\\\\\"",
            ]);
            lines[i] = replace_value(&lines[i], "description:", hostile);
            done(lines, bytes);
        }
        "hostile path" => {
            let paths: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].starts_with("  /") && lines[i].ends_with(':'))
                .collect();
            if paths.is_empty() {
                return "hostile path (none)".into();
            }
            let i = *rng.pick(&paths);
            let to = *rng.pick(&[
                "\"\"",
                "rows/",
                "/a/{b",
                "/a/b}",
                "/{x}/{x}",
                "/a?b={c}",
                "\"/q\\\"\"",
                "/{}/",
                "/a/{日本}",
            ]);
            lines[i] = format!("  {to}:");
            done(lines, bytes);
        }
        "alias" => {
            let mut block = vec![
                "x-fuzz-aliases:".to_string(),
                "  a0: &a0 [x, x, x, x, x, x, x, x]".to_string(),
            ];
            let depth = 2 + rng.below(8);
            for k in 1..depth {
                block.push(format!(
                    "  a{k}: &a{k} [{}]",
                    vec![format!("*a{}", k - 1); 8].join(", ")
                ));
            }
            if rng.below(3) == 0 {
                block.push("  bad: *undefined".into());
            }
            insert_top_level(&mut lines, block);
            done(lines, bytes);
            return format!("alias depth {depth}");
        }
        "deep nesting" => {
            let n = 50 + rng.below(5000);
            let block = if rng.below(2) == 0 {
                vec![format!("x-fuzz-deep: {}{}", "[".repeat(n), "]".repeat(n))]
            } else {
                vec!["x-fuzz-deep:".to_string(), format!("  {}x", "- ".repeat(n))]
            };
            insert_top_level(&mut lines, block);
            done(lines, bytes);
            return format!("deep nesting {n}");
        }
        _ => {
            if !bytes.is_empty() {
                let at = rng.below(bytes.len());
                bytes[at] = rng.next() as u8;
                return format!("byte flip at {at}");
            }
        }
    }
    kind.to_string()
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The key of a `key: value` or `key:` line (block style, perhaps a `- ` item), if it is one.
fn key_of(line: &str) -> Option<&str> {
    key_range(line).map(|(start, end)| &line[start..end])
}

/// Where the key of a `key: value` line lies in it, in bytes.
fn key_range(line: &str) -> Option<(usize, usize)> {
    let t = line.trim_start_matches(' ');
    let t = t.strip_prefix("- ").unwrap_or(t);
    let start = line.len() - t.len();
    let end = t.find(':')?;
    let key = &t[..end];
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-$/{}.~".contains(c));
    (simple && t[end + 1..].chars().next().is_none_or(|c| c == ' ')).then_some((start, start + end))
}

/// `line` with the value after `key` replaced (flow or block style).
fn replace_value(line: &str, key: &str, value: &str) -> String {
    let Some(pos) = line.find(key) else {
        return line.to_string();
    };
    let start = pos + key.len();
    let rest = &line[start..];
    let end = if line[..pos].contains('{') {
        rest.find(['}', ','])
            .map(|e| start + e)
            .unwrap_or(line.len())
    } else {
        line.len()
    };
    format!("{} {value}{}", &line[..start], &line[end..])
}

/// The component schema (`    Name:` under `  schemas:`) that line `i` belongs to.
fn owning_schema(lines: &[String], i: usize) -> Option<String> {
    for j in (0..=i).rev() {
        let l = &lines[j];
        if indent_of(l) == 4 && !l.trim().is_empty() {
            let name = key_of(l)?.to_string();
            let section = lines[..j]
                .iter()
                .rev()
                .find(|l| indent_of(l) == 2 && !l.trim().is_empty())?;
            return (section == "  schemas:").then_some(name);
        }
        if indent_of(l) < 4 && !l.trim().is_empty() {
            return None;
        }
    }
    None
}

/// Inserts a block of top-level keys after the `info:` block's first line (before `paths:`).
fn insert_top_level(lines: &mut Vec<String>, block: Vec<String>) {
    let at = lines
        .iter()
        .position(|l| l.starts_with("paths:"))
        .unwrap_or(lines.len());
    for (k, l) in block.into_iter().enumerate() {
        lines.insert(at + k, l);
    }
}
