// Services are created once by factories and passed down; their types are derived, so tests can
// swap any of them (STYLE.md habit 7).
import type { Database } from './db/client.ts';
import type { Keyring } from './security/keyring.ts';
import { createSessionService } from './security/sessions.ts';
import { createVault } from './security/vault.ts';
import { createWebAuthnService } from './security/webauthn.ts';

export interface AppDeps {
  db: Database;
  keyring: Keyring;
  now?: () => Date;
}

export function createServices(deps: AppDeps) {
  const vault = createVault(deps.keyring);
  const sessions = createSessionService({ db: deps.db, vault, ...(deps.now ? { now: deps.now } : {}) });
  const webauthn = createWebAuthnService({ db: deps.db, ...(deps.now ? { now: deps.now } : {}) });
  return { db: deps.db, vault, sessions, webauthn };
}

export type Services = ReturnType<typeof createServices>;
