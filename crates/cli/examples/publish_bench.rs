//! Publishing benchmark (issue 5). Prints figures; asserts nothing (timed assertions do not
//! belong in tests).
//!
//! ```text
//! cargo run --release -p outpost-cli --example publish_bench -- [--gib N] [--reps N]
//!     [--small-mb N] [--files N] [--file-mb N] [--file-every-ms MS] [--tmp DIR]
//!     [--outpost PATH] [--curl PATH] [--skip-upload] [--skip-watch]
//! ```
//!
//! It starts the sandbox in-process (one per repetition, its clock running 10× real time so
//! that TikTok's processing takes half a second), connects a TikTok account the way the
//! command-line end-to-end tests do (`outpost connect tiktok --no-browser`, the consent form
//! submitted over HTTP, the loopback redirect followed), and measures, in one run:
//!
//! 1. **Upload throughput of a large file** (default 1 GiB, generated in a temp dir by
//!    `media::fixture::write_mp4`) through the real `outpost` binary:
//!    `outpost publish FILE --to tiktok --privacy SELF_ONLY --wait`. Outpost is timed on its
//!    upload phase only: from the job's move to `uploading` to its move to `publishing`, read
//!    from `job_events` in the data dir's `outpost.db` (that phase is the `video/init` call
//!    and every chunk PUT with its progress write). The whole command's wall time (hashing,
//!    probing, TikTok's processing, status polls) is printed too, for information.
//!    Baseline, in the same run against the same sandbox: a TikTok upload session for the same
//!    bytes with the same `ChunkPlan` (`video/init` over HTTP), then **one `curl` process**
//!    PUTting the same chunks in order (`-T` on chunk files cut from the same file, the
//!    same `Content-Range` headers, one keep-alive connection through `--next`), timed on
//!    its own transfer times (`%{time_total}` summed; its process wall time is printed too).
//!    Outpost and curl alternate, `--reps` times each; min/median/max and the ratio of the
//!    medians ours/curl are reported.
//! 2. **Peak RSS of the `outpost` process** publishing a small file (`--small-mb`, default
//!    5 MB) and the large one: each `outpost publish --wait` runs under a helper process (this
//!    example re-executed with `--rss-child`) that waits for it and reads
//!    `getrusage(RUSAGE_CHILDREN).ru_maxrss`. The ratio large/small should stay near 1.
//! 3. **Watched folder latency**: `outpost run` on a folder added with
//!    `outpost watch add DIR --to tiktok`, the queue paused (`outpost queue pause`: only the
//!    watcher works, no upload competes for the CPU), then `--files` MP4s (`--file-mb` each)
//!    written in place one after the other, one every `--file-every-ms`. For each file: the
//!    time its last byte was written and the file closed, and `jobs.created_at` of its job
//!    (unix ms, same system clock); the difference is reported as min/median/p95/max, once
//!    with the default settle window (`[queue] settle_ms`, 3000) and once with 500, so the
//!    reader sees latency ≈ settle window + overhead.
//!
//! Then a table and a one-line JSON summary on stdout. Needs `curl`; the temp files (about
//! twice `--gib`) are deleted at the end. The `outpost` binary is built first with the same
//! profile as this example (`cargo build -p outpost-cli --bin outpost`) unless `--outpost`
//! names one. Figures and their meaning: docs/benchmarks.md.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use outpost_core::config::QueueSettings;
use outpost_core::media::fixture;
use outpost_core::platforms::tiktok_publish::ChunkPlan;
use outpost_sandbox::config as sc;
use outpost_sandbox::{Platform as SP, Sandbox, SandboxConfig};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

type Error = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = Result<T, Error>;

const MIB: f64 = 1024.0 * 1024.0;
const GIB: f64 = 1024.0 * MIB;
/// Sandbox seconds added every 100 ms of real time: the sandbox clock runs 10× real time.
const TICK_SECS: u64 = 1;
const CLOCK_SPEEDUP: u64 = TICK_SECS * 10;
/// The watched-folder run with a short settle window.
const SHORT_SETTLE_MS: u64 = 500;
const VAULT_PASSPHRASE: &str = "publish bench vault passphrase";

