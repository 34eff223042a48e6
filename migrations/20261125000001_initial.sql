-- Outpost initial schema. Every table later issues build on; extended by later migrations.
-- Timestamps are UTC, stored as INTEGER unix milliseconds unless named *_at_text.

-- Connected platform accounts. Tokens live in `secrets`, never here.
CREATE TABLE accounts (
    id               INTEGER PRIMARY KEY,
    platform         TEXT    NOT NULL CHECK (platform IN ('tiktok', 'instagram', 'reddit')),
    platform_user_id TEXT    NOT NULL,
    username         TEXT,
    display_name     TEXT,
    avatar_url       TEXT,
    status           TEXT    NOT NULL DEFAULT 'active'
                             CHECK (status IN ('active', 'needs_reconnect', 'disconnected')),
    status_reason    TEXT,
    scopes           TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (platform, platform_user_id)
);

-- Vault: data keys known to this database (never the key material itself).
-- backend: 'keyring' (key in the OS keyring) or 'passphrase' (Argon2id from a passphrase).
-- check_value: AES-GCM encryption of a fixed constant, used to tell a wrong key apart from
-- tampered records. kdf_* are set for the passphrase backend only.
CREATE TABLE vault_keys (
    key_id       INTEGER PRIMARY KEY,
    key_ref      TEXT    NOT NULL UNIQUE, -- random name of the keyring entry holding the key
    backend      TEXT    NOT NULL CHECK (backend IN ('keyring', 'passphrase')),
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'active', 'retired')),
    check_value  BLOB    NOT NULL,
    kdf_salt     BLOB,
    kdf_m_cost   INTEGER,
    kdf_t_cost   INTEGER,
    kdf_p_cost   INTEGER,
    created_at   INTEGER NOT NULL
);

-- Singleton row naming this vault (its keyring entries are namespaced by vault_id).
CREATE TABLE vault_meta (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    vault_id  TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- Encrypted secrets. owner is e.g. 'account:12' or 'client:tiktok'; field e.g. 'access_token'.
-- record = version | key_id | binding fingerprint | nonce | ciphertext+tag (see vault::record).
CREATE TABLE secrets (
    owner       TEXT    NOT NULL,
    field       TEXT    NOT NULL,
    key_id      INTEGER NOT NULL REFERENCES vault_keys (key_id),
    record      BLOB    NOT NULL,
    expires_at  INTEGER,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (owner, field)
);
CREATE INDEX secrets_key_id ON secrets (key_id);

-- Pending OAuth attempts: single-use state with expiry. The PKCE verifier is a secret and
-- is kept in `secrets` under owner 'oauth:<state_hash>'; only a hash of state is stored.
CREATE TABLE oauth_states (
    state_hash    TEXT    PRIMARY KEY,
    platform      TEXT    NOT NULL CHECK (platform IN ('tiktok', 'instagram', 'reddit')),
    redirect_uri  TEXT    NOT NULL,
    scopes        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    consumed_at   INTEGER
);
CREATE INDEX oauth_states_expires ON oauth_states (expires_at);

-- Media items on a platform (published by Outpost or found by sync).
CREATE TABLE media (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    platform_media_id TEXT   NOT NULL,
    kind             TEXT    NOT NULL DEFAULT 'video',
    caption          TEXT,
    permalink        TEXT,
    thumbnail_url    TEXT,
    duration_ms      INTEGER,
    created_at       INTEGER,
    deleted_at       INTEGER,
    synced_at        INTEGER,
    UNIQUE (account_id, platform_media_id)
);
CREATE INDEX media_account_created ON media (account_id, created_at DESC);

-- Insight time series. subject_kind: 'account' or 'media'; subject_id: accounts.id / media.id.
CREATE TABLE insight_snapshots (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    subject_kind TEXT    NOT NULL CHECK (subject_kind IN ('account', 'media')),
    subject_id   INTEGER NOT NULL,
    metric       TEXT    NOT NULL,
    value        REAL    NOT NULL,
    captured_at  INTEGER NOT NULL,
    UNIQUE (subject_kind, subject_id, metric, captured_at)
);
CREATE INDEX insight_subject_metric_time
    ON insight_snapshots (subject_kind, subject_id, metric, captured_at);
CREATE INDEX insight_account_metric_time
    ON insight_snapshots (account_id, metric, captured_at);

CREATE TABLE comments (
    id                  INTEGER PRIMARY KEY,
    media_id            INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    platform_comment_id TEXT    NOT NULL,
    author              TEXT,
    body                TEXT,
    like_count          INTEGER,
    created_at          INTEGER,
    UNIQUE (media_id, platform_comment_id)
);
CREATE INDEX comments_media_created ON comments (media_id, created_at DESC);

-- Upload/publish jobs: one per (content hash, target account). State machine in core::queue.
CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    content_hash    TEXT    NOT NULL,
    source_path     TEXT    NOT NULL,
    kind            TEXT    NOT NULL DEFAULT 'video',
    state           TEXT    NOT NULL DEFAULT 'queued',
    options_json    TEXT    NOT NULL DEFAULT '{}',
    publish_at      INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    bytes_total     INTEGER,
    bytes_acked     INTEGER NOT NULL DEFAULT 0,
    chunks_acked    INTEGER NOT NULL DEFAULT 0,
    upload_session  TEXT,
    platform_publish_id TEXT,
    platform_media_id   TEXT,
    last_error_code TEXT,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (content_hash, account_id)
);
CREATE INDEX jobs_state_next ON jobs (state, next_attempt_at);

CREATE TABLE job_events (
    id         INTEGER PRIMARY KEY,
    job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    from_state TEXT,
    to_state   TEXT    NOT NULL,
    detail     TEXT,
    at         INTEGER NOT NULL
);
CREATE INDEX job_events_job ON job_events (job_id, at);

-- Platform events (webhooks or polling), deduplicated by (platform, event id).
CREATE TABLE platform_events (
    id            INTEGER PRIMARY KEY,
    platform      TEXT    NOT NULL,
    event_id      TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    account_id    INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    payload_json  TEXT    NOT NULL,
    received_at   INTEGER NOT NULL,
    processed_at  INTEGER,
    UNIQUE (platform, event_id)
);
CREATE INDEX platform_events_unprocessed ON platform_events (processed_at) WHERE processed_at IS NULL;

-- Metrics accumulated across processes (core::telemetry::metrics flushes deltas here).
CREATE TABLE metric_totals (
    name     TEXT NOT NULL,
    labels   TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('counter', 'gauge', 'histogram')),
    value    REAL NOT NULL DEFAULT 0,
    sum      REAL NOT NULL DEFAULT 0,
    count    INTEGER NOT NULL DEFAULT 0,
    buckets  TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (name, labels)
);
