//! How answers are printed: JSON pretty on a terminal, compact when piped, so that a pipe
//! into `jq` or a file gets one value per line.

use std::io::{IsTerminal, Write};

use crate::failure::Failure;

/// Whether stdout is a terminal.
pub fn is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Prints one JSON value on stdout, followed by a line break.
pub fn print_json(value: &serde_json::Value) -> Result<(), Failure> {
    let text = if is_terminal() {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .map_err(|e| Failure::other(format!("cannot print the answer: {e}")))?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// Writes bytes (a download) to stdout as they are.
pub fn print_bytes(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}
