//! Upload throughput of the sandbox's TikTok upload host against a plain loopback sink.
//!
//! Sends the same bytes, in the same chunks, once to a TikTok `upload_url` (Content-Range
//! checks, streaming SHA-256, state updates) and once to a bare axum handler that only
//! counts and discards them, then prints both rates and the ratio. Run in release:
//! `cargo run --release -p outpost-sandbox --example upload_throughput [MiB] [chunk MiB]`.
//!
//! Measured on the 2-core development machine (release, 256 MiB in 32 MiB chunks, three
//! runs, 2026-11-25): plain sink 2844–3228 MiB/s, sandbox 1233–1321 MiB/s, ratio 0.38–0.46.
//! The gap is the SHA-256 the sandbox keeps of every upload (so tests can check the bytes);
//! at over 1 GiB/s it is not the bottleneck of an upload benchmark.

use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::routing::put;
use futures_util::StreamExt;
use outpost_sandbox::{Platform, Sandbox};
use serde_json::{json, Value};

async fn send_all(
    client: &reqwest::Client,
    url: &str,
    chunk: &Bytes,
    total: u64,
) -> Result<f64, Box<dyn std::error::Error>> {
    let chunks = total / chunk.len() as u64;
    let started = Instant::now();
    for i in 0..chunks {
        let first = i * chunk.len() as u64;
        let last = first + chunk.len() as u64 - 1;
        let status = client
            .put(url)
            .header("Content-Type", "video/mp4")
            .header("Content-Range", format!("bytes {first}-{last}/{total}"))
            .body(chunk.clone())
            .send()
            .await?
            .status();
        if !status.is_success() {
            return Err(format!("chunk {i} answered {status}").into());
        }
    }
    Ok(total as f64 / (1024.0 * 1024.0) / started.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let total_mib = args.first().copied().unwrap_or(256);
    let chunk_mib = args.get(1).copied().unwrap_or(32).clamp(5, 64);
    let chunk = Bytes::from(vec![0x5au8; (chunk_mib * 1024 * 1024) as usize]);
    let total = (total_mib / chunk_mib).max(1) * chunk.len() as u64;

    // Plain sink: count and discard.
    let sink = axum::Router::new().route(
        "/sink",
        put(|body: Body| async move {
            let mut n = 0usize;
            let mut stream = body.into_data_stream();
            while let Some(Ok(bytes)) = stream.next().await {
                n += bytes.len();
            }
            n.to_string()
        })
        .layer(axum::extract::DefaultBodyLimit::disable()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sink_url = format!("http://{}/sink", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, sink).await });

    let sandbox = Sandbox::start_default().await?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let token = outpost_sandbox::consent::tiktok_access_token(&sandbox, "video.publish").await?;
    let init: Value = client
        .post(format!("{}/v2/post/publish/video/init/", sandbox.base_url(Platform::TikTok)))
        .bearer_auth(&token)
        .json(&json!({
            "post_info": {"title": "throughput", "privacy_level": "SELF_ONLY"},
            "source_info": {"source": "FILE_UPLOAD", "video_size": total, "chunk_size": chunk.len(), "total_chunk_count": total / chunk.len() as u64}
        }))
        .send()
        .await?
        .json()
        .await?;
    let upload_url = init["data"]["upload_url"]
        .as_str()
        .ok_or("no upload_url")?
        .to_string();

    let plain = send_all(&client, &sink_url, &chunk, total).await?;
    let sandboxed = send_all(&client, &upload_url, &chunk, total).await?;
    println!("bytes: {total} in {chunk_mib} MiB chunks");
    println!("plain loopback sink: {plain:.0} MiB/s");
    println!("sandbox upload host: {sandboxed:.0} MiB/s");
    println!("ratio sandbox/plain: {:.2}", sandboxed / plain);
    sandbox.shutdown().await;
    Ok(())
}
