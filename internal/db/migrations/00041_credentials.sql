-- Platform tokens of each channel, encrypted with the secret box (bound to
-- the row by additional data), and what the daily check learned of them.

CREATE TABLE channel_credentials (
    channel_id BIGINT PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    access_token_enc BYTES NOT NULL,
    refresh_token_enc BYTES,
    expires_at TSTZ,
    scopes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'needs_reconnect')),
    status_detail TEXT NOT NULL DEFAULT '',
    checked_at TSTZ,
    connected_at TSTZ NOT NULL,
    updated_at TSTZ NOT NULL
);
CREATE INDEX channel_credentials_status ON channel_credentials (status);
