-- Support activities (what the teams exist for) and contests with their
-- registrations. Figures are computed from these rows by the indicators
-- module; the indexes serve its per-commune and per-team date ranges.

-- The managed list of support categories, seeded with the national list.
CREATE TABLE support_categories (
    code      TEXT PRIMARY KEY,
    label     TEXT NOT NULL,
    position  INTEGER NOT NULL,
    active    INTEGER NOT NULL DEFAULT 1
);
INSERT INTO support_categories (code, label, position) VALUES
    ('dvc_truc_tuyen', 'DVC trực tuyến', 1),
    ('thanh_toan_khong_tien_mat', 'Thanh toán không dùng tiền mặt', 2),
    ('vneid', 'VNeID / định danh điện tử', 3),
    ('ung_dung_so', 'Cài đặt và sử dụng ứng dụng số', 4),
    ('an_toan_mang', 'An toàn trên không gian mạng', 5),
    ('ung_dung_ai', 'Ứng dụng AI', 6),
    ('binh_dan_hoc_vu_so', 'Bình dân học vụ số', 7),
    ('khac', 'Khác', 8);

CREATE TABLE support_activities (
    id               INTEGER PRIMARY KEY,
    commune_code     INTEGER NOT NULL REFERENCES communes(code),
    team_id          INTEGER NOT NULL REFERENCES teams(id),
    village_id       INTEGER REFERENCES villages(id),
    activity_date    TEXT NOT NULL,
    category         TEXT NOT NULL REFERENCES support_categories(code),
    citizens_helped  INTEGER NOT NULL CHECK (citizens_helped >= 0),
    dossiers         INTEGER NOT NULL CHECK (dossiers >= 0),
    note             TEXT,
    created_by       INTEGER REFERENCES users(id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX support_activities_commune_date ON support_activities(commune_code, activity_date);
CREATE INDEX support_activities_team_date ON support_activities(team_id, activity_date);
CREATE INDEX support_activities_village_date ON support_activities(village_id, activity_date);

CREATE TABLE activity_members (
    activity_id  INTEGER NOT NULL REFERENCES support_activities(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (activity_id, person_id)
);

CREATE TABLE contests (
    id            INTEGER PRIMARY KEY,
    commune_code  INTEGER NOT NULL REFERENCES communes(code),
    name          TEXT NOT NULL,
    organiser     TEXT NOT NULL,
    document_id   INTEGER REFERENCES documents(id),
    starts_on     TEXT NOT NULL,
    ends_on       TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX contests_commune ON contests(commune_code);

CREATE TABLE contest_registrations (
    id             INTEGER PRIMARY KEY,
    contest_id     INTEGER NOT NULL REFERENCES contests(id),
    registered_on  TEXT NOT NULL,
    grp            TEXT NOT NULL CHECK (grp IN ('can_bo', 'thanh_vien_to', 'nguoi_dan')),
    count          INTEGER NOT NULL CHECK (count > 0),
    note           TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX contest_registrations_contest ON contest_registrations(contest_id, registered_on);
