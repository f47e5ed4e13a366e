-- Rollups of the support log, so that a province's (and the country's)
-- activity figures read a few thousand rows instead of millions. They are
-- maintained by triggers in the transaction of every write to
-- support_activities (insert, update, delete: the web forms, the group
-- commit of the support log, imports), so the figures stay live and exact;
-- `toso gen` drops the triggers while it bulk-loads and rebuilds the rollups
-- from the rows afterwards, like an index. Commune and village figures still
-- read support_activities directly (a commune has a few thousand rows a
-- year, served by the (commune_code, activity_date) index).

-- Per province, day and category: activities, citizens helped, dossiers.
CREATE TABLE activity_province_days (
    province_code    INTEGER NOT NULL,
    activity_date    TEXT NOT NULL,
    category         TEXT NOT NULL,
    activities       INTEGER NOT NULL,
    citizens_helped  INTEGER NOT NULL,
    dossiers         INTEGER NOT NULL,
    PRIMARY KEY (province_code, activity_date, category)
) WITHOUT ROWID;

-- Per team and month ('YYYY-MM'): the activities, and the days of the
-- month with at least one activity as a bit set (bit d-1 for day d), which
-- answers "active in these days" exactly for any range of dates.
CREATE TABLE team_activity_months (
    team_id        INTEGER NOT NULL,
    month          TEXT NOT NULL,
    province_code  INTEGER NOT NULL,
    activities     INTEGER NOT NULL,
    days           INTEGER NOT NULL,
    PRIMARY KEY (team_id, month)
) WITHOUT ROWID;
-- Covering: a province's months are read from the index alone.
CREATE INDEX team_activity_months_province
    ON team_activity_months(province_code, month, team_id, activities, days);

CREATE TRIGGER support_activities_rollup_insert AFTER INSERT ON support_activities
BEGIN
    INSERT INTO activity_province_days (province_code, activity_date, category, activities, citizens_helped, dossiers)
    VALUES ((SELECT province_code FROM communes WHERE code = NEW.commune_code), NEW.activity_date, NEW.category,
            1, NEW.citizens_helped, NEW.dossiers)
    ON CONFLICT (province_code, activity_date, category) DO UPDATE SET
        activities = activities + 1,
        citizens_helped = citizens_helped + excluded.citizens_helped,
        dossiers = dossiers + excluded.dossiers;
    INSERT INTO team_activity_months (team_id, month, province_code, activities, days)
    VALUES (NEW.team_id, substr(NEW.activity_date, 1, 7),
            (SELECT province_code FROM communes WHERE code = NEW.commune_code),
            1, 1 << (CAST(substr(NEW.activity_date, 9, 2) AS INTEGER) - 1))
    ON CONFLICT (team_id, month) DO UPDATE SET
        activities = activities + 1,
        days = days | excluded.days;
END;

CREATE TRIGGER support_activities_rollup_delete AFTER DELETE ON support_activities
BEGIN
    UPDATE activity_province_days SET
        activities = activities - 1,
        citizens_helped = citizens_helped - OLD.citizens_helped,
        dossiers = dossiers - OLD.dossiers
    WHERE province_code = (SELECT province_code FROM communes WHERE code = OLD.commune_code)
      AND activity_date = OLD.activity_date AND category = OLD.category;
    UPDATE team_activity_months SET
        activities = activities - 1,
        days = CASE WHEN EXISTS (SELECT 1 FROM support_activities
                                 WHERE team_id = OLD.team_id AND activity_date = OLD.activity_date)
               THEN days
               ELSE days & ~(1 << (CAST(substr(OLD.activity_date, 9, 2) AS INTEGER) - 1)) END
    WHERE team_id = OLD.team_id AND month = substr(OLD.activity_date, 1, 7);
END;

-- An update is the removal of the old row followed by the insertion of
-- the new one.
CREATE TRIGGER support_activities_rollup_update
AFTER UPDATE OF commune_code, team_id, activity_date, category, citizens_helped, dossiers ON support_activities
BEGIN
    UPDATE activity_province_days SET
        activities = activities - 1,
        citizens_helped = citizens_helped - OLD.citizens_helped,
        dossiers = dossiers - OLD.dossiers
    WHERE province_code = (SELECT province_code FROM communes WHERE code = OLD.commune_code)
      AND activity_date = OLD.activity_date AND category = OLD.category;
    UPDATE team_activity_months SET
        activities = activities - 1,
        days = CASE WHEN EXISTS (SELECT 1 FROM support_activities
                                 WHERE team_id = OLD.team_id AND activity_date = OLD.activity_date)
               THEN days
               ELSE days & ~(1 << (CAST(substr(OLD.activity_date, 9, 2) AS INTEGER) - 1)) END
    WHERE team_id = OLD.team_id AND month = substr(OLD.activity_date, 1, 7);
    INSERT INTO activity_province_days (province_code, activity_date, category, activities, citizens_helped, dossiers)
    VALUES ((SELECT province_code FROM communes WHERE code = NEW.commune_code), NEW.activity_date, NEW.category,
            1, NEW.citizens_helped, NEW.dossiers)
    ON CONFLICT (province_code, activity_date, category) DO UPDATE SET
        activities = activities + 1,
        citizens_helped = citizens_helped + excluded.citizens_helped,
        dossiers = dossiers + excluded.dossiers;
    INSERT INTO team_activity_months (team_id, month, province_code, activities, days)
    VALUES (NEW.team_id, substr(NEW.activity_date, 1, 7),
            (SELECT province_code FROM communes WHERE code = NEW.commune_code),
            1, 1 << (CAST(substr(NEW.activity_date, 9, 2) AS INTEGER) - 1))
    ON CONFLICT (team_id, month) DO UPDATE SET
        activities = activities + 1,
        days = days | excluded.days;
END;

-- The rows already recorded are rolled up by the store after migrating
-- (`Store::rebuild_activity_rollups`), the one copy of that query.
