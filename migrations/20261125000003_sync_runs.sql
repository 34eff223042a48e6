-- History of insight syncs: one row per account per run.
CREATE TABLE sync_runs (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    status        TEXT    NOT NULL DEFAULT 'running'
                          CHECK (status IN ('running', 'ok', 'paused', 'failed')),
    calls         INTEGER NOT NULL DEFAULT 0,
    items_updated INTEGER NOT NULL DEFAULT 0,
    resume_after  INTEGER,
    error         TEXT
);
CREATE INDEX sync_runs_account_started ON sync_runs (account_id, started_at DESC);
-- When a post's detailed insights were last fetched (Instagram needs one call per post).
ALTER TABLE media ADD COLUMN insights_at INTEGER;
