// Venue mode (会場モード) under load on PostgreSQL (issue 7): --sessions venue tablets (default 50),
// each a real venue account with its own presets (saveVenueSession), spread over --venues venues,
// scan their own tickets at the same time, --scans each (default 40), through recordVenueScan —
// the whole recording: OCR parse, ticket lock, used-ticket check, schedule engine, insert, today's
// list, audit append. Reports per-scan latency p50/p95/p99/max and scans/s.
// Baselines, same run, same database, same pool:
//  - the same scans one at a time from a single session (no contention);
//  - a bare scoped transaction (tenant scope + one indexed SELECT + one INSERT) at the same
//    concurrency (what any recording costs at least on this server and pool).
// The residents: babies 70–190 days old with no history, so a first Hib dose is routine on any day,
// among --population other residents; everyone has a synthetic My Number.
// PostgreSQL only (the embedded engine serves one process and one connection):
// BENCH_PG_URL=postgres://… npx tsx bench/venue-latency.bench.ts [--sessions N] [--scans N]
import crypto from 'node:crypto';
import os from 'node:os';
import type { Database } from '../src/db/client.ts';
import { openScratchPostgres } from '../src/db/scratch.ts';
import { withTenantScope } from '../src/db/scoped.ts';
import { importMasters } from '../src/modules/records/masters.ts';
import type { IssuedTicket } from '../src/modules/records/ticket-numbers.ts';
import { issueTickets } from '../src/modules/records/ticket-numbers.ts';
import type { VenueDeps, VenueSessionKey } from '../src/modules/records/venue.ts';
import { recordVenueScan, saveVenueSession } from '../src/modules/records/venue.ts';
import { importResidents } from '../src/modules/residents/import-service.ts';
import { todayInJapan } from '../src/modules/schedule/contract.ts';
import { createTenant } from '../src/modules/tenants/service.ts';
import type { Actor, Permission } from '../src/security/actor.ts';
import { bootstrapAdmin, createAccount } from '../src/security/accounts.ts';
import { ephemeralKeyring } from '../src/security/keyring.ts';
import { syntheticMyNumbers } from '../src/security/my-number.ts';
import { createVault } from '../src/security/vault.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt;
};
const SESSIONS = arg('--sessions', 50);
const SCANS = arg('--scans', 40);
const VENUES = Math.min(arg('--venues', 5), SESSIONS);
const SEQUENTIAL = arg('--sequential-scans', 200);
const POPULATION = arg('--population', 5_000);
const CODE = '152226';
const PRODUCT = 'アクトヒブ';
const LOT = 'AHB001';

const url = process.env.BENCH_PG_URL;
if (!url) {
  process.stdout.write(`${JSON.stringify({ benchmark: 'venue recording latency', skipped: 'needs BENCH_PG_URL' })}\n`);
  process.exit(0);
}

const today = todayInJapan();
const deps: VenueDeps = { db: null as unknown as Database, today: () => today };
const ms = (v: number): number => +v.toFixed(1);

interface Figures {
  scans: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  perSec: number;
}

function percentiles(samples: number[], wallMs: number): Figures {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.max(0, Math.ceil(p * s.length) - 1)] ?? Number.NaN;
  return { scans: s.length, p50Ms: ms(q(0.5)), p95Ms: ms(q(0.95)), p99Ms: ms(q(0.99)), maxMs: ms(s[s.length - 1] ?? Number.NaN), perSec: Math.round(s.length / (wallMs / 1000)) };
}

