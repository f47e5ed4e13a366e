-- Accounts: users with a role and a scope (a node of the administrative
-- tree, or a team), sessions that survive a restart, login failures for
-- throttling, and personal API tokens. Secrets are stored only as hashes:
-- passwords as argon2id PHC strings, session and API tokens as SHA-256.

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL,
    username_fold  TEXT NOT NULL UNIQUE,
    full_name      TEXT NOT NULL,
    phone          TEXT UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'province_officer', 'commune_officer', 'team_leader', 'team_member')),
    province_code  INTEGER REFERENCES provinces(code),
    commune_code   INTEGER REFERENCES communes(code),
    team_id        INTEGER REFERENCES teams(id),
    person_id      INTEGER REFERENCES people(id),
    disabled_at    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX users_commune ON users(commune_code);
CREATE INDEX users_province ON users(province_code);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    address      TEXT,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
    id             INTEGER PRIMARY KEY,
    username_fold  TEXT NOT NULL,
    address        TEXT NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(username_fold, at);
CREATE INDEX login_failures_address ON login_failures(address, at);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
