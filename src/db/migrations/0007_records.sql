-- Vaccination records (予防接種台帳): masters, tickets, and doses that are never overwritten —
-- every entry, correction and deletion is a new version, effective once a second person confirms
-- it. controls: DATA-02, DATA-03, DATA-14 (see controls.md), LOG-01

-- 医療機関 (clinics and venues under contract)
CREATE TABLE medical_institutions (
  municipality_code  char(6) NOT NULL REFERENCES municipalities (code),
  code               text NOT NULL CHECK (code ~ '^[0-9]{7,10}$'),   -- 医療機関コード
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  address            text,
  phone              text,
  contract_from      date,
  contract_to        date,
  is_venue           boolean NOT NULL DEFAULT false,
  PRIMARY KEY (municipality_code, code)
);
SELECT sesshu_tenant_table('medical_institutions');

CREATE TABLE doctors (
  municipality_code  char(6) NOT NULL,
  institution_code   text NOT NULL,
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  PRIMARY KEY (municipality_code, institution_code, name),
  FOREIGN KEY (municipality_code, institution_code) REFERENCES medical_institutions (municipality_code, code)
);
SELECT sesshu_tenant_table('doctors', 'SELECT, INSERT, UPDATE, DELETE');

-- Products (製品名/メーカー) per tenant; schedule_product is the engine's product id when it matters.
CREATE TABLE vaccine_products (
  municipality_code  char(6) NOT NULL REFERENCES municipalities (code),
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  vaccine_id         text NOT NULL REFERENCES vaccines (id),
  schedule_product   text,
  maker              text NOT NULL DEFAULT '',
  PRIMARY KEY (municipality_code, name)
);
SELECT sesshu_tenant_table('vaccine_products');

CREATE TABLE vaccine_lots (
  municipality_code  char(6) NOT NULL,
  product_name       text NOT NULL,
  lot_number         text NOT NULL CHECK (lot_number ~ '^[A-Za-z0-9-]{1,20}$'),
  expires_on         date,
  PRIMARY KEY (municipality_code, product_name, lot_number),
  FOREIGN KEY (municipality_code, product_name) REFERENCES vaccine_products (municipality_code, name)
);
SELECT sesshu_tenant_table('vaccine_lots');

-- 接種券: 10-digit numbers, unique per tenant and never reused (a voided ticket keeps its number).
CREATE TABLE tickets (
  municipality_code  char(6) NOT NULL,
  ticket_number      char(10) NOT NULL CHECK (ticket_number ~ '^[0-9]{10}$'),
  kind               char(1) NOT NULL CHECK (kind ~ '^[0-9]$'),    -- 券種
  dose_number        smallint NOT NULL CHECK (dose_number BETWEEN 0 AND 9),   -- 回数
  person_id          uuid NOT NULL,
  vaccine_id         text NOT NULL REFERENCES vaccines (id),
  issued_at          timestamptz NOT NULL DEFAULT now(),
  issued_by          text NOT NULL,
  batch_id           uuid,
  voided_at          timestamptz,
  PRIMARY KEY (municipality_code, ticket_number),
  FOREIGN KEY (municipality_code, person_id) REFERENCES persons (municipality_code, id)
);
SELECT sesshu_tenant_table('tickets');
CREATE INDEX tickets_person ON tickets (municipality_code, person_id);

CREATE TABLE ticket_counters (
  municipality_code  char(6) PRIMARY KEY REFERENCES municipalities (code),
  last_number        bigint NOT NULL DEFAULT 0
);
SELECT sesshu_tenant_table('ticket_counters');

-- A dose and its versions. current_version is the confirmed version in force (NULL until the
-- first confirmation); pending_version waits for a second person.
CREATE TABLE doses (
  municipality_code  char(6) NOT NULL,
  id                 uuid NOT NULL,
  person_id          uuid NOT NULL,
  current_version    integer,
  pending_version    integer,
  deleted            boolean NOT NULL DEFAULT false,
  source             text NOT NULL CHECK (source IN ('entry', 'clinic_file', 'venue', 'migration')),
  created_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id),
  FOREIGN KEY (municipality_code, person_id) REFERENCES persons (municipality_code, id)
);
SELECT sesshu_tenant_table('doses');
CREATE INDEX doses_person ON doses (municipality_code, person_id);

CREATE TABLE dose_versions (
  municipality_code      char(6) NOT NULL,
  dose_id                uuid NOT NULL,
  version                integer NOT NULL CHECK (version > 0),
  change                 text NOT NULL CHECK (change IN ('create', 'correct', 'delete')),
  vaccine_id             text NOT NULL REFERENCES vaccines (id),
  dose_number            smallint NOT NULL CHECK (dose_number BETWEEN 1 AND 99),
  administered_on        date NOT NULL,
  product_name           text,
  schedule_product       text,
  lot_number             text,
  institution_code       text,
  doctor_name            text,
  place                  text,
  ticket_number          char(10),
  special_circumstances  text,
  remarks                text,
  routine                boolean NOT NULL,
  problems               text[] NOT NULL DEFAULT '{}',
  reason                 text,
  entered_by             text NOT NULL,
  entered_at             timestamptz NOT NULL DEFAULT now(),
  confirmed_by           text,
  confirmed_at           timestamptz,
  PRIMARY KEY (municipality_code, dose_id, version),
  FOREIGN KEY (municipality_code, dose_id) REFERENCES doses (municipality_code, id),
  -- control: DATA-03 — the second check is by a different person, enforced by the database too.
  CHECK (confirmed_by IS NULL OR confirmed_by <> entered_by),
  CHECK (change = 'create' OR reason IS NOT NULL)
);
SELECT sesshu_tenant_table('dose_versions', 'SELECT, INSERT, UPDATE');

-- Clinic submission files: the hash makes a re-import harmless.
CREATE TABLE clinic_submissions (
  municipality_code  char(6) NOT NULL REFERENCES municipalities (code),
  id                 uuid NOT NULL,
  file_name          text NOT NULL,
  file_sha256        text NOT NULL,
  rows               integer NOT NULL,
  inserted           integer NOT NULL,
  submitted_by       text NOT NULL,
  submitted_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, file_sha256)
);
SELECT sesshu_tenant_table('clinic_submissions', 'SELECT, INSERT');
