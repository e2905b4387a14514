-- LOG-06: a digest of the tenant's database access (who, when, which data, what access) made at
-- the tenant's interval (default 30 minutes) for the responsible staff to read and mark reviewed.
-- One row per period; periods of a tenant follow each other without gaps or overlaps.
CREATE TABLE access_digests (
  municipality_code  char(6) NOT NULL REFERENCES municipalities (code),
  id                 uuid NOT NULL,
  period_from        timestamptz NOT NULL,
  period_to          timestamptz NOT NULL CHECK (period_to > period_from),
  created_at         timestamptz NOT NULL,
  entries            integer NOT NULL,
  -- Per user, action and result: count, distinct persons, first and last time (bounded list).
  lines              jsonb NOT NULL,
  reviewed_by        text,
  reviewed_at        timestamptz,
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, period_from)
);
SELECT sesshu_tenant_table('access_digests');
CREATE INDEX access_digests_period ON access_digests (municipality_code, period_to DESC);
