-- When the customer deleted a message for everyone (WhatsApp's "apagar
-- para todos"): agents still see what was said, marked deleted.
ALTER TABLE messages ADD COLUMN revoked_at {{timestamp}};
