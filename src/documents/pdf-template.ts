// Page templates as PDF Form XObjects: the fixed part of a form (frames, labels, the questions of
// a 予診票, the wording of a letter) is drawn once per document and every page refers to it with
// one `Do` operator. Most of a page's text is fixed, so this cuts the per-page work (text layout,
// content stream, compression) and the file size several times.
//
// pdfkit has no public API for Form XObjects; a template is recorded by pointing the current page's
// content stream and resource dictionary at the XObject while the usual drawing calls run (pdfkit
// writes operators to page.content and registers fonts in page.resources), then restoring them.
import type { Doc } from './pdf-file.ts';

/** The parts of pdfkit's page object that recording swaps (present at runtime, partly untyped). */
interface SwappablePage {
  width: number;
  height: number;
  content: PDFKit.PDFKitReference;
  resources: PDFKit.PDFKitReference;
  xobjects: Record<string, PDFKit.PDFKitReference>;
}

export interface PageTemplate {
  name: string;
  form: PDFKit.PDFKitReference;
}

/** Templates per document: names are numbered within a document so that output is reproducible. */
const templateCounts = new WeakMap<Doc, number>();

/** Records draw() into a new Form XObject the size of the current page (call right after addPage). */
export function recordTemplate(doc: Doc, draw: (doc: Doc) => void): PageTemplate {
  const page = doc.page as unknown as SwappablePage;
  const resources = doc.ref({ ProcSet: ['PDF', 'Text', 'ImageB', 'ImageC', 'ImageI'] });
  const form = doc.ref({ Type: 'XObject', Subtype: 'Form', BBox: [0, 0, page.width, page.height], Resources: resources });
  const saved = { content: page.content, resources: page.resources };
  page.content = form;
  page.resources = resources;
  try {
    // pdfkit draws in a y-down space: the page got this flip from addPage, the form needs its own
    doc.addContent(`1 0 0 -1 0 ${page.height} cm`);
    draw(doc);
  } finally {
    page.content = saved.content;
    page.resources = saved.resources;
  }
  form.end(null);
  resources.end(null);
  const n = (templateCounts.get(doc) ?? 0) + 1;
  templateCounts.set(doc, n);
  return { name: `Tpl${n}`, form };
}

/** Draws the template on the current page, under whatever is drawn after it. */
export function stampTemplate(doc: Doc, t: PageTemplate): void {
  const page = doc.page as unknown as SwappablePage;
  page.xobjects[t.name] = t.form;
  // undo the page's y-down flip: the form carries its own
  doc.addContent(`q 1 0 0 -1 0 ${page.height} cm /${t.name} Do Q`);
}
