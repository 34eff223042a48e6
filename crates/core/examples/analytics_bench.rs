//! Analytics benchmark (issue 6). Generates a database with more than a year of insight
//! history (at least 1,000,000 snapshots over several accounts and thousands of posts), then
//! times every analytics query function of `outpost_core::analytics` and, in the same run on
//! the same file, the very same SQL (the `*_statement` text and parameters the functions
//! execute) run by the `sqlite3` command-line tool.
//!
//! ```text
//! cargo run --release -p outpost-core --example analytics_bench -- [--db PATH] [--reuse]
//!     [--runs N] [--plans] [--sql-dir DIR] [--sqlite3 PATH]
//! ```
//!
//! `--plans` prints each statement's `EXPLAIN QUERY PLAN`; `--sql-dir` writes each
//! statement as a ready-to-run sqlite3 script (`.parameter set` lines, then the SQL).
//!
//! Method:
//! - ours: wall time of the public async function (bind, step, decode rows, build the
//!   result), one warm-up call, then the median of `--runs` calls;
//! - sqlite3 (wall): the script `.parameter set ?N v…`, `.output /dev/null`, then the
//!   statement R times, run by one `sqlite3` process; the same script with `SELECT 1` in
//!   place of the statement is the baseline (process start, opening the file, reading the
//!   schema). (T(statement × R) − T(SELECT 1 × R)) / R, median of 3 pairs. R is chosen so
//!   that the statements run for about 0.3 s, which makes the figure precise well below 1 ms;
//! - sqlite3 (.timer): `.timer on` in one process, the statement `--runs` times; median of
//!   the reported real time (1 ms resolution) and of user + sys CPU time, as a cross-check.
//!
//! Both sides read a warm OS page cache (the file was just written or read); each side has
//! its own SQLite page cache (default size) in its own process.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use outpost_core::analytics::{
    self, AnalyticsError, Period, PostColumn, PostSort, SortDirection, Statement, UtcOffset,
};
use outpost_core::db::Database;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
/// Days of history.
const HISTORY_DAYS: i64 = 400;
/// The generator's local offset for the creators (UTC+1), also used by the queries.
const OFFSET_MINUTES: i32 = 60;

struct AccountSpec {
    platform: &'static str,
    name: &'static str,
    posts: usize,
    metrics: &'static [&'static str],
    followers_start: f64,
    followers_per_day: f64,
}

const INSTAGRAM: &[&str] = &["views", "reach", "likes", "comments", "shares", "saves"];
const TIKTOK: &[&str] = &["views", "likes", "comments", "shares"];
const REDDIT: &[&str] = &["score", "upvote_ratio", "comments"];

const ACCOUNTS: [AccountSpec; 5] = [
    AccountSpec {
        platform: "instagram",
        name: "studio",
        posts: 1_300,
        metrics: INSTAGRAM,
        followers_start: 12_000.0,
        followers_per_day: 35.0,
    },
    AccountSpec {
        platform: "instagram",
        name: "travel",
        posts: 800,
        metrics: INSTAGRAM,
        followers_start: 4_000.0,
        followers_per_day: 8.0,
    },
    AccountSpec {
        platform: "tiktok",
        name: "daily",
        posts: 1_500,
        metrics: TIKTOK,
        followers_start: 50_000.0,
        followers_per_day: 120.0,
    },
    AccountSpec {
        platform: "tiktok",
        name: "clips",
        posts: 600,
        metrics: TIKTOK,
        followers_start: 900.0,
        followers_per_day: 3.0,
    },
    AccountSpec {
        platform: "reddit",
        name: "maker",
        posts: 400,
        metrics: REDDIT,
        followers_start: 300.0,
        followers_per_day: 1.0,
    },
];

struct Args {
    db: PathBuf,
    reuse: bool,
    runs: usize,
    plans: bool,
    sql_dir: Option<PathBuf>,
    sqlite3: PathBuf,
}

fn parse_args() -> Args {
    let mut args = Args {
        db: std::env::temp_dir().join("outpost-analytics-bench.db"),
        reuse: false,
        runs: 9,
        plans: false,
        sql_dir: None,
        sqlite3: PathBuf::from("sqlite3"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--db" => args.db = PathBuf::from(it.next().expect("--db PATH")),
            "--reuse" => args.reuse = true,
            "--runs" => {
                args.runs = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n >= 1)
                    .expect("--runs N (N >= 1)")
            }
            "--plans" => args.plans = true,
            "--sql-dir" => args.sql_dir = Some(PathBuf::from(it.next().expect("--sql-dir DIR"))),
            "--sqlite3" => args.sqlite3 = PathBuf::from(it.next().expect("--sqlite3 PATH")),
            other => panic!(
                "unknown argument {other:?}; usage: analytics_bench [--db PATH] [--reuse] \
                 [--runs N] [--plans] [--sql-dir DIR] [--sqlite3 PATH]"
            ),
        }
    }
    args
}

