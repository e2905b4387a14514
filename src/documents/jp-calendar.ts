// Dates and ages as Japanese documents print them.
import { ageInYearsOn, reachMonths, toDay } from '../domain/dates.ts';
import { toJapaneseEraDate } from '../domain/jp-date-parse.ts';

/** 西暦 and 和暦, e.g. 2025年3月15日（令和7年3月15日）. */
export function bothCalendars(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const western = `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日`;
  const era = toJapaneseEraDate(iso);
  return era ? `${western}（${era}）` : western;
}

/** 和暦 only (letters are dated this way), e.g. 令和7年4月1日; the ISO text when outside the eras. */
export function eraDate(iso: string): string {
  return toJapaneseEraDate(iso) ?? iso;
}

/**
 * Age on a day under 年齢計算ニ関スル法律 (an age is held from the day before the birthday):
 * 「1歳3か月」 for children under 18, 「67歳」 otherwise; '' before birth.
 */
export function ageText(birthIso: string, onIso: string): string {
  const birth = toDay(birthIso);
  const on = toDay(onIso);
  const years = ageInYearsOn(birth, on);
  if (years < 0) return '';
  if (years >= 18) return `${years}歳`;
  let months = years * 12;
  while (reachMonths(birth, months + 1) <= on) months++;
  return `${years}歳${months - years * 12}か月`;
}

/** 〒123-4567 from 7 digits; '' when unknown. */
export function postcodeText(postcode: string | null): string {
  return postcode && /^\d{7}$/.test(postcode) ? `〒${postcode.slice(0, 3)}-${postcode.slice(3)}` : '';
}
