-- Conversation engine: teams and tags on tickets, notes and authors on
-- messages, and the event log the realtime stream replays from.
ALTER TABLE conversations ADD COLUMN team_id TEXT REFERENCES teams(id);
ALTER TABLE conversations ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN snoozed_until {{timestamp}};
ALTER TABLE conversations ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN sla_breached_at {{timestamp}};
CREATE INDEX conversations_contact ON conversations (contact_id, created_at);

ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
-- When the conversation workflow took an inbound message in; a replayed
-- delivery of a message it never took is handed to it again.
ALTER TABLE messages ADD COLUMN recorded_at {{timestamp}};
CREATE INDEX messages_contact ON messages (contact_id, created_at);

-- Every change agents must see, in order. The stream replays from here
-- after a reconnect (Last-Event-ID), so nothing is missed.
CREATE TABLE events (
    id               {{serial}},
    account_id       TEXT NOT NULL,
    kind             TEXT NOT NULL,
    conversation_id  TEXT,
    assignee_id      TEXT,
    team_id          TEXT,
    payload          TEXT NOT NULL,
    created_at       {{timestamp}} NOT NULL
);
CREATE INDEX events_account_id ON events (account_id, id);
