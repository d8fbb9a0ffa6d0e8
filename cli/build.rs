//! Generates the command table from the spec the client is generated from (`../spec`).
fn main() {
    let spec = "../spec";
    println!("cargo:rerun-if-changed={spec}");
    let generator = match seatable_codegen::Generator::from_dir(spec) {
        Ok(g) => g,
        Err(d) => {
            eprintln!("{d}");
            std::process::exit(1);
        }
    };
    for f in generator.files() {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let table = match generator.generate_cli() {
        Ok(t) => t,
        Err(d) => {
            eprintln!("{d}");
            std::process::exit(1);
        }
    };
    let Some(out) = std::env::var_os("OUT_DIR").map(std::path::PathBuf::from) else {
        eprintln!("error: OUT_DIR is not set; this is cargo's build script");
        std::process::exit(1);
    };
    if let Err(e) = seatable_codegen::write_dir(&out, &[("commands.rs".into(), table)], false) {
        eprintln!(
            "error: cannot write the command table to {}: {e}",
            out.display()
        );
        std::process::exit(1);
    }
}
