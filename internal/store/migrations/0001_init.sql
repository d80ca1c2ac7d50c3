-- Accounts are the tenants; every other table carries account_id.
CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    seats       INTEGER NOT NULL DEFAULT 1,
    modules     TEXT NOT NULL DEFAULT '',
    timezone    TEXT NOT NULL DEFAULT 'America/Sao_Paulo',
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts(id),
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     {{timestamp}} NOT NULL,
    updated_at     {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_account ON users (account_id);

-- Channels are the inboxes customers write to (webchat, API, WhatsApp, ...).
CREATE TABLE channels (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    settings    {{json}} NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL
);
CREATE INDEX channels_account ON channels (account_id);

CREATE TABLE contacts (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL
);
CREATE INDEX contacts_account ON contacts (account_id);

-- How a contact is known on a channel: one row per (channel, provider id).
CREATE TABLE contact_identities (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    contact_id   TEXT NOT NULL REFERENCES contacts(id),
    channel_id   TEXT NOT NULL REFERENCES channels(id),
    external_id  TEXT NOT NULL,
    created_at   {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX contact_identities_channel_external ON contact_identities (channel_id, external_id);
CREATE INDEX contact_identities_contact ON contact_identities (contact_id);

-- A conversation row is one ticket: one run of its workflow.
CREATE TABLE conversations (
    id                        TEXT PRIMARY KEY,
    account_id                TEXT NOT NULL REFERENCES accounts(id),
    channel_id                TEXT NOT NULL REFERENCES channels(id),
    contact_id                TEXT NOT NULL REFERENCES contacts(id),
    workflow_id               TEXT NOT NULL,
    run_id                    TEXT NOT NULL,
    status                    TEXT NOT NULL,
    assignee_id               TEXT,
    priority                  TEXT NOT NULL DEFAULT 'normal',
    last_message_at           {{timestamp}},
    last_customer_message_at  {{timestamp}},
    first_response_at         {{timestamp}},
    closed_at                 {{timestamp}},
    created_at                {{timestamp}} NOT NULL,
    updated_at                {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX conversations_run ON conversations (run_id);
CREATE INDEX conversations_account_status ON conversations (account_id, status);
CREATE INDEX conversations_workflow ON conversations (workflow_id);

CREATE TABLE messages (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    channel_id       TEXT NOT NULL REFERENCES channels(id),
    contact_id       TEXT NOT NULL REFERENCES contacts(id),
    conversation_id  TEXT REFERENCES conversations(id),
    direction        TEXT NOT NULL,
    author_id        TEXT,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL,
    failure_reason   TEXT NOT NULL DEFAULT '',
    external_id      TEXT,
    idempotency_key  TEXT,
    created_at       {{timestamp}} NOT NULL,
    updated_at       {{timestamp}} NOT NULL
);
-- Replaying a provider payload must not create a second message.
CREATE UNIQUE INDEX messages_channel_external ON messages (channel_id, external_id);
CREATE UNIQUE INDEX messages_account_idempotency ON messages (account_id, idempotency_key);
CREATE INDEX messages_conversation ON messages (conversation_id, created_at);
