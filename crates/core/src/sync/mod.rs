//! Insights sync (issue 6): quota-aware planning, media/comment upserts and snapshots.
