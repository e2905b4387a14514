// 予防接種済証（接種記録）: an A4 PDF of a person's confirmed doses (issue 7 item 6), for the
// counter. It carries the municipality, the name in its exact characters (IPAmj Mincho when IPAex
// lacks one, e.g. 𠮷), kana, birth date in 西暦 and 和暦, the address only when asked, and one row
// per confirmed dose. Never the My Number: the query below does not read it. Provisional (not yet
// confirmed) and deleted doses are left out. controls: AC-04, LOG-01, DATA-14
import PDFDocument from 'pdfkit';
import type { Database } from '../db/client.ts';
import type { ScopedTx } from '../db/scoped.ts';
import { checkPersonId, NotFoundError } from '../modules/residents/persons.ts';
import type { Actor } from '../security/actor.ts';
import { perform } from '../security/guard.ts';
import type { FontFiles } from './fonts.ts';
import { fontForName, locateFonts, missingGlyphs } from './fonts.ts';
import { bothCalendars } from './jp-calendar.ts';
import { registerFonts } from './pdf-fonts.ts';

export { bothCalendars } from './jp-calendar.ts';


export interface RecordDose {
  vaccineName: string;
  doseNumber: number;
  date: string;
  product: string | null;
  lot: string | null;
  institution: string | null;
}

export interface VaccinationRecordData {
  municipalityName: string;
  name: string;
  kana: string;
  birthDate: string;
  address: string | null;
  doses: RecordDose[];
  issuedOn: string;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 50;
const COLUMNS: { title: string; width: number; value: (d: RecordDose) => string; align?: 'center' | 'left' }[] = [
  { title: 'ワクチン', width: 105, value: (d) => d.vaccineName },
  { title: '回数', width: 42, value: (d) => `${d.doseNumber}回目`, align: 'center' },
  { title: '接種日', width: 88, value: (d) => d.date },
  { title: '製品名', width: 96, value: (d) => d.product ?? '—' },
  { title: 'ロット番号', width: 62, value: (d) => d.lot ?? '—' },
  { title: '医療機関', width: 102, value: (d) => d.institution ?? '—' },
];

/** Renders the PDF. Pure apart from reading the font files. */
export async function renderVaccinationRecord(data: VaccinationRecordData, fonts: FontFiles = locateFonts()): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: { Title: '予防接種済証（接種記録）', Author: data.municipalityName, Creator: 'sesshu' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  registerFonts(doc, fonts); // cached bytes; IPAmj is parsed only when a text run needs it
  /** The given font, or IPAmj Mincho when the text has a character the IPAex font lacks. */
  const fontFor = (text: string, base: 'gothic' | 'mincho'): string => (missingGlyphs(base === 'gothic' ? fonts.gothic : fonts.mincho, text).length ? 'mj' : base);
  const right = A4.width - MARGIN;
  const contentWidth = right - MARGIN;

  doc.font('gothic').fontSize(20).text('予防接種済証（接種記録）', MARGIN, MARGIN, { width: contentWidth, align: 'center' });
  doc.moveDown(0.4);
  doc.font(fontFor(data.municipalityName, 'gothic')).fontSize(11).text(data.municipalityName, { width: contentWidth, align: 'center' });
  doc.moveDown(1.2);

  // Person block: label column + value column, ruled.
  const rows: { label: string; value: string; font: string; size: number }[] = [
    { label: '氏名', value: data.name, font: data.name ? (fontForName(fonts, data.name) === fonts.mj ? 'mj' : 'mincho') : 'mincho', size: 16 },
    { label: 'フリガナ', value: data.kana, font: fontFor(data.kana, 'mincho'), size: 11 },
    { label: '生年月日', value: bothCalendars(data.birthDate), font: 'mincho', size: 11 },
    ...(data.address !== null ? [{ label: '住所', value: data.address, font: fontFor(data.address, 'mincho'), size: 11 }] : []),
  ];
  const labelWidth = 90;
  let y = doc.y;
  doc.lineWidth(0.7).strokeColor('#333333');
  for (const r of rows) {
    doc.font(r.font).fontSize(r.size);
    const h = Math.max(24, doc.heightOfString(r.value, { width: contentWidth - labelWidth - 16 }) + 10);
    doc.rect(MARGIN, y, contentWidth, h).stroke();
    doc.rect(MARGIN, y, labelWidth, h).fillAndStroke('#eeeeee', '#333333');
    doc.fillColor('#000000').font('gothic').fontSize(10).text(r.label, MARGIN + 8, y + (h - 10) / 2 - 1, { width: labelWidth - 16 });
    doc.font(r.font).fontSize(r.size);
    doc.text(r.value, MARGIN + labelWidth + 8, y + (h - doc.heightOfString(r.value, { width: contentWidth - labelWidth - 16 })) / 2, { width: contentWidth - labelWidth - 16 });
    y += h;
  }
  y += 24;

  doc.font('gothic').fontSize(12).fillColor('#000000').text('接種記録', MARGIN, y);
  y = doc.y + 6;

  const headerHeight = 22;
  const bottom = A4.height - MARGIN - 60;
  const drawHeader = (top: number): number => {
    let x = MARGIN;
    for (const c of COLUMNS) {
      doc.rect(x, top, c.width, headerHeight).fillAndStroke('#e4e9f2', '#333333');
      doc.fillColor('#000000').font('gothic').fontSize(9).text(c.title, x + 3, top + 7, { width: c.width - 6, align: 'center' });
      x += c.width;
    }
    return top + headerHeight;
  };

  if (data.doses.length === 0) {
    doc.font('mincho').fontSize(11).text('確定した接種記録はありません。', MARGIN, y + 4);
    y = doc.y + 10;
  } else {
    y = drawHeader(y);
    for (const d of data.doses) {
      const cells = COLUMNS.map((c) => {
        const text = c.value(d);
        return { text, font: fontFor(text, 'mincho') };
      });
      const h = Math.max(
        22,
        ...cells.map((cell, i) => {
          doc.font(cell.font).fontSize(9);
          return doc.heightOfString(cell.text, { width: (COLUMNS[i]?.width ?? 50) - 8 }) + 10;
        }),
      );
      if (y + h > bottom) {
        doc.addPage();
        y = drawHeader(MARGIN);
      }
      let x = MARGIN;
      cells.forEach((cell, i) => {
        const col = COLUMNS[i];
        if (!col) return;
        doc.rect(x, y, col.width, h).stroke();
        doc.fillColor('#000000').font(cell.font).fontSize(9).text(cell.text, x + 4, y + 5, { width: col.width - 8, align: col.align ?? 'left' });
        x += col.width;
      });
      y += h;
    }
    y += 14;
  }

  if (y + 70 > A4.height - MARGIN) {
    doc.addPage();
    y = MARGIN;
  }
  doc.font('mincho').fontSize(11).fillColor('#000000').text('上記のとおり予防接種を受けたことを証明します。', MARGIN, y, { width: contentWidth });
  doc.moveDown(0.8);
  doc.text(bothCalendars(data.issuedOn), { width: contentWidth, align: 'right' });
  doc.moveDown(0.3);
  doc.font(fontFor(data.municipalityName, 'mincho')).fontSize(13).text(data.municipalityName, { width: contentWidth, align: 'right' });

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0; // the footer sits in the margin; without this pdfkit would start a new page
    doc.font('gothic').fontSize(8).fillColor('#555555')
      .text(`${i - range.start + 1} / ${range.count}`, MARGIN, A4.height - MARGIN + 10, { width: contentWidth, align: 'center', lineBreak: false });
  }
  doc.end();
  return done;
}

