-- Distribution and automation rules, written by managers in expr-lang.
CREATE TABLE rules (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    kind             TEXT NOT NULL,            -- distribution or automation
    name             TEXT NOT NULL,
    event            TEXT NOT NULL,
    condition        TEXT NOT NULL DEFAULT '',
    position         INTEGER NOT NULL DEFAULT 0, -- evaluation order, first match wins for distribution
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    version          INTEGER NOT NULL DEFAULT 1, -- compiled programs are cached by id and version
    strategy         TEXT NOT NULL DEFAULT '',
    target_team_id   TEXT,
    target_user_ids  TEXT NOT NULL DEFAULT '',
    offer_timeout_s  INTEGER NOT NULL DEFAULT 0,
    actions          TEXT NOT NULL DEFAULT '[]',
    created_at       {{timestamp}} NOT NULL,
    updated_at       {{timestamp}} NOT NULL
);
CREATE INDEX rules_account_kind ON rules (account_id, kind, position);
