-- AI Assist requests per account and month, for the monthly cap.
CREATE TABLE ai_usage (
    account_id  TEXT NOT NULL,
    month       TEXT NOT NULL, -- YYYY-MM, UTC
    requests    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, month)
);
