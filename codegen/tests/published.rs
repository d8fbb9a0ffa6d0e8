//! The generator over SeaTable's own published OpenAPI files (SeaTable 6.2 plus the v4.4
//! ping file), which use everything progenitor gives up on: multipart and form bodies,
//! several security schemes, enum values that are not identifiers, DELETE with a body,
//! media types without a schema, a query string inside a path.
//!
//! Each file must either generate or end in diagnostics that all carry a position; none may
//! panic. The files live beside the repository (`../shared/reference/seatable-openapi-6.2`,
//! or `$SEATABLE_OPENAPI_DIR`); without them the test says so and fails on CI.

use std::path::PathBuf;

use seatable_codegen::{Generator, RustOptions};

fn published_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SEATABLE_OPENAPI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/reference/seatable-openapi-6.2"
            ))
        });
    dir.is_dir().then_some(dir)
}

#[test]
fn every_published_file_generates_or_fails_with_located_diagnostics() {
    let Some(dir) = published_dir() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "SeaTable's published OpenAPI files are missing on CI"
        );
        eprintln!("skipped: SeaTable's published OpenAPI files are not beside the repository");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        8,
        "expected the 8 published files in {}",
        dir.display()
    );
    let mut outcome = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let result = std::panic::catch_unwind(|| {
            Generator::from_files([file])
                .options(RustOptions::external())
                .generate()
        });
        let result = result.unwrap_or_else(|_| panic!("the generator panicked on {name}"));
        match result {
            Ok(out) => {
                let ops = out
                    .rust
                    .iter()
                    .map(|(_, s)| s.matches("pub async fn send(").count())
                    .sum::<usize>();
                outcome.push(format!("{name}: generated, {ops} operations"));
            }
            Err(d) => {
                for diag in &d.0 {
                    assert!(
                        diag.line > 0 && diag.column > 0,
                        "{name}: diagnostic without a position: {diag}"
                    );
                    assert!(
                        diag.pointer.starts_with('#'),
                        "{name}: diagnostic without a pointer: {diag}"
                    );
                }
                let first = d.0[0].message.clone();
                outcome.push(format!("{name}: {} diagnostics, first: {first}", d.0.len()));
            }
        }
    }
    let report = outcome.join("\n");
    println!("{report}");
    let expected = "\
authentication.yaml: generated, 8 operations
base_operations.yaml: generated, 54 operations
file_operations.yaml: generated, 9 operations
ping_and_info.v4.4.yaml: 5 diagnostics, first: operation has no operationId
python-scheduler.yaml: generated, 6 operations
system_admin_account_operations.yaml: generated, 98 operations
team_admin_account_operations.yaml: generated, 65 operations
user_account_operations.yaml: generated, 141 operations";
    assert_eq!(report, expected);
}

/// `GET /api/v2.1/groups/{}/members/`: the method and the path with every parameter name
/// blanked (ours may name a parameter better) and a baked-in query string dropped.
fn request_key(method: &str, path: &str) -> String {
    let mut key = format!("{method} ");
    let mut in_param = false;
    for c in path.split('?').next().unwrap_or(path).chars() {
        match c {
            '{' => {
                in_param = true;
                key.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            c => key.push(c),
        }
    }
    key
}

/// Which of our modules holds the operations of each published file.
const MODULE_OF: &[(&str, &str)] = &[
    ("authentication.yaml", "auth"),
    ("base_operations.yaml", "base"),
    ("file_operations.yaml", "files"),
    ("python-scheduler.yaml", "scheduler"),
    ("system_admin_account_operations.yaml", "system_admin"),
    ("team_admin_account_operations.yaml", "team_admin"),
    ("user_account_operations.yaml", "account"),
];

/// The operations whose request differs from the published one on purpose, as
/// `spec/README.md` lists them (module, SeaTable's operationId) between its
/// `<!-- deviations … -->` markers: the one list, kept with its evidence in the README.
fn listed_deviations() -> Vec<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/README.md");
    let text = std::fs::read_to_string(path).expect("spec/README.md");
    let start = text
        .find("<!-- deviations")
        .expect("spec/README.md has a `<!-- deviations` marker");
    let end = text[start..]
        .find("<!-- /deviations -->")
        .map(|e| start + e)
        .expect("spec/README.md has a `<!-- /deviations -->` marker");
    text[start..end]
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| module") && !l.starts_with("|---"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].to_string(), cells[2].trim_matches('`').to_string())
        })
        .collect()
}

