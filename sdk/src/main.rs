//! `tanji`: keys, organisations, transactions, verification and load for a Tanji network.
//!
//! Output is for people by default and JSON with `--json`. Exit codes: 0 success,
//! 1 error, 2 bad usage, 3 verification failed (a bundle that does not verify,
//! a log that forked).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = cli::Cli::parse();
    let json = args.json;
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let reported = e.downcast_ref::<cli::ReportedFailure>().is_some();
            let failed_check = reported || e.downcast_ref::<cli::VerificationFailed>().is_some();
            let code = if failed_check { 3 } else { 1 };
            if json && reported {
                // The report on stdout already says "verified": false.
            } else if json {
                let mut v = serde_json::json!({"error": format!("{e:#}")});
                if failed_check {
                    v["verified"] = serde_json::Value::Bool(false);
                }
                cli::emit(&v.to_string());
            } else {
                eprintln!("error: {e:#}");
            }
            ExitCode::from(code)
        }
    }
}