/** What the document shows, read in the actor's tenant scope. No My Number column is read. */
export async function loadVaccinationRecord(tx: ScopedTx, personId: string, opts: { includeAddress: boolean; today: string }): Promise<VaccinationRecordData> {
  const [person] = await tx.query<{ name: string; name_kana: string; birth_date: string; address: string; municipality_name: string }>(
    `SELECT p.name, p.name_kana, p.birth_date::text AS birth_date, p.address, m.name AS municipality_name
       FROM persons p JOIN municipalities m ON m.code = p.municipality_code
      WHERE p.id = $1`,
    [personId],
  );
  if (!person) throw new NotFoundError('no such person (該当する住民がいません)');
  const doses = await tx.query<{ vaccine_name: string; dose_number: number; administered_on: string; product_name: string | null; schedule_product: string | null; lot_number: string | null; institution: string | null }>(
    `SELECT vc.name_ja AS vaccine_name, v.dose_number, v.administered_on::text AS administered_on, v.product_name, v.schedule_product, v.lot_number,
            COALESCE(mi.name, v.place, v.institution_code) AS institution
       FROM doses d
       JOIN dose_versions v ON v.municipality_code = d.municipality_code AND v.dose_id = d.id AND v.version = d.current_version
       JOIN vaccines vc ON vc.id = v.vaccine_id
       LEFT JOIN medical_institutions mi ON mi.municipality_code = v.municipality_code AND mi.code = v.institution_code
      WHERE d.person_id = $1 AND NOT d.deleted AND d.current_version IS NOT NULL
      ORDER BY v.administered_on, v.vaccine_id, v.dose_number`,
    [personId],
  );
  return {
    municipalityName: person.municipality_name,
    name: person.name,
    kana: person.name_kana,
    birthDate: person.birth_date,
    address: opts.includeAddress ? person.address : null,
    issuedOn: opts.today,
    doses: doses.map((d) => ({
      vaccineName: d.vaccine_name,
      doseNumber: Number(d.dose_number),
      date: d.administered_on,
      product: d.product_name ?? d.schedule_product,
      lot: d.lot_number,
      institution: d.institution,
    })),
  };
}

/** The PDF for one person: permission 'dose.read', audited as 'dose.print'. */
export async function vaccinationRecordPdf(
  deps: { db: Database; today: () => string },
  actor: Actor,
  personId: string,
  opts: { includeAddress?: boolean } = {},
): Promise<Buffer> {
  checkPersonId(personId);
  const includeAddress = opts.includeAddress ?? false;
  const fonts = locateFonts(); // fail before the audit entry says "printed"
  const data = await perform(
    deps.db,
    actor,
    { permission: 'dose.read', action: 'dose.print', subjectPersonId: personId, detail: { document: 'vaccination-record', address: includeAddress } },
    async ({ tx, note }) => {
      const d = await loadVaccinationRecord(tx, personId, { includeAddress, today: deps.today() });
      note({ doses: d.doses.length });
      return d;
    },
  );
  return renderVaccinationRecord(data, fonts);
}
