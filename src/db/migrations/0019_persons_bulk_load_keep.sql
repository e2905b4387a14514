-- A first load keeps the two persons indexes that cost nothing to maintain row by row, instead of
-- rebuilding them after the COPY (each rebuild scans the whole heap: about 7 s of a 2 M load):
-- persons_household, because a register file lists persons by 宛名番号 with each household together,
-- so its keys arrive nearly in order and its B-tree grows at the right edge (measured at 2 M: the
-- COPY took no longer with it), and persons_merged_into, which is partial and holds no row of a load.
-- Otherwise as 0016 (same guards; sesshu_persons_bulk_load_end() unchanged).
CREATE OR REPLACE FUNCTION sesshu_persons_bulk_load_begin() RETURNS boolean
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
     WHERE i.indrelid = 'persons'::regclass
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
       AND i.indexrelid::regclass::text NOT IN ('persons_household', 'persons_merged_into')
  LOOP
    INSERT INTO persons_bulk_load_indexes VALUES (ix.name, ix.def);
    EXECUTE format('DROP INDEX %s', ix.name);
  END LOOP;
  RETURN true;
END
$$;

REVOKE ALL ON FUNCTION sesshu_persons_bulk_load_begin() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sesshu_persons_bulk_load_begin() TO sesshu_app;
