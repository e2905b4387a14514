// 勧奨通知: one A4 letter per person (their reminder items together), dated and sent from the
// batch's sender. The addressee block sits where a 長3 window envelope shows it (20 mm from the
// left, 15 mm from the top), so the letter also works without a label. Then the title, the
// message, a table of the doses due (vaccine, dose, period) and the sender's contact.
import type { FontFiles } from './fonts.ts';
import { eraDate, postcodeText } from './jp-calendar.ts';
import type { MailingBatchInfo, MailingItem } from './mailing.ts';
import { A4, type Doc, mm, type PdfFileWriter } from './pdf-file.ts';
import { fontFor } from './pdf-fonts.ts';
import { type PageTemplate, recordTemplate, stampTemplate } from './pdf-template.ts';
import { fittedLine, line, wrapped } from './pdf-text.ts';

const LEFT = mm(20);
const WIDTH = A4.width - 2 * LEFT;
const RIGHT = LEFT + WIDTH;
export const ROWS_PER_LETTER = 10;

/** Letters for items grouped per person (see byAddressee), one page each. */
export async function renderReminderLetters(w: PdfFileWriter, info: MailingBatchInfo, letters: readonly MailingItem[][], fonts: FontFiles): Promise<void> {
  // the wording, table header, notes and sender are the same on every letter for children and
  // for adults: recorded once per document
  const frames = new Map<boolean, PageTemplate>();
  for (const items of letters) {
    const child = items[0]?.person.guardianName != null;
    // a person with more doses due than the table holds gets a further page, never a cut list
    for (let i = 0; i < items.length; i += ROWS_PER_LETTER) {
      await w.addPage();
      let frame = frames.get(child);
      if (!frame) {
        frame = recordTemplate(w.doc, (doc) => drawFrame(doc, info, child, fonts));
        frames.set(child, frame);
      }
      stampTemplate(w.doc, frame);
      fillIn(w.doc, items.slice(i, i + ROWS_PER_LETTER), fonts);
    }
  }
}

/** A complete letter on the current page, for callers that print a single one. */
export function drawReminder(doc: Doc, info: MailingBatchInfo, items: readonly MailingItem[], fonts: FontFiles): void {
  drawFrame(doc, info, items[0]?.person.guardianName != null, fonts);
  fillIn(doc, items, fonts);
}

function period(item: MailingItem): string {
  if (item.dueFrom && item.dueUntil) return `${eraDate(item.dueFrom)} から ${eraDate(item.dueUntil)} まで`;
  if (item.dueUntil) return `${eraDate(item.dueUntil)} まで`;
  if (item.dueFrom) return `${eraDate(item.dueFrom)} から`;
  return '接種券・説明書をご確認ください';
}

const TITLE_Y = mm(78);
const TABLE_Y = mm(135);
const ROW_H = 22;
const COLUMNS: [string, number][] = [['対象者', 130], ['予防接種', 140], ['回数', 50], ['公費で接種できる期間', WIDTH - 320]];

