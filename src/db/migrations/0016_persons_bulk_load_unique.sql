-- The first load of an empty persons table also drops the unique indexes that back no constraint
-- (persons_my_number: one blind index per tenant) and builds them again before commit, like the search
-- indexes of 0013. Its keys are HMACs, so row-by-row maintenance wrote to random pages of a B-tree
-- larger than PGlite's buffers. Rebuilding a UNIQUE index still refuses a duplicate (the import then
-- rolls back). The primary key and UNIQUE (municipality_code, address_number) stay: they back
-- constraints that foreign keys and ON CONFLICT rely on. Same guards as 0013: every tenant has no
-- persons, never on Citus; the rebuild is sesshu_persons_bulk_load_end(), unchanged.
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
  LOOP
    INSERT INTO persons_bulk_load_indexes VALUES (ix.name, ix.def);
    EXECUTE format('DROP INDEX %s', ix.name);
  END LOOP;
  RETURN true;
END
$$;

REVOKE ALL ON FUNCTION sesshu_persons_bulk_load_begin() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sesshu_persons_bulk_load_begin() TO sesshu_app;
