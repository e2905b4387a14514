-- First load of an empty persons table: its non-unique secondary indexes are dropped for the load and
-- built again (sorted, in one pass each) before the same transaction commits — several times faster
-- than maintaining them row by row. Used by the resident import (src/modules/residents/import-service.ts).
-- SECURITY DEFINER because only the owner may drop an index; the functions take no SQL from the caller.
-- Only when the table is empty for EVERY tenant (so nobody's searches lose an index), and never on
-- Citus (distributed DDL). A rollback restores the indexes; sesshu_persons_bulk_load_end() rebuilds
-- them from the definitions saved by _begin (pg_get_indexdef), so this file repeats no index.

CREATE FUNCTION sesshu_persons_bulk_load_begin() RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  ix record;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    RETURN false;
  END IF;
  -- The lock first, then the emptiness check: no other transaction can add a person in between.
  LOCK TABLE persons IN SHARE ROW EXCLUSIVE MODE;
  IF EXISTS (SELECT 1 FROM persons) OR to_regclass('pg_temp.persons_bulk_load_indexes') IS NOT NULL THEN
    RETURN false;
  END IF;
  CREATE TEMP TABLE persons_bulk_load_indexes (name text, def text) ON COMMIT DROP;
  FOR ix IN
    SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
      FROM pg_index i
     WHERE i.indrelid = 'persons'::regclass AND NOT i.indisunique AND NOT i.indisprimary
  LOOP
    INSERT INTO persons_bulk_load_indexes VALUES (ix.name, ix.def);
    EXECUTE format('DROP INDEX %s', ix.name);
  END LOOP;
  RETURN true;
END
$$;

CREATE FUNCTION sesshu_persons_bulk_load_end() RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  ix record;
BEGIN
  IF to_regclass('pg_temp.persons_bulk_load_indexes') IS NULL THEN
    RETURN;
  END IF;
  FOR ix IN SELECT def FROM pg_temp.persons_bulk_load_indexes LOOP
    EXECUTE ix.def;
  END LOOP;
  DROP TABLE pg_temp.persons_bulk_load_indexes;
END
$$;

REVOKE ALL ON FUNCTION sesshu_persons_bulk_load_begin() FROM PUBLIC;
REVOKE ALL ON FUNCTION sesshu_persons_bulk_load_end() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sesshu_persons_bulk_load_begin() TO sesshu_app;
GRANT EXECUTE ON FUNCTION sesshu_persons_bulk_load_end() TO sesshu_app;
