//! `outpost broker serve`: the token broker in the foreground.

use std::collections::HashMap;
use std::io::Write;

use outpost_core::config::{Config, ConfigSources};
use outpost_core::error::ErrorPayload;
use outpost_core::http::Http;
use outpost_core::platforms::{ClientCredentials, PlatformClient};
use outpost_core::telemetry::{self, redact, TelemetryOptions};
use outpost_core::{broker, clock, Platform};

use crate::args::{BrokerAction, Cli};
use crate::context::fail;
use crate::output::Output;

pub async fn run(cli: &Cli, out: &Output, action: &BrokerAction) -> Result<(), ErrorPayload> {
    let BrokerAction::Serve { addr } = action;
    let _telemetry = telemetry::init(&TelemetryOptions {
        logs_dir: None,
        verbosity: cli.verbose.max(1),
        console: true,
    })
    .map_err(fail)?;
    let config = Config::load(&ConfigSources::from_process(cli.data_dir.clone())).map_err(fail)?;
    let http = Http::new().map_err(fail)?;
    let mut clients = HashMap::new();
    for pc in &config.platforms {
        let Some(client_id) = pc.client_id.clone() else {
            continue;
        };
        if let Some(s) = &pc.client_secret {
            redact::register_pinned_secret(s.expose());
        }
        clients.insert(
            pc.platform,
            PlatformClient::new(
                pc.platform,
                pc.endpoints.clone(),
                http.clone(),
                ClientCredentials {
                    client_id,
                    client_secret: pc.client_secret.clone(),
                },
            ),
        );
    }
    if clients.is_empty() {
        return Err(ErrorPayload {
            code: "broker.no_credentials".into(),
            message: "the broker has no credentials: set OUTPOST_<PLATFORM>_CLIENT_ID and OUTPOST_<PLATFORM>_CLIENT_SECRET for the platforms it serves".into(),
        });
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| ErrorPayload {
            code: "broker.bind".into(),
            message: format!("cannot listen on {addr}: {e}"),
        })?;
    let bound = listener.local_addr().map_err(|e| ErrorPayload {
        code: "broker.bind".into(),
        message: e.to_string(),
    })?;
    let mut served: Vec<Platform> = clients.keys().copied().collect();
    served.sort();
    let names: Vec<&str> = served.iter().map(|p| p.as_str()).collect();
    if out.json {
        println!(
            "{}",
            serde_json::json!({"url": format!("http://{bound}"), "platforms": names})
        );
    } else {
        println!("broker http://{bound} {}", names.join(","));
    }
    let _ = std::io::stdout().flush();
    eprintln!(
        "token broker running; press Ctrl-C to stop. Put it behind HTTPS before exposing it."
    );
    broker::serve(
        listener,
        clients,
        clock::system(),
        crate::signals::stop_requested(),
    )
    .await
    .map_err(|e| ErrorPayload {
        code: "broker.serve".into(),
        message: e.to_string(),
    })
}
