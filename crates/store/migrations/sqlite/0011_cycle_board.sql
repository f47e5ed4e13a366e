-- The rest of the reporting cycle (issue 19).
--
-- A request may allow a grace period after its deadline (a report sent
-- within it is still on time), and may carry the body template communes
-- should start from (NULL: each commune's own default).
ALTER TABLE reporting_requests ADD COLUMN grace_days INTEGER NOT NULL DEFAULT 0
    CHECK (grace_days BETWEEN 0 AND 90);
ALTER TABLE reporting_requests ADD COLUMN template_body TEXT;

-- Communes the Department does not expect to answer a request (not yet
-- onboarded, merged…), with the reason: left out of the board's N.
CREATE TABLE request_exclusions (
    request_id    INTEGER NOT NULL REFERENCES reporting_requests(id),
    commune_code  INTEGER NOT NULL REFERENCES communes(code),
    reason        TEXT NOT NULL,
    user_id       INTEGER REFERENCES users(id),
    actor         TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (request_id, commune_code)
);

-- The Department's consolidated report for a request: one row per version,
-- like a commune's (`reports`): the settings as the officer set them and
-- the frozen snapshot (document, annex with one row per commune, the
-- commune versions it sums) as JSON text.
CREATE TABLE province_reports (
    id                INTEGER PRIMARY KEY,
    province_code     INTEGER NOT NULL REFERENCES provinces(code),
    request_id        INTEGER NOT NULL REFERENCES reporting_requests(id),
    version           INTEGER NOT NULL CHECK (version >= 1),
    as_of             TEXT NOT NULL,
    report_date       TEXT NOT NULL,
    number            TEXT NOT NULL,
    place             TEXT NOT NULL,
    parent_body       TEXT,
    subject           TEXT NOT NULL,
    body              TEXT NOT NULL,
    recipients        TEXT NOT NULL,
    signer_capacity   TEXT NOT NULL,
    signer_name       TEXT NOT NULL,
    snapshot          TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX province_reports_version ON province_reports(request_id, version);

-- Notices inside the app: when each user last opened their notices; the
-- notices themselves are derived from requests and transitions.
CREATE TABLE notice_reads (
    user_id  INTEGER PRIMARY KEY REFERENCES users(id),
    seen_at  TEXT NOT NULL
);
