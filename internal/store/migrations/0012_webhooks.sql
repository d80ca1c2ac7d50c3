-- Account webhooks: endpoints with event filters, and an outbox of
-- deliveries written in the same transaction as the change they report.
-- A relay hands new deliveries to the endpoint's workflow, which sends
-- them one at a time, in seq order.
CREATE TABLE webhook_endpoints (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    url              TEXT NOT NULL,
    secret           TEXT NOT NULL,
    events           TEXT NOT NULL DEFAULT '', -- comma-separated; '' = every event
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason  TEXT NOT NULL DEFAULT '',
    created_at       {{timestamp}} NOT NULL,
    updated_at       {{timestamp}} NOT NULL
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id);

CREATE TABLE webhook_deliveries (
    seq               {{serial}},
    id                TEXT NOT NULL UNIQUE,
    account_id        TEXT NOT NULL REFERENCES accounts(id),
    endpoint_id       TEXT NOT NULL REFERENCES webhook_endpoints(id),
    event_id          TEXT NOT NULL,
    event             TEXT NOT NULL,
    payload           TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'pending', -- pending, delivered, failed
    relayed           BOOLEAN NOT NULL DEFAULT FALSE,  -- handed to the endpoint's workflow
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_status_code  INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT NOT NULL DEFAULT '',
    last_duration_ms  INTEGER NOT NULL DEFAULT 0,
    delivered_at      {{timestamp}},
    created_at        {{timestamp}} NOT NULL,
    updated_at        {{timestamp}} NOT NULL
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, seq);
CREATE INDEX webhook_deliveries_relay ON webhook_deliveries (relayed, seq);

CREATE TABLE webhook_attempts (
    id           TEXT PRIMARY KEY,
    delivery_id  TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    status_code  INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    duration_ms  INTEGER NOT NULL DEFAULT 0,
    created_at   {{timestamp}} NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);
