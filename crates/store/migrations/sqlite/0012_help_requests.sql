-- Citizens reach their village team (issue 20).
--
-- A member agrees (or not) to be listed with name and phone on the
-- village's public page and poster: off until the member or an officer
-- turns it on.
ALTER TABLE people ADD COLUMN listed_publicly INTEGER NOT NULL DEFAULT 0;

-- The printable, unguessable code of a village's public page (/v/{code}),
-- reached by the poster's QR code. A new code revokes the old one, whose
-- page then says it has expired.
CREATE TABLE village_codes (
    code        TEXT PRIMARY KEY,
    village_id  INTEGER NOT NULL REFERENCES villages(id),
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE UNIQUE INDEX village_codes_current ON village_codes(village_id) WHERE revoked_at IS NULL;

-- The commune's deadlines for citizens' requests (first response in
-- working hours, resolution in working days) and how long the personal
-- data of a closed request is kept; a commune without a row has the
-- defaults (8 hours, 3 days, 90 days).
CREATE TABLE help_settings (
    commune_code     INTEGER PRIMARY KEY REFERENCES communes(code),
    response_hours   INTEGER NOT NULL CHECK (response_hours BETWEEN 1 AND 80),
    resolution_days  INTEGER NOT NULL CHECK (resolution_days BETWEEN 1 AND 30),
    retention_days   INTEGER NOT NULL CHECK (retention_days BETWEEN 7 AND 730),
    updated_at       TEXT NOT NULL
);

-- Days the commune does not work (holidays, Tết), besides weekends.
CREATE TABLE commune_holidays (
    commune_code  INTEGER NOT NULL REFERENCES communes(code),
    day           TEXT NOT NULL,
    name          TEXT NOT NULL,
    PRIMARY KEY (commune_code, day)
);

-- A citizen's request for help, routed to the village's team (or, where
-- the village has none, to the commune's quick-response team). The
-- citizen's name, phone, description and preferred time are the personal
-- data: erased (set to NULL, `erased_at` set) once the request has been
-- closed for the commune's retention period; the rest keeps the counts.
-- `received_on` is the day it arrived, Vietnam time (the figures count by
-- it). `respond_by` and `resolve_by` are fixed when the request arrives, from
-- the commune's deadlines and working calendar then.
CREATE TABLE help_requests (
    id                 INTEGER PRIMARY KEY,
    tracking_code      TEXT NOT NULL,
    commune_code       INTEGER NOT NULL REFERENCES communes(code),
    village_id         INTEGER NOT NULL REFERENCES villages(id),
    team_id            INTEGER REFERENCES teams(id),
    category           TEXT NOT NULL REFERENCES support_categories(code),
    description        TEXT,
    citizen_name       TEXT,
    citizen_phone      TEXT,
    preferred_time     TEXT,
    state              TEXT NOT NULL CHECK (state IN ('new', 'in_progress', 'done', 'unable')),
    received_at        TEXT NOT NULL,
    received_on        TEXT NOT NULL,
    respond_by         TEXT NOT NULL,
    resolve_by         TEXT NOT NULL,
    first_response_at  TEXT,
    closed_at          TEXT,
    response_minutes   INTEGER CHECK (response_minutes >= 0),
    resolution_minutes INTEGER CHECK (resolution_minutes >= 0),
    assignee_id        INTEGER REFERENCES users(id),
    assignee_name      TEXT,
    escalated_at       TEXT,
    escalation         TEXT CHECK (escalation IN ('overdue', 'handed')),
    unable_reason      TEXT,
    activity_id        INTEGER REFERENCES support_activities(id),
    erased_at          TEXT,
    updated_at         TEXT NOT NULL,
    CHECK ((state IN ('done', 'unable')) = (closed_at IS NOT NULL)),
    CHECK (state <> 'unable' OR unable_reason IS NOT NULL)
);
CREATE UNIQUE INDEX help_requests_tracking ON help_requests(tracking_code);
CREATE INDEX help_requests_commune ON help_requests(commune_code, received_on);
CREATE INDEX help_requests_team ON help_requests(team_id, state);
CREATE INDEX help_requests_village ON help_requests(village_id, received_on);
