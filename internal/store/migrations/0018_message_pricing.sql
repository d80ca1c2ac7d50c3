-- What a provider charges for an outbound message, from its statuses
-- (WhatsApp: pricing.type regular / free_customer_service / free_entry_point,
-- pricing.category marketing / utility / authentication / service).
ALTER TABLE messages ADD COLUMN pricing_type TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN pricing_category TEXT NOT NULL DEFAULT '';