function drawFrame(doc: Doc, info: MailingBatchInfo, child: boolean, fonts: FontFiles): void {
  // Date and sender (top right)
  line(doc, 'mincho', 10, eraDate(info.issuedOn), LEFT, mm(18), { width: WIDTH, align: 'right' });
  fittedLine(doc, fontFor(fonts, info.senderName, 'mincho'), 10, 7, info.senderName, RIGHT - mm(75), mm(25), mm(75), { align: 'right' });

  line(doc, 'gothic', 16, '予防接種のお知らせ', LEFT, TITLE_Y, { width: WIDTH, align: 'center' });
  const whom = child ? 'お子さん' : 'あなた';
  const message =
    `日頃より予防接種へのご理解とご協力をいただきありがとうございます。${whom}の予防接種の記録を確認したところ、下記の定期予防接種がまだお済みでないようです。` +
    '定期予防接種は、決められた期間内であれば公費（無料）で受けることができます。期間を過ぎると任意接種（自己負担）となりますので、お早めに接種をご検討ください。' +
    'すでに接種を受けた場合や、体調などの理由で受けられない場合は、下記の担当までお知らせください。行き違いでご案内した場合はご容赦ください。';
  doc.font('mincho').fontSize(10.5).fillColor('#000000').text(message, LEFT, TITLE_Y + 34, { width: WIDTH, lineGap: 4 });
  line(doc, 'mincho', 10.5, '記', LEFT, TABLE_Y - 24, { width: WIDTH, align: 'center' });

  let x = LEFT;
  for (const [title, width] of COLUMNS) {
    doc.lineWidth(0.6).rect(x, TABLE_Y, width, 18).fillAndStroke('#eeeeee', '#000000');
    line(doc, 'gothic', 9, title, x, TABLE_Y + 4.5, { width, align: 'center' });
    x += width;
  }

  let y = TABLE_Y + 18 + ROWS_PER_LETTER * ROW_H + 16;
  const notes = [
    '・接種は、委託医療機関で受けてください。予約が必要な医療機関があります。',
    '・接種の際は、予診票、母子健康手帳（お持ちの方）、本人確認書類をお持ちください。',
    '・予診票や接種券をなくした場合は、再発行しますので下記までご連絡ください。',
  ];
  for (const n of notes) {
    line(doc, 'mincho', 9.5, n, LEFT, y);
    y += 15;
  }
  const boxTop = A4.height - mm(45);
  doc.lineWidth(0.8).rect(RIGHT - mm(95), boxTop, mm(95), mm(25)).stroke('#000000');
  line(doc, 'gothic', 8, '問い合わせ先', RIGHT - mm(93), boxTop + 5);
  fittedLine(doc, fontFor(fonts, info.senderName, 'mincho'), 10, 6, info.senderName, RIGHT - mm(93), boxTop + 18, mm(91));
  fittedLine(doc, fontFor(fonts, info.senderContact, 'mincho'), 10, 6, info.senderContact, RIGHT - mm(93), boxTop + 34, mm(91));
}

function fillIn(doc: Doc, items: readonly MailingItem[], fonts: FontFiles): void {
  const first = items[0];
  if (!first) return;
  const p = first.person;

  // Addressee (window position)
  let y = mm(15);
  line(doc, 'gothic', 10, postcodeText(p.postcode), LEFT, y);
  y += 15;
  y += wrapped(doc, fontFor(fonts, p.address, 'mincho'), 10.5, p.address, LEFT, y, mm(85), 3) + 8;
  if (p.guardianName) {
    const g = `${p.guardianName}\u3000様`;
    fittedLine(doc, fontFor(fonts, g, 'mincho'), 13, 8, g, LEFT, y, mm(85));
    y += 18;
    const c = `（${p.name}\u3000さんの保護者）`;
    fittedLine(doc, fontFor(fonts, c, 'mincho'), 9, 6, c, LEFT, y, mm(85));
  } else {
    const n = `${p.name}\u3000様`;
    fittedLine(doc, fontFor(fonts, n, 'mincho'), 14, 8, n, LEFT, y, mm(85));
  }
  line(doc, 'gothic', 6.5, `宛名番号 ${p.addressNumber}`, LEFT, mm(60), { color: '#555555' });

  // Doses due
  y = TABLE_Y + 18;
  const nameFont = fontFor(fonts, p.name, 'mincho');
  for (const item of items) {
    let x = LEFT;
    const cells = [p.name, item.vaccineName, `第${item.doseNumber}回`, period(item)];
    COLUMNS.forEach(([, width], i) => {
      doc.lineWidth(0.6).rect(x, y, width, ROW_H).stroke('#000000');
      fittedLine(doc, i === 0 ? nameFont : 'mincho', 9.5, 5, cells[i] ?? '', x + 4, y + 6, width - 8, { align: i === 2 ? 'center' : 'left' });
      x += width;
    });
    y += ROW_H;
  }
}
