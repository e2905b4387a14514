-- Audit retention (control: LOG-04): entries older than the tenant's retention period are purged
-- as a contiguous prefix of the chain; the last purged entry's hash becomes the anchor that
-- verification starts from, and each purge leaves a record that outlives the entries.
ALTER TABLE audit_heads ADD COLUMN anchor_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE audit_heads ADD COLUMN anchor_hash text;

CREATE TABLE audit_purges (
  municipality_code  char(6) NOT NULL REFERENCES municipalities (code),
  purged_through     bigint NOT NULL,
  anchor_hash        text NOT NULL,
  entries            bigint NOT NULL,
  older_than         timestamptz NOT NULL,
  retention_days     integer NOT NULL CHECK (retention_days >= 366),
  purged_at          timestamptz NOT NULL DEFAULT now(),
  reason             text NOT NULL,
  PRIMARY KEY (municipality_code, purged_through)
);
SELECT sesshu_tenant_table('audit_purges', 'SELECT');
