//! `generated/` is committed so reviewers see what a spec change does; it must equal a fresh
//! generation from `spec/` (the same check as `seatable-codegen check`).

use std::path::Path;

use seatable_codegen::{compare_dir, same_program, sync_renames, Generator};

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
    // build.rs writes the same program into OUT_DIR, unformatted (formatting was most of its
    // run): what the crate compiles is the committed program.
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
fn the_token_comparison_sees_a_change() {
    // The check above passes only if the comparison can fail.
    let formatted = "pub fn f() -> u8 {\n    1\n}\n";
    assert!(same_program(formatted, "// a comment\npub fn f()->u8{1}").is_ok());
    let err = same_program(formatted, "pub fn f() -> u8 { 2 }").expect_err("a changed literal");
    assert!(err.contains('2'), "{err}");
    assert!(same_program(formatted, "pub fn f( -> u8").is_err());
    // A doc string is compared by its value, not its spelling; a trailing comma is layout;
    // a different value is a change.
    assert!(same_program("/// A doc.\nstruct S;", "#[doc = \" A doc.\"] struct S;").is_ok());
    assert!(same_program("const A: [u8; 2] = [1, 2];", "const A: [u8; 2] = [1, 2,];").is_ok());
    assert!(same_program("/// A doc.\nstruct S;", "#[doc = \" Another.\"] struct S;").is_err());
}
