//! `outpost metrics`: the accumulated metrics in the Prometheus text format.

use outpost_core::error::ErrorPayload;
use outpost_core::telemetry::metrics;

use crate::context::{fail, Context};
use crate::output::Output;

pub async fn run(ctx: &Context, out: &Output) -> Result<(), ErrorPayload> {
    metrics::install().flush(&ctx.db).await.map_err(fail)?;
    let text = metrics::render_prometheus(&ctx.db).await.map_err(fail)?;
    if out.json {
        println!(
            "{}",
            serde_json::json!({ "format": "prometheus-text-0.0.4", "text": text })
        );
    } else {
        print!("{text}");
    }
    Ok(())
}
