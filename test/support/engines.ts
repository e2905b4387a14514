// Integration tests run on both engines: embedded PGlite always, PostgreSQL when
// SESSHU_TEST_PG_URL points at a server (npm test starts one). Each call gets a fresh, migrated database.
import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import type { Database } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPgliteMemory } from '../../src/db/pglite.ts';
import { openPostgres } from '../../src/db/postgres.ts';

export interface TestEngine {
  name: 'pglite' | 'postgres';
  open(): Promise<Database>;
}

const pgUrl = process.env.SESSHU_TEST_PG_URL;

export const testEngines: TestEngine[] = [
  { name: 'pglite', open: openMigratedPglite },
  ...(pgUrl ? [{ name: 'postgres' as const, open: () => openFreshPostgres(pgUrl) }] : []),
];

if (!pgUrl && process.env.CI) throw new Error('CI must run the PostgreSQL tests: set SESSHU_TEST_PG_URL (npm test does)');

async function openMigratedPglite(): Promise<Database> {
  const dumpFile = process.env.SESSHU_TEST_PGLITE_DUMP;
  const db = dumpFile ? await openPgliteMemory(new Blob([fs.readFileSync(dumpFile)])) : await openPgliteMemory();
  if (!dumpFile) await migrate(db);
  return db;
}

/** A new database on the test server, dropped when the returned handle closes. */
async function openFreshPostgres(adminUrl: string): Promise<Database> {
  const name = `sesshu_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openPostgres(url.toString(), 4);
  await migrate(db);
  const close = db.close.bind(db);
  return {
    ...db,
    engine: db.engine,
    async close() {
      await close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
