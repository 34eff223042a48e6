-- OAuth attempts: where the waiting `outpost connect` listens (so `outpost callback URL`
-- can hand a custom-scheme redirect to it), and the client id the attempt was made with.
ALTER TABLE oauth_states ADD COLUMN handoff_port INTEGER;
ALTER TABLE oauth_states ADD COLUMN client_id TEXT;
-- Account: when its access token expires (the token itself is in the vault).
ALTER TABLE accounts ADD COLUMN token_expires_at INTEGER;
-- Cross-process lease so that only one process refreshes an account's tokens at a time
-- (TikTok rotates refresh tokens: a second concurrent refresh would be refused).
ALTER TABLE accounts ADD COLUMN refresh_lease_until INTEGER;
ALTER TABLE accounts ADD COLUMN refresh_lease_owner TEXT;
