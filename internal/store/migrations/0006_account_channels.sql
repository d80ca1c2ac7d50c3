-- The plan's enabled channel kinds, comma-separated; empty enables every kind.
ALTER TABLE accounts ADD COLUMN channels TEXT NOT NULL DEFAULT '';
