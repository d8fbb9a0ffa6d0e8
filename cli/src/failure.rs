//! Why a command failed, and the exit code each kind of failure gets. The codes are
//! documented in `seatable --help` ([`EXIT_CODES`]) and the README; scripts branch on them.

use std::fmt;

use seatable_api::ErrorKind;

/// The exit codes, as `seatable --help` lists them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  any other failure (writing the output, a command this build lacks)
  2  bad input: arguments, JSON, a file, CSV lines or cells (nothing was sent)
  3  configuration: no server, no token or credentials, an unreadable config file
  4  refused: SeaTable answered 4xx (bad token, no such table…), or the base lacks a
     table, view or column the command names
  5  SeaTable failed: 5xx (501: the server does not serve the operation)
  6  no answer: connection, timeout, TLS
  7  rate limited: 429 after the client's retries
  8  the answer could not be read (not the expected JSON, too large)
  9  an import stored part of the rows (the report on stderr says which)";

/// A failed command: what to print on stderr, and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// The message, without the `error: ` prefix.
    pub message: String,
}

impl Failure {
    /// Bad input: exit code 2.
    pub fn input(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// A configuration problem: exit code 3.
    pub fn config(message: impl Into<String>) -> Failure {
        Failure {
            code: 3,
            message: message.into(),
        }
    }

    /// Something the base lacks: exit code 4.
    pub fn not_found(message: impl Into<String>) -> Failure {
        Failure {
            code: 4,
            message: message.into(),
        }
    }

    /// Any other failure: exit code 1.
    pub fn other(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The exit code of a client error.
pub fn code_of(e: &seatable_api::Error) -> u8 {
    match e.kind() {
        ErrorKind::InvalidArgument => 2,
        ErrorKind::InvalidUrl => 3,
        ErrorKind::Api => match e.status() {
            Some(s) if s >= 500 => 5,
            _ => 4,
        },
        ErrorKind::Transport => 6,
        ErrorKind::RateLimited => 7,
        ErrorKind::Decode | ErrorKind::ResponseTooLarge => 8,
        _ => 1,
    }
}

impl From<seatable_api::Error> for Failure {
    fn from(e: seatable_api::Error) -> Failure {
        // The client's `Display` already names the operation and SeaTable's message, and
        // never shows a token.
        let mut message = e.to_string();
        if e.status() == Some(501) {
            message.push_str(" (the server does not serve this operation)");
        }
        Failure {
            code: code_of(&e),
            message,
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        // A closed pipe (`seatable … | head`) ends the command quietly.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure {
                code: 0,
                message: String::new(),
            };
        }
        Failure::other(format!("cannot write the output: {e}"))
    }
}
