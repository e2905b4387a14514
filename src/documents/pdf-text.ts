// Text placement helpers for absolutely positioned forms. Single lines go through pdfkit with
// lineBreak: false, which skips its line wrapper (the slow part of doc.text); alignment is done
// here from the measured width.
import type { Doc } from './pdf-file.ts';
import type { PdfFont } from './pdf-fonts.ts';

export interface LineOptions {
  /** Box width for alignment; the text is not wrapped. */
  width?: number;
  align?: 'left' | 'center' | 'right';
  color?: string;
}

/** One line of text with its top at y. */
export function line(doc: Doc, font: PdfFont, size: number, text: string, x: number, y: number, opts: LineOptions = {}): void {
  if (text === '') return;
  doc.font(font).fontSize(size).fillColor(opts.color ?? '#000000');
  let left = x;
  if (opts.width !== undefined && opts.align && opts.align !== 'left') {
    const free = opts.width - doc.widthOfString(text);
    left = x + (opts.align === 'center' ? free / 2 : free);
  }
  doc.text(text, left, y, { lineBreak: false });
}

/** The largest size ≤ max (down to min) at which text fits in width. */
export function fitSize(doc: Doc, font: PdfFont, text: string, max: number, min: number, width: number): number {
  doc.font(font).fontSize(max);
  const w = doc.widthOfString(text);
  if (w <= width) return max;
  return Math.max(min, Math.floor(((max * width) / w) * 10) / 10);
}

/** One line shrunk to fit its box (long foreign names, long addresses on stickers). */
export function fittedLine(doc: Doc, font: PdfFont, max: number, min: number, text: string, x: number, y: number, width: number, opts: Omit<LineOptions, 'width'> = {}): number {
  const size = fitSize(doc, font, text, max, min, width);
  line(doc, font, size, text, x, y, { ...opts, width });
  return size;
}

/** Wrapped text in a box of at most maxLines lines (addresses); returns the height used. */
export function wrapped(doc: Doc, font: PdfFont, size: number, text: string, x: number, y: number, width: number, maxLines: number): number {
  if (text === '') return 0;
  doc.font(font).fontSize(size).fillColor('#000000');
  // most addresses fit one line: skip pdfkit's line wrapper (costly for Japanese text) then
  if (doc.widthOfString(text) <= width) {
    doc.text(text, x, y, { lineBreak: false });
    return doc.currentLineHeight(true);
  }
  const height = doc.currentLineHeight(true) * maxLines;
  doc.text(text, x, y, { width, height, ellipsis: true, lineGap: 0 });
  return Math.min(height, doc.heightOfString(text, { width }));
}

/** A small empty check box (□) with its top-left at x, y. */
export function checkBox(doc: Doc, x: number, y: number, side = 7): void {
  doc.lineWidth(0.6).rect(x, y, side, side).stroke('#000000');
}
