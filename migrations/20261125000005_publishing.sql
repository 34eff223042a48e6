-- Publishing (issue 5): folders registered with `outpost watch add` (config.toml's
-- `watch_folders` are watched as well), queue-wide flags, and what a job is doing now.
CREATE TABLE watched_folders (
    path     TEXT    PRIMARY KEY,
    -- Default targets (`platform[:account]`, comma-separated) for files whose sidecar and
    -- folder `outpost.toml` name none.
    targets  TEXT,
    added_at INTEGER NOT NULL
);

-- Queue-wide switches, e.g. `paused`.
CREATE TABLE queue_flags (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The step in progress, for people ("chunk 3 of 12", "Instagram is processing the video").
ALTER TABLE jobs ADD COLUMN step_detail TEXT;
-- Where the source file went once every job for it was published.
ALTER TABLE jobs ADD COLUMN moved_to TEXT;
