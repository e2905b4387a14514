// What a leak scan looks for: a My Number anywhere in a page, response, PDF text or log line.
import { isValidMyNumber } from '../../src/security/my-number.ts';

// Request ids and record ids are random UUIDs; a run of their digits across the hyphens is a
// valid-looking 12-digit number about once in a few hundred runs, so they are removed first.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * Every My Number in `text`: any standalone 12-digit run with a valid check digit (full-width
 * digits included), and any of the `known` numbers written with spaces or hyphens between digits.
 */
export function myNumbersIn(text: string, known: ReadonlySet<string> = new Set()): string[] {
  const plain = text.normalize('NFKC').replace(UUID, ' ');
  const found = new Set<string>();
  for (const m of plain.matchAll(/(?<![0-9])[0-9]{12}(?![0-9])/g)) if (isValidMyNumber(m[0])) found.add(m[0]);
  for (const m of plain.matchAll(/[0-9](?:[ \-‐−][0-9]|[0-9])*/g)) {
    const digits = m[0].replace(/[^0-9]/g, '');
    for (let i = 0; i + 12 <= digits.length; i++) if (known.has(digits.slice(i, i + 12))) found.add(digits.slice(i, i + 12));
  }
  return [...found];
}
