-- The account's opening hours, for inBusinessHours() in rule conditions:
-- JSON {"mon":["09:00","18:00"], ...}; a missing day is closed, '' means
-- none set (inBusinessHours() is then false).
ALTER TABLE accounts ADD COLUMN business_hours TEXT NOT NULL DEFAULT '';
