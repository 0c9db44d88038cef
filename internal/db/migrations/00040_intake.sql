-- Durable intake of platform events: every signed webhook delivery is kept
-- raw (so that nothing acknowledged is lost, even what we could not parse),
-- and the events normalised from it are kept once each, routed to a channel
-- or left unrouted (channel_id NULL) for the communicator to see.

CREATE TABLE webhook_deliveries (
    id SERIAL_PK,
    source TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    body BYTES NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    event_count INTEGER NOT NULL DEFAULT 0,
    parse_error TEXT NOT NULL DEFAULT '',
    received_at TSTZ NOT NULL,
    last_received_at TSTZ NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 1,
    UNIQUE (source, body_sha256)
);
CREATE INDEX webhook_deliveries_parse_error ON webhook_deliveries (received_at) WHERE parse_error <> '';

CREATE TABLE platform_events (
    id SERIAL_PK,
    platform TEXT NOT NULL,
    account_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    channel_id BIGINT REFERENCES channels (id) ON DELETE SET NULL,
    delivery_id BIGINT REFERENCES webhook_deliveries (id) ON DELETE SET NULL,
    source TEXT NOT NULL CHECK (source IN ('webhook', 'poll')),
    verb TEXT NOT NULL,
    kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    parent_id TEXT NOT NULL DEFAULT '',
    thread_id TEXT NOT NULL DEFAULT '',
    author_id TEXT NOT NULL DEFAULT '',
    author_name TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    event_json TEXT NOT NULL,
    occurred_at TSTZ NOT NULL,
    received_at TSTZ NOT NULL,
    UNIQUE (platform, account_id, event_id)
);
CREATE INDEX platform_events_channel ON platform_events (channel_id, id);
CREATE INDEX platform_events_unrouted ON platform_events (platform, account_id) WHERE channel_id IS NULL;
CREATE INDEX platform_events_object ON platform_events (platform, object_id);

-- Where the back-fill of each channel left off.
CREATE TABLE intake_cursors (
    channel_id BIGINT PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    cursor_value TEXT NOT NULL,
    polled_at TSTZ NOT NULL,
    last_error TEXT NOT NULL DEFAULT ''
);
