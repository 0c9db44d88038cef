-- E-archive exports (package earchive): one row per export job, with its
-- selection, progress and result. The package itself is a file under the
-- data directory; result_path names it once it is complete.
CREATE TABLE exports (
    id SERIAL_PK,
    package_id TEXT NOT NULL UNIQUE,
    period_from TSTZ,
    period_to TSTZ,
    channel_id BIGINT NOT NULL DEFAULT 0,
    seqs TEXT NOT NULL DEFAULT '',
    as_zip BOOLEAN NOT NULL DEFAULT TRUE,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    total INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    result_path TEXT NOT NULL DEFAULT '',
    result_size BIGINT NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    created_at TSTZ NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    finished_at TSTZ,
    -- The running worker's heartbeat: a job River hands out again while
    -- the first worker still beats leaves the export to it.
    heartbeat_at TSTZ
);
CREATE INDEX exports_created ON exports (created_at);

