-- The Department's workspace (issue 18).
--
-- 1. A rollup of the support log per commune and day, so that a province's
--    table of communes reads a few thousand rows (its communes' days)
--    instead of every activity of the province. Kept by a trigger in the
--    transaction of every write, like the rollups of migration 0007, and
--    rebuilt from the rows by `Store::rebuild_activity_rollups` (after this
--    migration on a database that already has activities, and after a bulk
--    load). A row whose activities were all deleted stays with zeros.
CREATE TABLE activity_commune_days (
    commune_code     INTEGER NOT NULL,
    activity_date    DATE NOT NULL,
    activities       BIGINT NOT NULL,
    citizens_helped  BIGINT NOT NULL,
    dossiers         BIGINT NOT NULL,
    PRIMARY KEY (commune_code, activity_date)
);

CREATE FUNCTION support_activities_commune_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE activity_commune_days SET
            activities = activities - 1,
            citizens_helped = citizens_helped - OLD.citizens_helped,
            dossiers = dossiers - OLD.dossiers
        WHERE commune_code = OLD.commune_code AND activity_date = OLD.activity_date;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO activity_commune_days (commune_code, activity_date, activities, citizens_helped, dossiers)
        VALUES (NEW.commune_code, NEW.activity_date, 1, NEW.citizens_helped, NEW.dossiers)
        ON CONFLICT (commune_code, activity_date) DO UPDATE SET
            activities = activity_commune_days.activities + 1,
            citizens_helped = activity_commune_days.citizens_helped + excluded.citizens_helped,
            dossiers = activity_commune_days.dossiers + excluded.dossiers;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER support_activities_commune_rollup
AFTER INSERT OR DELETE OR UPDATE OF commune_code, activity_date, citizens_helped, dossiers
ON support_activities FOR EACH ROW EXECUTE FUNCTION support_activities_commune_rollup();

-- 2. The Ministry's read-only role (Cán bộ Bộ KH&CN), scoped to the nation.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN
    ('admin', 'ministry_officer', 'province_officer', 'commune_officer', 'team_leader', 'team_member'));

-- 3. The province a change belongs to, so a province's audit browser is one
--    indexed query: its communes' entries and its own (its reporting
--    requests, its officers' accounts and tokens), which name no commune.
--    Every writer fills it (derived from the commune when there is one);
--    the entries written before are filled here from the commune, the
--    request, or the account (of the entry, or of the token).
ALTER TABLE audit_log ADD COLUMN province_code INTEGER;
UPDATE audit_log SET province_code =
    (SELECT c.province_code FROM communes c WHERE c.code = audit_log.commune_code)
WHERE commune_code IS NOT NULL;
UPDATE audit_log SET province_code =
    (SELECT r.province_code FROM reporting_requests r WHERE r.id = audit_log.entity_id)
WHERE province_code IS NULL AND entity = 'reporting_request';
UPDATE audit_log SET province_code =
    (SELECT u.province_code FROM users u WHERE u.id = audit_log.entity_id)
WHERE province_code IS NULL AND entity = 'user';
UPDATE audit_log SET province_code =
    (SELECT u.province_code FROM api_tokens t JOIN users u ON u.id = t.user_id
     WHERE t.id = audit_log.entity_id)
WHERE province_code IS NULL AND entity = 'api_token';
CREATE INDEX audit_province ON audit_log(province_code, id);
