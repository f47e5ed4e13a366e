-- Rollups of the support log, so that a province's (and the country's)
-- activity figures read a few thousand rows instead of millions. They are
-- maintained by a trigger in the transaction of every write to
-- support_activities (insert, update, delete: the web forms, the group
-- commit of the support log, imports), so the figures stay live and exact;
-- `toso gen` drops the trigger while it bulk-loads and rebuilds the rollups
-- from the rows afterwards, like an index. Commune and village figures still
-- read support_activities directly.

-- Per province, day and category: activities, citizens helped, dossiers.
CREATE TABLE activity_province_days (
    province_code    INTEGER NOT NULL,
    activity_date    DATE NOT NULL,
    category         TEXT NOT NULL,
    activities       BIGINT NOT NULL,
    citizens_helped  BIGINT NOT NULL,
    dossiers         BIGINT NOT NULL,
    PRIMARY KEY (province_code, activity_date, category)
);

-- Per team and month ('YYYY-MM'): the activities, and the days of the
-- month with at least one activity as a bit set (bit d-1 for day d), which
-- answers "active in these days" exactly for any range of dates.
CREATE TABLE team_activity_months (
    team_id        BIGINT NOT NULL,
    month          TEXT NOT NULL,
    province_code  INTEGER NOT NULL,
    activities     BIGINT NOT NULL,
    days           INTEGER NOT NULL,
    PRIMARY KEY (team_id, month)
);
-- Covering: a province's months are read from the index alone.
CREATE INDEX team_activity_months_province
    ON team_activity_months(province_code, month, team_id, activities, days);

CREATE FUNCTION support_activities_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
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
                   ELSE days & ~(1 << (EXTRACT(DAY FROM OLD.activity_date)::int - 1)) END
        WHERE team_id = OLD.team_id AND month = to_char(OLD.activity_date, 'YYYY-MM');
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO activity_province_days (province_code, activity_date, category, activities, citizens_helped, dossiers)
        VALUES ((SELECT province_code FROM communes WHERE code = NEW.commune_code), NEW.activity_date, NEW.category,
                1, NEW.citizens_helped, NEW.dossiers)
        ON CONFLICT (province_code, activity_date, category) DO UPDATE SET
            activities = activity_province_days.activities + 1,
            citizens_helped = activity_province_days.citizens_helped + excluded.citizens_helped,
            dossiers = activity_province_days.dossiers + excluded.dossiers;
        INSERT INTO team_activity_months (team_id, month, province_code, activities, days)
        VALUES (NEW.team_id, to_char(NEW.activity_date, 'YYYY-MM'),
                (SELECT province_code FROM communes WHERE code = NEW.commune_code),
                1, 1 << (EXTRACT(DAY FROM NEW.activity_date)::int - 1))
        ON CONFLICT (team_id, month) DO UPDATE SET
            activities = team_activity_months.activities + 1,
            days = team_activity_months.days | excluded.days;
    END IF;
    RETURN NULL;
END;
$$;

-- An update is the removal of the old row followed by the insertion of
-- the new one.
CREATE TRIGGER support_activities_rollup
AFTER INSERT OR DELETE OR UPDATE OF commune_code, team_id, activity_date, category, citizens_helped, dossiers
ON support_activities FOR EACH ROW EXECUTE FUNCTION support_activities_rollup();

-- The rows already recorded are rolled up by the store after migrating
-- (`Store::rebuild_activity_rollups`), the one copy of that query.
