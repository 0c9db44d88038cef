-- Registration triage of items (ringa betydelse, hålls ordnad, registreras,
-- sekretess) by rules and by the registrar, with history; retention rules,
-- legal holds and the culling log.

CREATE TABLE archive_triage_rules (
    id SERIAL_PK,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    class TEXT NOT NULL CHECK (class IN ('ringa_betydelse', 'halls_ordnad', 'registreras', 'sekretess')),
    -- Conditions, all of which must hold; empty or 0 means any.
    channel_id BIGINT NOT NULL DEFAULT 0,
    item_kind TEXT NOT NULL DEFAULT '',
    -- Any of these words (compared as Swedish stems).
    words TEXT NOT NULL DEFAULT '',
    -- At most this many words: a short, simple question.
    max_words INTEGER NOT NULL DEFAULT 0,
    -- A moderation flag on the item; '*' for any flag.
    flag TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TSTZ NOT NULL
);
INSERT INTO archive_triage_rules (position, name, class, flag, created_at)
    VALUES (10, 'Flaggat av moderering', 'registreras', '*', CURRENT_TIMESTAMP);
INSERT INTO archive_triage_rules (position, name, class, words, max_words, created_at)
    VALUES (20, 'Enkla frågor om öppettider', 'ringa_betydelse', 'öppettider öppet öppna öppnar stänger stängt stängd', 30, CURRENT_TIMESTAMP);
INSERT INTO archive_triage_rules (position, name, class, words, max_words, created_at)
    VALUES (30, 'Korta tack och hälsningar', 'ringa_betydelse', 'tack tackar grattis', 12, CURRENT_TIMESTAMP);

-- Each item's class now; archive_item_class_history keeps every change.
CREATE TABLE archive_item_classes (
    item_id BIGINT PRIMARY KEY,
    class TEXT NOT NULL CHECK (class IN ('ringa_betydelse', 'halls_ordnad', 'registreras', 'sekretess')),
    rule_id BIGINT NOT NULL DEFAULT 0,
    by_registrar BOOLEAN NOT NULL DEFAULT FALSE,
    secrecy_ground TEXT NOT NULL DEFAULT '',
    set_at TSTZ NOT NULL
);
CREATE INDEX archive_item_classes_class ON archive_item_classes (class, item_id);

CREATE TABLE archive_item_class_history (
    id SERIAL_PK,
    item_id BIGINT NOT NULL,
    class TEXT NOT NULL,
    previous_class TEXT NOT NULL DEFAULT '',
    rule_id BIGINT NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    secrecy_ground TEXT NOT NULL DEFAULT '',
    actor_user_id BIGINT,
    actor TEXT NOT NULL,
    record_seq BIGINT NOT NULL DEFAULT 0,
    at TSTZ NOT NULL
);
CREATE INDEX archive_item_class_history_item ON archive_item_class_history (item_id, id);

-- Retention rules from the records plan: records of a kind (any when ''),
-- on a channel (all when 0), of items in a class (any cullable class when
-- ''), are culled keep_months after they were received. Registered and
-- secret items and records with a diary number are never culled.
CREATE TABLE archive_retention_rules (
    id SERIAL_PK,
    name TEXT NOT NULL,
    record_kind TEXT NOT NULL DEFAULT '',
    channel_id BIGINT NOT NULL DEFAULT 0,
    class TEXT NOT NULL DEFAULT '' CHECK (class IN ('', 'ringa_betydelse', 'halls_ordnad')),
    keep_months INTEGER NOT NULL CHECK (keep_months > 0),
    decision TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TSTZ NOT NULL,
    created_by TEXT NOT NULL,
    ended_at TSTZ
);

-- Legal holds: nothing on a held channel or thread, and no held record,
-- is culled while the hold stands.
CREATE TABLE archive_holds (
    id SERIAL_PK,
    scope TEXT NOT NULL CHECK (scope IN ('channel', 'thread', 'record')),
    target_id BIGINT NOT NULL,
    reason TEXT NOT NULL,
    placed_at TSTZ NOT NULL,
    placed_by TEXT NOT NULL,
    released_at TSTZ,
    released_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX archive_holds_active ON archive_holds (scope, target_id) WHERE released_at IS NULL;

-- The culling log: one row per rule and run that culled anything.
CREATE TABLE archive_cullings (
    id SERIAL_PK,
    rule_id BIGINT NOT NULL,
    rule_name TEXT NOT NULL,
    decision TEXT NOT NULL DEFAULT '',
    ran_at TSTZ NOT NULL,
    record_count INTEGER NOT NULL,
    blob_count INTEGER NOT NULL DEFAULT 0,
    culling_seq BIGINT NOT NULL
);

-- Attachment files to delete after a culling commits; kept until done so
-- that a crash between the commit and the deletion is finished later.
CREATE TABLE archive_blob_deletions (
    blob_sha256 TEXT PRIMARY KEY,
    culling_id BIGINT NOT NULL,
    deleted_at TSTZ
);
