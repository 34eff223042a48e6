//! `outpost analytics REPORT`: the dashboard's queries from the command line, read from the
//! local history only (works offline). Thin calls into `outpost_core::analytics`.

use outpost_core::analytics::{self, Period, PostColumn, PostSort, SortDirection, UtcOffset};
use outpost_core::error::ErrorPayload;

use crate::args::{AnalyticsArgs, Report};
use crate::context::{fail, Context};
use crate::output::Output;

fn fmt_num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.4}"),
        None => "-".into(),
    }
}

pub async fn run(ctx: &Context, out: &Output, args: &AnalyticsArgs) -> Result<(), ErrorPayload> {
    let account = ctx.db.accounts().find(&args.account).await.map_err(fail)?;
    let now = chrono::Utc::now().timestamp_millis();
    let period = Period::trailing_days(now, args.days).map_err(fail)?;
    let offset = UtcOffset::minutes(args.utc_offset).map_err(fail)?;
    let column = match &args.by {
        Some(c) => c.parse::<PostColumn>().map_err(|e| ErrorPayload {
            code: "analytics.column".into(),
            message: e.to_string(),
        })?,
        None => match args.report {
            Report::Top => PostColumn::Views,
            _ => PostColumn::CreatedAt,
        },
    };
    if args.csv && !matches!(args.report, Report::Posts | Report::Top) {
        return Err(ErrorPayload {
            code: "analytics.csv".into(),
            message: "--csv is for the posts and top reports".into(),
        });
    }
    let db = &ctx.db;
    let id = account.id;
    match args.report {
        Report::Growth => {
            let g = analytics::follower_growth(db, id, period, offset)
                .await
                .map_err(fail)?;
            let mut lines = vec![(
                "Followers",
                format!(
                    "{} -> {} ({})",
                    fmt_num(g.baseline),
                    fmt_num(g.last),
                    fmt_num(g.net_change)
                ),
            )];
            lines.extend(g.days.iter().filter(|d| d.followers.is_some()).map(|d| {
                (
                    "Day",
                    format!("{}  {}  {}", d.date, fmt_num(d.followers), fmt_num(d.delta)),
                )
            }));
            out.record(&g, &lines);
        }
        Report::Posts | Report::Top => {
            let rows = if matches!(args.report, Report::Top) {
                analytics::top_posts(db, id, period, column, args.limit)
                    .await
                    .map_err(fail)?
            } else {
                let sort = PostSort {
                    column,
                    direction: if args.asc {
                        SortDirection::Ascending
                    } else {
                        SortDirection::Descending
                    },
                };
                analytics::post_performance(db, id, period, sort)
                    .await
                    .map_err(fail)?
            };
            if args.csv {
                print!("{}", analytics::csv::posts(&rows));
                return Ok(());
            }
            if !out.json {
                println!(
                    "{:<20} {:>10} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8}  caption",
                    "post", "views", "reach", "likes", "comments", "shares", "saves", "eng."
                );
                for r in &rows {
                    println!(
                        "{:<20} {:>10} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8}  {}",
                        r.platform_media_id.chars().take(20).collect::<String>(),
                        fmt_num(r.views),
                        fmt_num(r.reach),
                        fmt_num(r.likes),
                        fmt_num(r.comments),
                        fmt_num(r.shares),
                        fmt_num(r.saves),
                        r.engagement_rate
                            .map(|e| format!("{:.2}%", e * 100.0))
                            .unwrap_or_else(|| "-".into()),
                        r.caption
                            .as_deref()
                            .unwrap_or("")
                            .chars()
                            .take(40)
                            .collect::<String>()
                    );
                }
            }
            out.record(&rows, &[]);
        }
        Report::Totals => {
            let t = analytics::period_totals(db, id, period)
                .await
                .map_err(fail)?;
            let lines: Vec<(&str, String)> = t
                .metrics
                .iter()
                .map(|m| {
                    (
                        m.metric,
                        serde_json::to_string(&m.values).unwrap_or_default(),
                    )
                })
                .collect();
            out.record(&t, &lines);
        }
        Report::Engagement => {
            let e = analytics::account_engagement(db, id, period)
                .await
                .map_err(fail)?;
            let text = serde_json::to_string(&e).unwrap_or_default();
            out.record(&e, &[("Engagement", text)]);
        }
        Report::BestTimes => {
            let b = analytics::best_times(db, id, period, offset, args.min_posts)
                .await
                .map_err(fail)?;
            let lines = vec![
                (
                    "Best hour",
                    b.best_hour
                        .map(|h| format!("{h:02}:00"))
                        .unwrap_or_else(|| "not enough posts yet".into()),
                ),
                (
                    "Best weekday",
                    b.best_weekday
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "not enough posts yet".into()),
                ),
            ];
            out.record(&b, &lines);
        }
    }
    Ok(())
}
