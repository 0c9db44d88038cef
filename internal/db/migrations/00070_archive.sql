-- The archive: every version of every item, every reply and post the
-- municipality sent, every attachment and every raw delivery, as records in
-- one hash chain (package archive documents the record model and the hash).
-- Records are never updated except to cull their content under a retention
-- rule and to set the annotations listed at the end of the table, which are
-- outside the hash and mirrored by records of their own.

-- The head of the chain: one row, locked by every append so that appends
-- from any transaction or instance take turns.
CREATE TABLE archive_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO archive_chain (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE archive_records (
    -- Gap-free position in the chain, from 1. On SQLite it is the rowid,
    -- which the full-text index refers to.
    --sqlite: seq INTEGER PRIMARY KEY,
    --postgres: seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    channel_id BIGINT NOT NULL DEFAULT 0,
    department_id BIGINT NOT NULL DEFAULT 0,
    item_id BIGINT NOT NULL DEFAULT 0,
    item_version INTEGER NOT NULL DEFAULT 0,
    thread_id BIGINT NOT NULL DEFAULT 0,
    platform TEXT NOT NULL DEFAULT '',
    external_id TEXT NOT NULL DEFAULT '',
    author_id TEXT NOT NULL DEFAULT '',
    author_name TEXT NOT NULL DEFAULT '',
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out', 'internal')),
    occurred_at TSTZ NOT NULL,
    captured_at TSTZ NOT NULL,
    ref_seq BIGINT NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL,
    content_size BIGINT NOT NULL,
    content_sha256 TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    -- NULL once culled; the hash above still covers what it was.
    content BYTES,
    -- Derived for search, not hashed: stems of the content's text and the
    -- author's name in lower case.
    search_text TEXT NOT NULL DEFAULT '',
    author_key TEXT NOT NULL DEFAULT '',
    -- Annotations set after the append, each also appended as a record.
    culled_at TSTZ,
    culled_by BIGINT NOT NULL DEFAULT 0,
    diary_number TEXT NOT NULL DEFAULT '',
    secret BOOLEAN NOT NULL DEFAULT FALSE,
    secrecy_ground TEXT NOT NULL DEFAULT ''
);
-- Search lists newest first by receipt time: each filter's index ends in
-- (occurred_at, seq), so that a page is a short walk down one index. Only
-- selective filters have an index; common values (a department, a
-- platform) are found by walking archive_records_occurred. Every index
-- costs each append, so there are no more than search needs.
CREATE INDEX archive_records_occurred ON archive_records (occurred_at, seq);
CREATE INDEX archive_records_channel ON archive_records (channel_id, occurred_at, seq);
CREATE INDEX archive_records_kind ON archive_records (kind, occurred_at, seq);
CREATE INDEX archive_records_author ON archive_records (author_key, occurred_at, seq);
CREATE INDEX archive_records_item ON archive_records (item_id, seq);
CREATE INDEX archive_records_diary ON archive_records (diary_number, seq) WHERE diary_number <> '';
--sqlite: CREATE VIRTUAL TABLE archive_records_fts USING fts5(search_text, content='archive_records', content_rowid='seq', tokenize='unicode61 remove_diacritics 0');
--sqlite: CREATE TRIGGER archive_records_fts_insert AFTER INSERT ON archive_records WHEN new.search_text <> '' BEGIN INSERT INTO archive_records_fts (rowid, search_text) VALUES (new.seq, new.search_text); END;
--sqlite: CREATE TRIGGER archive_records_fts_update AFTER UPDATE OF search_text ON archive_records BEGIN INSERT INTO archive_records_fts (archive_records_fts, rowid, search_text) SELECT 'delete', old.seq, old.search_text WHERE old.search_text <> ''; INSERT INTO archive_records_fts (rowid, search_text) SELECT new.seq, new.search_text WHERE new.search_text <> ''; END;
--postgres: ALTER TABLE archive_records ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
--postgres: CREATE INDEX archive_records_search ON archive_records USING gin (search_vector);

-- Which raw webhook deliveries are in the archive, so that each is appended
-- once whether it came through the inbox's transaction or the sweep.
CREATE TABLE archive_deliveries (
    delivery_id BIGINT PRIMARY KEY,
    record_seq BIGINT NOT NULL
);

-- Attachments named by records, and whether their content was fetched
-- before the platform's link expired.
CREATE TABLE archive_attachments (
    id SERIAL_PK,
    source_seq BIGINT NOT NULL,
    position INTEGER NOT NULL,
    item_id BIGINT NOT NULL DEFAULT 0,
    channel_id BIGINT NOT NULL DEFAULT 0,
    url TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('pending', 'fetched', 'failed', 'link', 'culled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    next_attempt_at TSTZ NOT NULL,
    blob_sha256 TEXT NOT NULL DEFAULT '',
    size BIGINT NOT NULL DEFAULT 0,
    record_seq BIGINT NOT NULL DEFAULT 0,
    fetched_at TSTZ,
    UNIQUE (source_seq, position)
);
CREATE INDEX archive_attachments_due ON archive_attachments (next_attempt_at) WHERE status IN ('pending', 'failed');
CREATE INDEX archive_attachments_blob ON archive_attachments (blob_sha256) WHERE blob_sha256 <> '';
CREATE INDEX archive_attachments_record ON archive_attachments (record_seq);
