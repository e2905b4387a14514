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
  // Written as raw operators in module units under one scaling matrix: about a quarter of the
  // bytes (and time) of pdfkit's rect() with page coordinates. pdfkit's page space is y-down, so
  // the rows run downwards here as well.
  const ops: string[] = [`q ${unit.toFixed(4)} 0 0 ${unit.toFixed(4)} ${(x + 4 * unit).toFixed(3)} ${(y + 4 * unit).toFixed(3)} cm 0 g`];
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
      ops.push(`${start} ${r} ${c - start} 1.02 re`);
    }
  }
  ops.push('f Q');
  doc.addContent(ops.join(' '));
}
