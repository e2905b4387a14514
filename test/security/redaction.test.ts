import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import pino from 'pino';
import { syntheticMyNumber } from '../../src/security/my-number.ts';
import {
  CORE_SENSITIVE_KEYS,
  PINO_REDACT,
  PINO_REDACTION_OPTIONS,
  REDACTED,
  REDACT_PATHS,
  SENSITIVE_KEYS,
  isSensitiveKey,
  redactDeep,
  redactLogObject,
  scrubText,
} from '../../src/security/redaction.ts';

const NUMBER = '123456789018';

function captureLogger(options: pino.LoggerOptions = PINO_REDACTION_OPTIONS): { log: pino.Logger; lines: () => string } {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  return { log: pino(options, sink), lines: () => out };
}

describe('control: AC-04 — log redaction paths', () => {
  it('covers the keys the brief names', () => {
    for (const k of ['myNumber', 'my_number', 'password', 'token', 'totp', 'secret', 'name', 'kana', 'address', 'birthDate', 'phone', 'authorization', 'cookie']) {
      expect(SENSITIVE_KEYS).toContain(k);
      expect(REDACT_PATHS).toContain(k);
      expect(REDACT_PATHS).toContain(`*.${k}`);
      expect(CORE_SENSITIVE_KEYS).toContain(k);
    }
    expect(REDACT_PATHS).toContain('req.headers.authorization');
    expect(REDACT_PATHS).toContain('res.headers["set-cookie"]');
    expect(new Set(REDACT_PATHS).size).toBe(REDACT_PATHS.length);
  });

  it('AC-04 pino accepts the paths and redacts at depth 0–3 and in headers', () => {
    const { log, lines } = captureLogger();
    log.info(
      {
        myNumber: NUMBER,
        person: { my_number: NUMBER, name: '上越 太郎', kana: 'ジョウエツ タロウ', id: 'p-1' },
        body: { form: { password: 'Kasumi-Bridge-7r', totp: '123456' } },
        a: { b: { c: { birthDate: '1980-01-01', phone: '025-000-0000' } } },
        req: { method: 'POST', url: '/login', headers: { authorization: 'Bearer abc.def', cookie: 'sid=xyz', host: 'x' } },
        res: { headers: { 'set-cookie': 'sid=xyz; HttpOnly' } },
      },
      'login',
    );
    const text = lines();
    for (const secret of [NUMBER, '上越 太郎', 'ジョウエツ', 'Kasumi-Bridge-7r', '123456', '1980-01-01', '025-000-0000', 'Bearer', 'sid=xyz']) {
      expect(text).not.toContain(secret);
    }
    const parsed = JSON.parse(text) as { person: { id: string; name: string }; req: { url: string; headers: { host: string } } };
    expect(parsed.person.id).toBe('p-1');
    expect(parsed.person.name).toBe(REDACTED);
    expect(parsed.req.url).toBe('/login');
    expect(parsed.req.headers.host).toBe('x');
  });

  it('AC-04 redact.paths alone cover the top level, one level down and the headers', () => {
    const { log, lines } = captureLogger({ redact: PINO_REDACT });
    log.info({ myNumber: NUMBER, kojinBango: NUMBER, person: { my_number: NUMBER, name: '上越 太郎' }, req: { headers: { cookie: 'sid=xyz' } } });
    expect(lines()).not.toContain(NUMBER);
    expect(lines()).not.toContain('上越');
    expect(lines()).not.toContain('sid=xyz');
  });

  it('the formatter keeps class instances for the serialisers (err keeps its stack)', () => {
    const { log, lines } = captureLogger();
    log.error({ err: new Error('boom'), when: new Date(0) }, 'failed');
    const parsed = JSON.parse(lines()) as { err: { type: string; stack: string }; when: string };
    expect(parsed.err.type).toBe('Error');
    expect(parsed.err.stack).toContain('boom');
    expect(parsed.when).toBe('1970-01-01T00:00:00.000Z');
    const direct = redactLogObject({ e: new Error(NUMBER), s: NUMBER });
    expect(direct.e).toBeInstanceOf(Error);
    expect(direct.s).toBe(REDACTED);
  });

  it('AC-04 message strings and printf arguments are scrubbed', () => {
    const { log, lines } = captureLogger();
    log.info(`lookup of ${NUMBER} failed`);
    log.warn({ a: 1 }, 'number %s', '1234-5678-9018');
    expect(lines()).not.toContain(NUMBER);
    expect(lines()).not.toContain('5678');
    expect(lines()).toContain('lookup of [REDACTED] failed');
  });

  it('child-logger bindings are redacted too', () => {
    const { log, lines } = captureLogger();
    log.child({ user: { name: '上越 太郎', id: 'u1' } }).info('hello');
    expect(lines()).not.toContain('上越 太郎');
    expect(lines()).toContain('u1');
  });
});

