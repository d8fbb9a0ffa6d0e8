//! Compile tests of the generated surface, all in one trybuild run (it rebuilds the
//! dependencies once per run):
//! - `tests/ui/pass`: programs that use the client as a user would, warnings denied;
//! - `tests/ui/fail`: misuse that must not compile, with the compiler's message pinned;
//! - every snapshot of the generator's fixtures (as a user's build.rs would generate it);
//! - SeaTable's own published OpenAPI files, generated and compiled.

use std::path::{Path, PathBuf};

use seatable_codegen::{write_dir, Generator, RustOptions};

/// A program that includes generated code from `api_rs` and must compile with warnings
/// denied (unused items aside: the program calls nothing).
fn wrapper(name: &str, api_rs: &Path) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-generated");
    std::fs::create_dir_all(&dir).expect("create wrapper dir");
    let file = dir.join(format!("{name}.rs"));
    let api_rs = api_rs.canonicalize().expect("generated api.rs exists");
    let text = format!(
        "#![deny(warnings)]\n#[allow(dead_code)]\nmod api {{\n    include!({:?});\n}}\nfn main() {{}}\n",
        api_rs.display().to_string()
    );
    std::fs::write(&file, text).expect("write wrapper");
    file
}

fn published_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SEATABLE_OPENAPI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/reference/seatable-openapi-6.2"));
    dir.is_dir().then_some(dir)
}

/// Generates every published file that generates (the other ends in diagnostics, pinned by
/// the generator's own tests) into the test's scratch directory.
fn published_programs() -> Vec<PathBuf> {
    let Some(dir) = published_dir() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "SeaTable's published OpenAPI files are missing on CI"
        );
        eprintln!(
            "note: SeaTable's published OpenAPI files are not beside the repository; not compiled"
        );
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let mut programs = Vec::new();
    for file in files {
        let stem = file
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .replace(['.', '-'], "_");
        let Ok(output) = Generator::from_files([&file])
            .options(RustOptions::external())
            .generate()
        else {
            continue;
        };
        let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("published")
            .join(&stem);
        write_dir(&out, &output.rust, true).expect("write generated code");
        programs.push(wrapper(&format!("published_{stem}"), &out.join("api.rs")));
    }
    assert_eq!(
        programs.len(),
        7,
        "7 of SeaTable's 8 published files generate"
    );
    programs
}

#[test]
fn ui() {
    let mut snapshots: Vec<PathBuf> = std::fs::read_dir("codegen/tests/snapshots")
        .expect("snapshots")
        .map(|e| e.expect("entry").path())
        .filter(|p| !p.ends_with("tokens_inherent")) // inherent methods compile only inside seatable-api
        .collect();
    snapshots.sort();
    let published = published_programs();

    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
    for dir in &snapshots {
        let name = dir.file_name().expect("name").to_string_lossy().to_string();
        t.pass(wrapper(
            &format!("snapshot_{name}"),
            &dir.join("src/api.rs"),
        ));
    }
    for program in &published {
        t.pass(program);
    }
}
