//! Analytics queries over the local insight history (issue 6): follower growth, per-post
//! performance, totals and deltas, engagement, best time to post, top posts. Read-only SQL
//! over `insight_snapshots`, `media` and `accounts`.
