-- Reporting requests (a Department's letter asking communes to report) and
-- the communes' reports. A report row is one version: its settings and body
-- template as the officer submitted them, and the snapshot frozen when it
-- was generated (the resolved document and annex as JSON text, rendered to
-- DOCX/PDF/XLSX on demand, so the files read the same after data changes).

CREATE TABLE reporting_requests (
    id            INTEGER PRIMARY KEY,
    province_code INTEGER NOT NULL REFERENCES provinces(code),
    -- NULL: sent by the province to every commune; set: registered by one
    -- commune for itself (the province does not use Tổ Số yet).
    commune_code  INTEGER REFERENCES communes(code),
    doc_number    TEXT NOT NULL,
    issued_on     TEXT NOT NULL,
    issued_year   INTEGER NOT NULL,
    issuer        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    deadline      TEXT,
    as_of         TEXT NOT NULL,
    period_from   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK (period_from IS NULL OR period_from <= as_of)
);
CREATE UNIQUE INDEX reporting_requests_number
    ON reporting_requests(province_code, COALESCE(commune_code, 0), doc_number, issued_year);

CREATE TABLE reports (
    id                INTEGER PRIMARY KEY,
    commune_code      INTEGER NOT NULL REFERENCES communes(code),
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
CREATE UNIQUE INDEX reports_version ON reports(commune_code, request_id, version);

-- A commune's own default for new reports (edited template, recipients,
-- signer); absent until the commune saves one.
CREATE TABLE report_templates (
    commune_code     INTEGER PRIMARY KEY REFERENCES communes(code),
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    recipients       TEXT NOT NULL,
    signer_capacity  TEXT NOT NULL,
    signer_name      TEXT NOT NULL,
    parent_body      TEXT,
    updated_at       TEXT NOT NULL
);
