-- Outbound messages looked up by their provider id: receipts (WhatsApp
-- statuses) and messages the business sent from the provider's own app
-- (echoes). Not unique: an integrator may answer one id for many sends.
CREATE INDEX messages_outbound_external ON messages (channel_id, external_id) WHERE direction = 'outbound';
