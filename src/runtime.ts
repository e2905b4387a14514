// Opens everything a process needs — configuration, database (migrated), keys, services — and
// closes it in reverse order. Shared by the server and every CLI command that touches data.
import type { Services } from './app.ts';
import { createServices } from './app.ts';
import type { Config } from './config.ts';
import { loadConfig } from './config.ts';
import type { Database } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { openDatabase } from './db/open.ts';
import type { Keyring } from './security/keyring.ts';
import { loadKeyring } from './security/keyring.ts';

export interface Runtime {
  config: Config;
  db: Database;
  keyring: Keyring;
  services: Services;
  close(): Promise<void>;
}

export async function openRuntime(opts: { migrate?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Runtime> {
  const env = opts.env ?? process.env;
  const config = loadConfig(env);
  const keyring = loadKeyring(env, { dataDir: config.dataDir, embedded: !config.databaseUrl });
  const db = await openDatabase(config);
  try {
    if (opts.migrate ?? true) await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  const services = createServices({ db, keyring });
  return { config, db, keyring, services, close: () => db.close() };
}

/** Runs fn with a runtime and always closes it (releasing the embedded database's lock). */
export async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  const rt = await openRuntime(opts);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}
