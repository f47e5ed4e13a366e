-- The reporting cycle (issue 19): a commune's report for a request is
-- submitted to the province, which accepts it (its figures are then locked:
-- no new version) or returns it with a comment; an accepted report can be
-- reopened by the province with a reason. Every transition is a row of
-- `report_transitions` (who, when, which version, the comment); its `seq`
-- counts the transitions of one commune's report for one request, and the
-- unique index on it lets exactly one of two simultaneous transitions win.
-- The state is the last transition's; no row: a draft (or not started).
CREATE TABLE report_transitions (
    id            INTEGER PRIMARY KEY,
    request_id    INTEGER NOT NULL REFERENCES reporting_requests(id),
    commune_code  INTEGER NOT NULL REFERENCES communes(code),
    report_id     INTEGER NOT NULL REFERENCES reports(id),
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    action        TEXT NOT NULL CHECK (action IN ('submit', 'return', 'accept', 'reopen')),
    state         TEXT NOT NULL CHECK (state IN ('submitted', 'returned', 'accepted')),
    comment       TEXT,
    user_id       INTEGER REFERENCES users(id),
    actor         TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE UNIQUE INDEX report_transitions_one_at_a_time
    ON report_transitions(request_id, commune_code, seq);
CREATE INDEX report_transitions_commune ON report_transitions(commune_code, request_id);
