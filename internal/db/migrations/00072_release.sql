-- Records requests (utlämnande): the request, the archive records selected
-- for it, the redactions (maskning) made in their text, and the decision.
-- The archive's records are never changed: redactions are spans stored
-- here, applied only when the release is rendered.
CREATE TABLE release_requests (
    id SERIAL_PK,
    requester_name TEXT NOT NULL DEFAULT '',
    requester_contact TEXT NOT NULL DEFAULT '',
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    received_at TSTZ NOT NULL,
    subject TEXT NOT NULL,
    diary_number TEXT NOT NULL DEFAULT '',
    diary_entry_id BIGINT REFERENCES diary_entries (id),
    status TEXT NOT NULL CHECK (status IN ('mottagen', 'under_provning', 'beslutad', 'utlamnad')),
    outcome TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'bifall', 'delvis_avslag', 'avslag')),
    grounds TEXT NOT NULL DEFAULT '',
    reasoning TEXT NOT NULL DEFAULT '',
    decided_at TSTZ,
    decided_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    decider_name TEXT NOT NULL DEFAULT '',
    released_at TSTZ,
    bundle_sha256 TEXT NOT NULL DEFAULT '',
    created_at TSTZ NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TSTZ NOT NULL
);
CREATE INDEX release_requests_received ON release_requests (received_at);

CREATE TABLE release_records (
    request_id BIGINT NOT NULL REFERENCES release_requests (id),
    seq BIGINT NOT NULL REFERENCES archive_records (seq),
    withheld BOOLEAN NOT NULL DEFAULT FALSE,
    withheld_ground TEXT NOT NULL DEFAULT '',
    author_withheld BOOLEAN NOT NULL DEFAULT FALSE,
    author_ground TEXT NOT NULL DEFAULT '',
    added_at TSTZ NOT NULL,
    PRIMARY KEY (request_id, seq)
);

CREATE TABLE release_redactions (
    id SERIAL_PK,
    request_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    start_cp INTEGER NOT NULL CHECK (start_cp >= 0),
    end_cp INTEGER NOT NULL CHECK (end_cp > start_cp),
    ground TEXT NOT NULL,
    created_at TSTZ NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    FOREIGN KEY (request_id, seq) REFERENCES release_records (request_id, seq)
);
CREATE INDEX release_redactions_record ON release_redactions (request_id, seq);
