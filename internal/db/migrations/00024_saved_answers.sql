-- Saved answers: approved texts that rest on a source and are vouched for
-- by a department, with the date they were last checked. An answer not
-- checked within its period is stale and flagged.
CREATE TABLE saved_answers (
    id SERIAL_PK,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    source_url TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    owner_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    checked_on TSTZ NOT NULL,
    valid_days INTEGER NOT NULL DEFAULT 180,
    search_text TEXT NOT NULL DEFAULT '',
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TSTZ NOT NULL,
    updated_at TSTZ NOT NULL
);
CREATE INDEX saved_answers_department ON saved_answers (department_id);
