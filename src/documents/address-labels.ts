// 宛名シール: one label per envelope (per 宛名番号), in postal-code order, on A4 label sheets:
//   12 per sheet: 2 × 6 of 86.4 mm × 42.3 mm (18.6 mm side, 21.6 mm top margin);
//   24 per sheet: 3 × 8 of 70 mm × 33.9 mm (no side margin, 12.9 mm top margin).
// A label: 〒 postcode, address (up to 3 lines, shrunk when long), the addressee 「氏名 様」 and for
// children the guardian 「保護者 氏名 様」 above it, and the 宛名番号 small in the corner for
// matching envelopes to contents.
import type { FontFiles } from './fonts.ts';
import { postcodeText } from './jp-calendar.ts';
import type { MailingAddressee } from './mailing.ts';
import { type Doc, mm, type PdfFileWriter } from './pdf-file.ts';
import { fontFor } from './pdf-fonts.ts';
import { fittedLine, line, wrapped } from './pdf-text.ts';

export interface LabelSheet {
  perSheet: 12 | 24;
  columns: number;
  rows: number;
  width: number;
  height: number;
  left: number;
  top: number;
  pad: number;
  nameSize: number;
  addressSize: number;
}

export const LABEL_SHEETS: Record<12 | 24, LabelSheet> = {
  12: { perSheet: 12, columns: 2, rows: 6, width: mm(86.4), height: mm(42.3), left: mm(18.6), top: mm(21.6), pad: mm(5), nameSize: 13, addressSize: 10 },
  24: { perSheet: 24, columns: 3, rows: 8, width: mm(70), height: mm(33.9), left: 0, top: mm(12.9), pad: mm(4), nameSize: 11, addressSize: 8.5 },
};

/** Draws persons' labels in the order given (the caller sorts by postcode). */
export async function renderAddressLabels(w: PdfFileWriter, persons: readonly MailingAddressee[], perSheet: 12 | 24, fonts: FontFiles): Promise<void> {
  const sheet = LABEL_SHEETS[perSheet];
  for (let i = 0; i < persons.length; i++) {
    const slot = i % sheet.perSheet;
    if (slot === 0) await w.addPage();
    const x = sheet.left + (slot % sheet.columns) * sheet.width;
    const y = sheet.top + Math.floor(slot / sheet.columns) * sheet.height;
    drawLabel(w.doc, persons[i] as MailingAddressee, x, y, sheet, fonts);
  }
}

function drawLabel(doc: Doc, p: MailingAddressee, x: number, y: number, s: LabelSheet, fonts: FontFiles): void {
  const inner = s.width - 2 * s.pad;
  let at = y + s.pad;
  const postcode = postcodeText(p.postcode);
  if (postcode) line(doc, 'gothic', s.addressSize, postcode, x + s.pad, at);
  at += s.addressSize + 3;
  at += wrapped(doc, fontFor(fonts, p.address, 'mincho'), s.addressSize, p.address, x + s.pad, at, inner, p.guardianName ? 2 : 3) + 3;
  if (p.guardianName) {
    const g = `保護者\u3000${p.guardianName}\u3000様`;
    fittedLine(doc, fontFor(fonts, g, 'mincho'), s.addressSize, 5, g, x + s.pad, at, inner, { align: 'right' });
    at += s.addressSize + 3;
  }
  const name = `${p.name}\u3000様`;
  fittedLine(doc, fontFor(fonts, name, 'mincho'), s.nameSize, 6, name, x + s.pad, at, inner, { align: 'right' });
  line(doc, 'gothic', 5.5, p.addressNumber, x + s.pad, y + s.height - s.pad - 2, { color: '#666666' });
}
