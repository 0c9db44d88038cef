-- The inbox at a million items (issue 5): every list is newest (or oldest)
-- first by id with a LIMIT, so each index a list is driven by ends in id and
-- gives that order without a sort.
--
-- The open items — those that still need someone, a few per cent of all —
-- get an index of their own; it carries channel_id and assignee_id so that
-- a person's scope and "mine" are checked without reading the row.
CREATE INDEX items_open ON items (id, channel_id, assignee_id) WHERE status IN ('new', 'assigned', 'waiting');

-- One channel's items, and one status's, in id order. They replace the
-- indexes by posted_at, which made a list sort every item of the channel or
-- status before taking the first page.
DROP INDEX items_channel_posted;
CREATE INDEX items_channel ON items (channel_id, id);
DROP INDEX items_status_posted;
CREATE INDEX items_status ON items (status, id);

-- PostgreSQL: the search vector is stored rather than computed from
-- search_text for each row a list looks at. A common word is best found by
-- walking the list's own order and testing each row, and computing the
-- vector there cost more than the rest of the query. Statistics on 1,000
-- of the most common words (rather than 100) let the planner tell a word in
-- half the items from one in a hundred thousand, which decides between
-- walking the list and asking the GIN index.
--postgres: ALTER TABLE items ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
--postgres: ALTER TABLE items ALTER COLUMN search_vector SET STATISTICS 1000;
--postgres: CREATE INDEX items_search_vector ON items USING gin (search_vector);
--postgres: DROP INDEX items_search;
