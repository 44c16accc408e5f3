//! Printing results for people or for scripts.

use serde::Serialize;

/// A check failed (exit code 3): the bundle does not verify, the log forked.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct VerificationFailed(pub String);

/// A check failed (exit code 3) and its JSON report, with `"verified": false`,
/// was already printed: print nothing more on stdout.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ReportedFailure(pub String);

/// Where and how results are printed.
#[derive(Clone, Copy)]
pub struct Output {
    /// JSON instead of text.
    pub json: bool,
}

impl Output {
    /// Prints `value` as JSON, or `human` as text.
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        if self.json {
            match serde_json::to_string(value) {
                Ok(s) => emit(&s),
                Err(e) => eprintln!("error: cannot encode output: {e}"),
            }
        } else {
            emit(&human());
        }
    }

    /// A progress message on stderr (text mode only).
    pub fn note(&self, msg: &str) {
        if !self.json {
            eprintln!("{msg}");
        }
    }
}

/// Writes a line to stdout. A closed pipe (`tanji ... | head`) ends the program
/// quietly, as for other Unix tools, instead of panicking like `println!`.
pub fn emit(line: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}").and_then(|_| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write output: {e}");
    }
}
