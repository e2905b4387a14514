-- Mailings (対象者抽出・発送, issue 6): frozen selections (batches) and their items, reissues, and
-- 実施依頼書 (letters asking another municipality to vaccinate a resident staying there).
-- controls: DATA-02 (ticket numbers never reused), LOG-01 (every write through perform), TEN-01

-- A batch freezes what a selection chose and why: the criteria, the as-of date and the rule pack
-- (id, version, hash of its JSON) the schedule engine ran. Items are never recomputed.
CREATE TABLE mailing_batches (
  municipality_code  char(6) NOT NULL REFERENCES municipalities (code),
  id                 uuid NOT NULL,
  kind               text NOT NULL CHECK (kind IN ('notice', 'reminder', 'reissue')),
  criteria           jsonb NOT NULL,
  as_of              date NOT NULL,
  rule_pack_id       text NOT NULL,
  rule_pack_version  text NOT NULL,
  rule_pack_hash     char(64) NOT NULL CHECK (rule_pack_hash ~ '^[0-9a-f]{64}$'),
  item_count         integer NOT NULL CHECK (item_count >= 0),
  person_count       integer NOT NULL CHECK (person_count >= 0),
  skipped_count      integer NOT NULL DEFAULT 0 CHECK (skipped_count >= 0),   -- already mailed
  created_by         text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id)
);
-- UPDATE only to set the counts when the batch's items are written (same transaction).
SELECT sesshu_tenant_table('mailing_batches', 'SELECT, INSERT, UPDATE');
CREATE INDEX mailing_batches_created ON mailing_batches (municipality_code, created_at DESC);

-- One letter for one dose of one person. `channel` separates what is mailed once from what may
-- follow it: 'ticket' (通知 and 再発行, with a 接種券) and 'reminder' (勧奨, sent after a notice).
-- `episode` tells apart doses of the same number in different seasons / pregnancies (flu, covid,
-- RSV): the end of the window; '' for vaccines counted per life. `addressee` is the frozen
-- MailingAddressee (name, address, guardian) so printing the batch again prints the same letters.
CREATE TABLE mailing_items (
  municipality_code  char(6) NOT NULL,
  batch_id           uuid NOT NULL,
  person_id          uuid NOT NULL,
  vaccine_id         text NOT NULL REFERENCES vaccines (id),
  dose_number        smallint NOT NULL CHECK (dose_number BETWEEN 1 AND 99),
  episode            text NOT NULL DEFAULT '',
  channel            text NOT NULL CHECK (channel IN ('ticket', 'reminder')),
  status             text NOT NULL CHECK (status IN ('due', 'upcoming')),
  window_from        date,
  window_until       date,
  reason             text NOT NULL,
  ticket_number      char(10),
  addressee          jsonb NOT NULL,
  sort_key           text COLLATE "C" NOT NULL,   -- mailing order: postcode, address, 宛名番号
  reissued_at        timestamptz,        -- set when a reissue replaced this item
  reissue_reason     text CHECK (reissue_reason IN ('lost', 'moved_in')),
  PRIMARY KEY (municipality_code, batch_id, person_id, vaccine_id, dose_number, episode),
  FOREIGN KEY (municipality_code, batch_id) REFERENCES mailing_batches (municipality_code, id),
  FOREIGN KEY (municipality_code, person_id) REFERENCES persons (municipality_code, id),
  FOREIGN KEY (municipality_code, ticket_number) REFERENCES tickets (municipality_code, ticket_number),
  CHECK ((reissued_at IS NULL) = (reissue_reason IS NULL)),
  CHECK (channel = 'reminder' OR ticket_number IS NOT NULL)
);
-- Items are frozen; the only change is marking one as replaced by a reissue.
SELECT sesshu_tenant_table('mailing_items', 'SELECT, INSERT, UPDATE');
-- The same person is not mailed twice for the same dose: at most one live item per channel.
CREATE UNIQUE INDEX mailing_items_once ON mailing_items (municipality_code, channel, person_id, vaccine_id, dose_number, episode)
  WHERE reissued_at IS NULL;
CREATE INDEX mailing_items_order ON mailing_items (municipality_code, batch_id, sort_key);
CREATE INDEX mailing_items_person ON mailing_items (municipality_code, person_id);

-- 実施依頼書: one row per issuance (a reissue is a new row that names the one it replaces).
-- letter_seq counts per fiscal year: 「健第12号」 of 令和7年度.
CREATE TABLE referral_letters (
  municipality_code  char(6) NOT NULL REFERENCES municipalities (code),
  id                 uuid NOT NULL,
  fiscal_year        integer NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2200),
  letter_seq         integer NOT NULL CHECK (letter_seq > 0),
  letter_number      text NOT NULL,
  person_id          uuid NOT NULL,
  to_municipality_code char(6) CHECK (to_municipality_code ~ '^[0-9]{6}$'),
  to_municipality_name text NOT NULL CHECK (length(to_municipality_name) BETWEEN 1 AND 100),
  to_mayor_name      text NOT NULL CHECK (length(to_mayor_name) BETWEEN 1 AND 100),
  stay_address       text NOT NULL CHECK (length(stay_address) BETWEEN 1 AND 300),
  reason             text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  vaccine_id         text NOT NULL REFERENCES vaccines (id),
  dose_number        smallint NOT NULL CHECK (dose_number BETWEEN 1 AND 99),
  valid_until        date NOT NULL,
  replaces           uuid,
  issued_on          date NOT NULL,
  issued_by          text NOT NULL,
  issued_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, fiscal_year, letter_seq),
  FOREIGN KEY (municipality_code, person_id) REFERENCES persons (municipality_code, id),
  FOREIGN KEY (municipality_code, replaces) REFERENCES referral_letters (municipality_code, id)
);
SELECT sesshu_tenant_table('referral_letters', 'SELECT, INSERT');
CREATE INDEX referral_letters_person ON referral_letters (municipality_code, person_id, issued_at);
