//! `seatable-codegen`: turns an OpenAPI 3.0 description of SeaTable into the Rust client of
//! `seatable-api` and into Markdown docs.
//!
//! The flow is one direction: YAML files are loaded (with positions), checked and lowered
//! into a small IR ([`ir::Api`]); the Rust and Markdown emitters read only the IR. Any
//! problem in the spec comes back as [`Diagnostics`] naming file, line, column and JSON
//! pointer, all of them at once, and nothing is written.
//!
//! In a `build.rs` of a crate that depends on `seatable-api`:
//!
//! ```no_run
//! // build.rs
//! seatable_codegen::build("spec", seatable_codegen::RustOptions::external());
//! ```
//! and in that crate: `mod api { include!(concat!(env!("OUT_DIR"), "/api.rs")); }`.

pub mod diagnostics;
mod docs;
pub mod ir;
pub mod load;
mod lower;
pub mod naming;
mod rust;

use std::path::{Path, PathBuf};

pub use diagnostics::{Diagnostic, Diagnostics};
pub use rust::{Layout, RustOptions};

/// The generated files, as `(file name, contents)` pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// `api.rs` (the root to `include!`) and one file per module.
    pub rust: Vec<(String, String)>,
    /// `README.md` (index), one page per module, `types.md`.
    pub docs: Vec<(String, String)>,
    /// The table of operations named differently from SeaTable's files, which the spec's
    /// `README.md` keeps between [`RENAMES_START`] and [`RENAMES_END`].
    pub renames: String,
    /// `contract.rs`, the contract-test calls, when asked for with
    /// [`Generator::with_contract_tests`]; empty otherwise.
    pub tests: Vec<(String, String)>,
}

/// A configured generation over a set of spec files.
#[derive(Clone, Debug)]
pub struct Generator {
    files: Vec<PathBuf>,
    options: RustOptions,
    contract_tests: bool,
    layout: Layout,
}

impl Generator {
    /// Every `*.yaml` / `*.yml` file directly in `dir`, in name order.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Generator, Diagnostics> {
        let dir = dir.as_ref();
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Diagnostics(vec![Diagnostic {
                file: dir.display().to_string(),
                line: 0,
                column: 0,
                pointer: String::new(),
                message: format!("cannot read the spec directory: {e}"),
            }])
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
            .collect();
        files.sort();
        Ok(Generator::from_files(files))
    }

    /// Exactly these files, in this order.
    pub fn from_files(files: impl IntoIterator<Item = impl Into<PathBuf>>) -> Generator {
        Generator {
            files: files.into_iter().map(Into::into).collect(),
            options: RustOptions::default(),
            contract_tests: false,
            layout: Layout::Pretty,
        }
    }

    /// How the generated code reaches the runtime (default: inside `seatable-api`).
    pub fn options(mut self, options: RustOptions) -> Generator {
        self.options = options;
        self
    }

    /// Also renders the contract-test program (see [`Output::tests`]); a `build.rs` has no
    /// use for it.
    pub fn with_contract_tests(mut self) -> Generator {
        self.contract_tests = true;
        self
    }

    /// How the Rust files are laid out (default: [`Layout::Pretty`]).
    pub fn layout(mut self, layout: Layout) -> Generator {
        self.layout = layout;
        self
    }

    /// The spec files this generator reads.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Loads, checks and lowers the spec.
    pub fn lower(&self) -> Result<ir::Api, Diagnostics> {
        let (files, mut problems) = load::load_files(&self.files);
        let (api, lower_problems) = lower::lower(&files);
        problems.extend(lower_problems);
        if self.options.inherent_methods {
            problems.extend(self.variant_clashes(&api));
        }
        let mut d = Diagnostics(problems);
        if d.is_empty() {
            Ok(api)
        } else {
            d.sort();
            Err(d)
        }
    }

    /// Two operations whose `Operation` variants (the route table of the `testing`
    /// stand-in) would have the same name.
    fn variant_clashes(&self, api: &ir::Api) -> Vec<Diagnostic> {
        rust::server::variant_clashes(api)
            .into_iter()
            .map(|(module, id, message)| {
                let file = api
                    .modules
                    .iter()
                    .find(|m| m.name == module)
                    .map(|m| m.source.clone())
                    .unwrap_or_default();
                Diagnostic {
                    file,
                    line: 0,
                    column: 0,
                    pointer: format!("operationId `{id}`"),
                    message,
                }
            })
            .collect()
    }

    /// Loads the spec and renders only the Rust client, as a `build.rs` needs it.
    pub fn generate_rust(&self) -> Result<Vec<(String, String)>, Diagnostics> {
        let api = self.lower()?;
        let mut rust = rust::emit(&api, &self.options, self.layout);
        self.stamp(&mut rust);
        Ok(rust)
    }

    /// What the generated Rust depends on, as 16 hex digits: this generator's version, the
    /// options, and each spec file's name (without its directory) and bytes. `api.rs` records it, so that a
    /// `build.rs` can reuse committed output while it still matches ([`build_reusing`]).
    /// `None` when a file cannot be read (generation then reports it).
    pub fn fingerprint(&self) -> Option<String> {
        // FNV-1a: stable across Rust versions and platforms, unlike `DefaultHasher`.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for b in bytes {
                hash ^= u64::from(*b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            // A separator, so that moving bytes between two fields changes the hash.
            hash ^= 0xff;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        };
        feed(env!("CARGO_PKG_VERSION").as_bytes());
        feed(format!("{:?}", self.options).as_bytes());
        for f in &self.files {
            // The name, not the path: the same spec read from elsewhere is the same spec.
            feed(
                f.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .as_bytes(),
            );
            feed(&std::fs::read(f).ok()?);
        }
        Some(format!("{hash:016x}"))
    }

    /// Writes the fingerprint into the header of `api.rs`.
    fn stamp(&self, rust: &mut [(String, String)]) {
        let Some(fingerprint) = self.fingerprint() else {
            return;
        };
        if let Some((_, text)) = rust.iter_mut().find(|(name, _)| name == "api.rs") {
            let line = format!("{FINGERPRINT_PREFIX}{fingerprint}\n");
            let at = text.find("\n\n").map_or(0, |i| i + 1);
            text.insert_str(at, &line);
        }
    }

    /// The files of `dir` (a committed copy of the generated Rust, such as `generated/src`),
    /// when its `api.rs` records this generation's fingerprint; `None` otherwise.
    pub fn reusable(&self, dir: &Path) -> Option<Vec<(String, String)>> {
        let api = std::fs::read_to_string(dir.join("api.rs")).ok()?;
        let recorded = api
            .lines()
            .take_while(|l| l.starts_with("//"))
            .find_map(|l| l.strip_prefix(FINGERPRINT_PREFIX))?;
        if Some(recorded.trim()) != self.fingerprint().as_deref() {
            return None;
        }
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).ok()? {
            let path = entry.ok()?.path();
            if path.extension().is_some_and(|e| e == "rs") {
                let name = path.file_name()?.to_string_lossy().to_string();
                files.push((name, std::fs::read_to_string(&path).ok()?));
            }
        }
        files.sort();
        Some(files)
    }

    /// Loads the spec and renders both outputs.
    pub fn generate(&self) -> Result<Output, Diagnostics> {
        let api = self.lower()?;
        let mut rust = rust::emit(&api, &self.options, self.layout);
        self.stamp(&mut rust);
        Ok(Output {
            rust,
            docs: docs::emit(&api),
            renames: docs::renames(&api),
            tests: if self.contract_tests {
                rust::emit_contract(&api)
            } else {
                Vec::new()
            },
        })
    }
}

