-- Files sent with messages. Stored in the database so every serve and
-- worker process sees them without shared disks.
CREATE TABLE attachments (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    message_id    TEXT REFERENCES messages(id),
    uploader_id   TEXT NOT NULL,  -- a user id, or the webchat visitor's id
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    data          {{blob}} NOT NULL,
    created_at    {{timestamp}} NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);
CREATE INDEX attachments_account ON attachments (account_id, created_at);
