-- Foundation: the application role, tenant helpers, municipalities and the vaccine catalogue.
--
-- Tenancy: every tenant-owned table has municipality_code as the first column of its primary key
-- and of every foreign key (the Citus distribution column), and a row-level-security policy that
-- compares it with the transaction's tenant setting. The application always runs as sesshu_app,
-- which is not the owner of any table, so the policies always apply to it; a transaction that never
-- set a tenant sees no rows at all.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sesshu_app') THEN
    CREATE ROLE sesshu_app NOLOGIN;
  END IF;
END
$$;

-- The tenant of the current transaction; NULL (never '') when unset so comparisons match nothing.
CREATE FUNCTION app_tenant() RETURNS text
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('sesshu.tenant', true), '') $$;

-- Marks a table as tenant-owned: RLS on, one isolation policy, grants for the application role.
CREATE FUNCTION sesshu_tenant_table(tbl regclass, privileges text DEFAULT 'SELECT, INSERT, UPDATE')
  RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s USING (municipality_code = app_tenant()) WITH CHECK (municipality_code = app_tenant())',
    tbl);
  EXECUTE format('GRANT %s ON %s TO sesshu_app', privileges, tbl);
  EXECUTE format('COMMENT ON TABLE %s IS %L', tbl, 'citus:distributed');
END
$$;

-- Marks a table as shared reference data (no tenant column): read-only for the application.
CREATE FUNCTION sesshu_reference_table(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('GRANT SELECT ON %s TO sesshu_app', tbl);
  EXECUTE format('COMMENT ON TABLE %s IS %L', tbl, 'citus:reference');
END
$$;

-- 地方公共団体コード: 5 digits + check digit (validated in src/domain/municipality-code.ts too).
CREATE TABLE municipalities (
  code        char(6) PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  name_en     text,
  prefecture  text NOT NULL,
  is_demo     boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);
SELECT sesshu_reference_table('municipalities');

-- Vaccine catalogue (stable ids of shared/domain/schedule-jp.md §2); rules live in the schedule engine.
CREATE TABLE vaccines (
  id        text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]*$'),
  name_ja   text NOT NULL,
  name_en   text NOT NULL,
  class     text NOT NULL CHECK (class IN ('A', 'B', 'local', 'unknown'))
);
SELECT sesshu_reference_table('vaccines');

INSERT INTO vaccines (id, name_ja, name_en, class) VALUES
  ('hepb', 'B型肝炎', 'Hepatitis B', 'A'),
  ('rota', 'ロタウイルス', 'Rotavirus', 'A'),
  ('dpt_ipv_hib', '五種混合', 'DTaP-IPV-Hib', 'A'),
  ('dpt_ipv', '四種混合', 'DTaP-IPV', 'A'),
  ('hib', 'Hib', 'Hib', 'A'),
  ('pcv', '小児用肺炎球菌', 'Pneumococcal conjugate (children)', 'A'),
  ('bcg', 'BCG', 'BCG', 'A'),
  ('mr', '麻しん風しん', 'Measles-rubella', 'A'),
  ('var', '水痘', 'Varicella', 'A'),
  ('je', '日本脳炎', 'Japanese encephalitis', 'A'),
  ('dt', '二種混合', 'DT', 'A'),
  ('hpv', 'ヒトパピローマウイルス', 'HPV', 'A'),
  ('flu', '高齢者インフルエンザ', 'Influenza (older adults)', 'B'),
  ('pneumo', '高齢者肺炎球菌', 'Pneumococcal (older adults)', 'B'),
  ('covid', '新型コロナウイルス感染症', 'COVID-19', 'B'),
  ('hz', '帯状疱疹', 'Herpes zoster', 'B'),
  ('rsv', 'RSウイルス（母子免疫）', 'RSV (maternal)', 'unknown');

-- Per-tenant settings (flu season, password policy, retention …) as validated JSON.
CREATE TABLE tenant_settings (
  municipality_code char(6) PRIMARY KEY REFERENCES municipalities (code),
  settings          jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
SELECT sesshu_tenant_table('tenant_settings');

-- Every use of the system escape hatch (migrations, cross-tenant jobs) with its written reason.
CREATE TABLE system_access_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  reason      text NOT NULL CHECK (length(reason) >= 10),
  os_user     text NOT NULL,
  pid         integer NOT NULL
);
COMMENT ON TABLE system_access_log IS 'citus:local';
