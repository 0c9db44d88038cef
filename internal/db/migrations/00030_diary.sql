-- The diary (diarium): registered records and cases with their diary
-- numbers, counted per year. Secret entries keep their sender and
-- description out of the public list.
CREATE TABLE diary_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE diary_entries (
    id SERIAL_PK,
    number TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL,
    serial INTEGER NOT NULL,
    received_at TSTZ NOT NULL,
    registered_at TSTZ NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out', 'internal')),
    sender TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL,
    department_id BIGINT REFERENCES departments (id),
    secret BOOLEAN NOT NULL DEFAULT FALSE,
    secrecy_ground TEXT NOT NULL DEFAULT '',
    object_type TEXT NOT NULL DEFAULT '',
    object_id TEXT NOT NULL DEFAULT '',
    registered_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (year, serial)
);
CREATE INDEX diary_entries_received ON diary_entries (received_at);
CREATE INDEX diary_entries_object ON diary_entries (object_type, object_id);
