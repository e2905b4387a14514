// Mailing PDF throughput: pages/s for each document kind of a batch of N items (default 2,000),
// end to end per batch kind (printMailingBatch), and a baseline measured in the same run: pdfkit
// writing the same number of pages with one line of Helvetica each. Also CPU time (the machine
// may be shared) and peak RSS. Run: npx tsx bench/print.bench.ts [--items N] [--runs R]
// Prints ONE JSON object.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { renderAddressLabels } from '../src/documents/address-labels.ts';
import { locateFonts } from '../src/documents/fonts.ts';
import type { MailingBatchInfo, MailingItem } from '../src/documents/mailing.ts';
import { byAddressee, inPostcodeOrder } from '../src/documents/mailing-order.ts';
import { openPdfFile, type PdfFileWriter } from '../src/documents/pdf-file.ts';
import { printMailingBatch } from '../src/documents/print-batch.ts';
import { renderQuestionnaires } from '../src/documents/questionnaire.ts';
import { renderReminderLetters } from '../src/documents/reminder-letter.ts';
import { renderTicketStickers } from '../src/documents/ticket-stickers.ts';
import { sampleInfo, sampleItems } from '../test/documents/sample-mailing.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}
const ITEMS = arg('--items', 2000);
const RUNS = arg('--runs', 2);
const GOAL = 200;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-print-bench-'));
const fonts = locateFonts();

interface Measured {
  pages: number;
  wallMs: number;
  cpuMs: number;
  bytes: number;
}

/** Best of RUNS by wall time. */
async function measure(run: () => Promise<{ pages: number; bytes: number }>): Promise<Measured> {
  let best: Measured | null = null;
  for (let r = 0; r < RUNS; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { pages, bytes } = await run();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const m = { pages, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, bytes };
    if (!best || m.wallMs < best.wallMs) best = m;
  }
  return best as Measured;
}

const report = (m: Measured, perPage = 1): Record<string, number> => ({
  pages: m.pages,
  ...(perPage > 1 ? { itemsPerSec: Math.round(((ITEMS / m.wallMs) * 1000)), itemsPerPage: perPage } : {}),
  pagesPerSec: Math.round((m.pages / m.wallMs) * 1000),
  pagesPerCpuSec: Math.round((m.pages / m.cpuMs) * 1000),
  wallMs: Math.round(m.wallMs),
  cpuMs: Math.round(m.cpuMs),
  bytesPerPage: Math.round(m.bytes / Math.max(1, m.pages)),
});

async function one(name: string, draw: (w: PdfFileWriter) => Promise<void>, info: MailingBatchInfo): Promise<{ pages: number; bytes: number }> {
  const file = path.join(dir, `${name}.pdf`);
  const w = openPdfFile(file, { title: name, author: info.municipalityName, issuedOn: info.issuedOn }, fonts);
  await draw(w);
  const pages = await w.finish();
  return { pages, bytes: fs.statSync(file).size };
}

// Warm-up (reads and parses the fonts once per process, compiles the code paths); timed apart.
const cold0 = performance.now();
await printMailingBatch(sampleInfo('notice'), sampleItems(8), path.join(dir, 'warm'), { labelsPerSheet: 12 });
const coldStartMs = Math.round(performance.now() - cold0);

const noticeInfo = sampleInfo('notice');
const reminderInfo = sampleInfo('reminder');
const items: MailingItem[] = inPostcodeOrder(sampleItems(ITEMS), (i) => i.person);
const reminderItems = sampleItems(ITEMS, { tickets: false });
const envelopes = byAddressee(items);

const kinds = {
  questionnaire: await measure(() => one('questionnaire', (w) => renderQuestionnaires(w, noticeInfo, items, fonts), noticeInfo)),
  tickets: await measure(() => one('tickets', (w) => renderTicketStickers(w, noticeInfo, items, fonts), noticeInfo)),
  reminder: await measure(() => one('reminder', (w) => renderReminderLetters(w, reminderInfo, envelopes, fonts), reminderInfo)),
  labels12: await measure(() => one('labels12', (w) => renderAddressLabels(w, envelopes.map((g) => (g[0] as MailingItem).person), 12, fonts), noticeInfo)),
  labels24: await measure(() => one('labels24', (w) => renderAddressLabels(w, envelopes.map((g) => (g[0] as MailingItem).person), 24, fonts), noticeInfo)),
};

const batch = async (info: MailingBatchInfo, src: MailingItem[], sub: string): Promise<{ pages: number; bytes: number }> => {
  const files = await printMailingBatch(info, src, path.join(dir, sub), { labelsPerSheet: 12 });
  return { pages: files.reduce((a, f) => a + f.pages, 0), bytes: files.reduce((a, f) => a + fs.statSync(f.path).size, 0) };
};
const batches = {
  notice: await measure(() => batch(noticeInfo, sampleItems(ITEMS), 'notice')),
  reminder: await measure(() => batch(reminderInfo, reminderItems, 'reminder')),
};

const baseline = await measure(
  () =>
    new Promise((resolve, reject) => {
      const file = path.join(dir, 'baseline.pdf');
      const doc = new PDFDocument({ autoFirstPage: false, size: 'A4', margin: 0 });
      const out = fs.createWriteStream(file);
      out.on('finish', () => resolve({ pages: ITEMS, bytes: fs.statSync(file).size }));
      out.on('error', reject);
      doc.pipe(out);
      for (let i = 0; i < ITEMS; i++) doc.addPage().font('Helvetica').fontSize(12).text(`Page ${i + 1}`, 72, 72, { lineBreak: false });
      doc.end();
    }),
);

const q = report(kinds.questionnaire);
const result = {
  bench: 'print-mailing',
  node: process.version,
  cpus: os.cpus().length,
  loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  items: ITEMS,
  runs: RUNS,
  coldStartMs,
  kinds: {
    questionnaire: q,
    reminder: report(kinds.reminder),
    // sheets carry 24 stickers or 12/24 labels a page: their pages are heavier
    tickets: report(kinds.tickets, 24),
    labels12: report(kinds.labels12, 12),
    labels24: report(kinds.labels24, 24),
  },
  batches: Object.fromEntries(Object.entries(batches).map(([k, m]) => [k, report(m)])),
  baseline: { what: 'pdfkit, one line of Helvetica per page, same page count as items', ...report(baseline) },
  ratios: {
    questionnaireTimePerPageVsBaseline: Math.round(((kinds.questionnaire.wallMs / kinds.questionnaire.pages) / (baseline.wallMs / baseline.pages)) * 100) / 100,
    reminderTimePerPageVsBaseline: Math.round(((kinds.reminder.wallMs / kinds.reminder.pages) / (baseline.wallMs / baseline.pages)) * 100) / 100,
  },
  memory: { peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) },
  goal: {
    pagesPerSec: GOAL,
    metByLetterPages: Math.min(q.pagesPerSec ?? 0, report(kinds.reminder).pagesPerSec ?? 0) >= GOAL,
    metByWholeBatches: Math.min(report(batches.notice).pagesPerSec ?? 0, report(batches.reminder).pagesPerSec ?? 0) >= GOAL,
    metBySheetPages: Math.min(report(kinds.tickets).pagesPerSec ?? 0, report(kinds.labels24).pagesPerSec ?? 0) >= GOAL,
    note: 'one process, one thread; wall time on a possibly shared machine (see loadAverage1m), pagesPerCpuSec is the load-independent figure',
  },
};
fs.rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
