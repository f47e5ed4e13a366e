-- Foundation schema (SQLite). Periods are half-open: a record is active on day D
-- when start <= D and (end IS NULL or end > D). Dates are ISO text (YYYY-MM-DD).

CREATE TABLE provinces (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL
);

CREATE TABLE communes (
    code          INTEGER PRIMARY KEY,
    province_code INTEGER NOT NULL REFERENCES provinces(code),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    name_fold     TEXT NOT NULL
);
CREATE INDEX communes_province ON communes(province_code);

CREATE TABLE villages (
    id           INTEGER PRIMARY KEY,
    commune_code INTEGER NOT NULL REFERENCES communes(code),
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    name_fold    TEXT NOT NULL,
    active_from  TEXT NOT NULL,
    active_until TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK (active_until IS NULL OR active_until >= active_from)
);
CREATE UNIQUE INDEX villages_commune_name ON villages(commune_code, name_fold);

CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    commune_code  INTEGER NOT NULL REFERENCES communes(code),
    kind          TEXT NOT NULL,
    doc_number    TEXT NOT NULL,
    issued_on     TEXT NOT NULL,
    issued_year   INTEGER NOT NULL,
    issuer        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    search_fold   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX documents_number_year ON documents(commune_code, doc_number, issued_year);
CREATE INDEX documents_issued ON documents(commune_code, issued_on);

CREATE TABLE teams (
    id             INTEGER PRIMARY KEY,
    commune_code   INTEGER NOT NULL REFERENCES communes(code),
    village_id     INTEGER REFERENCES villages(id),
    kind           TEXT NOT NULL CHECK (kind IN ('village', 'quick_response')),
    name           TEXT NOT NULL,
    established_on TEXT NOT NULL,
    dissolved_on   TEXT,
    decision_id    INTEGER REFERENCES documents(id),
    zalo_link      TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK ((kind = 'village') = (village_id IS NOT NULL)),
    CHECK (dissolved_on IS NULL OR dissolved_on >= established_on)
);
CREATE UNIQUE INDEX teams_one_open_per_village ON teams(village_id)
    WHERE dissolved_on IS NULL AND village_id IS NOT NULL;
CREATE UNIQUE INDEX teams_one_open_quick_response ON teams(commune_code)
    WHERE dissolved_on IS NULL AND kind = 'quick_response';
CREATE INDEX teams_commune ON teams(commune_code, kind);
CREATE INDEX teams_decision ON teams(decision_id);

CREATE TABLE people (
    id           INTEGER PRIMARY KEY,
    commune_code INTEGER NOT NULL REFERENCES communes(code),
    full_name    TEXT NOT NULL,
    name_fold    TEXT NOT NULL,
    gender       TEXT,
    birth_year   INTEGER,
    phone        TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX people_commune_name ON people(commune_code, name_fold);
CREATE INDEX people_commune_phone ON people(commune_code, phone);

CREATE TABLE memberships (
    id          INTEGER PRIMARY KEY,
    team_id     INTEGER NOT NULL REFERENCES teams(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    role        TEXT NOT NULL,
    affiliation TEXT NOT NULL,
    started_on  TEXT NOT NULL,
    ended_on    TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE UNIQUE INDEX memberships_one_open ON memberships(team_id, person_id) WHERE ended_on IS NULL;
CREATE INDEX memberships_team ON memberships(team_id, started_on);
CREATE INDEX memberships_person ON memberships(person_id);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    address   TEXT,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    action    TEXT NOT NULL,
    before    TEXT,
    after     TEXT
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
