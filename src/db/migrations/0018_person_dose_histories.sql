-- Each person's confirmed vaccination history in the one-line form the selection scan reads
-- (src/modules/selection/scan.ts) and the coverage figures count (src/modules/coverage/service.ts):
-- doses oldest first (administered_on, vaccine, dose number), each with five fields split by U+001F
-- — vaccine_id, dose_number, administered_on, schedule_product ('' when none), routine (1 or 0) —
-- and doses split by U+001E.
-- Aggregating doses ⋈ dose_versions for a whole city at every selection took ~25 s of a 2 M-resident
-- selection before its first row; this summary is kept current by the statements that change a
-- history instead, set-based (statement triggers with transition tables), so a clinic file of
-- 100,000 doses refreshes its persons in one statement, not one by one.
-- It carries the person's 宛名番号 and is indexed by it, so the scan merge-joins it with the
-- residents in 宛名番号 order and streams from the first row (no hash of every history, no sort).
-- A 宛名番号 never changes (the resident feed is keyed by it); the application role may no longer
-- update that column of persons, so the copy here cannot go stale.
--
-- A history changes only when
--   * a version is inserted (a dose's row comes first, its versions after — the foreign key — so a
--     new confirmed dose is complete only once its version exists), or
--   * a dose's current_version, deleted flag or person changes (confirmation, correction, deletion,
--     restoring).
-- The history fields of a version are never rewritten (a correction is a new version): the
-- application role may update only the confirmation columns of dose_versions, which the database
-- enforces below.
-- Persons without a confirmed, not deleted dose have no row. On Citus these triggers need care
-- (triggers on distributed tables are off by default): see docs/citus.md.

CREATE TABLE person_dose_histories (
  municipality_code  char(6) NOT NULL,
  person_id          uuid NOT NULL,
  address_number     text NOT NULL,
  history            text NOT NULL,
  PRIMARY KEY (municipality_code, person_id),
  UNIQUE (municipality_code, address_number),
  FOREIGN KEY (municipality_code, person_id) REFERENCES persons (municipality_code, id)
);
SELECT sesshu_tenant_table('person_dose_histories', 'SELECT, INSERT, UPDATE, DELETE');

-- Recomputes the histories of the given persons (pairs of tenant and person) from the ledger.
-- SECURITY INVOKER: in the application it runs under the caller's row-level security, so it can
-- only see and write the caller's tenant (control: TEN-01).
CREATE FUNCTION sesshu_refresh_dose_histories(codes char(6)[], ids uuid[]) RETURNS void
  LANGUAGE sql AS $$
  WITH touched AS (SELECT DISTINCT t.mc, t.pid FROM unnest(codes, ids) AS t(mc, pid)),
  fresh AS (
    SELECT d.municipality_code, d.person_id, min(p.address_number) AS address_number,
           string_agg(concat_ws(chr(31), v.vaccine_id, v.dose_number, v.administered_on, coalesce(v.schedule_product, ''), v.routine::int), chr(30)
                      ORDER BY v.administered_on, v.vaccine_id, v.dose_number) AS history
      FROM touched t
      JOIN doses d ON d.municipality_code = t.mc AND d.person_id = t.pid
      JOIN dose_versions v ON v.municipality_code = d.municipality_code AND v.dose_id = d.id AND v.version = d.current_version
      JOIN persons p ON p.municipality_code = d.municipality_code AND p.id = d.person_id
     WHERE NOT d.deleted
     GROUP BY d.municipality_code, d.person_id),
  gone AS (
    DELETE FROM person_dose_histories h USING touched t
     WHERE h.municipality_code = t.mc AND h.person_id = t.pid
       AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.municipality_code = t.mc AND f.person_id = t.pid))
  INSERT INTO person_dose_histories AS h (municipality_code, person_id, address_number, history)
  SELECT municipality_code, person_id, address_number, history FROM fresh
  ON CONFLICT (municipality_code, person_id) DO UPDATE SET history = EXCLUDED.history
    WHERE h.history IS DISTINCT FROM EXCLUDED.history;
$$;

CREATE FUNCTION sesshu_dose_versions_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sesshu_refresh_dose_histories(array_agg(d.municipality_code), array_agg(d.person_id))
     FROM (SELECT DISTINCT d.municipality_code, d.person_id
             FROM new_versions n JOIN doses d ON d.municipality_code = n.municipality_code AND d.id = n.dose_id
            WHERE d.current_version = n.version) d
   HAVING count(*) > 0;
  RETURN NULL;
END
$$;

CREATE FUNCTION sesshu_doses_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The person before and after each changed dose (the refresh takes each pair once).
  PERFORM sesshu_refresh_dose_histories(array_agg(x.mc), array_agg(x.pid))
     FROM old_doses o JOIN new_doses n ON n.municipality_code = o.municipality_code AND n.id = o.id
    CROSS JOIN LATERAL (VALUES (o.municipality_code, o.person_id), (n.municipality_code, n.person_id)) AS x(mc, pid)
    WHERE (o.current_version, o.deleted, o.person_id) IS DISTINCT FROM (n.current_version, n.deleted, n.person_id)
   HAVING count(*) > 0;
  RETURN NULL;
END
$$;

CREATE TRIGGER dose_versions_refresh_histories AFTER INSERT ON dose_versions
  REFERENCING NEW TABLE AS new_versions FOR EACH STATEMENT EXECUTE FUNCTION sesshu_dose_versions_inserted();
CREATE TRIGGER doses_refresh_histories AFTER UPDATE ON doses
  REFERENCING OLD TABLE AS old_doses NEW TABLE AS new_doses FOR EACH STATEMENT EXECUTE FUNCTION sesshu_doses_updated();

-- Versions are immutable apart from their confirmation (a correction is a new version): the
-- application may set confirmed_by / confirmed_at and nothing else, so no summary goes stale.
REVOKE UPDATE ON dose_versions FROM sesshu_app;
GRANT UPDATE (confirmed_by, confirmed_at) ON dose_versions TO sesshu_app;

-- A person's 宛名番号 is fixed: every column of persons but that one stays updatable.
REVOKE UPDATE ON persons FROM sesshu_app;
DO $$
BEGIN
  EXECUTE (SELECT format('GRANT UPDATE (%s) ON persons TO sesshu_app', string_agg(quote_ident(attname), ', ' ORDER BY attnum))
             FROM pg_attribute
            WHERE attrelid = 'persons'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'address_number');
END
$$;

-- Histories of the doses already recorded.
SELECT sesshu_refresh_dose_histories(array_agg(d.municipality_code), array_agg(d.person_id))
  FROM (SELECT DISTINCT municipality_code, person_id FROM doses) d
HAVING count(*) > 0;
