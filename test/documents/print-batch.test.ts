// Mailing PDFs end to end: render small batches, then read them back with poppler (pdfinfo,
// pdftotext, pdffonts, pdftoppm) and decode a printed QR code. control: DATA-08
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailingItem, PrintedFile } from '../../src/documents/mailing.ts';
import { inPostcodeOrder, MailingInputError } from '../../src/documents/mailing-order.ts';
import { printMailingBatch, renderReferralLetter } from '../../src/documents/print-batch.ts';
import { renderVaccinationRecord } from '../../src/documents/vaccination-record.ts';
import { QR_SIDE, stickerOrigin } from '../../src/documents/ticket-stickers.ts';
import { sampleInfo, sampleItems, SPECIAL_PERSONS } from './sample-mailing.ts';

// jsqr is CommonJS whose typings declare an ES default export: the function is module.exports.default
const jsQR = (jsQRModule as unknown as { default: typeof jsQRModule.default }).default;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sesshu-print-'));
const ITEMS = 30;
let notice: PrintedFile[];
let reminder: PrintedFile[];
let items: MailingItem[];

const file = (files: PrintedFile[], kind: string): PrintedFile => {
  const f = files.find((x) => x.kind === kind);
  if (!f) throw new Error(`no ${kind} file`);
  return f;
};
const pages = (pdf: string): number => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1]);
const text = (pdf: string, ...args: string[]): string => execFileSync('pdftotext', [...args, pdf, '-'], { encoding: 'utf8' });

