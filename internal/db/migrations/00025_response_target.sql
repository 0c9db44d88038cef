-- The response target of each channel: how long a citizen may wait for a
-- first answer, counted in the channel's covered hours, before whoever is
-- on duty is alerted.
ALTER TABLE channels ADD COLUMN response_target_minutes INTEGER NOT NULL DEFAULT 120;
