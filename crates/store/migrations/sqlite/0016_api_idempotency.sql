-- Idempotent writes through the API (issue 23).
--
-- A write sent with an Idempotency-Key is recorded here under its account
-- and key: while it runs (status NULL), then with the answer it got, so
-- that sending it again returns that answer and records nothing new. The
-- fingerprint (method, path and body, hashed) tells a repeat from another
-- request reusing the key. Rows older than a day are swept.
CREATE TABLE api_idempotency (
    user_id      INTEGER NOT NULL REFERENCES users(id),
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       INTEGER,
    body         TEXT,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX api_idempotency_created ON api_idempotency(created_at);
