// A municipality's own settings, as its administrators edit them on /settings: the letterhead of
// mailings (差出人, 連絡先, 市長名, 文書番号の記号), whether clinic files enter provisional or
// confirmed, the password policy and the access-digest interval. Stored in tenant_settings.settings (jsonb), validated here,
// changed only through perform() with settings.manage and audited with before and after.
// control: AC-01, LOG-01, AUTH-03, AUTH-12, LOG-06
import type { Database } from '../../db/client.ts';
import type { ScopedTx } from '../../db/scoped.ts';
import { digestMinutes, MAX_DIGEST_MINUTES, MIN_DIGEST_MINUTES } from '../../security/access-digest.ts';
import type { Actor } from '../../security/actor.ts';
import { perform } from '../../security/guard.ts';
import type { PasswordPolicy } from '../../security/password-policy.ts';
import { PasswordPolicyError } from '../../security/password-policy.ts';
import { readPasswordPolicy, setPasswordPolicy } from '../../security/tenant-policy.ts';
import { clinicFileEntryMode } from '../records/clinic-import.ts';

/** Letterhead facts printed on 勧奨通知, 予診票 covers and 実施依頼書; null = the printed default. */
// A type, not an interface: it goes into audit details as JSON.
export type MailingSettings = {
  readonly senderName: string | null;
  readonly senderContact: string | null;
  readonly mayorName: string | null;
  readonly letterPrefix: string | null;
};

export type ClinicFileEntry = 'provisional' | 'confirmed';

export interface TenantSettings {
  readonly mailing: MailingSettings;
  readonly clinicFileEntry: ClinicFileEntry;
  readonly passwordPolicy: PasswordPolicy;
  /** LOG-06: minutes between access digests. */
  readonly accessDigestMinutes: number;
}

export class SettingsInputError extends Error {
  override name = 'SettingsInputError';
  readonly statusCode = 400;
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** Each field: its longest accepted value, and its label for messages. */
const MAILING_FIELDS: Record<keyof MailingSettings, { max: number; label: string }> = {
  senderName: { max: 60, label: '差出人 (sender)' },
  senderContact: { max: 120, label: '連絡先 (contact)' },
  mayorName: { max: 40, label: '市町村長名 (mayor)' },
  letterPrefix: { max: 10, label: '文書番号の記号 (letter prefix)' },
};

// Printed on paper: no control characters (they break the PDF layout) and no markup-like angle brackets.
const PRINTABLE = /^[^\p{Cc}\p{Cf}<>]*$/u;

/** Checks letterhead input: trimmed, empty → default, bounded, printable. Pure. */
export function parseMailingSettings(raw: Partial<Record<keyof MailingSettings, string>>): MailingSettings {
  const out: Record<string, string | null> = {};
  for (const [key, { max, label }] of Object.entries(MAILING_FIELDS)) {
    const value = (raw[key as keyof MailingSettings] ?? '').normalize('NFC').trim();
    if ([...value].length > max) throw new SettingsInputError(key, `${label}: ${max}文字以内で入力してください (at most ${max} characters)`);
    if (!PRINTABLE.test(value)) throw new SettingsInputError(key, `${label}: 使用できない文字が含まれています (contains a character that cannot be printed)`);
    out[key] = value === '' ? null : value;
  }
  return out as unknown as MailingSettings;
}

export function isClinicFileEntry(v: string): v is ClinicFileEntry {
  return v === 'provisional' || v === 'confirmed';
}

function mailingFrom(raw: unknown): MailingSettings {
  const o = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const str = (k: keyof MailingSettings): string | null => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : null);
  return { senderName: str('senderName'), senderContact: str('senderContact'), mayorName: str('mayorName'), letterPrefix: str('letterPrefix') };
}

async function readSettings(tx: ScopedTx): Promise<TenantSettings> {
  const [row] = await tx.query<{ mailing: unknown }>(`SELECT settings->'mailing' AS mailing FROM tenant_settings WHERE municipality_code = app_tenant_code()`);
  return {
    mailing: mailingFrom(row?.mailing), clinicFileEntry: await clinicFileEntryMode(tx), passwordPolicy: await readPasswordPolicy(tx),
    accessDigestMinutes: await digestMinutes(tx),
  };
}

