// One pdfkit document written to a file (or a Buffer), with the page count and the shared setup:
// A4, no margins (every renderer places its text absolutely), fonts registered, and a creation
// date taken from the batch's issue date so that printing the same batch again gives the same
// document. A file is written as NAME.part and renamed when complete, so a failed run never
// leaves a truncated PDF that looks finished.
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
  addPage(): void;
  /** Ends the document, waits until it is on disk under its final name; resolves to the page count. */
  finish(): Promise<number>;
  /** Drops the partial file (after a rendering error). */
  abort(): void;
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
    addPage() {
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