/// The instant the generated history ends ("now" for the queries): 2026-11-20T00:00Z.
fn history_end() -> i64 {
    NaiveDate::from_ymd_opt(2026, 11, 20)
        .expect("date")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp_millis()
}

struct Snap {
    at: i64,
    account: i64,
    kind: &'static str,
    subject: i64,
    metric: &'static str,
    value: f64,
}

struct Media {
    id: i64,
    account: i64,
    created_at: i64,
    deleted_at: Option<i64>,
}

/// How good a local hour is for this fictional audience: evenings best, nights worst.
fn hour_factor(local_hour: i64) -> f64 {
    let x = (local_hour as f64 - 19.0) / 24.0 * std::f64::consts::TAU;
    1.0 + 0.45 * x.cos()
}

/// When the sync captured a post: every 6 hours for 2 days, daily until 30 days, weekly
/// after that, until the end of history or the post's deletion.
fn capture_times(created_at: i64, stop: i64) -> Vec<i64> {
    let grid = 6 * HOUR;
    let mut times = Vec::new();
    let mut t = (created_at / grid + 1) * grid;
    while t < stop && t < created_at + 2 * DAY {
        times.push(t);
        t += grid;
    }
    let mut t = (t / DAY + 1) * DAY;
    while t < stop && t < created_at + 30 * DAY {
        times.push(t);
        t += DAY;
    }
    while t < stop {
        times.push(t);
        t += 7 * DAY;
    }
    times
}

fn generate(rng: &mut StdRng, ids: &[i64], start: i64, end: i64) -> (Vec<Media>, Vec<Snap>) {
    let mut media = Vec::new();
    let mut snaps = Vec::new();
    let mut next_media_id = 1;
    for (spec, &account) in ACCOUNTS.iter().zip(ids) {
        // Account level: followers and following every 6 hours.
        let mut t = start;
        let mut followers = spec.followers_start;
        while t < end {
            followers += spec.followers_per_day / 4.0 * rng.gen_range(-0.5..2.5);
            for (metric, value) in [("followers", followers.round()), ("following", 150.0)] {
                snaps.push(Snap {
                    at: t,
                    account,
                    kind: "account",
                    subject: account,
                    metric,
                    value,
                });
            }
            t += 6 * HOUR;
        }
        // Posts, published at random instants, more often in the local afternoon/evening.
        for _ in 0..spec.posts {
            let day = rng.gen_range(0..HISTORY_DAYS);
            let local_hour = if rng.gen_bool(0.6) {
                rng.gen_range(12..23)
            } else {
                rng.gen_range(0..24)
            };
            let created_at = start
                + day * DAY
                + (local_hour - i64::from(OFFSET_MINUTES) / 60) * HOUR
                + rng.gen_range(0..HOUR);
            if created_at >= end - HOUR {
                continue;
            }
            let deleted_at = rng
                .gen_bool(0.02)
                .then(|| created_at + rng.gen_range(DAY..40 * DAY))
                .filter(|&d| d < end);
            let id = next_media_id;
            next_media_id += 1;
            media.push(Media {
                id,
                account,
                created_at,
                deleted_at,
            });
            let factor = hour_factor(local_hour);
            let views = 2_000.0 * factor * rng.gen_range(-1.0f64..2.0).exp();
            let rate = rng.gen_range(0.02..0.08) * factor;
            let finals = |metric: &str| -> f64 {
                let likes = views * rate;
                match metric {
                    "views" => views,
                    "reach" => views * 0.72,
                    "likes" => likes,
                    "comments" => likes * 0.06,
                    "shares" => likes * 0.12,
                    "saves" => likes * 0.09,
                    "score" => views * 0.02,
                    _ => 0.0,
                }
            };
            let ratio = rng.gen_range(0.7..0.99);
            for at in capture_times(created_at, deleted_at.unwrap_or(end)) {
                let age = (at - created_at) as f64 / DAY as f64;
                let share = 0.97 * (1.0 - (-age / 2.5).exp()) + 0.03 * (age / 365.0).min(1.0);
                for &metric in spec.metrics {
                    let value = if metric == "upvote_ratio" {
                        ratio
                    } else {
                        (finals(metric) * share).round()
                    };
                    snaps.push(Snap {
                        at,
                        account,
                        kind: "media",
                        subject: id,
                        metric,
                        value,
                    });
                }
            }
        }
    }
    media.sort_by_key(|m| m.created_at);
    // The sync writes snapshots in time order: so does the generator.
    snaps.sort_by_key(|s| (s.at, s.account, s.subject));
    (media, snaps)
}

