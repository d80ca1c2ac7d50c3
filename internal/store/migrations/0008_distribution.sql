-- Distribution: conversations waiting in a rule's queue, the round-robin
-- cursor of each rule, and the trail of rule decisions per conversation.
ALTER TABLE conversations ADD COLUMN queued_at {{timestamp}};
ALTER TABLE conversations ADD COLUMN queue_rule_id TEXT;
ALTER TABLE rules ADD COLUMN last_assigned_user_id TEXT NOT NULL DEFAULT '';

CREATE TABLE rule_runs (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL,
    conversation_id  TEXT NOT NULL,
    rule_id          TEXT NOT NULL,
    rule_name        TEXT NOT NULL,
    event            TEXT NOT NULL,
    outcome          TEXT NOT NULL, -- assigned, offered, offer_timed_out, queued, skipped, action_ok, action_failed
    detail           TEXT NOT NULL DEFAULT '',
    created_at       {{timestamp}} NOT NULL
);
CREATE INDEX rule_runs_conversation ON rule_runs (conversation_id, created_at);
CREATE INDEX conversations_queue ON conversations (queue_rule_id, queued_at);
