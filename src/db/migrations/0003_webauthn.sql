-- WebAuthn security keys and passkeys as a second factor beside TOTP. control: AUTH-02
-- Only public material is stored: the credential id and its COSE public key (base64url), never a secret.
CREATE TABLE webauthn_credentials (
  municipality_code  char(6) NOT NULL,
  credential_id      text NOT NULL CHECK (credential_id ~ '^[A-Za-z0-9_-]+$' AND length(credential_id) BETWEEN 16 AND 1400),
  account_id         uuid NOT NULL,
  public_key         text NOT NULL CHECK (public_key ~ '^[A-Za-z0-9_-]+$'),
  -- The authenticator's signature counter (uint32); a value that does not grow means a cloned key.
  counter            bigint NOT NULL DEFAULT 0 CHECK (counter BETWEEN 0 AND 4294967295),
  transports         text[] NOT NULL DEFAULT '{}',
  nickname           text NOT NULL CHECK (length(nickname) BETWEEN 1 AND 60),
  created_at         timestamptz NOT NULL DEFAULT now(),
  last_used_at       timestamptz,
  PRIMARY KEY (municipality_code, credential_id),
  FOREIGN KEY (municipality_code, account_id) REFERENCES staff_accounts (municipality_code, id) ON DELETE CASCADE
);
SELECT sesshu_tenant_table('webauthn_credentials', 'SELECT, INSERT, UPDATE, DELETE');
CREATE INDEX webauthn_credentials_account ON webauthn_credentials (municipality_code, account_id);

-- The challenge of the ceremony in progress lives on the session: single use, short-lived, and
-- bound to what it was issued for (adding a key, or signing in with one).
ALTER TABLE staff_sessions
  ADD COLUMN webauthn_challenge text,
  ADD COLUMN webauthn_challenge_purpose text CHECK (webauthn_challenge_purpose IN ('register', 'authenticate')),
  ADD COLUMN webauthn_challenge_expires_at timestamptz;
