//! Generates the client from `spec/` into `$OUT_DIR`; reruns only when a spec file changes.
fn main() {
    seatable_codegen::build("spec", seatable_codegen::RustOptions::default());
}
