//! The generator on the whole of `spec/`: what `build.rs` runs (load → check → lower →
//! unformatted Rust), and everything `seatable-codegen regenerate` writes (formatted Rust and
//! Markdown). Run in both profiles:
//! `cargo bench -p seatable-codegen --bench generate` (release) and
//! `cargo bench -p seatable-codegen --bench generate --profile dev` (what build.rs costs).

// Criterion's macros define undocumented functions.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use seatable_codegen::Generator;

fn whole_spec(c: &mut Criterion) {
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec");
    let generator = Generator::from_dir(spec).expect("spec directory");
    // Fail loudly rather than time an error path.
    if let Err(d) = generator.generate() {
        panic!("the spec must generate:\n{d}");
    }
    // What `build.rs` does: the Rust files only, unformatted.
    let build_rs = generator.clone().layout(seatable_codegen::Layout::Compact);
    c.bench_function(
        "build.rs: load + check + lower + compact rust (spec/)",
        |b| b.iter(|| build_rs.generate_rust().map(|o| o.len())),
    );
    c.bench_function("load + check + lower + rust + docs (spec/)", |b| {
        b.iter(|| generator.generate().map(|o| o.rust.len() + o.docs.len()))
    });
    let published = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/reference/seatable-openapi-6.2/user_account_operations.yaml"
    );
    if std::path::Path::new(published).exists() {
        let big =
            Generator::from_files([published]).options(seatable_codegen::RustOptions::external());
        c.bench_function(
            "SeaTable's user_account_operations.yaml (141 operations)",
            |b| b.iter(|| big.generate().map(|o| o.rust.len())),
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = whole_spec
}
criterion_main!(benches);
