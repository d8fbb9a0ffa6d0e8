//! Generates the client from `spec/` into `$OUT_DIR`; reruns only when a spec file changes.
fn main() {
    // The stand-in's route table and default answers are compiled only with `testing`;
    // without it they are not generated either.
    let options = seatable_codegen::RustOptions {
        stand_in: std::env::var_os("CARGO_FEATURE_TESTING").is_some(),
        ..seatable_codegen::RustOptions::default()
    };
    seatable_codegen::build("spec", options);
}
