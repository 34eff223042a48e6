//! Insights sync against the sandbox: a first full sync of the three platforms, an
//! incremental one after the clocks move (history grows and the stored values are exactly
//! what the platform serves at that moment), quota accounting, and a revoked account in the
//! revoked accounts being marked and skipped.

mod support;

use std::time::Duration;

use outpost_core::platforms::insights::metric;
use outpost_core::sync::{recent_runs, SyncOptions, Syncer};
use outpost_core::Platform;
use support::{frozen_sandbox, world_with};

async fn count(db: &outpost_core::db::Database, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn first_and_incremental_sync_store_exactly_what_the_platforms_serve() {
    let w = world_with(frozen_sandbox().await).await;
    let clock: outpost_core::clock::SharedClock = std::sync::Arc::new(w.manual.clone());
    let syncer = Syncer::new(w.connector.clone(), clock);
    let db = w.connector.db().clone();

    let reports = syncer.sync(&SyncOptions::default(), &|_| {}).await.unwrap();
    assert_eq!(reports.len(), 3);
    for r in &reports {
        assert_eq!(r.status, "ok", "{r:?}");
        assert!(r.media > 0, "{r:?}");
        assert!(r.snapshots > 0, "{r:?}");
    }
    let first = count(&db, "SELECT COUNT(*) FROM insight_snapshots").await;

    // Run again within the hour (as after a pause or a restart): Instagram's per-post
    // insights are not fetched again, only the listing is read.
    w.manual.advance(chrono::Duration::minutes(5));
    let resumed = syncer.sync(&SyncOptions::default(), &|_| {}).await.unwrap();
    let ig = resumed
        .iter()
        .find(|r| r.platform == Platform::Instagram)
        .unwrap();
    assert!(ig.calls <= 3, "{ig:?}");

    // The stored numbers are what the platform says right now (the sandbox clock is frozen).
    for (platform, id) in &w.ids {
        let token = w.connector.access_token(*id).await.unwrap();
        let client = w.connector.client(*platform).await.unwrap();
        let (stats, _) = client.account_stats(&token).await.unwrap();
        for (name, value) in stats {
            let stored: f64 = sqlx::query_scalar(
                "SELECT value FROM insight_snapshots WHERE subject_kind = 'account' AND subject_id = ?1 AND metric = ?2 \
                 ORDER BY captured_at DESC LIMIT 1",
            )
            .bind(id)
            .bind(name)
            .fetch_one(db.pool())
            .await
            .unwrap();
            assert_eq!(stored, value, "{platform} {name}");
        }
    }

    // A day later: history grows, views grew, and again match the platform.
    w.manual.advance(chrono::Duration::days(1));
    w.sandbox.advance_clock(Duration::from_secs(86_400)).await;
    let reports = syncer.sync(&SyncOptions::default(), &|_| {}).await.unwrap();
    assert!(reports.iter().all(|r| r.status == "ok"), "{reports:?}");
    let second = count(&db, "SELECT COUNT(*) FROM insight_snapshots").await;
    assert!(
        second > first,
        "history must accumulate ({first} -> {second})"
    );
    let tiktok = w
        .ids
        .iter()
        .find(|(p, _)| *p == Platform::Tiktok)
        .unwrap()
        .1;
    let token = w.connector.access_token(tiktok).await.unwrap();
    let client = w.connector.client(Platform::Tiktok).await.unwrap();
    let (page, _) = client.media_page(&token, None, None).await.unwrap();
    for item in &page.items {
        let views = item
            .metrics
            .iter()
            .find(|(m, _)| *m == metric::VIEWS)
            .unwrap()
            .1;
        let stored: Vec<f64> = sqlx::query_scalar(
            "SELECT s.value FROM insight_snapshots s JOIN media m ON m.id = s.subject_id \
             WHERE s.subject_kind = 'media' AND m.platform_media_id = ?1 AND s.metric = 'views' ORDER BY s.captured_at",
        )
        .bind(&item.id)
        .fetch_all(db.pool())
        .await
        .unwrap();
        assert_eq!(
            stored.len(),
            3,
            "one snapshot per sync (first, resumed, next day)"
        );
        assert_eq!(*stored.last().unwrap(), views);
        assert!(stored.windows(2).all(|p| p[1] >= p[0]), "views only grow");
    }
    for (_, id) in &w.ids {
        let runs = recent_runs(&db, *id, 10).await.unwrap();
        assert_eq!(runs.len(), 3);
        assert!(runs.iter().all(|r| r.status == "ok" && r.calls > 0));
    }
    w.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_stays_within_the_documented_quota() {
    let w = world_with(frozen_sandbox().await).await;
    let clock: outpost_core::clock::SharedClock = std::sync::Arc::new(w.manual.clone());
    let syncer = Syncer::new(w.connector.clone(), clock);
    w.sandbox.reset_inspection();
    let reports = syncer.sync(&SyncOptions::default(), &|_| {}).await.unwrap();
    let seen = w.sandbox.inspect();
    let ig = reports
        .iter()
        .find(|r| r.platform == Platform::Instagram)
        .unwrap();
    // Instagram: 200 calls per account per hour; TikTok and Reddit answer with stats in
    // their listings (one call per page).
    assert!(ig.calls <= 200, "{ig:?}");
    for r in &reports {
        assert_eq!(r.status, "ok");
        eprintln!(
            "{}: {} calls for {} media ({:.2} calls per media)",
            r.platform,
            r.calls,
            r.media,
            f64::from(r.calls) / f64::from(r.media.max(1))
        );
    }
    let total: u32 = reports.iter().map(|r| r.calls).sum();
    // Every call the sandbox saw was one the syncer counted (token refreshes aside).
    let seen_total: u64 = seen.calls_by_endpoint.values().sum();
    assert!(
        seen_total >= u64::from(total),
        "sandbox saw {seen_total} calls, sync counted {total}"
    );
    w.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn revoked_accounts_are_marked_and_skipped_next_time() {
    let w = world_with(frozen_sandbox().await).await;
    let clock: outpost_core::clock::SharedClock = std::sync::Arc::new(w.manual.clone());
    let syncer = Syncer::new(w.connector.clone(), clock);
    w.sandbox.revoke_all_tokens();
    let reports = syncer.sync(&SyncOptions::default(), &|_| {}).await.unwrap();
    for r in &reports {
        assert_eq!(r.status, "failed", "{r:?}");
    }
    let accounts = w.connector.db().accounts().list().await.unwrap();
    assert!(
        accounts
            .iter()
            .all(|a| a.status.as_str() == "needs_reconnect"),
        "{accounts:?}"
    );
    // A second run skips accounts that need reconnecting instead of failing again.
    let reports = syncer.sync(&SyncOptions::default(), &|_| {}).await.unwrap();
    assert!(reports.is_empty());
    w.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_burst_pauses_the_sync_and_the_next_run_completes() {
    let w = world_with(frozen_sandbox().await).await;
    let clock: outpost_core::clock::SharedClock = std::sync::Arc::new(w.manual.clone());
    let syncer = Syncer::new(w.connector.clone(), clock);
    // The next two requests per platform are throttled: the first sync pauses on them.
    w.sandbox.set_faults("429burst=2".parse().unwrap());
    let first = syncer.sync(&SyncOptions::default(), &|_| {}).await.unwrap();
    assert!(first.iter().all(|r| r.status == "paused"), "{first:?}");
    assert!(
        first.iter().all(|r| r.calls == 1),
        "a throttled answer is a call: {first:?}"
    );
    // Later runs resume and complete without ever failing.
    let mut last = Vec::new();
    for _ in 0..3 {
        last = syncer.sync(&SyncOptions::default(), &|_| {}).await.unwrap();
        assert!(last.iter().all(|r| r.status != "failed"), "{last:?}");
        if last.iter().all(|r| r.status == "ok") {
            break;
        }
    }
    assert!(last.iter().all(|r| r.status == "ok"), "{last:?}");
    let statuses: Vec<String> = sqlx::query_scalar("SELECT status FROM sync_runs ORDER BY id")
        .fetch_all(w.connector.db().pool())
        .await
        .unwrap();
    assert!(statuses.iter().any(|s| s == "paused"), "{statuses:?}");
    w.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn comments_are_read_only_when_their_count_grows() {
    let w = world_with(frozen_sandbox().await).await;
    let clock: outpost_core::clock::SharedClock = std::sync::Arc::new(w.manual.clone());
    let syncer = Syncer::new(w.connector.clone(), clock);
    let db = w.connector.db().clone();
    let first = syncer.sync(&SyncOptions::default(), &|_| {}).await.unwrap();
    let stored = count(&db, "SELECT COUNT(*) FROM comments").await;
    let reported: u32 = first.iter().map(|r| r.comments).sum();
    assert_eq!(stored, i64::from(reported));
    // New Instagram comments also enter the events pipeline, as a webhook would have.
    let ig_comments: u32 = first
        .iter()
        .filter(|r| r.platform == Platform::Instagram)
        .map(|r| r.comments)
        .sum();
    assert!(ig_comments > 0);
    let polled = count(
        &db,
        "SELECT COUNT(*) FROM platform_events WHERE platform = 'instagram' AND kind = 'comments'",
    )
    .await;
    assert_eq!(polled, i64::from(ig_comments));

    // Nothing new: a second sync reads no comments at all.
    w.manual.advance(chrono::Duration::minutes(1));
    w.sandbox.reset_inspection();
    let again = syncer.sync(&SyncOptions::default(), &|_| {}).await.unwrap();
    assert!(again.iter().all(|r| r.comments == 0), "{again:?}");
    let seen = w.sandbox.inspect();
    let comment_calls: u64 = seen
        .calls_by_endpoint
        .iter()
        .filter(|(k, _)| k.contains("/comments"))
        .map(|(_, v)| *v)
        .sum();
    assert_eq!(comment_calls, 0, "{:?}", seen.calls_by_endpoint);

    // A day later some posts have more comments: only those are read again.
    let before: Vec<(i64, f64)> = sqlx::query_as(
        // TikTok's Display API has no comments endpoint: only Instagram and Reddit posts.
        "SELECT s.subject_id, s.value FROM insight_snapshots s JOIN accounts a ON a.id = s.account_id \
         WHERE s.metric = 'comments' AND s.subject_kind = 'media' AND a.platform != 'tiktok' \
         AND s.captured_at = (SELECT MAX(captured_at) FROM insight_snapshots)",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    w.manual.advance(chrono::Duration::days(1));
    w.sandbox
        .advance_clock(std::time::Duration::from_secs(86_400))
        .await;
    w.sandbox.reset_inspection();
    syncer.sync(&SyncOptions::default(), &|_| {}).await.unwrap();
    let grew: i64 = {
        let mut n = 0;
        for (media, old) in &before {
            let new: f64 = sqlx::query_scalar(
                "SELECT value FROM insight_snapshots WHERE metric = 'comments' AND subject_kind = 'media' AND subject_id = ?1 \
                 ORDER BY captured_at DESC LIMIT 1",
            )
            .bind(media)
            .fetch_one(db.pool())
            .await
            .unwrap();
            if new > *old {
                n += 1;
            }
        }
        n
    };
    let seen = w.sandbox.inspect();
    let comment_calls: u64 = seen
        .calls_by_endpoint
        .iter()
        .filter(|(k, _)| k.contains("/comments"))
        .map(|(_, v)| *v)
        .sum();
    assert!(grew > 0, "the sandbox's comment counts grow with time");
    assert_eq!(
        comment_calls as i64, grew,
        "one comments call per post whose count grew"
    );
    w.sandbox.shutdown().await;
}
