-- Venue mode (会場モード): the presets of one signed-in venue session. On the venue tablet every
-- item except the ticket is preset and fixed for the session (seed-003 L364); a new sign-in starts
-- with no presets. controls: AC-07, DATA-02

CREATE TABLE venue_sessions (
  municipality_code   char(6) NOT NULL REFERENCES municipalities (code),
  id                  uuid NOT NULL,
  account_id          uuid NOT NULL,
  -- staff_sessions.token_hash of the sign-in these presets belong to (a hash, never the cookie).
  staff_session_hash  text NOT NULL CHECK (staff_session_hash ~ '^[0-9a-f]{64}$'),
  vaccine_id          text NOT NULL REFERENCES vaccines (id),
  product_name        text NOT NULL,
  lot_number          text NOT NULL CHECK (lot_number ~ '^[A-Za-z0-9-]{1,20}$'),
  institution_code    text NOT NULL,
  doctor_name         text NOT NULL CHECK (length(doctor_name) BETWEEN 1 AND 100),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_code, id),
  UNIQUE (municipality_code, staff_session_hash),
  FOREIGN KEY (municipality_code, account_id) REFERENCES staff_accounts (municipality_code, id),
  FOREIGN KEY (municipality_code, institution_code) REFERENCES medical_institutions (municipality_code, code),
  FOREIGN KEY (municipality_code, product_name) REFERENCES vaccine_products (municipality_code, name)
);
SELECT sesshu_tenant_table('venue_sessions');

-- "Today's records at this venue" (the tablet's list and count) without scanning every version.
CREATE INDEX dose_versions_institution_day ON dose_versions (municipality_code, institution_code, administered_on);
-- "Is this ticket used already?"
CREATE INDEX dose_versions_ticket ON dose_versions (municipality_code, ticket_number) WHERE ticket_number IS NOT NULL;