#[derive(Parser, Debug)]
#[command(
    about = "Outpost publishing benchmark: upload throughput vs curl, peak RSS, watched-folder latency"
)]
struct Args {
    /// Size of the large file in GiB (the issue asks for at least 1).
    #[arg(long, default_value_t = 1.0)]
    gib: f64,
    /// Repetitions of each upload (Outpost and curl alternate).
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// Size of the small file of the memory comparison, in MB (10^6 bytes).
    #[arg(long, default_value_t = 5)]
    small_mb: u64,
    /// Files written into the watched folder, per settle window.
    #[arg(long, default_value_t = 20)]
    files: usize,
    /// Size of each watched-folder file, in MB.
    #[arg(long, default_value_t = 4)]
    file_mb: u64,
    /// Time between the starts of two watched-folder files, in ms.
    #[arg(long, default_value_t = 1000)]
    file_every_ms: u64,
    /// Directory for the temporary files (default: the system's temp dir).
    #[arg(long)]
    tmp: Option<PathBuf>,
    /// The `outpost` binary to measure (default: built next to this example).
    #[arg(long)]
    outpost: Option<PathBuf>,
    /// The curl binary of the baseline.
    #[arg(long, default_value = "curl")]
    curl: PathBuf,
    /// Skip the upload throughput and memory measurements.
    #[arg(long)]
    skip_upload: bool,
    /// Skip the watched-folder measurement.
    #[arg(long)]
    skip_watch: bool,
}

fn main() -> Res<()> {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("--rss-child") {
        rss_child(&argv[2..]);
    }
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(bench(args))
}

// ---------------------------------------------------------------------------------------
// Peak RSS: the helper process.

/// `publish_bench --rss-child OUT PROGRAM ARGS…`: run PROGRAM, wait for it, write
/// "MAX_RSS_KIB EXIT_CODE" to OUT and exit with PROGRAM's code. Its only child is PROGRAM,
/// so `RUSAGE_CHILDREN`'s peak is PROGRAM's own (or that of a child PROGRAM waited for).
fn rss_child(args: &[String]) -> ! {
    let (Some(out), Some(program)) = (args.first(), args.get(1)) else {
        eprintln!("usage: publish_bench --rss-child OUT PROGRAM [ARGS…]");
        std::process::exit(2);
    };
    let code = match std::process::Command::new(program)
        .args(&args[2..])
        .status()
    {
        Ok(s) => s.code().unwrap_or(128),
        Err(e) => {
            eprintln!("cannot run {program}: {e}");
            127
        }
    };
    let kib = children_max_rss_kib().map_or(-1, |k| k as i64);
    if let Err(e) = std::fs::write(out, format!("{kib} {code}\n")) {
        eprintln!("cannot write {out}: {e}");
    }
    std::process::exit(code);
}

#[cfg(unix)]
fn children_max_rss_kib() -> Option<u64> {
    use nix::sys::resource::{getrusage, UsageWho};
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).ok()?;
    let raw = u64::try_from(usage.max_rss()).ok()?;
    // Kilobytes on Linux and the BSDs, bytes on macOS.
    Some(if cfg!(target_os = "macos") {
        raw / 1024
    } else {
        raw
    })
}

#[cfg(not(unix))]
fn children_max_rss_kib() -> Option<u64> {
    None
}

#[cfg(unix)]
fn terminate(child: &mut tokio::process::Child) {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    match child.id().and_then(|id| i32::try_from(id).ok()) {
        Some(pid) => {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        None => {
            let _ = child.start_kill();
        }
    }
}

#[cfg(not(unix))]
fn terminate(child: &mut tokio::process::Child) {
    let _ = child.start_kill();
}

// ---------------------------------------------------------------------------------------
// Small helpers.

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// (min, median, max) of `v` (median of an even count: mean of the middle two).
fn stats(v: &[f64]) -> (f64, f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let median = if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    };
    (s[0], median, s[n - 1])
}

/// Nearest-rank percentile `p` (0–100) of `v`.
fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * s.len() as f64).ceil().max(1.0) as usize;
    s[rank.min(s.len()) - 1]
}

fn mib_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / MIB / d.as_secs_f64()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn http_client() -> Res<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

// ---------------------------------------------------------------------------------------
// The sandbox, with a clock running 10× real time.

struct Platforms {
    sandbox: Sandbox,
    ticker: tokio::task::JoinHandle<()>,
}

