-- The task queue of the worker holding a channel's live connection (a
-- WhatsApp session): sends and file downloads that need the connection
-- are scheduled there. '' while no worker holds it.
ALTER TABLE channels ADD COLUMN connection_queue TEXT NOT NULL DEFAULT '';
