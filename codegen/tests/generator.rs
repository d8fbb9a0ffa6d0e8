//! Snapshot tests of the generator: each folder under `tests/fixtures/` is a small spec for
//! one construct, rendered to `tests/snapshots/<name>/`; each folder under
//! `tests/diagnostics/` is a broken spec whose exact diagnostics are pinned in
//! `expected.txt`.
//!
//! `UPDATE_SNAPSHOTS=1 cargo test -p seatable-codegen` rewrites the expected files; review
//! the diff before committing it.

use std::path::{Path, PathBuf};

use seatable_codegen::{compare_dir, write_dir, Generator, RustOptions};

fn folders(dir: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

fn updating() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some()
}

/// Compares `files` with the snapshot folder, or rewrites it when updating.
fn check_snapshot(dir: &Path, files: &[(String, String)]) -> Vec<String> {
    if updating() {
        write_dir(dir, files, true).expect("write snapshot");
        return Vec::new();
    }
    compare_dir(dir, files)
}

#[test]
fn fixtures_match_their_snapshots() {
    let mut drift = Vec::new();
    let mut count = 0;
    for fixture in folders("tests/fixtures") {
        let name = fixture.file_name().unwrap().to_string_lossy().to_string();
        let mut modes = vec![(name.clone(), RustOptions::external())];
        if name == "tokens" {
            // The same spec as seatable-api itself compiles it: inherent methods.
            modes.push(("tokens_inherent".to_string(), RustOptions::default()));
        }
        for (snapshot, options) in modes {
            let output = Generator::from_dir(&fixture)
                .expect("fixture folder")
                .options(options)
                .generate()
                .unwrap_or_else(|d| panic!("fixture {name} must generate:\n{d}"));
            let dir = Path::new("tests/snapshots").join(&snapshot);
            drift.extend(check_snapshot(&dir.join("src"), &output.rust));
            drift.extend(check_snapshot(&dir.join("docs"), &output.docs));
            count += 1;
        }
        // The command table of the `seatable` tool: token kinds and bound parameters
        // (`tokens`), every body media (`media_types`).
        if name == "tokens" || name == "media_types" {
            let table = Generator::from_dir(&fixture)
                .expect("fixture folder")
                .generate_cli()
                .unwrap_or_else(|d| panic!("fixture {name} must generate:\n{d}"));
            let dir = Path::new("tests/snapshots").join(&name).join("cli");
            drift.extend(check_snapshot(&dir, &[("commands.rs".to_string(), table)]));
        }
    }
    assert!(
        count >= 9,
        "expected at least 9 fixture snapshots, found {count}"
    );
    assert!(
        drift.is_empty(),
        "generator output changed (UPDATE_SNAPSHOTS=1 to accept):\n{}",
        drift.join("\n")
    );
}

#[test]
fn broken_specs_give_pinned_diagnostics() {
    let mut failures = Vec::new();
    let mut count = 0;
    for case in folders("tests/diagnostics") {
        count += 1;
        let expected_path = case.join("expected.txt");
        let rendered = match Generator::from_dir(&case).expect("case folder").generate() {
            Ok(_) => "generated without errors".to_string(),
            Err(d) => format!("{d}\n"),
        };
        if updating() {
            std::fs::write(&expected_path, &rendered).expect("write expected.txt");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != rendered {
            failures.push(format!(
                "--- {} (- expected, + actual)\n{}",
                case.display(),
                seatable_codegen::line_diff(&expected, &rendered)
            ));
        }
    }
    assert!(
        count >= 8,
        "expected at least 8 broken specs, found {count}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn nothing_is_written_when_the_spec_is_broken() {
    let out = std::env::temp_dir().join(format!("seatable-codegen-nowrite-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_seatable-codegen"))
        .args([
            "regenerate",
            "--spec",
            "tests/diagnostics/many_problems",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("run seatable-codegen");
    assert_eq!(status.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(
        stderr.contains("error: operation has no operationId"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!out.exists(), "the output folder must not be created");
}

/// The specs of issue 12 that crashed `seatable-codegen check` (a panic in openapiv3 with exit
/// 101, a stack overflow) now end in diagnostics and exit 1, through the real binary.
#[test]
fn the_cli_reports_what_used_to_crash_it() {
    let cases = [
        ("duplicate_keys", "error: duplicate key `description`"),
        ("ref_cycles", "error: $ref cycle with no type in it: A → A"),
        ("allof_cycle", "error: allOf cycle"),
        (
            "deep_nesting",
            "error: the document nests deeper than 100 levels here",
        ),
        (
            "alias_bomb",
            "error: YAML aliases here expand this document",
        ),
        ("utf16_bom", "error: the file is UTF-16"),
    ];
    for (case, wanted) in cases {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_seatable-codegen"))
            .args(["check", "--spec", &format!("tests/diagnostics/{case}")])
            .args(["--out", "tests/does-not-exist"])
            .output()
            .expect("run seatable-codegen");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{case}: {stderr}");
        assert!(stderr.contains(wanted), "{case}: {stderr}");
    }
}

#[test]
fn check_reports_drift_and_regenerate_fixes_it() {
    let out = std::env::temp_dir().join(format!("seatable-codegen-drift-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = |cmd: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_seatable-codegen"))
            .args([cmd, "--spec", "tests/fixtures/tokens", "--out"])
            .arg(&out)
            .output()
            .expect("run seatable-codegen")
    };
    assert_eq!(
        run("check").status.code(),
        Some(1),
        "missing output is drift"
    );
    assert_eq!(run("regenerate").status.code(), Some(0));
    assert_eq!(run("check").status.code(), Some(0));
    let generated = std::fs::read_to_string(out.join("src/spec.rs")).unwrap();
    let first = generated.lines().next().unwrap().to_string();
    std::fs::write(out.join("src/spec.rs"), "// edited by hand\n").unwrap();
    let checked = run("check");
    assert_eq!(checked.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&checked.stderr);
    assert!(stderr.contains("spec.rs: differs from the spec, first at line 1"));
    // The report shows the change itself: the hand edit removed, the generated lines back.
    assert!(stderr.contains("\n-// edited by hand\n"), "{stderr}");
    assert!(stderr.contains(&format!("\n+{first}\n")), "{stderr}");
    std::fs::write(out.join("src/stale.rs"), "").unwrap();
    assert!(String::from_utf8_lossy(&run("check").stderr).contains("stale.rs: no longer generated"));
    assert_eq!(run("regenerate").status.code(), Some(0));
    assert!(
        !out.join("src/stale.rs").exists(),
        "regenerate removes files it no longer generates"
    );
    assert_eq!(run("check").status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&out);
}

#[path = "generator/fuzz.rs"]
mod fuzz;
