-- A retried reply looks on the platform for a reply it may already have
-- made and checks that no other action already owns it: by result id.
CREATE INDEX outbound_actions_result ON outbound_actions (result_external_id, channel_id) WHERE result_external_id <> '';