/// What a request looks like on the wire, apart from values and types: the names of its
/// query and header parameters, and whether it has a body and in which media type.
fn request_shape(op: &seatable_codegen::ir::Operation) -> (Vec<String>, Option<String>) {
    use seatable_codegen::ir::ParamLocation;
    let mut params: Vec<String> = op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
        .map(|p| format!("{:?} {}", p.location, p.name))
        .collect();
    params.sort();
    (params, op.body.as_ref().map(|b| format!("{:?}", b.media)))
}

#[test]
fn our_spec_covers_every_operation_of_seatable_6_2() {
    let Some(dir) = published_dir() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "SeaTable's published OpenAPI files are missing on CI"
        );
        eprintln!("skipped: SeaTable's published OpenAPI files are not beside the repository");
        return;
    };
    let ours = Generator::from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec"))
        .and_then(|g| g.lower())
        .unwrap_or_else(|d| panic!("our spec must load:\n{d}"));
    let deviations = listed_deviations();
    let mut differing = Vec::new();
    let mut total = 0;
    let mut covered = 0;
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    for (file, module) in MODULE_OF {
        let theirs = Generator::from_files([dir.join(file)])
            .lower()
            .unwrap_or_else(|d| panic!("{file} must load:\n{d}"));
        let mine = ours
            .modules
            .iter()
            .find(|m| m.name == *module)
            .unwrap_or_else(|| panic!("no module `{module}` in our spec"));
        let ops: Vec<_> = theirs.modules.iter().flat_map(|m| &m.operations).collect();
        let mut found = 0;
        for op in &ops {
            let key = request_key(op.http_method.as_str(), &op.path);
            let Some(ours) = mine
                .operations
                .iter()
                .find(|o| o.seatable_id.as_deref() == Some(op.id.as_str()))
            else {
                problems.push(format!("{file}: {} ({key}) is not in `{module}`", op.id));
                continue;
            };
            let our_key = request_key(ours.http_method.as_str(), &ours.path);
            let listed = deviations.contains(&(module.to_string(), op.id.clone()));
            let differs = our_key != key || request_shape(ours) != request_shape(op);
            if differs {
                differing.push((module.to_string(), op.id.clone()));
            }
            if differs && !listed {
                problems.push(format!(
                    "{file}: {} is {key} {:?}, ours {} is {our_key} {:?}; list it in \
                     spec/README.md's deviations with its evidence, or send what SeaTable \
                     publishes",
                    op.id,
                    request_shape(op),
                    ours.id,
                    request_shape(ours)
                ));
                continue;
            }
            if listed && !differs {
                problems.push(format!(
                    "{file}: {} is listed in spec/README.md's deviations but is sent as \
                     SeaTable publishes it",
                    op.id
                ));
            }
            found += 1;
        }
        total += ops.len();
        covered += found;
        lines.push(format!("{file}: {found}/{} in `{module}`", ops.len()));
    }
    let ours_total: usize = ours.modules.iter().map(|m| m.operations.len()).sum();
    let own: Vec<&str> = ours
        .modules
        .iter()
        .flat_map(|m| &m.operations)
        .filter(|o| o.seatable_id.is_none())
        .map(|o| o.id.as_str())
        .collect();
    lines.push(format!(
        "coverage: {covered}/{total} operations of SeaTable 6.2 ({} with a different request, \
         listed in spec/README.md); {ours_total} in our spec, {} of them not in SeaTable's 6.2 files: {}",
        differing.len(),
        own.len(),
        own.join(", ")
    ));
    let report = lines.join("\n");
    {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "{report}");
    }
    for listed in &deviations {
        if !MODULE_OF.iter().any(|(_, m)| *m == listed.0) {
            problems.push(format!(
                "spec/README.md's deviations name no module `{}`",
                listed.0
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    differing.sort();
    let mut listed = deviations.clone();
    listed.sort();
    listed.dedup();
    assert_eq!(
        differing, listed,
        "the deviations found are the ones listed"
    );
    assert_eq!((covered, total), (381, 381), "{report}");
    assert_eq!(
        ours_total,
        total + own.len(),
        "every other operation of ours is SeaTable's"
    );
}
