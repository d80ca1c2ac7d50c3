-- Message templates of channels that have them (WhatsApp Official): what
-- Meta approved, is reviewing or refused, read from the WABA and kept
-- current by its status webhook; submitted from CHATSPOT too.
CREATE TABLE message_templates (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    provider_id TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    header TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    footer TEXT NOT NULL DEFAULT '',
    params INTEGER NOT NULL DEFAULT 0,
    examples TEXT NOT NULL DEFAULT '[]',
    unsupported TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX message_templates_name ON message_templates (channel_id, name, language);

-- An outbound template message: {"name","language","params"} as sent.
ALTER TABLE messages ADD COLUMN template TEXT NOT NULL DEFAULT '';
