-- The shared inbox: threads (a post with its comments, or a message
-- conversation) and items (every post, comment, reply, message and mention),
-- with every version of each item kept, and the activity on it.

CREATE TABLE threads (
    id SERIAL_PK,
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    external_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    permalink TEXT NOT NULL DEFAULT '',
    created_at TSTZ NOT NULL,
    last_activity_at TSTZ NOT NULL,
    UNIQUE (channel_id, external_id)
);

CREATE TABLE items (
    id SERIAL_PK,
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    thread_id BIGINT NOT NULL REFERENCES threads (id),
    platform TEXT NOT NULL,
    external_id TEXT NOT NULL,
    parent_external_id TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    author_id TEXT NOT NULL DEFAULT '',
    author_name TEXT NOT NULL DEFAULT '',
    author_handle TEXT NOT NULL DEFAULT '',
    author_url TEXT NOT NULL DEFAULT '',
    from_us BOOLEAN NOT NULL DEFAULT FALSE,
    body TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT '',
    permalink TEXT NOT NULL DEFAULT '',
    attachments TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'assigned', 'waiting', 'answered', 'no_action', 'hidden', 'removed')),
    assignee_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    sentiment TEXT NOT NULL DEFAULT '',
    flags TEXT NOT NULL DEFAULT '',
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    removed BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1,
    posted_at TSTZ NOT NULL,
    received_at TSTZ NOT NULL,
    updated_at TSTZ NOT NULL,
    first_response_at TSTZ,
    resolved_at TSTZ,
    UNIQUE (channel_id, external_id)
);
CREATE INDEX items_channel_posted ON items (channel_id, posted_at);
CREATE INDEX items_status_posted ON items (status, posted_at);
CREATE INDEX items_posted ON items (posted_at);
CREATE INDEX items_thread ON items (thread_id, posted_at);
CREATE INDEX items_assignee ON items (assignee_id, status);
--sqlite: CREATE VIRTUAL TABLE items_fts USING fts5(search_text, content='items', content_rowid='id', tokenize='unicode61 remove_diacritics 0');
--sqlite: CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN INSERT INTO items_fts (rowid, search_text) VALUES (new.id, new.search_text); END;
--sqlite: CREATE TRIGGER items_fts_update AFTER UPDATE OF search_text ON items BEGIN INSERT INTO items_fts (items_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); INSERT INTO items_fts (rowid, search_text) VALUES (new.id, new.search_text); END;
--sqlite: CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN INSERT INTO items_fts (items_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END;
--postgres: CREATE INDEX items_search ON items USING gin (to_tsvector('simple', search_text));

CREATE TABLE item_versions (
    id SERIAL_PK,
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    verb TEXT NOT NULL,
    body TEXT NOT NULL,
    hidden BOOLEAN NOT NULL,
    removed BOOLEAN NOT NULL,
    occurred_at TSTZ NOT NULL,
    recorded_at TSTZ NOT NULL,
    UNIQUE (item_id, version)
);

CREATE TABLE item_activity (
    id SERIAL_PK,
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    at TSTZ NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX item_activity_item ON item_activity (item_id, at);
