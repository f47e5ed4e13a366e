-- Training courses with their participants, and campaigns run with the
-- mass organisations. Figures are computed from these rows by the
-- indicators module; the indexes serve its per-commune date ranges.

CREATE TABLE training_courses (
    id                    INTEGER PRIMARY KEY,
    commune_code          INTEGER NOT NULL REFERENCES communes(code),
    title                 TEXT NOT NULL,
    organiser             TEXT NOT NULL,
    document_id           INTEGER REFERENCES documents(id),
    starts_on             TEXT NOT NULL,
    ends_on               TEXT,
    mode                  TEXT NOT NULL CHECK (mode IN ('truc_tuyen', 'truc_tiep')),
    officials_registered  INTEGER NOT NULL DEFAULT 0 CHECK (officials_registered >= 0),
    officials_completed   INTEGER NOT NULL DEFAULT 0 CHECK (officials_completed >= 0 AND officials_completed <= officials_registered),
    citizens_registered   INTEGER NOT NULL DEFAULT 0 CHECK (citizens_registered >= 0),
    citizens_completed    INTEGER NOT NULL DEFAULT 0 CHECK (citizens_completed >= 0 AND citizens_completed <= citizens_registered),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX training_courses_commune_date ON training_courses(commune_code, starts_on);

-- Team members registered for a course, by person; completed is 0 or 1.
CREATE TABLE training_participants (
    course_id  INTEGER NOT NULL REFERENCES training_courses(id),
    person_id  INTEGER NOT NULL REFERENCES people(id),
    completed  INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
    PRIMARY KEY (course_id, person_id)
);
CREATE INDEX training_participants_person ON training_participants(person_id);

CREATE TABLE campaigns (
    id                INTEGER PRIMARY KEY,
    commune_code      INTEGER NOT NULL REFERENCES communes(code),
    name              TEXT NOT NULL,
    held_on           TEXT NOT NULL,
    participants      INTEGER NOT NULL CHECK (participants >= 0),
    citizens_reached  INTEGER NOT NULL CHECK (citizens_reached >= 0),
    note              TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX campaigns_commune_date ON campaigns(commune_code, held_on);

CREATE TABLE campaign_partners (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    partner      TEXT NOT NULL CHECK (partner IN ('doan_tn', 'hoi_pn', 'hoi_nd', 'hoi_ccb', 'mttq', 'doanh_nghiep_vien_thong', 'khac')),
    PRIMARY KEY (campaign_id, partner)
);

CREATE TABLE campaign_villages (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    village_id   INTEGER NOT NULL REFERENCES villages(id),
    PRIMARY KEY (campaign_id, village_id)
);
CREATE INDEX campaign_villages_village ON campaign_villages(village_id);
