-- Audit chain lanes (control: LOG-01, LOG-03): each tenant's audit log is a small fixed set of
-- independent hash chains instead of one. An audited transaction locks one lane's head until it
-- commits, so concurrent transactions of one municipality take different lanes and do not wait
-- for each other (issue 7: venue recording under 50 sessions). Every lane is verified on its own;
-- display order across lanes is occurred_at, lane, seq. The existing chain becomes lane 0, with
-- its hashes unchanged (lane 0 keeps the tenant's original genesis hash).
ALTER TABLE audit_log ADD COLUMN lane smallint NOT NULL DEFAULT 0 CHECK (lane >= 0);
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ADD PRIMARY KEY (municipality_code, lane, seq);
ALTER TABLE audit_log ALTER COLUMN lane DROP DEFAULT;

ALTER TABLE audit_heads ADD COLUMN lane smallint NOT NULL DEFAULT 0 CHECK (lane >= 0);
ALTER TABLE audit_heads DROP CONSTRAINT audit_heads_pkey;
ALTER TABLE audit_heads ADD PRIMARY KEY (municipality_code, lane);
ALTER TABLE audit_heads ALTER COLUMN lane DROP DEFAULT;

-- Lanes 1–7 for existing tenants: empty chains starting from their own genesis hash (the same
-- formula as genesisHash() in src/security/audit-chain.ts; test/security/audit-lanes.int.test.ts
-- checks that both agree).
INSERT INTO audit_heads (municipality_code, lane, seq, entry_hash)
SELECT h.municipality_code, l.lane, 0,
       encode(sha256(convert_to('sesshu.audit.lane.v1/' || h.municipality_code || '/' || l.lane, 'UTF8')), 'hex')
  FROM audit_heads h CROSS JOIN generate_series(1, 7) AS l(lane)
 WHERE h.lane = 0;

-- A purge re-anchors each lane on its own last purged entry.
ALTER TABLE audit_purges ADD COLUMN lane smallint NOT NULL DEFAULT 0;
ALTER TABLE audit_purges DROP CONSTRAINT audit_purges_pkey;
ALTER TABLE audit_purges ADD PRIMARY KEY (municipality_code, lane, purged_through);
ALTER TABLE audit_purges ALTER COLUMN lane DROP DEFAULT;

-- Display and paging order across lanes.
DROP INDEX audit_log_time;
CREATE INDEX audit_log_time ON audit_log (municipality_code, occurred_at, lane, seq);
