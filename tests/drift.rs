//! `generated/` is committed so reviewers see what a spec change does; it must equal a fresh
//! generation from `spec/` (the same check as `seatable-codegen check`).

use std::path::Path;

use seatable_codegen::{compare_dir, sync_renames, Generator};

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
    // build.rs writes the same files into OUT_DIR; what the crate compiles is what is committed.
    let out_dir = Path::new(env!("OUT_DIR"));
    for entry in std::fs::read_dir("generated/src").expect("generated/src") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("file name");
        let committed = std::fs::read_to_string(&path).expect("committed file");
        let built = std::fs::read_to_string(out_dir.join(name)).expect("file in OUT_DIR");
        assert_eq!(
            committed,
            built,
            "{} differs from what build.rs generated",
            path.display()
        );
    }
}
