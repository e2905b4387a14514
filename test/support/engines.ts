// Integration tests run on both engines: embedded PGlite always, PostgreSQL when
// SESSHU_TEST_PG_URL points at a server (npm test starts one). Each call gets a fresh, migrated database.
import fs from 'node:fs';
import type { Database } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPgliteMemory } from '../../src/db/pglite.ts';
import { openScratchPostgres } from '../../src/db/scratch.ts';

export interface TestEngine {
  name: 'pglite' | 'postgres';
  open(): Promise<Database>;
}

const pgUrl = process.env.SESSHU_TEST_PG_URL;

export const testEngines: TestEngine[] = [
  { name: 'pglite', open: openMigratedPglite },
  ...(pgUrl ? [{ name: 'postgres' as const, open: () => openScratchPostgres(pgUrl) }] : []),
];

if (!pgUrl && process.env.CI) throw new Error('CI must run the PostgreSQL tests: set SESSHU_TEST_PG_URL (npm test does)');

async function openMigratedPglite(): Promise<Database> {
  const dumpFile = process.env.SESSHU_TEST_PGLITE_DUMP;
  const db = dumpFile ? await openPgliteMemory(new Blob([fs.readFileSync(dumpFile)])) : await openPgliteMemory();
  if (!dumpFile) await migrate(db);
  return db;
}
