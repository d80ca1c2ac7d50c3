-- The account's prepaid balance (SMS): an immutable ledger in BRL centavos,
-- and the running balance it sums to, kept in the same transaction as each
-- entry. The balance never goes below zero: every debit is a conditional
-- UPDATE (balance_cents + amount >= 0), and the CHECK backs it.
CREATE TABLE account_balances (
    account_id        TEXT PRIMARY KEY,
    balance_cents     BIGINT NOT NULL DEFAULT 0 CHECK (balance_cents >= 0),
    low_balance_cents BIGINT NOT NULL DEFAULT 2000,
    low_alerted       BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at        {{timestamp}} NOT NULL
);
CREATE TABLE ledger_entries (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL,
    kind                TEXT NOT NULL,
    amount_cents        BIGINT NOT NULL,
    balance_after_cents BIGINT NOT NULL,
    reason              TEXT NOT NULL DEFAULT '',
    entry_key           TEXT NOT NULL,
    message_id          TEXT,
    recharge_id         TEXT,
    created_at          {{timestamp}} NOT NULL
);
-- One entry per key: a retried reservation, refund or credit is a no-op.
CREATE UNIQUE INDEX ledger_entries_key ON ledger_entries (account_id, entry_key);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, created_at, id);
CREATE INDEX ledger_entries_message ON ledger_entries (message_id) WHERE message_id IS NOT NULL;
-- A recharge by Pix: the charge created at the payment provider and what
-- became of it.
CREATE TABLE recharges (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL,
    amount_cents     BIGINT NOT NULL,
    status           TEXT NOT NULL,
    provider         TEXT NOT NULL,
    payment_id       TEXT,
    payer_email      TEXT NOT NULL DEFAULT '',
    payer_document   TEXT NOT NULL DEFAULT '',
    qr_code          TEXT NOT NULL DEFAULT '',
    qr_code_base64   TEXT NOT NULL DEFAULT '',
    ticket_url       TEXT NOT NULL DEFAULT '',
    failure_reason   TEXT NOT NULL DEFAULT '',
    created_by       TEXT,
    expires_at       {{timestamp}} NOT NULL,
    paid_at          {{timestamp}},
    created_at       {{timestamp}} NOT NULL,
    updated_at       {{timestamp}} NOT NULL
);
CREATE INDEX recharges_account ON recharges (account_id, created_at);
CREATE UNIQUE INDEX recharges_payment ON recharges (provider, payment_id) WHERE payment_id IS NOT NULL;
-- What an outbound message's send costs (SMS segments), once priced.
ALTER TABLE messages ADD COLUMN cost_units INTEGER NOT NULL DEFAULT 0;
