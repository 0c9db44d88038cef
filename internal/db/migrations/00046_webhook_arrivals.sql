-- Acknowledging a webhook delivery appends its raw body here and does
-- nothing else: no index but the id, so that each row costs about what a
-- bare insert of the payload costs. Storing it in webhook_deliveries
-- straight away meant updating that table's unique index on the body's
-- hash, a random key, which on SQLite wrote a page per row and was three
-- quarters of the acknowledgement's database work.
--
-- The processor takes arrivals oldest first and, in the transaction that
-- makes their consequences, deletes them here and stores each body once in
-- webhook_deliveries, where a replay (a body stored before) only counts
-- its arrival. An arrival is unprocessed exactly while its row is here.
CREATE TABLE webhook_arrivals (
    id SERIAL_PK,
    source TEXT NOT NULL,
    body BYTES NOT NULL,
    received_at TSTZ NOT NULL,
    -- Only for a delivery acknowledged before this table existed: its row
    -- in webhook_deliveries, stored but not yet processed.
    delivery_id BIGINT
);

-- What was acknowledged and not yet processed before the upgrade queues
-- here in its order, naming its row.
INSERT INTO webhook_arrivals (source, body, received_at, delivery_id)
    SELECT source, body, received_at, id FROM webhook_deliveries WHERE processed_at IS NULL ORDER BY id;
