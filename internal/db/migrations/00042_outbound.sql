-- Outbound actions on the platforms (reply, hide, unhide, delete, publish,
-- private reply). One row per action, unique by its idempotency key; the job
-- that performs it checks the row first, so that a retried job never acts
-- twice, and records the platform's raw answer whatever it was.

CREATE TABLE outbound_actions (
    id SERIAL_PK,
    idempotency_key TEXT NOT NULL UNIQUE,
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    kind TEXT NOT NULL CHECK (kind IN ('reply', 'hide', 'unhide', 'delete', 'publish', 'private_reply')),
    target_id TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    request_json TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    result_external_id TEXT NOT NULL DEFAULT '',
    raw_response TEXT NOT NULL DEFAULT '',
    error_summary TEXT NOT NULL DEFAULT '',
    requested_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TSTZ NOT NULL,
    updated_at TSTZ NOT NULL,
    last_attempt_at TSTZ,
    done_at TSTZ
);
CREATE INDEX outbound_actions_channel ON outbound_actions (channel_id, id);
CREATE INDEX outbound_actions_status ON outbound_actions (status);
