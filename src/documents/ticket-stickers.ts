// 接種券 stickers: 63 mm × 34 mm, 3 × 8 = 24 per A4 sheet (10.5 mm side and 12.5 mm top margins,
// no gaps, the common die-cut layout). Each carries the municipality, vaccine and dose, the
// person's name, the 10-digit ticket number, the 18-digit OCR line in OCR-B at 10 pt (the 2.54 mm
// pitch readers expect) and a QR code holding the same 18 digits. Cut guides are drawn in light
// grey at the sheet edges only, so they never print on a sticker.
import { TICKET_KINDS } from '../modules/records/ticket-numbers.ts';
import type { FontFiles } from './fonts.ts';
import type { MailingBatchInfo, MailingItem } from './mailing.ts';
import { A4, type Doc, mm, type PdfFileWriter } from './pdf-file.ts';
import { fontFor } from './pdf-fonts.ts';
import { fittedLine, line } from './pdf-text.ts';
import { drawQr } from './qr.ts';

export const STICKER = { width: mm(63), height: mm(34), columns: 3, rows: 8, left: mm(10.5), top: mm(12.5) } as const;
export const STICKERS_PER_SHEET = STICKER.columns * STICKER.rows;
/** QR side including its quiet zone (29 modules of about 0.6 mm for version 1). */
export const QR_SIDE = mm(17);
const PAD = mm(2.5);


/** Top-left corner of sticker number i (0-based) on its sheet. */
export function stickerOrigin(i: number): { x: number; y: number } {
  const slot = i % STICKERS_PER_SHEET;
  return { x: STICKER.left + (slot % STICKER.columns) * STICKER.width, y: STICKER.top + Math.floor(slot / STICKER.columns) * STICKER.height };
}

export async function renderTicketStickers(w: PdfFileWriter, info: MailingBatchInfo, items: readonly MailingItem[], fonts: FontFiles): Promise<void> {
  let i = 0;
  for (const item of items) {
    if (!item.ticket) continue;
    if (i % STICKERS_PER_SHEET === 0) {
      await w.addPage();
      drawCutGuides(w.doc);
    }
    const { x, y } = stickerOrigin(i);
    drawSticker(w.doc, info, item, item.ticket, x, y, fonts);
    i++;
  }
}

function drawCutGuides(doc: Doc): void {
  doc.lineWidth(0.3).strokeColor('#aaaaaa');
  const right = STICKER.left + STICKER.columns * STICKER.width;
  const bottom = STICKER.top + STICKER.rows * STICKER.height;
  for (let c = 0; c <= STICKER.columns; c++) {
    const x = STICKER.left + c * STICKER.width;
    doc.moveTo(x, 0).lineTo(x, STICKER.top - 4).moveTo(x, bottom + 4).lineTo(x, A4.height);
  }
  for (let r = 0; r <= STICKER.rows; r++) {
    const y = STICKER.top + r * STICKER.height;
    doc.moveTo(0, y).lineTo(STICKER.left - 4, y).moveTo(right + 4, y).lineTo(A4.width, y);
  }
  doc.stroke();
}

function drawSticker(doc: Doc, info: MailingBatchInfo, item: MailingItem, ticket: NonNullable<MailingItem['ticket']>, x: number, y: number, fonts: FontFiles): void {
  const textWidth = STICKER.width - QR_SIDE - PAD - 2;
  const head = `${info.municipalityName}\u3000${TICKET_KINDS[ticket.kind] ?? '接種券'}`;
  fittedLine(doc, fontFor(fonts, head, 'gothic'), 6.5, 4.5, head, x + PAD, y + PAD, textWidth);
  const vaccine = `${item.vaccineName}\u3000第${item.doseNumber}回`;
  fittedLine(doc, 'gothic', 9, 5, vaccine, x + PAD, y + PAD + 10, textWidth);
  const name = `${item.person.name}\u3000様`;
  fittedLine(doc, fontFor(fonts, name, 'mincho'), 10, 5, name, x + PAD, y + PAD + 23, textWidth);
  line(doc, 'gothic', 6, '接種券番号', x + PAD, y + PAD + 38);
  line(doc, 'gothic', 9, ticket.ticketNumber, x + PAD + 32, y + PAD + 36);
  drawQr(doc, ticket.ocrLine, x + STICKER.width - QR_SIDE - 1, y + 1, QR_SIDE);
  line(doc, 'ocrb', 10, ticket.ocrLine, x, y + STICKER.height - PAD - 11, { width: STICKER.width, align: 'center' });
}
