-- Role and affiliation history of a membership. The membership row keeps the
-- values in force now, and `role_since` the day they took effect (NULL: since
-- the membership started, which is how every membership made before this
-- migration reads). Each earlier pair of values is a closed term here, from
-- `from_on` to the day before `until_on`. A figure as of a day reads the term
-- in force that day (the store's `role_on` / `affiliation_on` expressions).
ALTER TABLE memberships ADD COLUMN role_since TEXT;

CREATE TABLE membership_terms (
    id            INTEGER PRIMARY KEY,
    membership_id INTEGER NOT NULL REFERENCES memberships(id),
    role          TEXT NOT NULL,
    affiliation   TEXT NOT NULL,
    from_on       TEXT NOT NULL,
    until_on      TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    CHECK (until_on > from_on)
);
CREATE UNIQUE INDEX membership_terms_from ON membership_terms(membership_id, from_on);
