-- API tokens with a scope, an expiry and a kind (issue 23, part 5).
--
-- A token may read (`read`) or also write (`write`) through the API. The
-- tokens made before could only read (the API had only reads), so they
-- keep exactly that. `expires_at` is the first moment a token no longer
-- works (NULL: it does not expire). A `service` token belongs to a service
-- account: an account that is no person, made for a province's or a
-- commune's system, which never signs in and is listed with the tokens,
-- not with the people's accounts. `created_by` is who made the token
-- (unknown for the tokens made before). `last_used_at` is written in
-- batches by the server, not on every request.
--
-- SQLite cannot add a constraint to a table: each column is added with
-- its default and its CHECK.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'read'
    CHECK (scope IN ('read', 'write'));
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'personal'
    CHECK (kind IN ('personal', 'service'));
ALTER TABLE api_tokens ADD COLUMN created_by INTEGER REFERENCES users(id);

ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'person'
    CHECK (kind IN ('person', 'service'));