impl Platforms {
    async fn start() -> Res<Platforms> {
        let sandbox = Sandbox::start(SandboxConfig {
            frozen_clock: true,
            ..SandboxConfig::default()
        })
        .await?;
        let url = format!("{}/clock/advance", sandbox.control_url());
        let ticker = tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tick.tick().await;
                let _ = http
                    .post(&url)
                    .body(format!("{{\"seconds\": {TICK_SECS}}}"))
                    .send()
                    .await;
            }
        });
        Ok(Platforms { sandbox, ticker })
    }

    /// Environment pointing `outpost` at this sandbox's TikTok, with a passphrase vault.
    fn env(&self) -> Vec<(String, String)> {
        vec![
            ("OUTPOST_VAULT_BACKEND".into(), "passphrase".into()),
            ("OUTPOST_VAULT_PASSPHRASE".into(), VAULT_PASSPHRASE.into()),
            (
                "OUTPOST_TIKTOK_BASE_URL".into(),
                self.sandbox.base_url(SP::TikTok),
            ),
            (
                "OUTPOST_TIKTOK_CLIENT_ID".into(),
                sc::TIKTOK_CLIENT_KEY.into(),
            ),
            (
                "OUTPOST_TIKTOK_CLIENT_SECRET".into(),
                sc::TIKTOK_CLIENT_SECRET.into(),
            ),
        ]
    }

    async fn shutdown(self) {
        self.ticker.abort();
        let _ = self.ticker.await;
        self.sandbox.shutdown().await;
    }
}

// ---------------------------------------------------------------------------------------
// Driving `outpost`.

struct Outpost {
    bin: PathBuf,
}

impl Outpost {
    /// `outpost --data-dir DATA` with no inherited OUTPOST_* variables and `env` set.
    fn cmd(&self, data: &Path, env: &[(String, String)]) -> Command {
        let mut cmd = Command::new(&self.bin);
        clean_env(&mut cmd, env);
        cmd.arg("--data-dir").arg(data).kill_on_drop(true);
        cmd
    }

    async fn run_ok(&self, data: &Path, env: &[(String, String)], args: &[&str]) -> Res<Output> {
        let out = self
            .cmd(data, env)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .await?;
        if !out.status.success() {
            return Err(format!("outpost {}: {}", args.join(" "), text(&out)).into());
        }
        Ok(out)
    }

