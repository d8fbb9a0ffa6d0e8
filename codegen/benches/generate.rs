//! The generator on the whole of `spec/`: load → check → lower → Rust and Markdown (what
//! `regenerate` does), the Rust alone unformatted (what `build.rs` does after a spec edit),
//! and the reuse of `generated/src` (what `build.rs` does otherwise). Run in both profiles:
//! `cargo bench -p seatable-codegen --bench generate` (release) and
//! `cargo bench -p seatable-codegen --bench generate --profile dev` (what build.rs costs).

use criterion::{criterion_group, criterion_main, Criterion};
use seatable_codegen::{Generator, Layout};

fn whole_spec(c: &mut Criterion) {
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec");
    let generator = Generator::from_dir(spec).expect("spec directory");
    // Fail loudly rather than time an error path.
    if let Err(d) = generator.generate() {
        panic!("the spec must generate:\n{d}");
    }
    c.bench_function("load + check + lower + rust + docs (spec/)", |b| {
        b.iter(|| generator.generate().map(|o| o.rust.len() + o.docs.len()))
    });
    let compact = generator.clone().layout(Layout::Compact);
    c.bench_function(
        "load + check + lower + rust, unformatted (build.rs, spec edited)",
        |b| b.iter(|| compact.generate_rust().map(|o| o.len())),
    );
    let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/../generated/src");
    if compact.reusable(std::path::Path::new(committed)).is_some() {
        c.bench_function(
            "fingerprint + read generated/src (build.rs, spec as committed)",
            |b| {
                b.iter(|| {
                    compact
                        .reusable(std::path::Path::new(committed))
                        .map(|f| f.len())
                })
            },
        );
    }
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
