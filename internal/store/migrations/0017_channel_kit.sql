-- The channel kit: a channel's health and activation progress, threads
-- (several parallel conversations of one contact on one channel), replies,
-- edits, and provider media fetched after the webhook answered.
ALTER TABLE channels ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN status_at {{timestamp}};
ALTER TABLE channels ADD COLUMN activation TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN thread_key TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN thread_key TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN reply_to_id TEXT;
ALTER TABLE messages ADD COLUMN edited_at {{timestamp}};
-- The sweeper's scan: inbound messages stored (updated_at: created_at is the
-- provider's time) but not yet taken in by
-- their conversation's workflow.
CREATE INDEX messages_unrecorded ON messages (updated_at) WHERE direction = 'inbound' AND recorded_at IS NULL;
CREATE TABLE inbound_media (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL,
    channel_id    TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    ref           TEXT NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL DEFAULT '',
    size          BIGINT NOT NULL DEFAULT 0,
    status        TEXT NOT NULL,
    error         TEXT NOT NULL DEFAULT '',
    attachment_id TEXT,
    created_at    {{timestamp}} NOT NULL,
    updated_at    {{timestamp}} NOT NULL
);
CREATE INDEX inbound_media_message ON inbound_media (message_id);
CREATE INDEX inbound_media_pending ON inbound_media (created_at) WHERE status = 'pending';
