//! `generated/` is committed so reviewers see what a spec change does; it must equal a fresh
//! generation from `spec/` (the same check as `seatable-codegen check`).

use std::path::Path;

use seatable_codegen::{compare_dir, same_program, sync_renames, Generator, Layout};

#[test]
fn generated_matches_the_spec() {
    let output = Generator::from_dir("spec")
        .and_then(|g| g.with_contract_tests().generate())
        .unwrap_or_else(|d| panic!("the spec must generate:\n{d}"));
    let mut drift = compare_dir(Path::new("generated/src"), &output.rust);
    drift.extend(compare_dir(Path::new("generated/docs"), &output.docs));
    drift.extend(compare_dir(Path::new("generated/tests"), &output.tests));
    drift.extend(
        sync_renames(Path::new("spec/README.md"), &output.renames, false)
            .expect("read spec/README.md"),
    );
    assert!(
        drift.is_empty(),
        "generated/ is out of date; run `cargo run -p seatable-codegen -- regenerate`:\n{}",
        drift.join("\n")
    );
}

#[test]
fn build_rs_output_equals_the_committed_source() {
    // build.rs writes the same program into OUT_DIR (a copy, or unformatted after a spec
    // edit): what the crate compiles is what is committed.
    let out_dir = Path::new(env!("OUT_DIR"));
    let mut compared = 0;
    for entry in std::fs::read_dir("generated/src").expect("generated/src") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("file name");
        let committed = std::fs::read_to_string(&path).expect("committed file");
        let built = std::fs::read_to_string(out_dir.join(name))
            .unwrap_or_else(|e| panic!("{} is not in OUT_DIR: {e}", path.display()));
        if let Err(difference) = same_program(&committed, &built) {
            panic!(
                "{} differs from what build.rs generated: {difference}",
                path.display()
            );
        }
        compared += 1;
    }
    let built = std::fs::read_dir(out_dir)
        .expect("OUT_DIR")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "rs"))
        })
        .count();
    assert_eq!(
        compared, built,
        "build.rs wrote files that generated/src does not have"
    );
}

#[test]
fn a_generation_in_build_rs_equals_the_committed_source() {
    // When the fingerprint does not match (a spec edit), build.rs generates, unformatted:
    // that program must be the committed one too.
    let built = Generator::from_dir("spec")
        .and_then(|g| g.layout(Layout::Compact).generate_rust())
        .unwrap_or_else(|d| panic!("the spec must generate:\n{d}"));
    let mut committed = 0;
    for entry in std::fs::read_dir("generated/src").expect("generated/src") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let text = std::fs::read_to_string(&path).expect("committed file");
        let (_, fresh) = built
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("build.rs would not write {name}"));
        if let Err(difference) = same_program(&text, fresh) {
            panic!("{name}: {difference}");
        }
        committed += 1;
    }
    assert_eq!(committed, built.len(), "build.rs would write other files");
}

#[test]
fn build_rs_reuses_the_committed_source_only_while_the_spec_matches() {
    let generator = Generator::from_dir("spec").expect("spec");
    let reused = generator
        .reusable(Path::new("generated/src"))
        .expect("generated/src records the fingerprint of spec/");
    assert_eq!(
        reused.len(),
        std::fs::read_dir("generated/src").expect("dir").count()
    );
    // One changed byte in any spec file changes the fingerprint.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fingerprint-spec");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    for f in generator.files() {
        std::fs::copy(f, dir.join(f.file_name().expect("name"))).expect("copy spec");
    }
    let before = Generator::from_dir(&dir)
        .expect("copy")
        .fingerprint()
        .expect("fingerprint");
    let base = dir.join("base.yaml");
    let text = std::fs::read_to_string(&base).expect("base.yaml");
    std::fs::write(&base, text.replacen("rows.", "rows!", 1)).expect("edit");
    let after = Generator::from_dir(&dir)
        .expect("copy")
        .fingerprint()
        .expect("fingerprint");
    assert_ne!(
        before, after,
        "an edited spec must not reuse the committed code"
    );
}

#[test]
fn the_token_comparison_sees_a_change() {
    // The check above passes only if the comparison can fail.
    let formatted = "pub fn f() -> u8 {\n    1\n}\n";
    assert!(same_program(formatted, "// a comment\npub fn f()->u8{1}").is_ok());
    let err = same_program(formatted, "pub fn f() -> u8 { 2 }").expect_err("a changed literal");
    assert!(err.contains("line 2"), "{err}");
    assert!(same_program(formatted, "pub fn f( -> u8").is_err());
    // A doc comment is one string however it is spelled.
    assert!(same_program("/// a\nfn g() {}", "#[doc = r\" a\"] fn g() {}").is_ok());
    assert!(same_program("/// a\nfn g() {}", "#[doc = \" b\"] fn g() {}").is_err());
}
