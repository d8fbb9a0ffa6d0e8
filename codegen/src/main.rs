//! `seatable-codegen regenerate | check | docs`: keeps `generated/` in step with `spec/`.

use std::path::PathBuf;
use std::process::ExitCode;

use seatable_codegen::{compare_dir, sync_renames, write_dir, Generator};

const USAGE: &str = "usage: seatable-codegen <regenerate | check | docs> [--spec DIR] [--out DIR]
       seatable-codegen rows --metadata FILE [--table NAME]... [--out FILE]

  regenerate  write the Rust client (OUT/src), the docs (OUT/docs) and the contract-test
              calls (OUT/tests) from the spec
  check       exit 1 when OUT differs from a fresh generation (drift)
  docs        write only the docs
  rows        typed row structs for the tables of one base, from its metadata JSON (the
              answer of getMetadata); to stdout, or to FILE with --out

  --spec DIR  the spec directory (default: spec)
  --out DIR   the output directory (default: generated)";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(command) = args.next() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if command == "rows" {
        return rows(args);
    }
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

/// `rows --metadata FILE [--table NAME]... [--out FILE]`: its own flags, and no spec.
fn rows(mut args: impl Iterator<Item = String>) -> ExitCode {
    use seatable_codegen::rows::{generate, render, RowsOptions};
    let mut metadata = None;
    let mut out = None;
    let mut options = RowsOptions::default();
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--metadata", Some(v)) => metadata = Some(PathBuf::from(v)),
            ("--out", Some(v)) => out = Some(PathBuf::from(v)),
            ("--table", Some(v)) => options.tables.push(v),
            _ => {
                eprintln!("error: unexpected argument `{flag}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(metadata) = metadata else {
        eprintln!("error: `rows` needs --metadata FILE\n\n{USAGE}");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&metadata) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", metadata.display());
            return ExitCode::from(1);
        }
    };
    options.source = metadata.to_string_lossy().replace('\\', "/");
    let rust = match generate(&text, &options) {
        Ok(r) => r,
        Err(d) => {
            eprintln!("{}", render(&d));
            return ExitCode::from(1);
        }
    };
    match out {
        None => {
            print!("{rust}");
            ExitCode::SUCCESS
        }
        Some(path) => {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            match write_dir(
                dir.unwrap_or(std::path::Path::new(".")),
                &[(name, rust)],
                false,
            ) {
                Ok(()) => {
                    eprintln!("wrote {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", path.display());
                    ExitCode::from(1)
                }
            }
        }
    }
}
