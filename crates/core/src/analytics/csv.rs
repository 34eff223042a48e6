//! The analytics as CSV (RFC 4180 fields, `\n` line ends, times as RFC 3339 UTC, empty for a
//! missing value): the per-post table exactly as the desktop's export and `outpost analytics
//! posts --csv` write it, and the field and line rules any other export uses.

use chrono::{DateTime, SecondsFormat};

use super::PostRow;

/// The columns of [`posts`], in order.
pub const POST_COLUMNS: &[&str] = &[
    "media_id",
    "platform_media_id",
    "created_at",
    "caption",
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saves",
    "interactions",
    "engagement_rate",
];

/// One field: quoted (with `"` doubled) when it holds a comma, quote or line break.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// One line (without its line end) of `fields`, each written by [`field`].
pub fn line<S: AsRef<str>>(fields: impl IntoIterator<Item = S>) -> String {
    fields
        .into_iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",")
}

/// A unix-ms time as RFC 3339 UTC to the second (`2026-11-25T10:00:00Z`).
pub fn time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn number(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The per-post table: a header of [`POST_COLUMNS`], then one line per row, in the rows'
/// order.
pub fn posts(rows: &[PostRow]) -> String {
    let mut out = POST_COLUMNS.join(",");
    out.push('\n');
    for r in rows {
        out.push_str(&line([
            r.media_id.to_string(),
            r.platform_media_id.clone(),
            time(r.created_at),
            r.caption.clone().unwrap_or_default(),
            number(r.views),
            number(r.reach),
            number(r.likes),
            number(r.comments),
            number(r.shares),
            number(r.saves),
            number(r.interactions),
            number(r.engagement_rate),
        ]));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(caption: Option<&str>) -> PostRow {
        PostRow {
            media_id: 7,
            platform_media_id: "v_1".into(),
            kind: "video".into(),
            caption: caption.map(str::to_owned),
            permalink: None,
            thumbnail_url: None,
            created_at: 1_764_064_800_000,
            views: Some(1200.0),
            reach: None,
            likes: Some(30.0),
            comments: Some(2.0),
            shares: None,
            saves: None,
            interactions: Some(32.0),
            engagement_rate: Some(0.02666),
            rate_basis: None,
        }
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(line(["a", "b,c", ""]), "a,\"b,c\",");
    }

    #[test]
    fn the_post_table() {
        let text = posts(&[row(Some("Ridge, at dawn")), row(None)]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], POST_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "7,v_1,2025-11-25T10:00:00Z,\"Ridge, at dawn\",1200,,30,2,,,32,0.02666"
        );
        assert_eq!(
            lines[2],
            "7,v_1,2025-11-25T10:00:00Z,,1200,,30,2,,,32,0.02666"
        );
        assert!(text.ends_with('\n'));
        assert_eq!(posts(&[]), format!("{}\n", POST_COLUMNS.join(",")));
    }
}