/** Runs `loops` concurrently, each timing its own calls; returns every latency and the wall time. */
async function timed(loops: Array<Array<() => Promise<unknown>>>): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    loops.map(async (calls) => {
      for (const call of calls) {
        const t = performance.now();
        await call();
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, wallMs: performance.now() - t0 };
}

const daysAgo = (n: number): string => new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
const FAMILY = [['佐藤', 'サトウ'], ['鈴木', 'スズキ'], ['髙橋', 'タカハシ'], ['田中', 'タナカ'], ['伊藤', 'イトウ'], ['渡辺', 'ワタナベ'], ['山本', 'ヤマモト'], ['中村', 'ナカムラ']] as const;
const GIVEN = [['陽翔', 'ハルト', '1'], ['蓮', 'レン', '1'], ['湊', 'ミナト', '1'], ['陽葵', 'ヒマリ', '2'], ['凛', 'リン', '2'], ['結菜', 'ユイナ', '2']] as const;

/** Residents: `babies` first (address numbers 1…), then the rest of the population. */
function residentsCsv(babies: number, others: number): Buffer {
  const total = babies + others;
  const myNumbers = syntheticMyNumbers('bench-venue', total);
  const lines = ['宛名番号,個人番号,氏名,氏名カナ,性別,生年月日,郵便番号,住所,住民区分'];
  for (let i = 0; i < total; i++) {
    const [fam, famKana] = FAMILY[i % FAMILY.length] as (typeof FAMILY)[number];
    const [given, givenKana, sex] = GIVEN[Math.floor(i / FAMILY.length) % GIVEN.length] as (typeof GIVEN)[number];
    const birth = i < babies ? daysAgo(70 + (i % 120)) : daysAgo(365 * 2 + ((i * 7919) % (365 * 85)));
    lines.push(`${800000 + i},${myNumbers[i]},${fam} ${given},${famKana} ${givenKana},${sex},${birth},943-0800,上越市本町${1 + (i % 9)}-${1 + Math.floor(i / 9)},日本人`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

const venueCode = (k: number): string => `1591${String(k).padStart(6, '0')}`;

async function setUp(db: Database): Promise<{ actors: Actor[]; keys: VenueSessionKey[]; lines: string[] }> {
  const vault = createVault(ephemeralKeyring());
  await createTenant(db, vault, { code: CODE, name: '上越市', prefecture: '新潟県' });
  const adminAccount = await bootstrapAdmin(db, CODE, { loginId: 'admin', displayName: '管理者' });
  const admin: Actor = {
    userId: adminAccount.id, loginId: 'admin', displayName: '管理者', role: 'admin', department: 'd', municipalityCode: CODE, terminalId: 'bench',
    purpose: 'benchmark set-up', permissions: new Set<Permission>(['account.manage', 'person.import', 'settings.manage', 'selection.run']),
  };
  const babies = SESSIONS * SCANS + SEQUENTIAL;
  const imported = await importResidents({ db, vault }, admin, { fileName: 'residents.csv', content: residentsCsv(babies, POPULATION), mode: 'full' });
  if (imported.status !== 'applied') throw new Error(`residents: ${imported.status}`);

  // Venues (+1 for the one-at-a-time baseline), a doctor each, Hib with one lot.
  const master = async (kind: 'institutions' | 'doctors' | 'products' | 'lots', rows: string[]): Promise<void> => {
    const r = await importMasters(db, admin, { kind, fileName: `${kind}.csv`, content: Buffer.from(`${rows.join('\n')}\n`) });
    if (r.status !== 'applied') throw new Error(`${kind} master: ${JSON.stringify(r).slice(0, 400)}`);
  };
  const venues = Array.from({ length: VENUES + 1 }, (_, k) => venueCode(k));
  await master('institutions', ['医療機関コード,名称,住所,電話,契約開始日,契約終了日,会場', ...venues.map((c, k) => `${c},集団接種会場${k + 1},上越市本町${k + 1},,2020-04-01,,1`)]);
  await master('doctors', ['医療機関コード,医師名', ...venues.map((c, k) => `${c},会場 医師${k + 1}`)]);
  await master('products', ['製品名,ワクチン,製品区分,メーカー', `${PRODUCT},hib,,サノフィ`]);
  await master('lots', ['製品名,ロット番号,有効期限', `${PRODUCT},${LOT},2099-12-31`]);

  // One account, one sign-in (staff session hash) and one set of presets per tablet; +1 for the baseline.
  const actors: Actor[] = [];
  const keys: VenueSessionKey[] = [];
  for (let s = 0; s <= SESSIONS; s++) {
    const loginId = `kaijo${String(s).padStart(3, '0')}`;
    const { id } = await createAccount(db, admin, { loginId, displayName: `会場 端末${s}`, role: 'venue' });
    const actor: Actor = {
      userId: id, loginId, displayName: `会場 端末${s}`, role: 'venue', department: '', municipalityCode: CODE, terminalId: `tablet-${s}`,
      purpose: '集団接種', permissions: new Set<Permission>(['dose.venue']),
    };
    const key = { staffSessionHash: crypto.randomBytes(32).toString('hex') };
    const k = s === SESSIONS ? VENUES : s % VENUES;
    await saveVenueSession(deps, actor, key, { vaccine: 'hib', product: PRODUCT, lot: LOT, institutionCode: venueCode(k), doctor: `会場 医師${k + 1}` });
    actors.push(actor);
    keys.push(key);
  }

  const issued = await withTenantScope(db, { municipalityCode: CODE, userId: admin.userId, terminalId: 'bench', purpose: 'tickets' }, async (tx) => {
    const persons = await tx.query<{ id: string }>('SELECT id FROM persons WHERE address_number::bigint < $1 ORDER BY address_number', [800000 + babies]);
    if (persons.length !== babies) throw new Error(`expected ${babies} babies, found ${persons.length}`);
    return issueTickets(tx, persons.map((p) => ({ personId: p.id, vaccine: 'hib', doseNumber: 1 })), admin.userId);
  });
  return { actors, keys, lines: issued.map((t: IssuedTicket) => t.ocrLine) };
}

const db = await openScratchPostgres(url, SESSIONS);
deps.db = db;
try {
  let t = performance.now();
  const { actors, keys, lines } = await setUp(db);
  const setupSeconds = +((performance.now() - t) / 1000).toFixed(1);
  await db.exec(`CREATE TABLE bench_scan (municipality_code char(6) NOT NULL, id bigserial, person_id uuid NOT NULL, at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (municipality_code, id));
    SELECT sesshu_tenant_table('bench_scan');
    GRANT USAGE ON SEQUENCE bench_scan_id_seq TO sesshu_app;`);

  const scan = (s: number, line: string) => async (): Promise<void> => {
    const r = await recordVenueScan(deps, actors[s] as Actor, keys[s] as VenueSessionKey, line);
    if (r.ticketNumber !== line.slice(8)) throw new Error('scan recorded another ticket');
  };
  const lineOf = (s: number, i: number): string => lines[s * SCANS + i] as string;

  // Baseline A: the bare scoped transaction, all sessions at once (also opens every pooled connection).
  const bare = await timed(
    Array.from({ length: SESSIONS }, (_, s) =>
      Array.from({ length: SCANS }, (_, i) => () =>
        withTenantScope(db, { municipalityCode: CODE, userId: actors[s]?.userId ?? '', terminalId: `tablet-${s}`, purpose: 'bench' }, async (tx) => {
          const [p] = await tx.query<{ id: string }>('SELECT id FROM persons WHERE address_number = $1', [String(800000 + s * SCANS + i)]);
          await tx.query('INSERT INTO bench_scan (municipality_code, person_id) VALUES (app_tenant(), $1)', [p?.id]);
        }),
      ),
    ),
  );
  // Baseline B: the same scans, one at a time, from one tablet at its own venue.
  const sequential = await timed([Array.from({ length: SEQUENTIAL }, (_, i) => scan(SESSIONS, lines[SESSIONS * SCANS + i] as string))]);
  // The measurement: every tablet scanning its own tickets at once.
  t = performance.now();
  const concurrent = await timed(Array.from({ length: SESSIONS }, (_, s) => Array.from({ length: SCANS }, (_, i) => scan(s, lineOf(s, i)))));

  const [stored] = await withTenantScope(db, { municipalityCode: CODE, userId: 'bench', terminalId: 'bench', purpose: 'check' }, (tx) =>
    tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM doses WHERE source = 'venue'`),
  );
  if (stored?.n !== SESSIONS * SCANS + SEQUENTIAL) throw new Error(`${stored?.n} venue doses stored, expected ${SESSIONS * SCANS + SEQUENTIAL}`);

  const c = percentiles(concurrent.latencies, concurrent.wallMs);
  const seq = percentiles(sequential.latencies, sequential.wallMs);
  const b = percentiles(bare.latencies, bare.wallMs);
  process.stdout.write(
    `${JSON.stringify(
      {
        benchmark: 'venue recording latency (PostgreSQL)',
        cpus: os.cpus().length,
        node: process.version,
        setup: { sessions: SESSIONS, venues: VENUES, scansPerSession: SCANS, residents: SESSIONS * SCANS + SEQUENTIAL + POPULATION, poolSize: SESSIONS, seconds: setupSeconds },
        concurrentScans: c,
        baselineSequentialScans: seq,
        baselineBareScopedTx: { ...b, concurrency: SESSIONS },
        ratioP99VsSequentialP99: +(c.p99Ms / seq.p99Ms).toFixed(1),
        ratioP99VsBareTxP99: +(c.p99Ms / b.p99Ms).toFixed(1),
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await db.close();
}
