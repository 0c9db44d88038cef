-- Who has an item open or is writing a reply to it, so that two people never
-- answer the same citizen. Rows older than a couple of minutes mean nothing.
CREATE TABLE item_presence (
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('viewing', 'writing')),
    seen_at TSTZ NOT NULL,
    PRIMARY KEY (item_id, user_id)
);
CREATE INDEX item_presence_seen ON item_presence (seen_at);
