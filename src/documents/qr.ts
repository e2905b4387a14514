// QR codes drawn as vector rectangles (sharp at any printer resolution, no image decoding).
// Error correction M: 18 digits fit version 1 (21 × 21 modules).
import QRCode from 'qrcode';
import type { Doc } from './pdf-file.ts';

/** The dark modules of text's QR code, row by row (size × size, true = dark). */
export function qrMatrix(text: string): { size: number; dark: (row: number, col: number) => boolean } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return { size: modules.size, dark: (row, col) => modules.data[row * modules.size + col] === 1 };
}

/**
 * Draws the code with its top-left at x, y, `side` points wide including the 4-module quiet zone
 * the standard asks for. Each row's runs of dark modules become one rectangle, filled at once.
 */
export function drawQr(doc: Doc, text: string, x: number, y: number, side: number): void {
  const { size, dark } = qrMatrix(text);
  const unit = side / (size + 8);
  const ox = x + 4 * unit;
  const oy = y + 4 * unit;
  for (let r = 0; r < size; r++) {
    let c = 0;
    while (c < size) {
      if (!dark(r, c)) {
        c++;
        continue;
      }
      const start = c;
      while (c < size && dark(r, c)) c++;
      // a hair of overlap so that anti-aliased viewers show no seams between rows
      doc.rect(ox + start * unit, oy + r * unit, (c - start) * unit, unit + 0.01);
    }
  }
  doc.fill('#000000');
}
