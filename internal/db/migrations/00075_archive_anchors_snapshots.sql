-- Anchors of the archive's chain: the head (seq and hash) written down
-- periodically outside archive_chain, and in the audit log too, so that
-- removing records from the end of the chain and moving the head back is
-- caught by `tilltal archive verify` (every anchor must still be on the
-- chain).
CREATE TABLE archive_anchors (
    id SERIAL_PK,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    anchored_at TSTZ NOT NULL
);
CREATE INDEX archive_anchors_seq ON archive_anchors (seq);

-- Snapshots (ögonblicksbilder) of channels: a rendering of the channel's
-- recent posts with their comments, as a PDF and an HTML file in the blob
-- store, appended to the archive as a record of kind snapshot.
CREATE TABLE archive_snapshots (
    id SERIAL_PK,
    channel_id BIGINT NOT NULL,
    record_seq BIGINT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('periodic', 'manual', 'closing')),
    period_from TSTZ NOT NULL,
    period_to TSTZ NOT NULL,
    posts INTEGER NOT NULL,
    items INTEGER NOT NULL,
    pdf_sha256 TEXT NOT NULL,
    pdf_size BIGINT NOT NULL,
    html_sha256 TEXT NOT NULL,
    html_size BIGINT NOT NULL,
    taken_at TSTZ NOT NULL,
    taken_by TEXT NOT NULL
);
CREATE INDEX archive_snapshots_channel ON archive_snapshots (channel_id, taken_at);
