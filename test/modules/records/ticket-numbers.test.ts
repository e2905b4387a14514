// Ticket numbers and the 18-digit OCR line: check digit (modulus 10, weights 3-1) and parsing.
// controls: DATA-02, AC-07
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildOcrLine, formatTicketNumber, isValidTicketNumber, parseOcrLine, ticketCheckDigit } from '../../../src/modules/records/ticket-numbers.ts';

const A = '152226'; // 上越市
const B = '112020'; // 熊谷市

describe('ticket check digit', () => {
  it('follows modulus 10 with weights 3-1 from the right', () => {
    // 000000001: 1×3 = 3 → 7
    expect(ticketCheckDigit('000000001')).toBe(7);
    // 123456789: 9·3+8·1+7·3+6·1+5·3+4·1+3·3+2·1+1·3 = 95 → 5
    expect(ticketCheckDigit('123456789')).toBe(5);
    expect(ticketCheckDigit('000000000')).toBe(0);
    expect(formatTicketNumber(1)).toBe('0000000017');
    expect(formatTicketNumber(123456789)).toBe('1234567895');
    expect(() => formatTicketNumber(0)).toThrow(RangeError);
    expect(() => formatTicketNumber(1_000_000_000)).toThrow(RangeError);
  });

  it('catches every single-digit error', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (serial, pos, add) => {
        const n = formatTicketNumber(serial);
        expect(isValidTicketNumber(n)).toBe(true);
        const wrong = n.slice(0, pos) + String((Number(n[pos]) + add) % 10) + n.slice(pos + 1);
        expect(isValidTicketNumber(wrong)).toBe(false);
      }),
    );
  });
});

describe('OCR line', () => {
  const ticket = formatTicketNumber(4321);
  const line = buildOcrLine({ kind: '1', doseNumber: 2, municipalityCode: A, ticketNumber: ticket });

  it('is 券種 + 回数 + municipality code + ticket number, 18 digits', () => {
    expect(line).toBe(`12${A}${ticket}`);
    expect(line).toHaveLength(18);
  });

  it('parses a valid line, also typed with full-width digits and spaces', () => {
    expect(parseOcrLine(line, A)).toEqual({ ok: true, kind: '1', doseNumber: 2, municipalityCode: A, ticketNumber: ticket });
    const wide = `１２ ${A.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))} ${ticket.slice(0, 5)}-${ticket.slice(5)}`;
    expect(parseOcrLine(wide, A)).toMatchObject({ ok: true, ticketNumber: ticket });
  });

  it('refuses the wrong length and non-digits', () => {
    expect(parseOcrLine(line.slice(0, 17), A)).toMatchObject({ ok: false, problem: 'length' });
    expect(parseOcrLine(`${line}0`, A)).toMatchObject({ ok: false, problem: 'length' });
    expect(parseOcrLine('', A)).toMatchObject({ ok: false, problem: 'length' });
    expect(parseOcrLine(`${line.slice(0, 17)}X`, A)).toMatchObject({ ok: false, problem: 'format' });
  });

  it('refuses another municipality with a clear message, before the check digit', () => {
    const other = buildOcrLine({ kind: '1', doseNumber: 1, municipalityCode: B, ticketNumber: ticket });
    const r = parseOcrLine(other, A);
    expect(r).toMatchObject({ ok: false, problem: 'other_municipality', municipalityCode: B });
    if (!r.ok) {
      expect(r.ja).toContain('他の市区町村');
      expect(r.en).toContain('belongs to another municipality');
    }
    // Even with a bad ticket check digit, the municipality is named first.
    expect(parseOcrLine(`11${B}${ticket.slice(0, 9)}${(Number(ticket[9]) + 1) % 10}`, A)).toMatchObject({ problem: 'other_municipality' });
  });

  it('refuses a misread municipality code and a bad ticket check digit', () => {
    expect(parseOcrLine(`11152227${ticket}`, A)).toMatchObject({ ok: false, problem: 'municipality_invalid' });
    const bad = `${line.slice(0, 17)}${(Number(line[17]) + 1) % 10}`;
    expect(parseOcrLine(bad, A)).toMatchObject({ ok: false, problem: 'check_digit' });
  });
});
