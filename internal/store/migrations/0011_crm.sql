-- CRM Kanban: pipelines of ordered stages, cards moving through them
-- (each card's lifecycle is the workflow card/<id>), quick replies per
-- stage, scheduled messages (each the workflow scheduled-message/<id>)
-- and follow-ups for the agenda.
CREATE TABLE pipelines (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL
);
CREATE INDEX pipelines_account ON pipelines (account_id, position);

CREATE TABLE stages (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts(id),
    pipeline_id    TEXT NOT NULL REFERENCES pipelines(id),
    name           TEXT NOT NULL,
    position       INTEGER NOT NULL DEFAULT 0,
    entry_message  TEXT NOT NULL DEFAULT '', -- sent to the card's conversations when a card enters
    stale_days     INTEGER NOT NULL DEFAULT 0, -- alert when a card stays longer; 0 = never
    created_at     {{timestamp}} NOT NULL,
    updated_at     {{timestamp}} NOT NULL
);
CREATE INDEX stages_pipeline ON stages (pipeline_id, position);

CREATE TABLE stage_quick_replies (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    stage_id    TEXT NOT NULL REFERENCES stages(id),
    title       TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL
);
CREATE INDEX stage_quick_replies_stage ON stage_quick_replies (stage_id);

CREATE TABLE cards (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts(id),
    pipeline_id       TEXT NOT NULL REFERENCES pipelines(id),
    stage_id          TEXT NOT NULL REFERENCES stages(id),
    position          INTEGER NOT NULL DEFAULT 0,
    title             TEXT NOT NULL,
    value_cents       BIGINT NOT NULL DEFAULT 0,
    contact_id        TEXT REFERENCES contacts(id),
    due_at            {{timestamp}},
    priority          TEXT NOT NULL DEFAULT 'normal',
    tags              TEXT NOT NULL DEFAULT '',   -- comma-separated, sorted
    custom_fields     TEXT NOT NULL DEFAULT '{}', -- JSON object of strings
    status            TEXT NOT NULL DEFAULT 'open', -- open, won, lost, archived
    entered_stage_at  {{timestamp}} NOT NULL,
    created_by        TEXT,
    created_at        {{timestamp}} NOT NULL,
    updated_at        {{timestamp}} NOT NULL
);
CREATE INDEX cards_board ON cards (pipeline_id, status, stage_id, position);
CREATE INDEX cards_account_due ON cards (account_id, due_at);

CREATE TABLE card_assignees (
    card_id  TEXT NOT NULL REFERENCES cards(id),
    user_id  TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (card_id, user_id)
);
CREATE INDEX card_assignees_user ON card_assignees (user_id);

CREATE TABLE card_conversations (
    card_id          TEXT NOT NULL REFERENCES cards(id),
    conversation_id  TEXT NOT NULL REFERENCES conversations(id),
    created_at       {{timestamp}} NOT NULL,
    PRIMARY KEY (card_id, conversation_id)
);
CREATE INDEX card_conversations_conversation ON card_conversations (conversation_id);

CREATE TABLE card_notes (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    card_id     TEXT NOT NULL REFERENCES cards(id),
    author_id   TEXT,
    body        TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL
);
CREATE INDEX card_notes_card ON card_notes (card_id, created_at);

-- A card's history: moves, status changes, reminders, stale alerts, entry
-- messages sent or refused. Key makes a workflow's retried write land once.
CREATE TABLE card_events (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    card_id     TEXT NOT NULL REFERENCES cards(id),
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    actor_id    TEXT,
    key         TEXT,
    created_at  {{timestamp}} NOT NULL
);
CREATE INDEX card_events_card ON card_events (card_id, created_at);
CREATE UNIQUE INDEX card_events_key ON card_events (card_id, key);

CREATE TABLE follow_ups (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    card_id     TEXT NOT NULL REFERENCES cards(id),
    title       TEXT NOT NULL,
    due_at      {{timestamp}} NOT NULL,
    done        BOOLEAN NOT NULL DEFAULT FALSE,
    created_by  TEXT,
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL
);
CREATE INDEX follow_ups_account_due ON follow_ups (account_id, due_at);

CREATE TABLE scheduled_messages (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    conversation_id  TEXT NOT NULL REFERENCES conversations(id),
    card_id          TEXT REFERENCES cards(id),
    body             TEXT NOT NULL,
    send_at          {{timestamp}} NOT NULL,
    status           TEXT NOT NULL DEFAULT 'scheduled', -- scheduled, sent, failed, canceled
    failure_reason   TEXT NOT NULL DEFAULT '',
    message_id       TEXT,
    created_by       TEXT,
    created_at       {{timestamp}} NOT NULL,
    updated_at       {{timestamp}} NOT NULL
);
CREATE INDEX scheduled_messages_account_send ON scheduled_messages (account_id, send_at);
CREATE INDEX scheduled_messages_conversation ON scheduled_messages (conversation_id);
