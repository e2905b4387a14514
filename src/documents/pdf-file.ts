// One pdfkit document written to a file (or a Buffer), with the page count and the shared setup:
// A4, no margins (every renderer places its text absolutely), fonts registered, and a creation
// date taken from the batch's issue date so that printing the same batch again gives the same
// document. A file is written as NAME.part and renamed when complete, so a failed run never
// leaves a truncated PDF that looks finished.
import { once } from 'node:events';
import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import type { FontFiles } from './fonts.ts';
import { registerFonts } from './pdf-fonts.ts';

export type Doc = InstanceType<typeof PDFDocument>;

export interface PdfMeta {
  title: string;
  author: string;
  issuedOn: string; // ISO date
}

export const A4 = { width: 595.28, height: 841.89 } as const;

/** Millimetres to PDF points. */
export const mm = (n: number): number => (n * 72) / 25.4;

function newDocument(meta: PdfMeta, fonts: FontFiles): Doc {
  const created = new Date(`${meta.issuedOn}T00:00:00Z`);
  const doc = new PDFDocument({
    autoFirstPage: false,
    size: 'A4',
    margin: 0,
    info: { Title: meta.title, Author: meta.author, Creator: 'sesshu', CreationDate: Number.isNaN(created.getTime()) ? new Date(0) : created },
  });
  registerFonts(doc, fonts);
  return doc;
}

export interface PdfFileWriter {
  doc: Doc;
  /**
   * Starts a page. Every few pages it yields to the event loop so that the file stream writes
   * what pdfkit produced: rendering is synchronous, and without this a whole batch would sit in
   * memory until the end (20,000 予診票: 1.2 GB).
   */
  addPage(): Promise<void>;
  /** Ends the document, waits until it is on disk under its final name; resolves to the page count. */
  finish(): Promise<number>;
  /** Drops the partial file (after a rendering error). */
  abort(): void;
}

/** Pages between yields to the event loop (see addPage). */
const YIELD_PAGES = 16;
/** Pages between resets of pdfkit's text layout caches. */
const LAYOUT_CACHE_PAGES = 250;

/**
 * pdfkit caches the layout of every distinct text run per font for the life of the document; in a
 * batch most runs are distinct (names, addresses, numbers), so the cache grew by about 50 KB a page
 * (20,000 予診票: 1.2 GB peak). Emptying it now and then bounds memory; runs that repeat are laid
 * out again once per period. The cache is pdfkit's internal `layoutCache` on each opened font.
 */
function resetLayoutCaches(doc: Doc): void {
  const families = (doc as unknown as { _fontFamilies?: Record<string, { layoutCache?: Record<string, unknown> }> })._fontFamilies ?? {};
  for (const font of Object.values(families)) if (font.layoutCache) font.layoutCache = Object.create(null) as Record<string, unknown>;
}

export function openPdfFile(file: string, meta: PdfMeta, fonts: FontFiles): PdfFileWriter {
  const doc = newDocument(meta, fonts);
  const part = `${file}.part`;
  const out = fs.createWriteStream(part);
  const written = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  written.catch(() => undefined); // observed in finish(); avoid an unhandled rejection before that
  doc.pipe(out);
  let pages = 0;
  return {
    doc,
    async addPage() {
      if (pages > 0 && pages % LAYOUT_CACHE_PAGES === 0) resetLayoutCaches(doc);
      if (pages > 0 && pages % YIELD_PAGES === 0) {
        if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), written]);
        else await new Promise((resolve) => setImmediate(resolve));
      }
      doc.addPage({ size: 'A4', margin: 0 });
      pages++;
    },
    async finish() {
      doc.end();
      await written;
      fs.renameSync(part, file);
      return pages;
    },
    abort() {
      out.destroy();
      fs.rmSync(part, { force: true });
    },
  };
}

/** Renders a small document in memory (a single letter). */
export async function renderPdfBuffer(meta: PdfMeta, fonts: FontFiles, draw: (doc: Doc) => void): Promise<Buffer> {
  const doc = newDocument(meta, fonts);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.addPage({ size: 'A4', margin: 0 });
  draw(doc);
  doc.end();
  return done;
}
