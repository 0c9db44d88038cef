-- Pre-aggregated figures for the reports: one row per Stockholm day,
-- channel, department and platform, kept current by the report.refresh
-- job and rebuilt in full by report.rebuild. Counts are plain columns;
-- facts holds the day's incoming items as packed 8-byte records (wait,
-- hour of the week, period, question/positive bits), because medians and
-- percentiles cannot be added up from counts and a sketch would only
-- approximate them.
CREATE TABLE report_days (
    day TEXT NOT NULL,
    channel_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    platform TEXT NOT NULL,
    incoming INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    replies INTEGER NOT NULL,
    wait_office BIGINT NOT NULL,
    wait_evening BIGINT NOT NULL,
    wait_night BIGINT NOT NULL,
    wait_weekend BIGINT NOT NULL,
    wait_holiday BIGINT NOT NULL,
    flag_counts TEXT NOT NULL DEFAULT '',
    facts BYTES NOT NULL,
    computed_at TSTZ NOT NULL,
    PRIMARY KEY (day, channel_id, department_id, platform)
);
CREATE INDEX report_days_channel ON report_days (channel_id, day);

-- How far the refresh job has read each source of changes (items,
-- item_versions, item_activity), by id.
CREATE TABLE report_marks (
    source TEXT PRIMARY KEY,
    last_id BIGINT NOT NULL,
    updated_at TSTZ NOT NULL
);