/// Writes `files` into `dir` so that a reader never sees a half-written set: everything goes
/// to temporary files first, then each is renamed into place. With `remove_stale`, other
/// files with the same extensions are removed (an operation module that no longer exists).
pub fn write_dir(
    dir: &Path,
    files: &[(String, String)],
    remove_stale: bool,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut temps = Vec::new();
    for (name, contents) in files {
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, contents)?;
        temps.push((tmp, dir.join(name)));
    }
    for (tmp, target) in temps {
        std::fs::rename(tmp, target)?;
    }
    if remove_stale {
        for stale in stale_files(dir, files)? {
            std::fs::remove_file(stale)?;
        }
    }
    Ok(())
}

fn stale_files(dir: &Path, files: &[(String, String)]) -> std::io::Result<Vec<PathBuf>> {
    let exts: Vec<&str> = files
        .iter()
        .filter_map(|(n, _)| n.rsplit_once('.').map(|x| x.1))
        .collect();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let ext = name.rsplit_once('.').map(|x| x.1).unwrap_or_default();
        if path.is_file() && exts.contains(&ext) && !files.iter().any(|(n, _)| *n == name) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Differences between `files` and what `dir` holds: one line per changed, missing or
/// extra file. Empty when they agree.
pub fn compare_dir(dir: &Path, files: &[(String, String)]) -> Vec<String> {
    let mut drift = Vec::new();
    for (name, contents) in files {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(existing) if existing == *contents => {}
            Ok(existing) => {
                let line = existing
                    .lines()
                    .zip(contents.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| existing.lines().count().min(contents.lines().count()))
                    + 1;
                drift.push(format!(
                    "{}: differs from the spec, first at line {line}",
                    path.display()
                ));
            }
            Err(_) => drift.push(format!("{}: missing", path.display())),
        }
    }
    if let Ok(stale) = stale_files(dir, files) {
        for s in stale {
            drift.push(format!("{}: no longer generated", s.display()));
        }
    }
    drift
}

/// The header line of `api.rs` that records [`Generator::fingerprint`].
const FINGERPRINT_PREFIX: &str = "// Spec fingerprint: ";

/// For a `build.rs`: generates `$OUT_DIR/api.rs` (and its module files) from the spec
/// files in `spec_dir`, rerunning only when a spec file changes. On a spec problem it
/// prints every diagnostic and fails the build.
pub fn build(spec_dir: &str, options: RustOptions) {
    build_into_out_dir(spec_dir, None, options);
}

