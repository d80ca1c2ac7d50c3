-- Identity and access: profiles with permissions, teams, sessions (seats),
-- API tokens and the audit log.
CREATE TABLE profiles (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    builtin_key  TEXT,
    name         TEXT NOT NULL,
    permissions  TEXT NOT NULL DEFAULT '',
    created_at   {{timestamp}} NOT NULL,
    updated_at   {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX profiles_account_name ON profiles (account_id, name);

-- Existing accounts get the three built-in profiles.
INSERT INTO profiles (id, account_id, builtin_key, name, permissions, created_at, updated_at)
SELECT id || '-admin', id, 'admin', 'Admin', '*', created_at, created_at FROM accounts;
INSERT INTO profiles (id, account_id, builtin_key, name, permissions, created_at, updated_at)
SELECT id || '-manager', id, 'manager', 'Manager',
 'conversations:view:all,conversations:reply,conversations:assign,conversations:close,channels:manage,rules:manage,crm:view,crm:edit,crm:pipelines,reports:view,operations:view',
 created_at, created_at FROM accounts;
INSERT INTO profiles (id, account_id, builtin_key, name, permissions, created_at, updated_at)
SELECT id || '-agent', id, 'agent', 'Agent',
 'conversations:view:team,conversations:reply,conversations:close,crm:view,crm:edit',
 created_at, created_at FROM accounts;

ALTER TABLE users ADD COLUMN profile_id TEXT REFERENCES profiles(id);
UPDATE users SET profile_id = account_id || '-' || role;
ALTER TABLE users DROP COLUMN role;
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'offline';
ALTER TABLE users ADD COLUMN capacity INTEGER NOT NULL DEFAULT 5;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until {{timestamp}};
ALTER TABLE users ADD COLUMN last_login_at {{timestamp}};

CREATE TABLE teams (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX teams_account_name ON teams (account_id, name);

CREATE TABLE team_members (
    team_id     TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

-- A session is one login; its id is the SHA-256 of the cookie's token.
CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    csrf_token    TEXT NOT NULL,
    user_agent    TEXT NOT NULL DEFAULT '',
    ip            TEXT NOT NULL DEFAULT '',
    created_at    {{timestamp}} NOT NULL,
    last_seen_at  {{timestamp}} NOT NULL,
    expires_at    {{timestamp}} NOT NULL,
    ended_at      {{timestamp}},
    ended_reason  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account_active ON sessions (account_id, ended_at);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    token_hash    TEXT NOT NULL,
    permissions   TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    {{timestamp}} NOT NULL,
    last_used_at  {{timestamp}},
    revoked_at    {{timestamp}}
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_kind  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    created_at  {{timestamp}} NOT NULL
);
CREATE INDEX audit_log_account_time ON audit_log (account_id, created_at);
