-- Who worked which day, and the allowance a province's resolution pays for
-- it (issue 22).
--
-- A member's day of activity is read from the records the teams keep: a
-- support entry they logged or helped on, a duty day of their team (below),
-- a course they took part in, a campaign they joined (campaign_members,
-- below). Nothing here stores a day count: the sheet is computed.

-- A duty day the leader records for the team: a shift at the commune's
-- public-service desk, a market-day stall; the members on duty that day.
CREATE TABLE duty_days (
    id            INTEGER PRIMARY KEY,
    commune_code  INTEGER NOT NULL REFERENCES communes(code),
    team_id       INTEGER NOT NULL REFERENCES teams(id),
    held_on       TEXT NOT NULL,
    place         TEXT NOT NULL,
    note          TEXT,
    created_by    INTEGER REFERENCES users(id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX duty_days_commune_date ON duty_days(commune_code, held_on);
CREATE INDEX duty_days_team_date ON duty_days(team_id, held_on);

CREATE TABLE duty_day_members (
    duty_day_id  INTEGER NOT NULL REFERENCES duty_days(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (duty_day_id, person_id)
);
CREATE INDEX duty_day_members_person ON duty_day_members(person_id);

-- The team members who took part in a campaign (its `participants` count
-- stays the figure reported; these are the people named).
CREATE TABLE campaign_members (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (campaign_id, person_id)
);
CREATE INDEX campaign_members_person ON campaign_members(person_id);
CREATE INDEX activity_members_person ON activity_members(person_id);
-- The entries logged from a member's own account (their author's day): the
-- commune's or province's activities without an author (imports, the
-- demo, generated data) stay out of this index, so reading the authors'
-- days of a province does not walk all its activities.
CREATE INDEX support_activities_authored ON support_activities(commune_code, activity_date)
    WHERE created_by IS NOT NULL;

-- An allowance policy: a People's Council resolution's amounts, in đồng,
-- for a province (or a commune where its province has none), in force from
-- `effective_from` to `effective_until` inclusive (open-ended when NULL).
-- The periods of one owner's policies never overlap (checked by the store
-- under a lock of the owner's row). `example` marks the demo's policy,
-- which is not a real resolution's figures.
CREATE TABLE allowance_policies (
    id                INTEGER PRIMARY KEY,
    province_code     INTEGER REFERENCES provinces(code),
    commune_code      INTEGER REFERENCES communes(code),
    resolution        TEXT NOT NULL,
    resolution_on     TEXT NOT NULL,
    effective_from    TEXT NOT NULL,
    effective_until   TEXT,
    per_team_month    INTEGER NOT NULL CHECK (per_team_month >= 0),
    per_member_month  INTEGER NOT NULL CHECK (per_member_month >= 0),
    per_day           INTEGER NOT NULL CHECK (per_day >= 0),
    day_cap           INTEGER CHECK (day_cap BETWEEN 0 AND 31),
    min_days          INTEGER NOT NULL DEFAULT 0 CHECK (min_days BETWEEN 0 AND 31),
    example           INTEGER NOT NULL DEFAULT 0 CHECK (example IN (0, 1)),
    note              TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK ((province_code IS NULL) <> (commune_code IS NULL)),
    CHECK (effective_until IS NULL OR effective_until >= effective_from)
);
CREATE INDEX allowance_policies_province ON allowance_policies(province_code, effective_from);
CREATE INDEX allowance_policies_commune ON allowance_policies(commune_code, effective_from);

-- A commune's month, approved: the sheets and the allowance list as they
-- stood (JSON, `frozen`), its total, who approved it and when; reopened
-- (with a reason) it is computed from the records again until approved
-- anew. A month with no row has never been approved. `month` is the
-- month's first day.
CREATE TABLE allowance_months (
    commune_code   INTEGER NOT NULL REFERENCES communes(code),
    month          TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('approved', 'reopened')),
    policy_id      INTEGER REFERENCES allowance_policies(id),
    frozen         TEXT NOT NULL,
    total          INTEGER NOT NULL CHECK (total >= 0),
    approved_by    TEXT NOT NULL,
    approved_at    TEXT NOT NULL,
    reopened_by    TEXT,
    reopened_at    TEXT,
    reopen_reason  TEXT,
    PRIMARY KEY (commune_code, month)
);
