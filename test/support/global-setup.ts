// Builds one migrated PGlite snapshot per test run; each test file clones it (≈1 s) instead of
// running initdb (≈5 s) again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../../src/db/migrate.ts';
import { dumpPglite, openPgliteMemory } from '../../src/db/pglite.ts';

export default async function setup(): Promise<() => void> {
  const db = await openPgliteMemory();
  await migrate(db);
  const dump = await dumpPglite(db);
  await db.close();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-test-')), 'migrated.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  process.env.SESSHU_TEST_PGLITE_DUMP = file;
  return () => fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
