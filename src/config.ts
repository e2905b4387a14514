// Configuration from the environment, validated once at start-up so a bad value fails loudly
// before anything touches data.
import path from 'node:path';
import { z } from 'zod';

const Env = z.object({
  SESSHU_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().url().optional(),
  SESSHU_HOST: z.string().default('127.0.0.1'),
  SESSHU_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SESSHU_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSHU_DEFAULT_TENANT: z.string().regex(/^\d{6}$/, 'must be a 6-digit 地方公共団体コード').optional(),
  SESSHU_SECURE_COOKIES: z.enum(['true', 'false']).default('false'),
  // The address staff type into the browser; WebAuthn keys are bound to its host name. control: AUTH-02
  SESSHU_ORIGIN: z
    .string()
    .url()
    .refine(isOrigin, 'must be an origin: http(s)://host[:port], no path')
    .optional(),
});

export interface Config {
  /** Root of embedded state: PGlite database, lock file, secrets. */
  dataDir: string;
  /** When set, PostgreSQL is used instead of the embedded database. */
  databaseUrl: string | undefined;
  host: string;
  port: number;
  logLevel: z.infer<typeof Env>['SESSHU_LOG_LEVEL'];
  defaultTenant: string | undefined;
  secureCookies: boolean;
  /** Origin of the web UI (SESSHU_ORIGIN), default http://localhost:<port>; the WebAuthn RP ID is its host name. */
  origin: string;
  /** False when origin is the default, which then follows the port actually bound (e.g. --port 0). */
  originConfigured: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (DATABASE_URL= in a shell) means "not set", as in most twelve-factor apps.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    dataDir: path.resolve(e.SESSHU_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    host: e.SESSHU_HOST,
    port: e.SESSHU_PORT,
    logLevel: e.SESSHU_LOG_LEVEL,
    defaultTenant: e.SESSHU_DEFAULT_TENANT,
    secureCookies: e.SESSHU_SECURE_COOKIES === 'true',
    origin: e.SESSHU_ORIGIN ? new URL(e.SESSHU_ORIGIN).origin : localOrigin(e.SESSHU_PORT),
    originConfigured: e.SESSHU_ORIGIN !== undefined,
  };
}

function isOrigin(v: string): boolean {
  try {
    const url = new URL(v);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === v.replace(/\/$/, '');
  } catch {
    return false;
  }
}

export function localOrigin(port: number): string {
  return `http://localhost:${port}`;
}
