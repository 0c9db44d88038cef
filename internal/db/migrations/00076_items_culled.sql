-- When retention culls an item's archive records, the inbox's copy is
-- culled too: its text, versions, author and attachments go, and the row
-- stays as a stub ("Gallrad 2026-11-24 enligt …") so that threads and
-- reports keep their counts.
ALTER TABLE items ADD COLUMN culled_at TSTZ;
