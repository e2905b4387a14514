-- Security core: roles and permissions as data, staff accounts, sessions, and the hash-chained
-- audit log. control: AC-01 (individual accounts), AC-05 (permissions per function), LOG-01..03.

CREATE TABLE roles (
  id                 text PRIMARY KEY CHECK (id ~ '^[a-z][a-z_]*$'),
  name_ja            text NOT NULL,
  name_en            text NOT NULL,
  -- Roles that work for contractors or at venues can never be given My Number permissions
  -- (enforced by the trigger below, not by convention).
  external_staff     boolean NOT NULL DEFAULT false
);
SELECT sesshu_reference_table('roles');

CREATE TABLE permissions (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z_]+\.[a-z_]+$'),
  name_ja     text NOT NULL,
  name_en     text NOT NULL,
  my_number   boolean NOT NULL DEFAULT false
);
SELECT sesshu_reference_table('permissions');

CREATE TABLE role_permissions (
  role_id        text NOT NULL REFERENCES roles (id),
  permission_id  text NOT NULL REFERENCES permissions (id),
  PRIMARY KEY (role_id, permission_id)
);
SELECT sesshu_reference_table('role_permissions');

-- control: MN-03 — contractor and venue roles can never hold a My Number permission.
CREATE FUNCTION forbid_my_number_for_external_roles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM roles r, permissions p
             WHERE r.id = NEW.role_id AND p.id = NEW.permission_id AND r.external_staff AND p.my_number) THEN
    RAISE EXCEPTION 'role % is for external staff and may not hold My Number permission %', NEW.role_id, NEW.permission_id;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER role_permissions_my_number_guard BEFORE INSERT OR UPDATE ON role_permissions
  FOR EACH ROW EXECUTE FUNCTION forbid_my_number_for_external_roles();

INSERT INTO roles (id, name_ja, name_en, external_staff) VALUES
  ('admin', '管理者', 'Administrator', false),
  ('officer', '予防接種担当', 'Vaccination officer', false),
  ('contractor_entry', '入力委託', 'Contracted data entry', true),
  ('venue', '会場', 'Vaccination venue', true),
  ('auditor', '監査', 'Auditor', false),
  ('operator', 'システム管理', 'System operator', false);

INSERT INTO permissions (id, name_ja, name_en, my_number) VALUES
  ('person.read', '住民情報の閲覧', 'Read residents', false),
  ('person.write', '住民情報の更新', 'Update residents', false),
  ('person.import', '住民記録の取込', 'Import resident register', false),
  ('person.merge', '名寄せ', 'Merge duplicate persons', false),
  ('mynumber.reveal', '個人番号の表示', 'Show My Number', true),
  ('mynumber.export', '個人番号を含む出力', 'Export with My Number', true),
  ('mynumber.write', '個人番号の登録', 'Register My Number', true),
  ('dose.read', '接種記録の閲覧', 'Read vaccination records', false),
  ('dose.enter', '接種記録の入力', 'Enter vaccination records', false),
  ('dose.confirm', '接種記録の確認（ダブルチェック）', 'Confirm vaccination records', false),
  ('dose.correct', '接種記録の訂正', 'Correct vaccination records', false),
  ('dose.venue', '会場での接種登録', 'Record doses at a venue', false),
  ('schedule.read', '接種スケジュールの参照', 'Read the schedule', false),
  ('selection.run', '対象者抽出・発送', 'Run selections and mailings', false),
  ('statistics.read', '統計の閲覧', 'Read statistics', false),
  ('audit.read', 'アクセス記録の閲覧', 'Read the audit log', false),
  ('audit.verify', 'アクセス記録の改ざん検査', 'Verify the audit log', false),
  ('account.manage', '職員アカウントの管理', 'Manage staff accounts', false),
  ('account.review', 'アカウント棚卸し', 'Review accounts', false),
  ('settings.manage', '団体設定の管理', 'Manage municipality settings', false);

INSERT INTO role_permissions (role_id, permission_id) VALUES
  ('admin', 'person.read'), ('admin', 'person.write'), ('admin', 'person.import'), ('admin', 'person.merge'),
  ('admin', 'mynumber.reveal'), ('admin', 'mynumber.write'), ('admin', 'dose.read'), ('admin', 'dose.enter'),
  ('admin', 'dose.confirm'), ('admin', 'dose.correct'), ('admin', 'schedule.read'), ('admin', 'selection.run'),
  ('admin', 'statistics.read'), ('admin', 'audit.read'), ('admin', 'account.manage'), ('admin', 'account.review'),
  ('admin', 'settings.manage'),
  ('officer', 'person.read'), ('officer', 'person.write'), ('officer', 'person.import'), ('officer', 'person.merge'),
  ('officer', 'mynumber.reveal'), ('officer', 'mynumber.write'), ('officer', 'dose.read'), ('officer', 'dose.enter'),
  ('officer', 'dose.confirm'), ('officer', 'dose.correct'), ('officer', 'schedule.read'), ('officer', 'selection.run'),
  ('officer', 'statistics.read'),
  ('contractor_entry', 'person.read'), ('contractor_entry', 'dose.enter'), ('contractor_entry', 'schedule.read'),
  ('venue', 'dose.venue'),
  ('auditor', 'audit.read'), ('auditor', 'audit.verify'), ('auditor', 'account.review'), ('auditor', 'statistics.read'),
  ('operator', 'account.manage'), ('operator', 'account.review'), ('operator', 'audit.verify'), ('operator', 'settings.manage');

