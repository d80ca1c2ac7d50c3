-- E-mail: a message's subject, its HTML body (sanitised on the way in) and
-- the addresses it was copied to; and where a stateful connection's sync
-- stands (IMAP: each folder's UIDVALIDITY and last UID taken in), saved
-- only after what it covers is stored.
ALTER TABLE messages ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN html TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN cc TEXT NOT NULL DEFAULT '';
CREATE TABLE channel_cursors (
    channel_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    PRIMARY KEY (channel_id, name)
);
