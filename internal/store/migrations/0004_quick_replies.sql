-- Quick replies: texts agents insert by typing "/" and the shortcut.
CREATE TABLE quick_replies (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    shortcut    TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX quick_replies_account_shortcut ON quick_replies (account_id, shortcut);
