-- Event log positions: PostgreSQL events carry the id of the transaction
-- that wrote them, and readers go in (tx_id, id) order up to the oldest
-- running transaction, instead of a global lock making ids commit in
-- order. Events written before this have tx_id 0, so they sort first and
-- a stream resuming from an old id continues where it was.
ALTER TABLE events ADD COLUMN tx_id BIGINT NOT NULL DEFAULT 0;
CREATE INDEX events_account_position ON events (account_id, tx_id, id);
DROP INDEX events_account_id;
