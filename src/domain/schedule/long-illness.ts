// 長期療養特例 (予防接種法施行令 §1の3②, 施行規則 §2の ほか): a person who, while in the target age,
// could not be vaccinated because of a long illness (重篤な疾病, 臓器移植後の免疫抑制 …) may receive
// the routine vaccination until `years` after the day the special circumstance ceased
// (当該特別の事情がなくなった日から起算して2年 — 1年 for B類 高齢者肺炎球菌 and 帯状疱疹), but not
// beyond the age caps (BCG 4歳, Hib 10歳, 小児用肺炎球菌 6歳, 四種/五種混合 15歳 — "…に達するまで").
// Not applicable to ロタ, インフルエンザ, 新型コロナ (their rules omit `longIllness`).
//
// Implemented reading (docs/schedule.md): each eligibility window that overlaps an illness period
// is extended to end on max(window end, min(cease + years − 1 day, cap)). The start of the window
// does not move; per-dose path limits (e.g. Hib 初回 by 12 months) and minimum intervals still apply.
import { reachMonths, type Day } from '../dates.ts';

/**
 * Extends merged, sorted windows (flat [from, until, from, until, …]) in place semantics: returns
 * a new flat array (merged again). `illness` is flat [from, ceased, …]. `cap` is the last eligible
 * day by age cap (OPEN_END when none).
 */
export function extendForLongIllness(windows: readonly number[], illness: readonly number[], years: number, cap: Day): number[] {
  if (illness.length === 0 || windows.length === 0) return windows as number[];
  const out: number[] = [];
  for (let i = 0; i < windows.length; i += 2) {
    const a = windows[i] as number;
    let b = windows[i + 1] as number;
    for (let j = 0; j < illness.length; j += 2) {
      const f = illness[j] as number;
      const t = illness[j + 1] as number;
      if (f <= b && t >= a) {
        // "t から起算して N年を経過する日": t counts as day one (民法143条), i.e. the day before the
        // same-numbered day N years later — the same arithmetic as reaching an age.
        const ext = Math.min(reachMonths(t, 12 * years), cap);
        if (ext > b) b = ext;
      }
    }
    const lastEnd = out.length > 0 ? (out[out.length - 1] as number) : Number.NEGATIVE_INFINITY;
    if (out.length > 0 && a <= lastEnd + 1) {
      if (b > lastEnd) out[out.length - 1] = b;
    } else {
      out.push(a, b);
    }
  }
  return out;
}
