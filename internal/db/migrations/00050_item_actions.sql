-- The platform actions (replies, hides, deletes) asked for on an item, so
-- that the item shows each with what became of it.
CREATE TABLE item_actions (
    action_id BIGINT PRIMARY KEY REFERENCES outbound_actions (id),
    item_id BIGINT NOT NULL REFERENCES items (id),
    kind TEXT NOT NULL,
    created_at TSTZ NOT NULL
);
CREATE INDEX item_actions_item ON item_actions (item_id, created_at);
