// Fonts inside a pdfkit document. Every document registers the same four names; pdfkit opens a
// registered font only when text first uses it, so IPAmj Mincho (46 MB) is parsed and embedded only
// in documents where some name needs it, and the bytes come from the per-process cache of fontBytes.
import type PDFDocument from 'pdfkit';
import { type FontFiles, fontBytes, missingGlyphs } from './fonts.ts';

export type PdfFont = 'gothic' | 'mincho' | 'mj' | 'ocrb';

type Doc = InstanceType<typeof PDFDocument>;

export function registerFonts(doc: Doc, files: FontFiles): void {
  doc.registerFont('gothic', fontBytes(files.gothic));
  doc.registerFont('mincho', fontBytes(files.mincho));
  doc.registerFont('mj', fontBytes(files.mj));
  doc.registerFont('ocrb', fontBytes(files.ocrb));
}

/** The IPAex font asked for, or IPAmj Mincho when the text has a character IPAex lacks (𠮷). */
export function fontFor(files: FontFiles, text: string, base: 'gothic' | 'mincho'): PdfFont {
  return missingGlyphs(files[base], text).length === 0 ? base : 'mj';
}
