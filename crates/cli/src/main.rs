//! `outpost`: the headless face of Outpost. Each subcommand parses its input, calls one
//! function of `outpost-core` and renders the result (human text, or JSON with `--json`).
//! Errors are one clear line on stderr and a non-zero exit; never a backtrace.

mod args;
mod commands;
mod context;
mod output;
mod signals;

use std::process::ExitCode;

use clap::Parser;
use outpost_core::error::ErrorPayload;
use outpost_core::telemetry::redact;

use crate::args::Cli;
use crate::output::Output;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let out = Output::new(cli.json);
    let result = runtime.block_on(commands::run(&cli, &out));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report(&out, &err);
            ExitCode::FAILURE
        }
    }
}

fn report(out: &Output, err: &ErrorPayload) {
    let message = redact::redact(&err.message).into_owned();
    if out.json && !out.printed() {
        let body = serde_json::json!({ "error": { "code": err.code, "message": message } });
        println!("{body}");
    }
    eprintln!("error: {message}");
}
