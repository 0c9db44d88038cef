-- A webhook delivery is acknowledged once it is stored raw with its events;
-- its consequences (archive records, inbox items, threads, versions, search
-- index, classification) are made after the answer, in batches. processed_at
-- says a delivery's have been made: NULL until then, so that what a crash
-- interrupted is found and finished after restart.

ALTER TABLE webhook_deliveries ADD COLUMN processed_at TSTZ;
-- Deliveries stored before this were processed in their own transaction.
UPDATE webhook_deliveries SET processed_at = received_at;
CREATE INDEX webhook_deliveries_unprocessed ON webhook_deliveries (id) WHERE processed_at IS NULL;
-- Processing reads a batch's events by delivery.
CREATE INDEX platform_events_delivery ON platform_events (delivery_id);