beforeAll(async () => {
  items = sampleItems(ITEMS);
  notice = await printMailingBatch(sampleInfo('notice'), items, path.join(tmp, 'notice'), { labelsPerSheet: 12 });
  // an async source, as the batch CLI streams items from the database
  async function* stream(): AsyncGenerator<MailingItem> {
    yield* sampleItems(ITEMS, { tickets: false });
  }
  reminder = await printMailingBatch(sampleInfo('reminder'), stream(), path.join(tmp, 'reminder'), { labelsPerSheet: 24 });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('printMailingBatch', () => {
  it('writes the files of each batch kind with the page counts pdfinfo sees', () => {
    expect(notice.map((f) => f.kind)).toEqual(['questionnaire', 'tickets', 'labels']);
    expect(reminder.map((f) => f.kind)).toEqual(['reminder', 'labels']);
    const expected: [PrintedFile, number][] = [
      [file(notice, 'questionnaire'), ITEMS], // one 予診票 per item
      [file(notice, 'tickets'), 2], // 24 stickers per sheet
      [file(notice, 'labels'), 3], // 12 labels per sheet
      [file(reminder, 'reminder'), ITEMS], // one letter per person
      [file(reminder, 'labels'), 2], // 24 labels per sheet
    ];
    for (const [f, n] of expected) {
      expect(f.pages).toBe(n);
      expect(pages(f.path)).toBe(n);
    }
    expect(fs.readdirSync(path.join(tmp, 'notice')).sort()).toEqual(['labels.pdf', 'questionnaire.pdf', 'tickets.pdf']);
  });

  it('prints names and kana in their exact characters (髙, 﨑, 𠮷, a foreign name)', () => {
    const q = text(file(notice, 'questionnaire').path);
    const r = text(file(reminder, 'reminder').path);
    const labels = text(file(notice, 'labels').path);
    const tickets = text(file(notice, 'tickets').path);
    for (const p of SPECIAL_PERSONS) {
      expect(q).toContain(p.name);
      expect(q).toContain(p.nameKana);
      expect(r).toContain(p.name);
      expect(labels).toContain(p.name);
      expect(tickets).toContain(p.name);
      if (p.guardianName) expect(q).toContain(p.guardianName);
    }
    expect(q).toContain('𠮷田 太郎');
    expect(q).toContain('小児用肺炎球菌 予防接種予診票'); // from the page template
    expect(q).toContain('今日、体に具合の悪いところがありますか。');
    expect(q).toContain('（令和5年12月31日）');
    expect(q).not.toMatch(/個人番号|マイナンバー/);
  });

  it('embeds the Japanese fonts, IPAmj only where a name needs it, and OCR-B on tickets', () => {
    const fonts = (pdf: string): string => execFileSync('pdffonts', [pdf], { encoding: 'utf8' });
    const q = fonts(file(notice, 'questionnaire').path);
    expect(q).toMatch(/IPAexMincho\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(q).toMatch(/IPAexGothic/);
    expect(q).toMatch(/IPAmjMincho/);
    expect(fonts(file(notice, 'tickets').path)).toMatch(/OCRB/);
    expect(fonts(file(reminder, 'labels').path)).toMatch(/IPAmjMincho/); // 𠮷田's label
    // every font embedded: no "no" in the emb column
    for (const f of [...notice, ...reminder]) expect(fonts(f.path)).not.toMatch(/Identity-H\s+no/);
  });

  it('renders with pdftoppm without errors, the name drawn in ink', () => {
    const out = path.join(tmp, 'page');
    const run = spawnSync('pdftoppm', ['-r', '50', '-png', '-f', '1', '-l', '1', '-singlefile', file(notice, 'questionnaire').path, out], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const png = PNG.sync.read(fs.readFileSync(`${out}.png`));
    // the 氏名 value cell: x 92–300 pt, y 115–143 pt at 50 dpi
    let dark = 0;
    for (let y = Math.round((115 * 50) / 72); y < Math.round((143 * 50) / 72); y++) {
      for (let x = Math.round((95 * 50) / 72); x < Math.round((300 * 50) / 72); x++) if ((png.data[(y * png.width + x) * 4] ?? 255) < 128) dark++;
    }
    expect(dark).toBeGreaterThan(30);
  });

  it('prints a ticket whose QR code decodes to its OCR line, also printed as text', () => {
    const first = inPostcodeOrder(items, (i) => i.person)[0] as MailingItem;
    const ocr = first.ticket?.ocrLine as string;
    expect(ocr).toMatch(/^\d{18}$/);
    const tickets = file(notice, 'tickets').path;
    expect(text(tickets, '-f', '1', '-l', '1')).toContain(ocr);
    expect(text(tickets)).toContain(first.ticket?.ticketNumber);
    // crop the first sticker's QR code at 300 dpi
    const px = (pt: number): number => Math.round((pt * 300) / 72);
    const { x, y } = stickerOrigin(0);
    const left = x + (63 * 72) / 25.4 - QR_SIDE - 4;
    const out = path.join(tmp, 'qr');
    execFileSync('pdftoppm', ['-r', '300', '-png', '-f', '1', '-l', '1', '-singlefile', '-x', String(px(left)), '-y', String(px(y)), '-W', String(px(QR_SIDE + 6)), '-H', String(px(QR_SIDE + 4)), tickets, out]);
    const png = PNG.sync.read(fs.readFileSync(`${out}.png`));
    const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
    expect(code?.data).toBe(ocr);
  });

  it('puts labels in postal-code order, one per person', () => {
    const labels = text(file(notice, 'labels').path, '-layout');
    const codes = [...labels.matchAll(/〒(\d{3})-(\d{4})/g)].map((m) => `${m[1]}${m[2]}`);
    expect(codes).toHaveLength(ITEMS);
    expect(codes).toEqual([...codes].sort());
  });

  it('prints the same bytes when the same batch is printed again', async () => {
    const again = await printMailingBatch(sampleInfo('notice'), sampleItems(5), path.join(tmp, 'again-1'));
    const twice = await printMailingBatch(sampleInfo('notice'), sampleItems(5), path.join(tmp, 'again-2'));
    again.forEach((f, i) => expect(fs.readFileSync(f.path).equals(fs.readFileSync(twice[i]?.path as string))).toBe(true));
  });

  it('refuses a bad item before writing anything, naming the item', async () => {
    const bad = sampleItems(3);
    const third = bad[2] as MailingItem;
    bad[2] = { ...third, ticket: { ...(third.ticket as NonNullable<MailingItem['ticket']>), ocrLine: '12345' } };
    const dir = path.join(tmp, 'bad');
    await expect(printMailingBatch(sampleInfo('notice'), bad, dir)).rejects.toThrow(MailingInputError);
    await expect(printMailingBatch(sampleInfo('notice'), bad, dir)).rejects.toThrow(/item 3 \(宛名番号 100003\): ticket.ocrLine must be 18 digits/);
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('inPostcodeOrder', () => {
  it('sorts stably with unknown postcodes last', () => {
    const rows = [
      { id: 'a', person: { postcode: '9590002' } },
      { id: 'b', person: { postcode: null } },
      { id: 'c', person: { postcode: '9590001' } },
      { id: 'd', person: { postcode: '9590002' } },
    ];
    expect(inPostcodeOrder(rows, (r) => r.person as never).map((r) => r.id)).toEqual(['c', 'a', 'd', 'b']);
  });
});

describe('renderReferralLetter', () => {
  it('prints the request with the person and the two mayors', async () => {
    const p = SPECIAL_PERSONS[2];
    const pdf = await renderReferralLetter({
      letterNumber: 'さくら健第123号',
      issuedOn: '2025-05-20',
      fromMunicipalityName: 'さくら市',
      fromMayorName: '桜井 一郎',
      toMunicipalityName: '新潟県弥彦村',
      toMayorName: '弥彦 太郎',
      person: { ...p, guardianName: null, sex: 'M', addressNumber: '100003' },
      stayAddress: '新潟県弥彦村弥彦1番地',
      reason: '里帰り出産のため',
      vaccineName: '高齢者肺炎球菌',
      doseNumber: 1,
      validUntil: '2026-03-31',
    });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const f = path.join(tmp, 'referral.pdf');
    fs.writeFileSync(f, pdf);
    expect(pages(f)).toBe(1);
    const t = text(f);
    for (const s of ['予防接種実施依頼書', 'さくら健第123号', '令和7年5月20日', '新潟県弥彦村長', '弥彦 太郎', 'さくら市長', '𠮷田 太郎', 'ヨシダ タロウ', '里帰り出産のため', '高齢者肺炎球菌', '第1回', '貴村', '本市']) {
      expect(t).toContain(s);
    }
  });
});

describe('renderVaccinationRecord with the shared font cache', () => {
  it('still prints an IPAmj name, twice in a process', async () => {
    const data = { municipalityName: 'さくら市', name: '𠮷田 太郎', kana: 'ヨシダ タロウ', birthDate: '1958-03-01', address: null, issuedOn: '2025-04-01', doses: [] };
    for (const n of [1, 2]) {
      const f = path.join(tmp, `record-${n}.pdf`);
      fs.writeFileSync(f, await renderVaccinationRecord(data));
      expect(text(f)).toContain('𠮷田 太郎');
    }
  });
});
