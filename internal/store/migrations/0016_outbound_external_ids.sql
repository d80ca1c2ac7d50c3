-- Only inbound messages must be unique by the provider's id: that is what
-- makes a replayed provider payload one message. The id an outbound
-- message gets back is the provider's (for the API channel, whatever the
-- integrator answers): two sends given the same id must both be recorded
-- as sent, not fail and be sent again.
DROP INDEX messages_channel_external;
CREATE UNIQUE INDEX messages_inbound_external ON messages (channel_id, external_id) WHERE direction = 'inbound';