    /// Connect the sandbox's TikTok account through the loopback redirect, as the
    /// command-line end-to-end tests do.
    async fn connect(&self, data: &Path, env: &[(String, String)]) -> Res<()> {
        let mut child = self
            .cmd(data, env)
            .args(["connect", "tiktok", "--no-browser", "--timeout", "60"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
        let first = lines.next_line().await?.unwrap_or_default();
        if !first.starts_with("http://") {
            return Err(
                format!("outpost connect: expected the authorize URL, got {first:?}").into(),
            );
        }
        let drain = tokio::spawn(async move {
            let mut rest = Vec::new();
            while let Ok(Some(l)) = lines.next_line().await {
                rest.push(l);
            }
            rest
        });
        let location = outpost_sandbox::consent::decide(first.trim(), true, None).await?;
        let page = reqwest::get(&location).await?;
        if !page.status().is_success() {
            return Err(format!("loopback redirect answered {}", page.status()).into());
        }
        let out = child.wait_with_output().await?;
        let rest = drain.await.unwrap_or_default();
        if !out.status.success() {
            return Err(format!(
                "outpost connect failed: {}{}",
                rest.join("\n"),
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok(())
    }
}

fn clean_env(cmd: &mut Command, env: &[(String, String)]) {
    for (key, _) in std::env::vars() {
        if key.starts_with("OUTPOST_") || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
}

/// Open `outpost.db` read-only.
async fn open_db(data: &Path) -> Res<sqlx::SqlitePool> {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(data.join("outpost.db"))
        .read_only(true);
    Ok(sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?)
}

// ---------------------------------------------------------------------------------------
// 1 and 2: publishing a file with `outpost publish --wait`.

struct PublishRun {
    /// Wall time of the whole command.
    wall: Duration,
    /// From `uploading` to `publishing` in job_events.
    upload_phase: Duration,
    max_rss_kib: u64,
}

async fn publish(
    o: &Outpost,
    root: &Path,
    data: &Path,
    env: &[(String, String)],
    file: &Path,
) -> Res<PublishRun> {
    let rss_out = root.join("rss.txt");
    let _ = std::fs::remove_file(&rss_out);
    let mut cmd = Command::new(std::env::current_exe()?);
    clean_env(&mut cmd, env);
    cmd.arg("--rss-child")
        .arg(&rss_out)
        .arg(&o.bin)
        .arg("--data-dir")
        .arg(data)
        .arg("publish")
        .arg(file)
        .args([
            "--to",
            "tiktok",
            "--privacy",
            "SELF_ONLY",
            "--caption",
            "publish bench",
            "--wait",
        ])
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let began = Instant::now();
    let out = cmd.output().await?;
    let wall = began.elapsed();
    if !out.status.success() {
        return Err(format!("outpost publish {}: {}", file.display(), text(&out)).into());
    }
    let rss = std::fs::read_to_string(&rss_out)?;
    let max_rss_kib = rss
        .split_whitespace()
        .next()
        .and_then(|k| k.parse::<u64>().ok())
        .ok_or_else(|| format!("no peak RSS measured ({rss:?})"))?;
    let db = open_db(data).await?;
    let (state, acked, up, publishing): (String, i64, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT j.state, j.bytes_acked, \
           (SELECT MIN(at) FROM job_events e WHERE e.job_id = j.id AND e.to_state = 'uploading'), \
           (SELECT MIN(at) FROM job_events e WHERE e.job_id = j.id AND e.to_state = 'publishing') \
         FROM jobs j ORDER BY j.id DESC LIMIT 1",
    )
    .fetch_one(&db)
    .await?;
    db.close().await;
    let size = std::fs::metadata(file)?.len();
    if state != "published" || u64::try_from(acked).ok() != Some(size) {
        return Err(format!("job ended {state} with {acked} of {size} bytes acknowledged").into());
    }
    let (Some(up), Some(publishing)) = (up, publishing) else {
        return Err("job_events lacks the uploading or publishing step".into());
    };
    Ok(PublishRun {
        wall,
        upload_phase: Duration::from_millis(u64::try_from(publishing - up).unwrap_or(0).max(1)),
        max_rss_kib,
    })
}

// ---------------------------------------------------------------------------------------
// 1: the curl baseline.

struct CurlRun {
    /// Sum of curl's `time_total` over the chunks.
    transfer: Duration,
    /// Wall time of the curl process.
    wall: Duration,
    connections: u64,
}

async fn curl_upload(
    curl: &Path,
    sandbox: &Sandbox,
    plan: &ChunkPlan,
    chunks: &[PathBuf],
) -> Res<CurlRun> {
    let http = http_client()?;
    let token = outpost_sandbox::consent::tiktok_access_token(sandbox, "video.publish").await?;
    let init: Value = http
        .post(format!(
            "{}/v2/post/publish/video/init/",
            sandbox.base_url(SP::TikTok)
        ))
        .bearer_auth(&token)
        .json(&json!({
            "post_info": {"title": "publish bench (curl)", "privacy_level": "SELF_ONLY"},
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": plan.video_size,
                "chunk_size": plan.chunk_size,
                "total_chunk_count": plan.total_chunk_count,
            }
        }))
        .send()
        .await?
        .json()
        .await?;
    let upload_url = reqwest::Url::parse(
        init["data"]["upload_url"]
            .as_str()
            .ok_or_else(|| format!("video/init: {init}"))?,
    )?;
    // The upload path ends with "/", to which `curl -T` would append the file's name: the
    // request line is given explicitly instead (same host, so the connection is reused).
    let target = format!(
        "{}?{}",
        upload_url.path(),
        upload_url.query().unwrap_or_default()
    );
    let origin = upload_url.origin().ascii_serialization();
    let mut cmd = Command::new(curl);
    for (i, chunk) in chunks.iter().enumerate() {
        if i > 0 {
            cmd.arg("--next");
        }
        let (first, last) = plan.range(i as u64);
        cmd.args(["-sS", "-o", "/dev/null"])
            .args(["-w", "%{http_code} %{time_total} %{num_connects}\\n"])
            .args(["-H", "Expect:", "-H", "Content-Type: video/mp4", "-H"])
            .arg(format!(
                "Content-Range: bytes {first}-{last}/{}",
                plan.video_size
            ))
            .args(["--request-target", &target, "-T"])
            .arg(chunk)
            .arg(format!("{origin}/"));
    }
    cmd.stdin(Stdio::null()).kill_on_drop(true);
    let began = Instant::now();
    let out = cmd.output().await?;
    let wall = began.elapsed();
    if !out.status.success() {
        return Err(format!("curl: {}", text(&out)).into());
    }
    let mut transfer = 0.0;
    let mut connections = 0;
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    if lines.len() != chunks.len() {
        return Err(format!("curl reported {} transfers: {}", lines.len(), text(&out)).into());
    }
    for (i, line) in lines.iter().enumerate() {
        let mut parts = line.split_whitespace();
        let code = parts.next().unwrap_or_default();
        let expected = if i + 1 == chunks.len() { "201" } else { "206" };
        if code != expected {
            return Err(format!("curl chunk {} answered {code}, not {expected}", i + 1).into());
        }
        transfer += parts
            .next()
            .and_then(|t| t.parse::<f64>().ok())
            .unwrap_or(0.0);
        connections += parts
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
    }
    Ok(CurlRun {
        transfer: Duration::from_secs_f64(transfer),
        wall,
        connections,
    })
}

/// Cut `file` into one file per chunk of `plan` (for `curl -T`).
fn cut_chunks(file: &Path, plan: &ChunkPlan, dir: &Path) -> Res<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut src = std::fs::File::open(file)?;
    let mut paths = Vec::new();
    for i in 0..plan.total_chunk_count {
        let (first, last) = plan.range(i);
        let path = dir.join(format!("chunk_{i:04}"));
        let mut dst = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
        let copied = std::io::copy(&mut (&mut src).take(last - first + 1), &mut dst)?;
        if copied != last - first + 1 {
            return Err(format!("{}: short read", file.display()).into());
        }
        dst.flush()?;
        paths.push(path);
    }
    Ok(paths)
}

// ---------------------------------------------------------------------------------------
// 3: the watched folder.

struct WatchRun {
    settle_ms: u64,
    latencies_ms: Vec<f64>,
}

async fn watch_run(o: &Outpost, args: &Args, root: &Path, settle_ms: Option<u64>) -> Res<WatchRun> {
    let platforms = Platforms::start().await?;
    let env = platforms.env();
    let data = root.join("data");
    let folder = root.join("drop");
    std::fs::create_dir_all(&data)?;
    std::fs::create_dir_all(&folder)?;
    if let Some(ms) = settle_ms {
        std::fs::write(
            data.join("config.toml"),
            format!("[queue]\nsettle_ms = {ms}\n"),
        )?;
    }
    o.connect(&data, &env).await?;
    let folder_arg = folder.to_string_lossy().into_owned();
    o.run_ok(
        &data,
        &env,
        &["watch", "add", &folder_arg, "--to", "tiktok"],
    )
    .await?;
    o.run_ok(&data, &env, &["queue", "pause"]).await?;
    std::fs::write(
        folder.join("outpost.toml"),
        "[options.tiktok]\nprivacy_level = \"SELF_ONLY\"\n",
    )?;

    let mut engine = o
        .cmd(&data, &env)
        .arg("run")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(engine.stderr.take().ok_or("no stderr")?).lines();
    let ready = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            if line.contains("engine running") {
                return Ok::<bool, std::io::Error>(true);
            }
        }
        Ok(false)
    })
    .await;
    if !matches!(ready, Ok(Ok(true))) {
        return Err("`outpost run` did not start".into());
    }
    let log = tokio::spawn(async move {
        let mut all = Vec::new();
        while let Ok(Some(l)) = lines.next_line().await {
            all.push(l);
        }
        all
    });
    // Let the engine's start-up work (folder rescan, first insights sync) pass.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let mut closed: HashMap<String, i64> = HashMap::new();
    let began = tokio::time::Instant::now();
    for i in 0..args.files {
        tokio::time::sleep_until(began + Duration::from_millis(args.file_every_ms * i as u64))
            .await;
        let name = format!("clip_{i:03}.mp4");
        let path = folder.join(&name);
        // Distinct sizes: distinct content, so no file is a duplicate of another.
        let size = args.file_mb * 1_000_000 + i as u64 * 1_000;
        tokio::task::spawn_blocking(move || fixture::write_mp4(&path, 10 + i as u32, size))
            .await??;
        closed.insert(name, now_ms());
    }

    let settle = settle_ms.unwrap_or_else(|| QueueSettings::default().settle_ms);
    let db = open_db(&data).await?;
    let deadline = Instant::now() + Duration::from_millis(settle) + Duration::from_secs(30);
    let rows: Vec<(String, i64)> = loop {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT source_path, created_at FROM jobs")
            .fetch_all(&db)
            .await?;
        if rows.len() >= args.files || Instant::now() > deadline {
            break rows;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    db.close().await;
    terminate(&mut engine);
    if tokio::time::timeout(Duration::from_secs(30), engine.wait())
        .await
        .is_err()
    {
        let _ = engine.kill().await;
    }
    let log = log.await.unwrap_or_default();
    platforms.shutdown().await;

    let mut latencies_ms = Vec::new();
    for (source, created) in &rows {
        let name = Path::new(source)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(at) = closed.get(&name) {
            latencies_ms.push((created - at) as f64);
        }
    }
    if latencies_ms.len() != args.files {
        return Err(format!(
            "{} of {} files were queued; engine said:\n{}",
            latencies_ms.len(),
            args.files,
            log.join("\n")
        )
        .into());
    }
    Ok(WatchRun {
        settle_ms: settle,
        latencies_ms,
    })
}

// ---------------------------------------------------------------------------------------
// Locating and building `outpost`.

/// The `outpost` binary of this example's profile, built first when run through cargo.
fn outpost_binary(given: Option<&Path>) -> Res<(PathBuf, String)> {
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("cannot locate the target directory")?;
    let profile = profile_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(bin) = given {
        return Ok((bin.to_owned(), profile));
    }
    if let Ok(cargo) = std::env::var("CARGO") {
        let mut build = std::process::Command::new(cargo);
        build.args(["build", "--quiet", "-p", "outpost-cli", "--bin", "outpost"]);
        build
            .arg("--manifest-path")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
        match profile.as_str() {
            "debug" => {}
            "release" => {
                build.arg("--release");
            }
            other => {
                build.args(["--profile", other]);
            }
        }
        eprintln!("building outpost ({profile})…");
        if !build.status()?.success() {
            return Err("building the outpost binary failed".into());
        }
    }
    let bin = profile_dir.join(format!("outpost{}", std::env::consts::EXE_SUFFIX));
    if !bin.is_file() {
        return Err(format!(
            "{} not found: build it (cargo build -p outpost-cli) or pass --outpost",
            bin.display()
        )
        .into());
    }
    Ok((bin, profile))
}

// ---------------------------------------------------------------------------------------

async fn bench(args: Args) -> Res<()> {
    let (bin, profile) = outpost_binary(args.outpost.as_deref())?;
    if profile != "release" {
        eprintln!("warning: a {profile} build: run with --release for meaningful figures");
    }
    if !args.skip_upload {
        let v = std::process::Command::new(&args.curl)
            .arg("--version")
            .output();
        if !v.is_ok_and(|o| o.status.success()) {
            return Err(format!(
                "{} not found: install curl (apt-get install -y curl) or pass --curl",
                args.curl.display()
            )
            .into());
        }
    }
    let o = Outpost { bin };
    let tmp = match &args.tmp {
        Some(dir) => tempfile::Builder::new()
            .prefix("publish-bench-")
            .tempdir_in(dir)?,
        None => tempfile::Builder::new()
            .prefix("publish-bench-")
            .tempdir()?,
    };
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let started = Instant::now();
    let mut summary = json!({
        "date": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "cpus": cpus,
        "profile": profile,
        "sandbox_clock_speedup": CLOCK_SPEEDUP,
    });
    let mut table = Vec::new();

    if !args.skip_upload {
        let size = (args.gib * GIB).round() as u64;
        if args.gib < 1.0 {
            eprintln!(
                "note: --gib {} is below the 1 GiB the issue asks for",
                args.gib
            );
        }
        let plan = ChunkPlan::for_size(size)?;
        let big = tmp.path().join("large.mp4");
        let small = tmp.path().join("small.mp4");
        eprintln!(
            "writing {} ({size} bytes) and cutting it into {} chunks for curl…",
            big.display(),
            plan.total_chunk_count
        );
        let (b, s, small_size) = (big.clone(), small.clone(), args.small_mb * 1_000_000);
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            fixture::write_mp4(&b, 120, size)?;
            fixture::write_mp4(&s, 20, small_size)
        })
        .await??;
        let (b, dir) = (big.clone(), tmp.path().join("chunks"));
        let chunks = tokio::task::spawn_blocking(move || cut_chunks(&b, &plan, &dir)).await??;

        let mut ours = Vec::new();
        let mut ours_wall = Vec::new();
        let mut theirs = Vec::new();
        let mut theirs_wall = Vec::new();
        let mut rss_small = Vec::new();
        let mut rss_large = Vec::new();
        let mut connections = Vec::new();
        for rep in 0..args.reps {
            // A fresh sandbox and data dir per repetition: the same content is queued once
            // per account, and the sandbox caps posts per creator per day.
            let platforms = Platforms::start().await?;
            let env = platforms.env();
            let root = tmp.path().join(format!("rep{rep}"));
            let data = root.join("data");
            std::fs::create_dir_all(&data)?;
            std::fs::write(data.join("config.toml"), "[queue]\nstatus_poll_secs = 1\n")?;
            o.connect(&data, &env).await?;
            let s = publish(&o, &root, &data, &env, &small).await?;
            rss_small.push(s.max_rss_kib as f64);
            let run = publish(&o, &root, &data, &env, &big).await?;
            rss_large.push(run.max_rss_kib as f64);
            ours.push(mib_s(size, run.upload_phase));
            ours_wall.push(mib_s(size, run.wall));
            let c = curl_upload(&args.curl, &platforms.sandbox, &plan, &chunks).await?;
            theirs.push(mib_s(size, c.transfer));
            theirs_wall.push(mib_s(size, c.wall));
            connections.push(c.connections);
            eprintln!(
                "rep {}: outpost {:.0} MiB/s (upload phase {:.2} s, command {:.2} s, peak RSS {} / {} KiB), curl {:.0} MiB/s ({:.2} s, {} connection(s))",
                rep + 1,
                mib_s(size, run.upload_phase),
                run.upload_phase.as_secs_f64(),
                run.wall.as_secs_f64(),
                s.max_rss_kib,
                run.max_rss_kib,
                mib_s(size, c.transfer),
                c.transfer.as_secs_f64(),
                c.connections
            );
            platforms.shutdown().await;
            let _ = std::fs::remove_dir_all(&root);
        }
        drop(chunks);
        let _ = std::fs::remove_dir_all(tmp.path().join("chunks"));
        let _ = std::fs::remove_file(&big);

        let (o_min, o_med, o_max) = stats(&ours);
        let (ow_min, ow_med, ow_max) = stats(&ours_wall);
        let (c_min, c_med, c_max) = stats(&theirs);
        let (cw_min, cw_med, cw_max) = stats(&theirs_wall);
        let (rs_min, rs_med, rs_max) = stats(&rss_small);
        let (rl_min, rl_med, rl_max) = stats(&rss_large);
        table.push(format!(
            "Upload of {:.2} GiB ({size} bytes) to the sandbox's TikTok: {} chunks of {} bytes (last {}), {} repetitions, sandbox clock {CLOCK_SPEEDUP}x",
            size as f64 / GIB,
            plan.total_chunk_count,
            plan.chunk_size,
            plan.range(plan.total_chunk_count - 1).1 - plan.range(plan.total_chunk_count - 1).0 + 1,
            args.reps
        ));
        table.push(format!(
            "  {:<58} {:>9} {:>9} {:>9}",
            "MiB/s", "min", "median", "max"
        ));
        let row = |name: &str, (a, b, c): (f64, f64, f64)| {
            format!("  {name:<58} {a:>9.1} {b:>9.1} {c:>9.1}")
        };
        table.push(row(
            "outpost, upload phase (job_events uploading→publishing)",
            (o_min, o_med, o_max),
        ));
        table.push(row(
            "outpost, whole `publish --wait` command (info)",
            (ow_min, ow_med, ow_max),
        ));
        table.push(row(
            "curl, transfer (sum of time_total)",
            (c_min, c_med, c_max),
        ));
        table.push(row(
            "curl, process wall time (info)",
            (cw_min, cw_med, cw_max),
        ));
        table.push(format!(
            "  ratio outpost/curl (medians, upload phase vs transfer): {:.2}",
            o_med / c_med
        ));
        table.push(String::new());
        table.push(format!(
            "Peak RSS of `outpost publish --wait` (getrusage ru_maxrss), {} runs each",
            args.reps
        ));
        table.push(format!(
            "  {:<58} {:>9} {:>9} {:>9}",
            "MiB", "min", "median", "max"
        ));
        table.push(row(
            &format!("small file ({} MB)", args.small_mb),
            (rs_min / 1024.0, rs_med / 1024.0, rs_max / 1024.0),
        ));
        table.push(row(
            &format!("large file ({:.2} GiB)", size as f64 / GIB),
            (rl_min / 1024.0, rl_med / 1024.0, rl_max / 1024.0),
        ));
        table.push(format!(
            "  ratio large/small (medians): {:.2}",
            rl_med / rs_med
        ));
        table.push(String::new());
        summary["upload"] = json!({
            "bytes": size,
            "chunk_size": plan.chunk_size,
            "chunks": plan.total_chunk_count,
            "reps": args.reps,
            "outpost_timing": "upload phase: job_events uploading -> publishing",
            "outpost_mib_s": {"min": o_min, "median": o_med, "max": o_max, "runs": ours},
            "outpost_command_mib_s": {"min": ow_min, "median": ow_med, "max": ow_max, "runs": ours_wall},
            "curl_mib_s": {"min": c_min, "median": c_med, "max": c_max, "runs": theirs},
            "curl_wall_mib_s": {"min": cw_min, "median": cw_med, "max": cw_max, "runs": theirs_wall},
            "curl_connections": connections,
            "ratio_outpost_curl": o_med / c_med,
        });
        summary["peak_rss_kib"] = json!({
            "small_bytes": args.small_mb * 1_000_000,
            "small": {"min": rs_min, "median": rs_med, "max": rs_max, "runs": rss_small},
            "large_bytes": size,
            "large": {"min": rl_min, "median": rl_med, "max": rl_max, "runs": rss_large},
            "ratio_large_small": rl_med / rs_med,
        });
    }

    if !args.skip_watch {
        let mut runs = Vec::new();
        for (i, settle) in [None, Some(SHORT_SETTLE_MS)].into_iter().enumerate() {
            eprintln!(
                "watched folder: {} files of {} MB, settle window {}…",
                args.files,
                args.file_mb,
                settle.map_or("default".to_owned(), |s| format!("{s} ms"))
            );
            let root = tmp.path().join(format!("watch{i}"));
            let run = watch_run(&o, &args, &root, settle).await?;
            let _ = std::fs::remove_dir_all(&root);
            runs.push((settle.is_none(), run));
        }
        table.push(format!(
            "Watched folder: file written and closed → its job row (jobs.created_at), {} files of {} MB, one every {} ms, queue paused",
            args.files, args.file_mb, args.file_every_ms
        ));
        table.push(format!(
            "  {:<30} {:>7} {:>7} {:>7} {:>7} {:>16}",
            "ms", "min", "median", "p95", "max", "median − settle"
        ));
        let mut json_runs = Vec::new();
        for (default, run) in &runs {
            let (min, median, max) = stats(&run.latencies_ms);
            let p95 = percentile(&run.latencies_ms, 95.0);
            let label = format!(
                "settle_ms = {}{}",
                run.settle_ms,
                if *default { " (default)" } else { "" }
            );
            table.push(format!(
                "  {label:<30} {min:>7.0} {median:>7.0} {p95:>7.0} {max:>7.0} {:>16.0}",
                median - run.settle_ms as f64
            ));
            json_runs.push(json!({
                "settle_ms": run.settle_ms,
                "default": default,
                "files": run.latencies_ms.len(),
                "min_ms": min, "median_ms": median, "p95_ms": p95, "max_ms": max,
                "latencies_ms": run.latencies_ms,
            }));
        }
        table.push(String::new());
        summary["watch"] = Value::Array(json_runs);
    }

    summary["total_secs"] = json!(started.elapsed().as_secs_f64().round());
    println!();
    println!(
        "Outpost publish benchmark — {}, {cpus} CPUs, {profile} build",
        summary["date"].as_str().unwrap_or_default()
    );
    println!();
    for line in &table {
        println!("{line}");
    }
    println!("JSON: {summary}");
    tmp.close()?;
    Ok(())
}