describe('control: AC-04 — scrubText', () => {
  it.each([
    [`My Number ${NUMBER} rejected`, `My Number ${REDACTED} rejected`],
    ['番号: 1234 5678 9018 です', `番号: ${REDACTED} です`],
    ['1234-5678-9018', REDACTED],
    ['１２３４５６７８９０１８', REDACTED],
    ['１２３４－５６７８－９０１８', REDACTED],
    ['1234\u30005678\u30009018', REDACTED],
    ['key=123456789019;', `key=${REDACTED};`], // invalid check digit still scrubbed
    ['mn:123456789018,x', `mn:${REDACTED},x`],
    ['MN123456789018', `MN${REDACTED}`],
    [`${NUMBER}\n${NUMBER}`, `${REDACTED}\n${REDACTED}`],
  ])('scrubs %j', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it.each([
    'ts=1743465600000', // 13-digit epoch ms
    'count 12345678901', // 11 digits
    'id 12345678901234567890',
    'request 123e4567-e89b-12d3-a456-426614174000', // UUID with an all-digit last group
    `hash ${'0123456789'.repeat(4)}abcdef`,
    'tel 025-526-5111',
    'date 2025-04-01T08:30:00.000Z',
    '',
  ])('keeps %j', (input) => {
    expect(scrubText(input)).toBe(input);
  });

  it('AC-04 no synthetic My Number survives, whatever the formatting (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.constantFrom('', ' ', '-', '－', '\u3000'), { minLength: 11, maxLength: 11 }),
        fc.boolean(),
        fc.string({ maxLength: 10 }).filter((s) => !/[0-9０-９]$/.test(s)),
        fc.string({ maxLength: 10 }).filter((s) => !/^[0-9０-９]/.test(s)),
        (i, seps, fullWidth, before, after) => {
          const n = syntheticMyNumber('scrub', i);
          let formatted = [...n].map((d, j) => d + (seps[j] ?? '')).join('');
          if (fullWidth) formatted = formatted.replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
          const out = scrubText(`${before} ${formatted} ${after}`);
          expect(out).toContain(REDACTED);
          expect(out.replace(/[^0-9０-９]/g, '')).not.toContain(n);
        },
      ),
    );
  });
});

describe('control: AC-04 — redactDeep', () => {
  it('redacts sensitive keys at any depth, case- and separator-insensitively, and scrubs strings', () => {
    const input = {
      MY_NUMBER: NUMBER,
      nested: { deeper: { evenDeeper: { Password: 'x', note: `number ${NUMBER}` } } },
      list: [{ 'birth-date': '1980-01-01', ok: 1 }],
      err: new Error(`bad number ${NUMBER}`),
      keep: 'p-1',
    };
    const out = redactDeep(input);
    expect(JSON.stringify(out)).not.toContain(NUMBER);
    expect(out).toEqual({
      MY_NUMBER: REDACTED,
      nested: { deeper: { evenDeeper: { Password: REDACTED, note: `number ${REDACTED}` } } },
      list: [{ 'birth-date': REDACTED, ok: 1 }],
      err: { name: 'Error', message: `bad number ${REDACTED}` },
      keep: 'p-1',
    });
    expect(isSensitiveKey('set-cookie')).toBe(true);
    expect(isSensitiveKey('personId')).toBe(false);
    expect(input.MY_NUMBER).toBe(NUMBER); // input untouched
  });

  it('survives deep nesting, cycles and primitives', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => redactDeep(cyclic)).not.toThrow();
    let deep: unknown = 'leaf';
    for (let i = 0; i < 50; i++) deep = { x: deep };
    expect(() => redactDeep(deep)).not.toThrow();
    expect(redactDeep(5)).toBe(5);
    expect(redactDeep(null)).toBeNull();
  });
});
