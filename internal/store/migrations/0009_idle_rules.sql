-- conversation.idle rules fire after this many minutes without activity.
ALTER TABLE rules ADD COLUMN idle_minutes INTEGER NOT NULL DEFAULT 0;
