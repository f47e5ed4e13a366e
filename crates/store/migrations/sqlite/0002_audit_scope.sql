-- The commune a change belongs to, so a commune's recent changes (and,
-- later, its audit browser) are one indexed query.
ALTER TABLE audit_log ADD COLUMN commune_code INTEGER;
CREATE INDEX audit_commune ON audit_log(commune_code, id);
