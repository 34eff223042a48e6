//! `outpost sandbox`: serve the platform emulator in the foreground, one line per platform
//! with the base URL to export as `OUTPOST_<PLATFORM>_BASE_URL`.

use std::io::Write;

use outpost_core::error::ErrorPayload;
use outpost_core::telemetry::{self, TelemetryOptions};
use outpost_sandbox::{FaultSpec, Sandbox, SandboxConfig};

use crate::args::{Cli, SandboxArgs};
use crate::output::Output;

fn error(code: &str, message: String) -> ErrorPayload {
    ErrorPayload {
        code: code.into(),
        message,
    }
}

pub async fn run(cli: &Cli, out: &Output, args: &SandboxArgs) -> Result<(), ErrorPayload> {
    let _telemetry = telemetry::init(&TelemetryOptions {
        logs_dir: None,
        verbosity: cli.verbose,
        console: true,
    })
    .map_err(|e| error("telemetry.init", e.to_string()))?;
    let faults = match &args.faults {
        Some(spec) => spec
            .parse::<FaultSpec>()
            .map_err(|e| error("sandbox.faults", format!("invalid --faults: {e}")))?,
        None => FaultSpec::default(),
    };
    let sandbox = Sandbox::start(SandboxConfig {
        addr: args.addr,
        seed: args.seed,
        faults,
        webhook_url: args.webhook_url.clone(),
        ..SandboxConfig::default()
    })
    .await
    .map_err(|e| error("sandbox.start", e.to_string()))?;

    if out.json {
        let mut urls = serde_json::Map::new();
        for (platform, url) in sandbox.urls() {
            urls.insert(platform.name().to_owned(), url.into());
        }
        urls.insert("control".into(), sandbox.control_url().into());
        println!("{}", serde_json::Value::Object(urls));
    } else {
        for (platform, url) in sandbox.urls() {
            println!("{} {url}", platform.name());
        }
        println!("control {}", sandbox.control_url());
    }
    let _ = std::io::stdout().flush();
    eprintln!("sandbox running; press Ctrl-C to stop");

    crate::signals::stop_requested().await;
    sandbox.shutdown().await;
    Ok(())
}
