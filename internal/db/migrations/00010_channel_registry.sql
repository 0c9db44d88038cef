-- The channel registry: what the guideline asks to know about every
-- official account, its coverage policy and review checklist, the on-call
-- rota and the history of every change.
-- Statuses (requested, under_review, active, paused, closed) are enforced
-- in package channel: SQLite cannot add a CHECK to an existing column.

ALTER TABLE channels ADD COLUMN handle TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN audience TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN upkeep TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN sender_rules TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN graphic_profile_url TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN comment_notice TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN retention_decision TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN requested_by BIGINT REFERENCES users (id) ON DELETE SET NULL;
-- Coverage policy per kind of day as "HH:MM-HH:MM", '' when not required.
ALTER TABLE channels ADD COLUMN policy_weekday TEXT NOT NULL DEFAULT '08:00-22:00';
ALTER TABLE channels ADD COLUMN policy_weekend TEXT NOT NULL DEFAULT '08:00-22:00';
ALTER TABLE channels ADD COLUMN policy_holiday TEXT NOT NULL DEFAULT '08:00-22:00';
-- The communicator's review checklist.
ALTER TABLE channels ADD COLUMN check_sender BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE channels ADD COLUMN check_graphic_profile BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE channels ADD COLUMN check_name_picture BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE channels ADD COLUMN activated_at TSTZ;
ALTER TABLE channels ADD COLUMN closed_at TSTZ;
CREATE INDEX channels_status ON channels (status);

-- Weekly shifts (holiday = FALSE, weekday 0 = Sunday … 6 = Saturday) and
-- shifts worked on every public holiday and eve (holiday = TRUE), in
-- Stockholm wall clock "HH:MM".
CREATE TABLE channel_rota_shifts (
    id SERIAL_PK,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    holiday BOOLEAN NOT NULL DEFAULT FALSE,
    weekday INTEGER NOT NULL DEFAULT 0,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL
);
CREATE INDEX channel_rota_shifts_channel ON channel_rota_shifts (channel_id);

-- Absences from the rota, dates inclusive ("2006-01-02").
CREATE TABLE channel_rota_absences (
    id SERIAL_PK,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX channel_rota_absences_channel ON channel_rota_absences (channel_id);

-- One-off extra shifts.
CREATE TABLE channel_rota_extra (
    id SERIAL_PK,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at TSTZ NOT NULL,
    ends_at TSTZ NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX channel_rota_extra_channel ON channel_rota_extra (channel_id);

-- The history of a channel. Public events (added to, changed on or taken
-- off the public list) feed the Atom feed of the channel list.
CREATE TABLE channel_events (
    id SERIAL_PK,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    at TSTZ NOT NULL,
    actor_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    public BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX channel_events_channel ON channel_events (channel_id, id);
CREATE INDEX channel_events_public ON channel_events (public, id);
