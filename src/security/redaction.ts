// What must never reach a log, as pino `redact.paths`, plus text scrubbing as a second line.
// The primary defence is that log calls never receive these values; this catches mistakes.
// control: AC-04 (My Number never in logs or error messages)
import type { LogFn, Logger, LoggerOptions } from 'pino';

export const REDACTED = '[REDACTED]';

/**
 * Sensitive property names (case variants listed because pino matches names exactly).
 * Person names, kana, address, birth date and phone are personal data; secrets are credentials.
 */
export const SENSITIVE_KEYS: readonly string[] = Object.freeze([
  // My Number and its vault columns
  'myNumber', 'my_number', 'mynumber', 'MyNumber', 'individualNumber', 'individual_number', 'kojinBango',
  'kojin_bango', 'myNumberCiphertext', 'my_number_ciphertext', 'myNumberEnc', 'my_number_enc',
  // credentials
  'password', 'Password', 'passwd', 'pass', 'newPassword', 'new_password', 'currentPassword', 'current_password',
  'oldPassword', 'old_password', 'passwordConfirm', 'password_confirm', 'passwordHash', 'password_hash',
  'token', 'accessToken', 'access_token', 'refreshToken', 'refresh_token', 'idToken', 'id_token', 'csrfToken',
  '_csrf', 'sessionId', 'session_id', 'sid', 'totp', 'totpCode', 'totp_code', 'otp', 'otpCode', 'totpSecret',
  'totp_secret', 'secret', 'clientSecret', 'client_secret', 'apiKey', 'api_key', 'privateKey', 'private_key',
  'masterKey', 'master_key', 'dataKey', 'data_key', 'indexKey', 'index_key', 'wrappedKey', 'wrapped_key',
  'authorization', 'Authorization', 'cookie', 'Cookie', 'set-cookie', 'Set-Cookie', 'x-api-key',
  // personal data
  'name', 'fullName', 'full_name', 'displayName', 'display_name', 'familyName', 'family_name', 'givenName',
  'given_name', 'kana', 'nameKana', 'name_kana', 'kanaName', 'kana_name', 'alias', 'romanName', 'roman_name',
  'maidenName', 'maiden_name', 'address', 'address1', 'address2', 'addressLine', 'address_line', 'postalCode',
  'postal_code', 'birthDate', 'birth_date', 'dateOfBirth', 'date_of_birth', 'dob', 'phone', 'phoneNumber',
  'phone_number', 'tel', 'mobile', 'email', 'passportNumber', 'passport_number',
]);

// Property names that are not plain identifiers need bracket syntax in pino paths.
function segment(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/u.test(key) ? key : `["${key}"]`;
}

function join(prefix: string, key: string): string {
  const seg = segment(key);
  if (prefix === '') return seg;
  return seg.startsWith('[') ? `${prefix}${seg}` : `${prefix}.${seg}`;
}

/** Explicit request/response header paths used by Fastify's pino serialisers. */
const HEADER_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
];

/** The keys also matched one level down (`*.k`): wildcard paths cost ~1 µs per line each in pino. */
export const CORE_SENSITIVE_KEYS: readonly string[] = Object.freeze([
  'myNumber', 'my_number', 'password', 'newPassword', 'currentPassword', 'passwordHash', 'token', 'accessToken',
  'refreshToken', 'csrfToken', 'totp', 'totpCode', 'totpSecret', 'secret', 'name', 'displayName', 'kana',
  'nameKana', 'address', 'birthDate', 'dateOfBirth', 'phone', 'phoneNumber', 'email', 'authorization', 'cookie',
]);

/**
 * pino `redact.paths`: every sensitive key at the top level, the core keys one level down, and
 * the header paths. Deeper values are covered by `redactLogObject` (formatters.log), which is
 * cheaper than more wildcard paths (measured: 4 levels of wildcards ≈ 0.4 ms per log line).
 */
