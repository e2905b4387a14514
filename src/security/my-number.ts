// My Number (個人番号): parsing, check digit, masking, synthetic test numbers.
// Pure: no I/O, no clock. Nothing here ever puts the number into a message.
// control: DATA-06 (check digit), AC-04 (masked by default, never in messages)
import { createHash } from 'node:crypto';

declare const myNumberBrand: unique symbol;
/** Twelve ASCII digits with a valid check digit. Obtain one only via parseMyNumber. */
export type MyNumber = string & { readonly [myNumberBrand]: true };

export type MyNumberFailureReason = 'empty' | 'invalid_characters' | 'wrong_length' | 'check_digit';

export interface LocalisedMessage {
  readonly ja: string;
  readonly en: string;
}

export type MyNumberParseResult =
  | { readonly ok: true; readonly value: MyNumber }
  | { readonly ok: false; readonly reason: MyNumberFailureReason; readonly message: LocalisedMessage };

// Messages are fixed strings: they never echo the input (AC-04).
export const MY_NUMBER_MESSAGES: Readonly<Record<MyNumberFailureReason, LocalisedMessage>> = {
  empty: { ja: '個人番号が入力されていません。', en: 'My Number is empty.' },
  invalid_characters: {
    ja: '個人番号には数字のみを入力してください（空白・ハイフンは可）。',
    en: 'My Number may contain only digits (spaces and hyphens are ignored).',
  },
  wrong_length: { ja: '個人番号は12桁で入力してください。', en: 'My Number must be exactly 12 digits.' },
  check_digit: {
    ja: '個人番号の検査用数字が一致しません。入力内容を確認してください。',
    en: 'My Number check digit does not match; please check the number.',
  },
};

/** The fixed mask shown wherever a My Number exists but may not be displayed. */
export const MASKED_MY_NUMBER = '************';

// Separators people type between digit groups: ASCII/ideographic space, tab, NBSP and the hyphen
// look-alikes a Japanese IME produces (including ー, a common mistake for a hyphen).
const SEPARATORS = /[ \t\u00A0\u3000\-\u2010\u2011\u2012\u2013\u2014\u2212\uFF0D\u30FC\uFF70]/gu;
// Generous cap so that a pasted blob is rejected before any further work.
const MAX_INPUT_CHARS = 64;

function toAsciiDigits(s: string): string {
  return s.replace(/[０-９]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/**
 * Check digit for the first 11 digits (番号法施行令 第8条).
 * P_n is the n-th digit counted from the right of the 11, Q_n = n+1 (n ≤ 6) or n−5 (n ≥ 7);
 * r = Σ P_n·Q_n mod 11; check = 0 if r ≤ 1, else 11 − r.
 */
export function myNumberCheckDigit(first11: string): number {
  if (!/^[0-9]{11}$/u.test(first11)) throw new RangeError('check digit needs exactly 11 ASCII digits');
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = first11.charCodeAt(11 - n) - 48;
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

function fail(reason: MyNumberFailureReason): MyNumberParseResult {
  return { ok: false, reason, message: MY_NUMBER_MESSAGES[reason] };
}

/**
 * Normalise and validate user input: full-width digits are accepted, spaces and hyphens dropped.
 * The failure carries a fixed bilingual message and never the input.
 */
export function parseMyNumber(input: unknown): MyNumberParseResult {
  if (typeof input !== 'string') return fail('empty');
  if (input.length > MAX_INPUT_CHARS) return fail('wrong_length');
  const compact = toAsciiDigits(input).replace(SEPARATORS, '');
  if (compact.length === 0) return fail('empty');
  if (!/^[0-9]+$/u.test(compact)) return fail('invalid_characters');
  if (compact.length !== 12) return fail('wrong_length');
  if (myNumberCheckDigit(compact.slice(0, 11)) !== compact.charCodeAt(11) - 48) return fail('check_digit');
  return { ok: true, value: compact as MyNumber };
}

export function isValidMyNumber(input: unknown): input is MyNumber {
  return typeof input === 'string' && /^[0-9]{12}$/u.test(input) && parseMyNumber(input).ok;
}

/**
 * Mask for display. Decision: always the full, constant mask — no trailing digits — so a masked
 * value reveals nothing about the number (not even which of two numbers it is). Returns '' when
 * there is no number, so "registered / not registered" stays visible.
 */
export function maskMyNumber(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '' : MASKED_MY_NUMBER;
}

/**
 * Deterministic, check-digit-valid numbers for tests and the demo city. They are indistinguishable
 * from real numbers by construction, so use them only in synthetic data sets.
 */
export function syntheticMyNumber(seed: string, index = 0): MyNumber {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError('index must be a non-negative integer');
  const digest = createHash('sha256').update(`sesshu.synthetic-my-number\u0000${seed}\u0000${index}`).digest();
  let body = '';
  for (let i = 0; body.length < 11; i++) body += String((digest[i] ?? 0) % 10);
  return `${body}${myNumberCheckDigit(body)}` as MyNumber;
}

export function syntheticMyNumbers(seed: string, count: number): MyNumber[] {
  const out: MyNumber[] = [];
  for (let i = 0; i < count; i++) out.push(syntheticMyNumber(seed, i));
  return out;
}
