// Fonts inside a pdfkit document. Every document registers the same four names; pdfkit opens a
// registered font only when text first uses it, so IPAmj Mincho (46 MB) is embedded only in
// documents where some name needs it.
//
// The parsed fonts are kept for the process: pdfkit accepts a fontkit font object in place of
// the file (PDFFontFactory.open), and fontkit parses tables (cmap, GSUB, glyph metrics) lazily
// and keeps them, so the second and later documents skip that work. With IPAmj this took a
// certificate (予防接種済証) from 0.6–1 s to about 40 ms. Each document still gets its own subset.
import { createRequire } from 'node:module';
import type PDFDocument from 'pdfkit';
import { type FontFiles, fontBytes, missingGlyphs } from './fonts.ts';

export type PdfFont = 'gothic' | 'mincho' | 'mj' | 'ocrb';

type Doc = InstanceType<typeof PDFDocument>;

/** The fontkit that pdfkit itself loads (its dependency), for parsing fonts once. */
interface Fontkit {
  create(data: Buffer): { layout: (text: string) => unknown };
}
const fontkit = createRequire(createRequire(import.meta.url).resolve('pdfkit'))('fontkit') as Fontkit;

const parsed = new Map<string, ReturnType<Fontkit['create']>>();

function parsedFont(file: string): ReturnType<Fontkit['create']> {
  let font = parsed.get(file);
  if (!font) {
    font = fontkit.create(fontBytes(file));
    parsed.set(file, font);
  }
  return font;
}

export function registerFonts(doc: Doc, files: FontFiles): void {
  for (const name of ['gothic', 'mincho', 'mj', 'ocrb'] as const) {
    // @types/pdfkit lists only file sources; pdfkit takes any object with a layout() function
    doc.registerFont(name, parsedFont(files[name]) as unknown as Buffer);
  }
}

/** The IPAex font asked for, or IPAmj Mincho when the text has a character IPAex lacks (𠮷). */
export function fontFor(files: FontFiles, text: string, base: 'gothic' | 'mincho'): PdfFont {
  return missingGlyphs(files[base], text).length === 0 ? base : 'mj';
}