/** The actor's municipality's settings (settings.manage; the read is audited like any other). */
export async function tenantSettings(db: Database, actor: Actor): Promise<TenantSettings> {
  return perform(db, actor, { permission: 'settings.manage', action: 'settings.view' }, ({ tx }) => readSettings(tx));
}

/** Replaces the letterhead settings; the audit entry holds before and after (no personal data in them). */
export async function setMailingSettings(db: Database, actor: Actor, raw: Partial<Record<keyof MailingSettings, string>>): Promise<MailingSettings> {
  const after = parseMailingSettings(raw);
  return perform(db, actor, { permission: 'settings.manage', action: 'settings.mailing', detail: { after } }, async ({ tx, note }) => {
    const before = (await readSettings(tx)).mailing;
    await tx.query(
      `UPDATE tenant_settings SET settings = jsonb_set(settings, '{mailing}', $1::jsonb), updated_at = now() WHERE municipality_code = app_tenant_code()`,
      [JSON.stringify(after)],
    );
    note({ before });
    return after;
  });
}

/** Whether clinic submission files enter as provisional (second check needed, the default) or confirmed. */
export async function setClinicFileEntry(db: Database, actor: Actor, mode: string): Promise<ClinicFileEntry> {
  if (!isClinicFileEntry(mode)) throw new SettingsInputError('clinicFileEntry', '医療機関ファイルの登録方法を選んでください (choose how clinic files are entered)');
  return perform(db, actor, { permission: 'settings.manage', action: 'settings.clinic_file_entry', detail: { after: mode } }, async ({ tx, note }) => {
    note({ before: await clinicFileEntryMode(tx) });
    await tx.query(
      `UPDATE tenant_settings SET settings = jsonb_set(settings, '{records}', coalesce(settings->'records', '{}'::jsonb) || jsonb_build_object('clinicFileEntry', $1::text)),
              updated_at = now() WHERE municipality_code = app_tenant_code()`,
      [mode],
    );
    return mode;
  });
}

/** How often the access digest (LOG-06) is made, in whole minutes within its bounds. */
export async function setAccessDigestMinutes(db: Database, actor: Actor, raw: string): Promise<number> {
  const v = raw.trim();
  const minutes = /^[0-9]{1,4}$/.test(v) ? Number(v) : Number.NaN;
  if (!(minutes >= MIN_DIGEST_MINUTES && minutes <= MAX_DIGEST_MINUTES)) {
    throw new SettingsInputError('accessDigestMinutes', `ダイジェストの間隔は${MIN_DIGEST_MINUTES}〜${MAX_DIGEST_MINUTES}分の整数で入力してください (a whole number of minutes, ${MIN_DIGEST_MINUTES}–${MAX_DIGEST_MINUTES})`);
  }
  return perform(db, actor, { permission: 'settings.manage', action: 'settings.access_digest', detail: { after: minutes } }, async ({ tx, note }) => {
    note({ before: await digestMinutes(tx) });
    await tx.query(
      `UPDATE tenant_settings SET settings = jsonb_set(settings, '{accessDigestMinutes}', to_jsonb($1::int)), updated_at = now() WHERE municipality_code = app_tenant_code()`,
      [minutes],
    );
    return minutes;
  });
}

/** The password policy from form text: whole numbers within the policy's bounds (validatePolicy). */
export async function setPasswordPolicyFromForm(
  db: Database,
  actor: Actor,
  raw: { minLength: string; requireClasses: string; historyCount: string; maxAgeDays: string },
): Promise<PasswordPolicy> {
  const int = (field: string, v: string): number => {
    if (!/^[0-9]{1,4}$/.test(v.trim())) throw new SettingsInputError(field, `${field}: 整数で入力してください (a whole number)`);
    return Number(v.trim());
  };
  const policy: PasswordPolicy = {
    minLength: int('minLength', raw.minLength),
    requireClasses: int('requireClasses', raw.requireClasses),
    historyCount: int('historyCount', raw.historyCount),
    maxAgeDays: raw.maxAgeDays.trim() === '' ? null : int('maxAgeDays', raw.maxAgeDays),
  };
  try {
    return await setPasswordPolicy(db, actor, policy);
  } catch (err) {
    if (err instanceof PasswordPolicyError) throw new SettingsInputError('passwordPolicy', `パスワード規則の値が範囲外です (${err.message})`);
    throw err;
  }
}
