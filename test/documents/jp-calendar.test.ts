import { describe, expect, it } from 'vitest';
import { ageText, bothCalendars, postcodeText } from '../../src/documents/jp-calendar.ts';

describe('document dates', () => {
  it('prints 西暦 and 和暦', () => {
    expect(bothCalendars('2019-05-01')).toBe('2019年5月1日（令和元年5月1日）');
  });

  it('gives children years and months, held from the day before the monthly birthday', () => {
    expect(ageText('2024-06-15', '2025-03-13')).toBe('0歳8か月');
    expect(ageText('2024-06-15', '2025-03-14')).toBe('0歳9か月'); // 9 months reached on 3/14
    expect(ageText('2024-01-31', '2024-02-29')).toBe('0歳1か月'); // no 31st: last day of the month
    expect(ageText('2020-04-02', '2025-04-01')).toBe('5歳0か月');
    expect(ageText('1958-03-01', '2025-04-01')).toBe('67歳');
    expect(ageText('2025-05-01', '2025-04-01')).toBe('');
  });

  it('formats postcodes', () => {
    expect(postcodeText('9591234')).toBe('〒959-1234');
    expect(postcodeText(null)).toBe('');
  });
});
