//! `seatable-codegen regenerate | check | docs`: keeps `generated/` in step with `spec/`.

use std::path::PathBuf;
use std::process::ExitCode;

use seatable_codegen::{compare_dir, sync_renames, write_dir, Generator};

const USAGE: &str = "usage: seatable-codegen <regenerate | check | docs> [--spec DIR] [--out DIR]

  regenerate  write the Rust client (OUT/src), the docs (OUT/docs) and the contract-test
              calls (OUT/tests) from the spec
  check       exit 1 when OUT differs from a fresh generation (drift)
  docs        write only the docs

  --spec DIR  the spec directory (default: spec)
  --out DIR   the output directory (default: generated)";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(command) = args.next() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let mut spec = PathBuf::from("spec");
    let mut out = PathBuf::from("generated");
    while let Some(flag) = args.next() {
        let value = args.next();
        match (flag.as_str(), value) {
            ("--spec", Some(v)) => spec = v.into(),
            ("--out", Some(v)) => out = v.into(),
            _ => {
                eprintln!("error: unexpected argument `{flag}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let generated =
        match Generator::from_dir(&spec).and_then(|g| g.with_contract_tests().generate()) {
            Ok(o) => o,
            Err(d) => {
                eprintln!("{d}");
                return ExitCode::from(1);
            }
        };
    let src = out.join("src");
    let docs = out.join("docs");
    let tests = out.join("tests");
    match command.as_str() {
        "regenerate" | "docs" => {
            let mut jobs = vec![(&docs, &generated.docs)];
            if command == "regenerate" {
                jobs.insert(0, (&src, &generated.rust));
                jobs.push((&tests, &generated.tests));
            }
            for (dir, files) in jobs {
                if let Err(e) = write_dir(dir, files, true) {
                    eprintln!("error: cannot write {}: {e}", dir.display());
                    return ExitCode::from(1);
                }
                println!("wrote {} files to {}", files.len(), dir.display());
            }
            if let Err(e) = sync_renames(&spec.join("README.md"), &generated.renames, true) {
                eprintln!(
                    "error: cannot update {}: {e}",
                    spec.join("README.md").display()
                );
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        "check" => {
            let mut drift = compare_dir(&src, &generated.rust);
            drift.extend(compare_dir(&docs, &generated.docs));
            drift.extend(compare_dir(&tests, &generated.tests));
            match sync_renames(&spec.join("README.md"), &generated.renames, false) {
                Ok(message) => drift.extend(message),
                Err(e) => drift.push(format!("{}: {e}", spec.join("README.md").display())),
            }
            if drift.is_empty() {
                println!(
                    "{} matches the spec ({} files)",
                    out.display(),
                    generated.rust.len() + generated.docs.len() + generated.tests.len()
                );
                ExitCode::SUCCESS
            } else {
                for d in &drift {
                    eprintln!("drift: {d}");
                }
                eprintln!(
                    "error: {} is out of date; run `cargo run -p seatable-codegen -- regenerate`",
                    out.display()
                );
                ExitCode::from(1)
            }
        }
        other => {
            eprintln!("error: unknown command `{other}`\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
