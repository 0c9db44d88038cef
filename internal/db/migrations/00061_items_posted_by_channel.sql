-- 00060 dropped the indexes of a channel's and a status's items by
-- posted_at, which the inbox lists no longer use; the reports, written
-- beside it, ask for a channel's items within a period and for its first
-- and last item, and need the one by channel back. The inbox's own
-- (channel_id, id) and (status, id) stay: SQLite takes them for a list in
-- id order, PostgreSQL chooses by its statistics.
CREATE INDEX IF NOT EXISTS items_channel_posted ON items (channel_id, posted_at);
CREATE INDEX IF NOT EXISTS items_status_posted ON items (status, posted_at);
