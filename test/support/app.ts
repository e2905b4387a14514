// Builds the real server on a test database, plus a signed-in client that goes through the same
// staged sign-in as a person: password, password change, TOTP enrolment.
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Services } from '../../src/app.ts';
import { createServices } from '../../src/app.ts';
import type { Database } from '../../src/db/client.ts';
import { createTenant } from '../../src/modules/tenants/service.ts';
import { bootstrapAdmin } from '../../src/security/accounts.ts';
import { ephemeralKeyring } from '../../src/security/keyring.ts';
import { generateTotp } from '../../src/security/totp.ts';
import { createLogger } from '../../src/web/logger.ts';
import { buildServer } from '../../src/web/server.ts';

export interface TestApp {
  db: Database;
  services: Services;
  app: FastifyInstance;
  logs: string[];
  close(): Promise<void>;
}

export async function createTestApp(db: Database, opts: { now?: () => Date } = {}): Promise<TestApp> {
  const services = createServices({ db, keyring: ephemeralKeyring(), ...(opts.now ? { now: opts.now } : {}) });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const app = await buildServer({ services, logger: createLogger('info', sink), secureCookies: false, rateLimitPerMinute: 10_000 });
  return { db, services, app, logs, close: () => app.close() };
}

export async function addTenant(t: TestApp, code: string, name: string): Promise<{ adminPassword: string }> {
  await createTenant(t.db, t.services.vault, { code, name, prefecture: 'テスト県' });
  const admin = await bootstrapAdmin(t.db, code);
  return { adminPassword: admin.oneTimePassword };
}

/** A cookie jar over fastify.inject, like a browser's. */
export class Client {
  readonly cookies = new Map<string, string>();
  constructor(readonly app: FastifyInstance) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.send('GET', url);
  }

  /** Posts a form with the CSRF token from the page at `formPage` (as a browser would have it). */
  async postForm(url: string, fields: Record<string, string>, formPage = url): Promise<LightMyRequestResponse> {
    const page = await this.get(formPage);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    return this.send('POST', url, new URLSearchParams({ ...fields, _csrf: token }).toString());
  }

  async send(method: 'GET' | 'POST', url: string, body?: string): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method,
      url,
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body !== undefined ? { payload: body } : {}),
    });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number }[]) {
      if (c.value === '' || c.maxAge === 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }
}

export const NEW_PASSWORD = 'Kumagaya-Sesshu-2026!';

/** Signs in a fresh account through every stage, as a person would; returns the TOTP secret it enrolled. */
export async function signInNew(client: Client, code: string, loginId: string, oneTimePassword: string, now = () => new Date()): Promise<string> {
  let res = await client.postForm('/login', { municipalityCode: code, loginId, password: oneTimePassword }, '/login');
  if (res.headers.location !== '/password') throw new Error(`expected password change, got ${res.statusCode} ${String(res.headers.location)}`);
  res = await client.postForm('/password', { current: oneTimePassword, next: NEW_PASSWORD, again: NEW_PASSWORD });
  if (res.headers.location !== '/totp/enrol') throw new Error(`expected TOTP enrolment, got ${res.statusCode} ${res.body.slice(0, 500)}`);
  const enrol = await client.get('/totp/enrol');
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(enrol.body)?.[1];
  if (!secret) throw new Error('no TOTP secret on the enrolment page');
  res = await client.postForm('/totp/enrol', { code: generateTotp(secret, now()) }, '/totp/enrol');
  if (res.headers.location !== '/') throw new Error(`expected the dashboard, got ${res.statusCode}`);
  return secret;
}

/** signInNew for the first administrator a tenant gets. */
export function signInNewAdmin(client: Client, code: string, oneTimePassword: string, now = () => new Date()): Promise<string> {
  return signInNew(client, code, 'admin', oneTimePassword, now);
}

/** A new municipality and a browser-like client signed in as its first administrator. */
export async function signedInAdmin(t: TestApp, code: string, name: string, now = () => new Date()): Promise<Client> {
  const { adminPassword } = await addTenant(t, code, name);
  const client = new Client(t.app);
  await signInNewAdmin(client, code, adminPassword, now);
  return client;
}

/** Strict CSP: no inline script, no inline event handler and no style attribute on a page. */
export function expectCspClean(body: string): void {
  if (/\sstyle="/.test(body)) throw new Error('page has a style attribute');
  if (/<script(?![^>]*\ssrc=)[^>]*>/.test(body)) throw new Error('page has an inline script');
  if (/\son[a-z]+="/.test(body)) throw new Error('page has an inline event handler');
}
