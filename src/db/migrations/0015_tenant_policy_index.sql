-- The isolation policy compared municipality_code (char(6)) with app_tenant() (text), so PostgreSQL
-- cast the column to text and could use no index for the policy: a query that named only, say, a
-- ticket number or a person id scanned every tenant's rows, and row estimates were wrong (found
-- measuring the 2 M-resident selection). Comparing as char(6) keeps the same rows visible and lets
-- the (municipality_code, …) indexes serve the policy. controls: TEN-01
CREATE FUNCTION app_tenant_code() RETURNS char(6)
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('sesshu.tenant', true), '')::char(6) $$;

-- The one definition of the isolation policy, for new tables and for replacing the old policy.
CREATE FUNCTION sesshu_tenant_policy(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', tbl);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s USING (municipality_code = app_tenant_code()) WITH CHECK (municipality_code = app_tenant_code())',
    tbl);
END
$$;

CREATE OR REPLACE FUNCTION sesshu_tenant_table(tbl regclass, privileges text DEFAULT 'SELECT, INSERT, UPDATE')
  RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  PERFORM sesshu_tenant_policy(tbl);
  EXECUTE format('GRANT %s ON %s TO sesshu_app', privileges, tbl);
  EXECUTE format('COMMENT ON TABLE %s IS %L', tbl, 'citus:distributed');
END
$$;

SELECT sesshu_tenant_policy(format('%I.%I', schemaname, tablename)::regclass)
  FROM pg_policies WHERE policyname = 'tenant_isolation';
