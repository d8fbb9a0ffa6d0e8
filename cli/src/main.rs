//! `seatable`: SeaTable on the command line. See `seatable --help`.

fn main() -> std::process::ExitCode {
    seatable_cli::main(std::env::args_os())
}
