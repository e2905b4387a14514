-- Resident register intake and person identity (統合宛名). controls: DATA-01, CRY-01, RET-04
-- Persons are never deleted by a feed: moved-out, dead and removed persons stay with their dates.

CREATE TABLE persons (
  municipality_code   char(6) NOT NULL REFERENCES municipalities (code),
  id                  uuid NOT NULL,
  address_number      text NOT NULL CHECK (address_number ~ '^[0-9]{1,15}$'),   -- 宛名番号
  name                text NOT NULL,             -- exact characters (髙, 﨑, 𠮷)
  name_kana           text NOT NULL,
  sex                 char(1) NOT NULL CHECK (sex IN ('M', 'F')),
  birth_date          date NOT NULL,
  postcode            text,
  address             text NOT NULL,
  household_number    text,
  relationship        text,
  resident_type       text NOT NULL CHECK (resident_type IN ('japanese', 'foreign')),
  alias               text,                      -- 通称
  romaji_name         text,
  nationality         text,
  status              text NOT NULL CHECK (status IN ('resident', 'moved_out', 'dead', 'removed')),
  status_date         date,
  moved_in_on         date,
  my_number_enc       text,                      -- AES-256-GCM envelope (src/security/vault.ts)
  my_number_index     text,                      -- keyed blind index (HMAC) for exact look-up
  name_key            text NOT NULL,             -- matching keys (src/domain/jp-name-normalize.ts)
  kana_key            text NOT NULL,
  address_key         text NOT NULL,
  merged_into         uuid,
  last_import_id      uuid,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, address_number),
  FOREIGN KEY (municipality_code, merged_into) REFERENCES persons (municipality_code, id)
);
SELECT sesshu_tenant_table('persons');
CREATE UNIQUE INDEX persons_my_number ON persons (municipality_code, my_number_index) WHERE my_number_index IS NOT NULL;
CREATE INDEX persons_birth ON persons (municipality_code, birth_date);
CREATE INDEX persons_kana ON persons (municipality_code, kana_key text_pattern_ops);
CREATE INDEX persons_name ON persons (municipality_code, name_key text_pattern_ops);
CREATE INDEX persons_household ON persons (municipality_code, household_number);

-- One row per import file: the file hash makes re-importing the same file harmless.
CREATE TABLE resident_imports (
  municipality_code  char(6) NOT NULL REFERENCES municipalities (code),
  id                 uuid NOT NULL,
  file_name          text NOT NULL,
  file_sha256        text NOT NULL,
  mode               text NOT NULL CHECK (mode IN ('full', 'delta')),
  encoding           text NOT NULL,
  rows               integer NOT NULL,
  inserted           integer NOT NULL,
  updated            integer NOT NULL,
  unchanged          integer NOT NULL,
  events             integer NOT NULL,
  absent_removed     integer NOT NULL,
  imported_by        text NOT NULL,
  imported_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, file_sha256)
);
SELECT sesshu_tenant_table('resident_imports', 'SELECT, INSERT');

-- Movement events (異動) and every change of name, address or status, with before/after.
CREATE TABLE person_history (
  municipality_code  char(6) NOT NULL,
  person_id          uuid NOT NULL,
  seq                bigint GENERATED ALWAYS AS IDENTITY,
  kind               text NOT NULL,      -- birth, move_in, … , snapshot_absent, update, merge
  event_date         date,
  import_id          uuid,
  before             jsonb,
  after              jsonb,
  recorded_at        timestamptz NOT NULL DEFAULT now(),
  recorded_by        text NOT NULL,
  PRIMARY KEY (municipality_code, person_id, seq),
  FOREIGN KEY (municipality_code, person_id) REFERENCES persons (municipality_code, id)
);
SELECT sesshu_tenant_table('person_history', 'SELECT, INSERT');
