// Versioned migrations: numbered SQL files in ./migrations, each applied once in its own
// transaction and recorded with a checksum so an edited, already-applied file is caught.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './client.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
// Any constant works; it only has to be the same for every process migrating one database.
const MIGRATION_LOCK_KEY = 7_201_404;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  version: number;
  name: string;
  appliedAt: string | null;
  state: 'applied' | 'pending' | 'changed';
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        sql,
        checksum: crypto.createHash('sha256').update(sql).digest('hex'),
      };
    });
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now())`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
  applied_at: Date;
}

export async function migrationStatus(db: Database, migrations = loadMigrations()): Promise<MigrationStatus[]> {
  await db.exec(CREATE_TABLE);
  const applied = new Map(
    (await db.query<AppliedRow>('SELECT version, name, checksum, applied_at FROM schema_migrations')).map((r) => [r.version, r]),
  );
  return migrations.map((m) => {
    const row = applied.get(m.version);
    if (!row) return { version: m.version, name: m.name, appliedAt: null, state: 'pending' as const };
    return {
      version: m.version,
      name: m.name,
      appliedAt: row.applied_at.toISOString(),
      state: row.checksum === m.checksum ? ('applied' as const) : ('changed' as const),
    };
  });
}

/** Applies pending migrations in order; returns the versions applied. Safe to run concurrently. */
export async function migrate(
  db: Database,
  onProgress: (m: Migration) => void = () => undefined,
  migrations = loadMigrations(),
): Promise<number[]> {
  const status = await migrationStatus(db, migrations);
  const changed = status.filter((s) => s.state === 'changed');
  if (changed.length > 0) {
    throw new Error(
      `migration ${changed.map((c) => `${c.version}_${c.name}`).join(', ')} was edited after it was applied; ` +
        'write a new migration instead of changing an applied one',
    );
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (status.find((s) => s.version === m.version)?.state !== 'pending') continue;
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const already = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (already.length > 0) return false; // another process applied it while we waited
      onProgress(m);
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}