export const REDACT_PATHS: readonly string[] = Object.freeze([
  ...new Set([
    ...HEADER_PATHS,
    ...SENSITIVE_KEYS.map((k) => join('', k)),
    ...CORE_SENSITIVE_KEYS.map((k) => join('*', k)),
  ]),
]);

/**
 * Ready-made pino options: `pino({ ...PINO_REDACTION_OPTIONS, level })`. The paths act after the
 * serialisers (req/res/err); the formatter walks plain objects at any depth before them.
 */
export const PINO_REDACT = Object.freeze({ paths: [...REDACT_PATHS], censor: REDACTED });
export const PINO_REDACTION_OPTIONS = Object.freeze({
  redact: PINO_REDACT,
  formatters: Object.freeze({ log: (obj: Record<string, unknown>) => redactLogObject(obj) }),
  // The message string bypasses formatters, so scrub it (and printf arguments) here.
  hooks: Object.freeze({
    logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
      const scrubbed = args.map((a: unknown) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<LogFn>;
      method.apply(this, scrubbed);
    },
  }),
}) satisfies LoggerOptions;

const DIGIT = '[0-9\\uFF10-\\uFF19]';
// One separator between digit groups: space, tab, NBSP, ideographic space, hyphen look-alikes.
const SEP = '[ \\t\\u00A0\\u3000\\-\\u2010\\u2011\\u2012\\u2013\\u2014\\u2212\\uFF0D\\u30FC\\uFF70]';
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
// UUIDs and long hex (hashes, request ids) are skipped whole, so an all-digit UUID group is kept.
const TWELVE = `(?<!${DIGIT}${SEP}?)${DIGIT}(?:${SEP}?${DIGIT}){11}(?!${SEP}?${DIGIT})`;
const SCRUB_RE = new RegExp(`(${UUID}|(?<![0-9a-fA-F])[0-9a-fA-F]{32,}(?![0-9a-fA-F]))|${TWELVE}`, 'gu');

/**
 * Replace every 12-digit number (ASCII or full-width digits, single spaces/hyphens between them)
 * with [REDACTED]. A digit run longer than 12 is left alone (timestamps, counts), and so are
 * UUIDs and long hex strings. Check digits are deliberately not tested: a mistyped number is
 * still someone's number.
 */
export function scrubText(s: string): string {
  return s.replace(SCRUB_RE, (match: string, keep: string | undefined) => (keep === undefined ? REDACTED : match));
}

const NORMALISED_KEYS = new Set(SENSITIVE_KEYS.map(normaliseKey));
function normaliseKey(k: string): string {
  return k.toLowerCase().replace(/[-_]/gu, '');
}

export function isSensitiveKey(key: string): boolean {
  return NORMALISED_KEYS.has(normaliseKey(key));
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Deep copy with sensitive keys replaced (at any depth, case/underscore/hyphen-insensitive) and
 * every string scrubbed. Errors become { name, message } with the message scrubbed. For error
 * details and audit `detail` objects built from request data.
 */
export function redactDeep(value: unknown): unknown {
  return walk(value, 0, false);
}

/**
 * pino `formatters.log`: like redactDeep, but class instances (Error, IncomingMessage, Date …)
 * pass through untouched so pino's serialisers still see them; the redact paths cover their output.
 */
export function redactLogObject(obj: Record<string, unknown>): Record<string, unknown> {
  return walk(obj, 0, true) as Record<string, unknown>;
}

function walk(value: unknown, depth: number, keepInstances: boolean): unknown {
  if (depth > 32) return REDACTED; // also stops cycles
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, keepInstances));
  if (value === null || typeof value !== 'object') return value;
  if (!isPlainObject(value)) {
    if (keepInstances) return value;
    if (value instanceof Error) return { name: value.name, message: scrubText(value.message) };
    if (value instanceof Date) return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSensitiveKey(k) ? REDACTED : walk(v, depth + 1, keepInstances);
  return out;
}
