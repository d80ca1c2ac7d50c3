-- Scheduled automation rules: a cron expression (minute hour day month
-- weekday) in the account's time zone; a Temporal schedule runs the rule
-- over the account's open conversations at those times.
ALTER TABLE rules ADD COLUMN schedule TEXT NOT NULL DEFAULT '';
