// The quiet birth ranges the selection leaves unread (Engine.quietBirths) must be exact: whoever is
// born on such a day, with any history, the forecast lists nothing for the criteria's span.
import { describe, expect, it } from 'vitest';
import { formatIsoDate, parseIsoDate } from '../../../src/domain/dates.ts';
import type { DoseRecord, Sex } from '../../../src/domain/schedule/index.ts';
import { scheduleEngine } from '../../../src/modules/schedule/contract.ts';
import { classify } from '../../../src/modules/selection/scan.ts';

// Histories that open windows the rule pack ties to earlier doses (HPV catch-up extension, 日本脳炎
// 特例) or that a data-entry slip could carry (a child's vaccine recorded on an adult).
const HISTORIES: DoseRecord[][] = [
  [],
  [{ vaccine: 'hpv', dose: 1, date: '2023-06-01', product: 'hpv9' }],
  [{ vaccine: 'je', dose: 1, date: '2004-05-10' }, { vaccine: 'je', dose: 2, date: '2004-05-20' }],
  [{ vaccine: 'mr', dose: 1, date: '2000-01-10' }, { vaccine: 'flu', dose: 1, date: '2024-10-20' }],
];

describe('quiet birth ranges', () => {
  for (const [asOf, withinDays] of [['2025-11-01', 0], ['2025-11-01', 60], ['2026-05-01', 0]] as const) {
    for (const sex of ['M', 'F'] as Sex[]) {
      it(`list nothing for ${sex} as of ${asOf} within ${withinDays} days, whatever the history`, () => {
        const engine = scheduleEngine();
        const through = formatIsoDate((parseIsoDate(asOf) ?? 0) + withinDays);
        const ranges = engine.quietBirths(sex, asOf, through, '1900-01-01');
        expect(ranges.length).toBeGreaterThan(0);
        const criteria = { asOf, vaccines: 'all' as const, ...(withinDays > 0 ? { withinDays } : {}) };
        const asOfDay = parseIsoDate(asOf) ?? 0;
        let checked = 0;
        for (const r of ranges) {
          const from = parseIsoDate(r.from) ?? 0;
          const to = parseIsoDate(r.through) ?? 0;
          // Every 37th day of the range, and its last day.
          for (let b = from; ; b = Math.min(b + 37, to)) {
            for (const history of HISTORIES) {
              const birth = formatIsoDate(b);
              const listed = engine.forecast({ birth, sex }, history.filter((d) => d.date > birth), asOf).next
                .filter((n) => classify(n, criteria, asOfDay) !== null);
              expect(listed, `${sex} born ${birth}`).toEqual([]);
              checked++;
            }
            if (b === to) break;
          }
        }
        expect(checked).toBeGreaterThan(1000);
      });
    }
  }
});
