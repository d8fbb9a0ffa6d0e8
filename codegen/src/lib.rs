//! `seatable-codegen`: turns an OpenAPI 3.0 description of SeaTable into the Rust client of
//! `seatable-api` and into Markdown docs.
//!
//! The flow is one direction: YAML files are loaded (with positions), checked and lowered
//! into a small IR ([`ir::Api`]); the Rust and Markdown emitters read only the IR. Any
//! problem in the spec comes back as [`Diagnostics`] naming file, line, column and JSON
//! pointer, all of them at once, and nothing is written.
//!
//! Input is not trusted: whatever the files hold, the generator answers with output or with
//! located diagnostics, never a panic or a stack overflow. Before serde reads a file it must
//! be UTF-8 (a byte-order mark is dropped), free of duplicate keys, nest at most
//! [`guard::MAX_DEPTH`] levels and expand its YAML aliases by at most
//! [`guard::MAX_ALIAS_NODES`] nodes; every `$ref` must name a component of the kind its place
//! needs; a type may not contain itself without an array or map in between; and a name that
//! cannot become an ASCII Rust identifier is escaped (`type` → `type_`, `123` → `_123`) or
//! reported.
//!
//! In a `build.rs` of a crate that depends on `seatable-api`:
//!
//! ```no_run
//! // build.rs
//! seatable_codegen::build("spec", seatable_codegen::RustOptions::external());
//! ```
//! and in that crate: `mod api { include!(concat!(env!("OUT_DIR"), "/api.rs")); }`.

mod cycles;
pub mod diagnostics;
mod docs;
pub mod guard;
pub mod ir;
mod line_diff;
pub mod load;
mod lower;
pub mod naming;
mod par;
mod refs;
mod rust;
mod tree;

use std::path::{Path, PathBuf};

pub use diagnostics::{Diagnostic, Diagnostics};
pub use line_diff::line_diff;
pub use rust::{command_name, Layout, RustOptions};

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
        let (mut api, lower_problems) = lower::lower(&files);
        problems.extend(lower_problems);
        if self.options.inherent_methods {
            problems.extend(self.variant_clashes(&api, &files));
            // Only the runtime crate has a server (its `testing` stand-in), which checks
            // answers against the spec: a user's build script need not pay for these.
            if self.options.stand_in {
                lower::check_documents::add_to(&mut api, &files);
            }
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
    fn variant_clashes(&self, api: &ir::Api, files: &[load::SpecFile]) -> Vec<Diagnostic> {
        rust::server::variant_clashes(api)
            .into_iter()
            .map(|(module, id, message)| {
                let module = api.modules.iter().find(|m| m.name == module);
                let file = module.map(|m| m.source.clone()).unwrap_or_default();
                // Located at the operationId, or at the nearest node of its pointer that the
                // file has (a path key with a fixed query is written longer than `o.path`).
                let pointer = module
                    .and_then(|m| m.operations.iter().find(|o| o.id == id))
                    .map(|o| {
                        format!(
                            "#/paths/{}/{}/operationId",
                            diagnostics::escape_pointer_token(&o.path),
                            o.http_method.as_str().to_ascii_lowercase()
                        )
                    })
                    .unwrap_or_else(|| "#/paths".to_string());
                let (line, column) = files
                    .iter()
                    .find(|f| f.display == file)
                    .map_or((1, 1), |f| f.positions.find(&pointer));
                Diagnostic {
                    file,
                    line,
                    column,
                    pointer,
                    message,
                }
            })
            .collect()
    }

    /// Loads the spec and renders only the Rust client, as a `build.rs` needs it.
    pub fn generate_rust(&self) -> Result<Vec<(String, String)>, Diagnostics> {
        let api = self.lower()?;
        Ok(rust::emit(&api, &self.options, self.layout))
    }

    /// Loads the spec and renders the command table of the `seatable` command line tool:
    /// one row of plain data per operation (area, kebab-case name, parameters with their
    /// kinds and docs, body media, token kind), for a clap builder to read.
    pub fn generate_cli(&self) -> Result<String, Diagnostics> {
        let api = self.lower()?;
        Ok(rust::emit_cli(&api))
    }

    /// Loads the spec and renders both outputs.
    pub fn generate(&self) -> Result<Output, Diagnostics> {
        let api = self.lower()?;
        Ok(Output {
            rust: rust::emit(&api, &self.options, self.layout),
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
                    "{}: differs from the spec, first at line {line}\n{}",
                    path.display(),
                    line_diff(&existing, contents)
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

/// For a `build.rs`: generates `$OUT_DIR/api.rs` (and its module files) from the spec
/// files in `spec_dir`, rerunning only when a spec file changes. On a spec problem it
/// prints every diagnostic and fails the build.
pub fn build(spec_dir: &str, options: RustOptions) {
    println!("cargo:rerun-if-changed={spec_dir}");
    // Unformatted: the compiler does not read layout, and formatting was most of the run.
    let generator = match Generator::from_dir(spec_dir) {
        Ok(g) => g.options(options).layout(Layout::Compact),
        Err(d) => fail(&d),
    };
    for f in generator.files() {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let rust = match generator.generate_rust() {
        Ok(o) => o,
        Err(d) => fail(&d),
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
/// `build.rs` writes unformatted against the formatted `generated/`: the printer adds the
/// trailing commas and spells doc strings as the formatted file does). `Err` says where
/// they part, or which does not parse.
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
