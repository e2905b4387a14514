// A throw-away database on a PostgreSQL server, dropped on close: for tests and benchmarks, which
// must never share state with each other or with a real deployment's database.
import crypto from 'node:crypto';
import pg from 'pg';
import type { Database } from './client.ts';
import { migrate } from './migrate.ts';
import { openPostgres } from './postgres.ts';

export async function openScratchPostgres(adminUrl: string, poolSize = 4): Promise<Database> {
  const name = `sesshu_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openPostgres(url.toString(), poolSize);
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