/// [`build`], reusing `committed` (a directory such as `generated/src`, written by
/// `seatable-codegen regenerate` and kept equal to the spec by a drift test) while its
/// fingerprint matches the spec: the build script then copies files instead of parsing a
/// megabyte of YAML twice in an unoptimised binary. Any spec edit changes the fingerprint
/// and the spec is generated as by [`build`].
pub fn build_reusing(spec_dir: &str, committed: &str, options: RustOptions) {
    println!("cargo:rerun-if-changed={committed}");
    build_into_out_dir(spec_dir, Some(Path::new(committed)), options);
}

fn build_into_out_dir(spec_dir: &str, committed: Option<&Path>, options: RustOptions) {
    println!("cargo:rerun-if-changed={spec_dir}");
    // Unformatted: the compiler does not read layout, and formatting was most of the run.
    let generator = match Generator::from_dir(spec_dir) {
        Ok(g) => g.options(options).layout(Layout::Compact),
        Err(d) => fail(&d),
    };
    for f in generator.files() {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let reused = committed.and_then(|dir| generator.reusable(dir));
    let rust = match reused {
        Some(files) => files,
        None => match generator.generate_rust() {
            Ok(o) => o,
            Err(d) => fail(&d),
        },
    };
    let out_dir = match std::env::var_os("OUT_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            eprintln!(
                "error: OUT_DIR is not set; call seatable_codegen::build from a build script"
            );
            std::process::exit(1);
        }
    };
    if let Err(e) = write_dir(&out_dir, &rust, true) {
        eprintln!(
            "error: cannot write the generated code to {}: {e}",
            out_dir.display()
        );
        std::process::exit(1);
    }
}

fn fail(d: &Diagnostics) -> ! {
    eprintln!("{d}");
    std::process::exit(1)
}

/// Whether two Rust sources are the same program, whatever their layout and comments:
/// both are parsed and printed again by prettyplease, and the prints compared (what
/// `build.rs` writes unformatted against the formatted `generated/`). `Err` says where they
/// part, or which does not parse.
pub fn same_program(a: &str, b: &str) -> Result<(), String> {
    fn print(text: &str, which: &str) -> Result<String, String> {
        let file: syn::File =
            syn::parse_str(text).map_err(|e| format!("the {which} does not parse: {e}"))?;
        Ok(prettyplease::unparse(&file))
    }
    let (a, b) = (print(a, "first")?, print(b, "second")?);
    if a == b {
        return Ok(());
    }
    let line = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| a.lines().count().min(b.lines().count()));
    Err(format!(
        "they differ at line {} of the printed program:\n  first:  {}\n  second: {}",
        line + 1,
        a.lines().nth(line).unwrap_or("(end)"),
        b.lines().nth(line).unwrap_or("(end)")
    ))
}

/// Marks the start of the generated table of renames in the spec's `README.md`.
pub const RENAMES_START: &str =
    "<!-- renames: written by `seatable-codegen regenerate`, checked by `check` -->";
/// Marks its end.
pub const RENAMES_END: &str = "<!-- /renames -->";

/// `readme` with the block between the rename markers replaced by `table`; `None` when the
/// file has no (well-ordered) markers.
pub fn with_renames(readme: &str, table: &str) -> Option<String> {
    let start = readme.find(RENAMES_START)? + RENAMES_START.len();
    let end = start + readme[start..].find(RENAMES_END)?;
    Some(format!(
        "{}\n\n{}\n{}",
        &readme[..start],
        table.trim_end(),
        &readme[end..]
    ))
}

/// Brings the rename table of `readme_path` up to date (`write`) or reports whether it is
/// (`Ok(None)`: up to date or no markers; `Ok(Some(message))`: out of date).
pub fn sync_renames(
    readme_path: &Path,
    table: &str,
    write: bool,
) -> std::io::Result<Option<String>> {
    let current = match std::fs::read_to_string(readme_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(updated) = with_renames(&current, table) else {
        return Ok(None);
    };
    if updated == current {
        return Ok(None);
    }
    if write {
        write_dir(
            readme_path.parent().unwrap_or(Path::new(".")),
            &[(
                readme_path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
                updated,
            )],
            false,
        )?;
        return Ok(None);
    }
    Ok(Some(format!(
        "{}: the table of renames differs from the spec",
        readme_path.display()
    )))
}

pub mod rows;

/// For a `build.rs`: generates `$OUT_DIR/rows.rs`, typed row structs for every table of a
/// base, from that base's metadata JSON (the answer of `getMetadata`, saved to a file),
/// rerunning only when the file changes. On a problem it prints every diagnostic and
/// fails the build. [`rows::build`] takes options (a subset of the tables, say).
///
/// ```no_run
/// // build.rs
/// seatable_codegen::build_rows("seatable/metadata.json");
/// ```
/// and in the crate: `mod rows { include!(concat!(env!("OUT_DIR"), "/rows.rs")); }`.
pub fn build_rows(metadata_path: &str) {
    rows::build(metadata_path, rows::RowsOptions::default());
}
