-- Daily API quotas shared by every Tilltal instance (YouTube's 10,000
-- units a day per Google Cloud project): one row per quota and quota day,
-- changed only by conditional increments so instances never overspend.
CREATE TABLE api_quota (
    name       TEXT    NOT NULL,
    day        TEXT    NOT NULL, -- the quota's own calendar day, YYYY-MM-DD
    spent      INTEGER NOT NULL DEFAULT 0,
    poll_spent INTEGER NOT NULL DEFAULT 0,
    exhausted  BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (name, day)
);
