// Master keys come from configuration, never from the database (control: CRY-01, TEN-03).
// SESSHU_MASTER_KEYS="id:key[,id:key…]" — the first is current, the others still unwrap old keys
// during a rotation. The embedded demo creates <dataDir>/master.key (mode 0600) when none is set;
// a PostgreSQL deployment must set the variable.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { MasterKey } from './vault-crypto.ts';
import { parseMasterKey } from './vault-crypto.ts';

export interface Keyring {
  readonly current: MasterKey;
  readonly all: readonly MasterKey[];
}

export function parseKeyring(spec: string): Keyring {
  const keys = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item, i) => {
      const colon = item.indexOf(':');
      if (colon <= 0) throw new Error(`SESSHU_MASTER_KEYS entry ${i + 1} must look like id:base64key`);
      return parseMasterKey(item.slice(colon + 1), item.slice(0, colon));
    });
  const [current] = keys;
  if (!current) throw new Error('SESSHU_MASTER_KEYS is empty');
  return { current, all: keys };
}

export function loadKeyring(env: NodeJS.ProcessEnv, opts: { dataDir: string; embedded: boolean }): Keyring {
  const spec = env.SESSHU_MASTER_KEYS;
  if (spec) return parseKeyring(spec);
  if (!opts.embedded) throw new Error('SESSHU_MASTER_KEYS must be set when DATABASE_URL is used (see docs/security.md)');
  const file = path.join(opts.dataDir, 'master.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    fs.writeFileSync(file, `m1:${crypto.randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return parseKeyring(fs.readFileSync(file, 'utf8'));
}

/** A fresh in-memory keyring (tests, benchmarks). */
export function ephemeralKeyring(): Keyring {
  return parseKeyring(`t1:${crypto.randomBytes(32).toString('base64')}`);
}