-- control: AC-01 — one account per person; no shared ids (login_id unique per tenant).
CREATE TABLE staff_accounts (
  municipality_code     char(6) NOT NULL REFERENCES municipalities (code),
  id                    uuid NOT NULL DEFAULT gen_random_uuid(),
  login_id              text NOT NULL CHECK (login_id ~ '^[a-z0-9][a-z0-9._-]{2,31}$'),
  display_name          text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  department            text NOT NULL DEFAULT '',
  role_id               text NOT NULL REFERENCES roles (id),
  password_hash         text NOT NULL,
  password_changed_at   timestamptz NOT NULL DEFAULT now(),
  must_change_password  boolean NOT NULL DEFAULT true,
  totp_secret           text,
  totp_last_step        bigint,
  failed_attempts       integer NOT NULL DEFAULT 0,
  locked_until          timestamptz,
  expires_on            date,
  disabled_at           timestamptz,
  disabled_reason       text,
  last_login_at         timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, login_id)
);
SELECT sesshu_tenant_table('staff_accounts');

CREATE TABLE password_history (
  municipality_code  char(6) NOT NULL,
  account_id         uuid NOT NULL,
  password_hash      text NOT NULL,
  changed_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (municipality_code, account_id, changed_at),
  FOREIGN KEY (municipality_code, account_id) REFERENCES staff_accounts (municipality_code, id)
);
SELECT sesshu_tenant_table('password_history', 'SELECT, INSERT, DELETE');

-- Sessions are stored by the SHA-256 of their token: a stolen table gives no usable cookie.
CREATE TABLE staff_sessions (
  municipality_code   char(6) NOT NULL,
  token_hash          text NOT NULL,
  account_id          uuid NOT NULL,
  terminal_id         text NOT NULL,
  stage               text NOT NULL CHECK (stage IN ('password_change', 'totp_enrol', 'totp', 'active')),
  created_at          timestamptz NOT NULL DEFAULT now(),
  last_seen_at        timestamptz NOT NULL DEFAULT now(),
  expires_at          timestamptz NOT NULL,
  revoked_at          timestamptz,
  PRIMARY KEY (municipality_code, token_hash),
  FOREIGN KEY (municipality_code, account_id) REFERENCES staff_accounts (municipality_code, id)
);
SELECT sesshu_tenant_table('staff_sessions');
CREATE INDEX staff_sessions_account ON staff_sessions (municipality_code, account_id);

-- control: LOG-01, LOG-02, LOG-03 — every access, in the same transaction, hash-chained per tenant.
-- The application role may insert and read, never update or delete.
CREATE TABLE audit_log (
  municipality_code   char(6) NOT NULL,
  seq                 bigint NOT NULL,
  occurred_at         timestamptz NOT NULL,
  user_id             text,
  role_id             text,
  department          text,
  terminal_id         text,
  purpose             text,
  subject_person_id   text,
  action              text NOT NULL,
  result              text NOT NULL CHECK (result IN ('ok', 'denied', 'failed')),
  detail              jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash           text NOT NULL,
  entry_hash          text NOT NULL,
  PRIMARY KEY (municipality_code, seq)
);
SELECT sesshu_tenant_table('audit_log', 'SELECT, INSERT');
CREATE INDEX audit_log_time ON audit_log (municipality_code, occurred_at);
CREATE INDEX audit_log_subject ON audit_log (municipality_code, subject_person_id) WHERE subject_person_id IS NOT NULL;

-- The chain head per tenant; its row lock serialises appends within a tenant only.
CREATE TABLE audit_heads (
  municipality_code  char(6) PRIMARY KEY,
  seq                bigint NOT NULL,
  entry_hash         text NOT NULL
);
SELECT sesshu_tenant_table('audit_heads');

-- Per-tenant keys for the My Number vault and other encrypted fields, wrapped by a master key
-- that never enters the database. control: CRY-01
CREATE TABLE tenant_keys (
  municipality_code  char(6) NOT NULL REFERENCES municipalities (code),
  kind               text NOT NULL CHECK (kind IN ('data', 'index')),
  version            integer NOT NULL CHECK (version > 0),
  wrapped            text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  retired_at         timestamptz,
  PRIMARY KEY (municipality_code, kind, version)
);
SELECT sesshu_tenant_table('tenant_keys', 'SELECT');

-- A TOTP secret being enrolled lives on the session until the first code proves it (encrypted).
ALTER TABLE staff_sessions ADD COLUMN pending_totp_secret text;