async fn build_database(path: &Path) -> Result<(Database, Vec<i64>), Box<dyn std::error::Error>> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    let started = Instant::now();
    let db = Database::open(path).await?;
    let end = history_end();
    let start = end - HISTORY_DAYS * DAY;
    let mut conn = db.pool().acquire().await?;
    // Loading only: no fsync, and a page cache (256 MiB) large enough for the indexes, whose
    // keys arrive in random order when rows arrive in time order.
    for pragma in ["PRAGMA synchronous = OFF", "PRAGMA cache_size = -262144"] {
        sqlx::query(pragma).execute(&mut *conn).await?;
    }
    let mut ids = Vec::new();
    for spec in &ACCOUNTS {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (platform, platform_user_id, username, created_at, updated_at) \
             VALUES (?1, ?2, ?2, ?3, ?3) RETURNING id",
        )
        .bind(spec.platform)
        .bind(spec.name)
        .bind(start)
        .fetch_one(&mut *conn)
        .await?;
        ids.push(id);
    }
    let mut rng = StdRng::seed_from_u64(20261125);
    let (media, snaps) = generate(&mut rng, &ids, start, end);
    let generated = started.elapsed();

    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    for m in &media {
        sqlx::query(
            "INSERT INTO media (id, account_id, platform_media_id, kind, caption, permalink, \
             created_at, deleted_at, synced_at) VALUES (?1, ?2, ?3, 'video', ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(m.id)
        .bind(m.account)
        .bind(format!("pm{}", m.id))
        .bind(format!("Post number {} of account {}", m.id, m.account))
        .bind(format!("https://example.invalid/p/{}", m.id))
        .bind(m.created_at)
        .bind(m.deleted_at)
        .bind(end)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;

    const BATCH: usize = 500;
    let row = "(?, ?, ?, ?, ?, ?)";
    let full_sql = format!(
        "INSERT INTO insight_snapshots (account_id, subject_kind, subject_id, metric, value, captured_at) VALUES {}",
        vec![row; BATCH].join(", ")
    );
    for chunk in snaps.chunks(50 * BATCH) {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        for batch in chunk.chunks(BATCH) {
            let sql = if batch.len() == BATCH {
                full_sql.clone()
            } else {
                format!(
                    "INSERT INTO insight_snapshots (account_id, subject_kind, subject_id, metric, value, captured_at) VALUES {}",
                    vec![row; batch.len()].join(", ")
                )
            };
            let mut q = sqlx::query(&sql);
            for s in batch {
                q = q
                    .bind(s.account)
                    .bind(s.kind)
                    .bind(s.subject)
                    .bind(s.metric)
                    .bind(s.value)
                    .bind(s.at);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut *conn)
        .await?;
    drop(conn);
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!(
        "generated {} accounts, {} posts, {} snapshots over {} days in {:.1?} (rows built in {:.1?}); file {:.0} MiB",
        ids.len(),
        media.len(),
        snaps.len(),
        HISTORY_DAYS,
        started.elapsed(),
        generated,
        size as f64 / 1_048_576.0
    );
    Ok((db, ids))
}

/// One benchmarked query: what it is and how to run it both ways.
enum Query {
    Growth(Period),
    Table(Period, PostSort),
    Top(Period, PostColumn, u32),
    Totals(Period),
    Engagement(Period),
    BestTimes(Period),
}

impl Query {
    fn label(&self, now: i64) -> String {
        let days = |p: &Period| {
            let d = p.len_ms() / DAY;
            if p.end_ms() == now {
                format!("last {d} d")
            } else {
                format!("{d} d")
            }
        };
        match self {
            Query::Growth(p) => format!("follower_growth ({})", days(p)),
            Query::Table(p, s) => format!("post_performance ({}, by {})", days(p), s.column),
            Query::Top(p, c, n) => format!("top_posts ({}, {n} by {c})", days(p)),
            Query::Totals(p) => format!("period_totals ({} vs prev)", days(p)),
            Query::Engagement(p) => format!("account_engagement ({})", days(p)),
            Query::BestTimes(p) => format!("best_times ({})", days(p)),
        }
    }

    fn statement(&self, account: i64, offset: UtcOffset) -> Statement {
        match *self {
            Query::Growth(p) => analytics::follower_growth_statement(account, p, offset),
            Query::Table(p, s) => analytics::post_performance_statement(account, p, s),
            Query::Top(p, c, n) => analytics::top_posts_statement(account, p, c, n),
            Query::Totals(p) => analytics::period_totals_statement(account, p),
            Query::Engagement(p) => analytics::account_engagement_statement(account, p),
            Query::BestTimes(p) => analytics::best_times_statement(account, p, offset),
        }
    }

    /// Run the public function; returns a size of the result (rows, days, buckets).
    async fn run(
        &self,
        db: &Database,
        account: i64,
        offset: UtcOffset,
    ) -> Result<usize, AnalyticsError> {
        Ok(match *self {
            Query::Growth(p) => analytics::follower_growth(db, account, p, offset)
                .await?
                .days
                .len(),
            Query::Table(p, s) => analytics::post_performance(db, account, p, s).await?.len(),
            Query::Top(p, c, n) => analytics::top_posts(db, account, p, c, n).await?.len(),
            Query::Totals(p) => analytics::period_totals(db, account, p)
                .await?
                .metrics
                .len(),
            Query::Engagement(p) => {
                analytics::account_engagement(db, account, p).await?.posts as usize
            }
            Query::BestTimes(p) => analytics::best_times(db, account, p, offset, 3)
                .await?
                .slots
                .len(),
        })
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// A sqlite3 script: parameters, output discarded, optional timer, `body` `reps` times.
fn script(st: &Statement, body: &str, reps: usize, timer: bool) -> String {
    let mut s = String::new();
    for (i, p) in st.params.iter().enumerate() {
        s.push_str(&format!(".parameter set ?{} {}\n", i + 1, p));
    }
    s.push_str(".output /dev/null\n");
    if timer {
        s.push_str(".timer on\n");
    }
    for _ in 0..reps {
        s.push_str(body);
        s.push_str(";\n");
    }
    s
}

/// Run `sqlite3 -batch DB` on a script; wall time and standard output.
fn run_sqlite3(bin: &Path, db: &Path, script: &str) -> (Duration, String) {
    let started = Instant::now();
    let mut child = Command::new(bin)
        .arg("-batch")
        .arg("-bail")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e} (apt-get install -y sqlite3)",
                bin.display()
            )
        });
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write script");
    let out = child.wait_with_output().expect("sqlite3 output");
    let elapsed = started.elapsed();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "sqlite3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (elapsed, String::from_utf8_lossy(&out.stdout).into_owned())
}

/// (T(statement × reps) − T(SELECT 1 × reps)) / reps, median of 3 pairs, in ms.
fn sqlite3_wall(bin: &Path, db: &Path, st: &Statement, reps: usize) -> f64 {
    let query = script(st, &st.sql, reps, false);
    let empty = script(st, "SELECT 1", reps, false);
    let mut per_run = Vec::new();
    for _ in 0..3 {
        let (tq, _) = run_sqlite3(bin, db, &query);
        let (te, _) = run_sqlite3(bin, db, &empty);
        per_run.push((ms(tq) - ms(te)) / reps as f64);
    }
    median(per_run)
}

/// Medians of `.timer` real and user + sys over `runs` executions in one process, in ms.
fn sqlite3_timer(bin: &Path, db: &Path, st: &Statement, runs: usize) -> (f64, f64) {
    let (_, out) = run_sqlite3(bin, db, &script(st, &st.sql, runs, true));
    let mut real = Vec::new();
    let mut cpu = Vec::new();
    for line in out.lines().filter(|l| l.starts_with("Run Time:")) {
        let f: Vec<&str> = line.split_whitespace().collect();
        // Run Time: real R user U sys S
        let num = |i: usize| {
            f.get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        real.push(num(3) * 1_000.0);
        cpu.push((num(5) + num(7)) * 1_000.0);
    }
    assert_eq!(real.len(), runs, "sqlite3 .timer output: {out}");
    (median(real), median(cpu))
}

async fn print_plan(db: &Database, st: &Statement) -> Result<(), sqlx::Error> {
    let sql = format!("EXPLAIN QUERY PLAN {}", st.sql);
    let mut q = sqlx::query(&sql);
    for p in &st.params {
        q = q.bind(*p);
    }
    let rows = q.fetch_all(db.pool()).await?;
    let mut depth: Vec<(i64, usize)> = Vec::new();
    for row in rows {
        let id: i64 = row.get(0);
        let parent: i64 = row.get(1);
        let detail: String = row.get(3);
        let level = depth
            .iter()
            .find(|(i, _)| *i == parent)
            .map(|(_, l)| l + 1)
            .unwrap_or(0);
        depth.push((id, level));
        println!("    {}{detail}", "  ".repeat(level));
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args();
    let (db, ids) = if args.reuse && args.db.exists() {
        let db = Database::open(&args.db).await?;
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM accounts ORDER BY id")
            .fetch_all(db.pool())
            .await?;
        println!("reusing {}", args.db.display());
        (db, ids)
    } else {
        build_database(&args.db).await?
    };
    let snapshots: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM insight_snapshots")
        .fetch_one(db.pool())
        .await?;
    let posts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM media")
        .fetch_one(db.pool())
        .await?;
    assert!(snapshots >= 1_000_000, "only {snapshots} snapshots");
    let ours_version: String = sqlx::query_scalar("SELECT sqlite_version()")
        .fetch_one(db.pool())
        .await?;
    let (_, cli_version) = run_sqlite3(&args.sqlite3, &args.db, "SELECT sqlite_version();\n");
    println!(
        "database {}: {snapshots} snapshots, {posts} posts, {} accounts; SQLite {ours_version} \
         (outpost-core, bundled) vs {} (sqlite3 CLI)",
        args.db.display(),
        ids.len(),
        cli_version.trim()
    );

    let now = history_end();
    let offset = UtcOffset::minutes(OFFSET_MINUTES)?;
    let account = ids[0];
    let account_posts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM media WHERE account_id = ?1")
        .bind(account)
        .fetch_one(db.pool())
        .await?;
    let account_snaps: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM insight_snapshots WHERE account_id = ?1")
            .bind(account)
            .fetch_one(db.pool())
            .await?;
    println!(
        "queries on account {account} (instagram, {account_posts} posts, {account_snaps} snapshots), \
         now = 2026-11-20T00:00Z, offset UTC+1, {} runs each\n",
        args.runs
    );
    let last = |days: u32| Period::trailing_days(now, days).expect("period");
    let by = |column, direction| PostSort { column, direction };
    let queries = [
        Query::Growth(last(365)),
        Query::Table(last(30), by(PostColumn::Views, SortDirection::Descending)),
        Query::Table(
            last(365),
            by(PostColumn::EngagementRate, SortDirection::Descending),
        ),
        Query::Top(last(365), PostColumn::Views, 10),
        Query::Totals(last(7)),
        Query::Totals(last(30)),
        Query::Totals(last(180)),
        Query::Engagement(last(90)),
        Query::BestTimes(last(365)),
    ];

    println!(
        "{:<44} {:>6} {:>9} {:>13} {:>7} {:>17}",
        "query", "size", "ours ms", "sqlite3 ms", "ratio", "sqlite3 .timer ms"
    );
    println!(
        "{:<44} {:>6} {:>9} {:>13} {:>7} {:>17}",
        "", "", "(median)", "(wall, net)", "", "real / cpu"
    );
    let mut plans = Vec::new();
    for q in &queries {
        let st = q.statement(account, offset);
        if let Some(dir) = &args.sql_dir {
            std::fs::create_dir_all(dir)?;
            let name: String = q
                .label(now)
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            std::fs::write(
                dir.join(format!("{name}.sql")),
                script(&st, &st.sql, 1, false),
            )?;
        }
        let size = q.run(&db, account, offset).await?; // warm-up
        let mut ours = Vec::with_capacity(args.runs);
        for _ in 0..args.runs {
            let started = Instant::now();
            let n = q.run(&db, account, offset).await?;
            ours.push(ms(started.elapsed()));
            assert_eq!(n, size);
        }
        let ours = median(ours);
        let reps = ((300.0 / ours.max(0.05)) as usize).clamp(5, 300);
        let wall = sqlite3_wall(&args.sqlite3, &args.db, &st, reps);
        let (real, cpu) = sqlite3_timer(&args.sqlite3, &args.db, &st, args.runs);
        println!(
            "{:<44} {:>6} {:>9.3} {:>13.3} {:>7.2} {:>8.0} / {:>6.2}",
            q.label(now),
            size,
            ours,
            wall,
            ours / wall,
            real,
            cpu
        );
        plans.push((q.label(now), st));
    }
    println!("\nsize: days (growth), rows (tables), metrics (totals), posts (engagement), slots (best times)");
    println!("ratio: ours / sqlite3 (wall, net); below 1 means the engine through sqlx was faster");
    if args.plans {
        for (label, st) in &plans {
            println!("\n{label}:");
            print_plan(&db, st).await?;
        }
    }
    db.close().await;
    Ok(())
}
