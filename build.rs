//! Generates the client from `spec/` into `$OUT_DIR`; reruns only when a spec file changes.
//! While `generated/src` still matches the spec (its recorded fingerprint), it is copied
//! instead: the same program, without an unoptimised generator run on every clean build.
fn main() {
    seatable_codegen::build_reusing(
        "spec",
        "generated/src",
        seatable_codegen::RustOptions::default(),
    );
}
