// Prints a mailing batch: one PDF per document kind into outDir (issue 6 item 3).
//   notice, reissue → questionnaire.pdf (予診票, a page per item), tickets.pdf (接種券 sticker
//                     sheets; only when some item has a ticket), labels.pdf (宛名シール)
//   reminder        → reminder.pdf (勧奨通知, a page per person), labels.pdf
// Every document follows the same order (postal code, then the mailing order the batch gave),
// so envelopes, labels and contents match when stuffed; labels and letters are one per person
// (宛名番号). The whole batch is checked before any file is written. Each kind is one document of
// many pages: pdfkit's per-document costs (font parsing, subsetting) are paid once per file.
// Never carries My Number (the contract has no field for it). controls: DATA-08, DATA-10
import fs from 'node:fs';
import path from 'node:path';
import { renderAddressLabels } from './address-labels.ts';
import { type FontFiles, locateFonts } from './fonts.ts';
import type { MailingBatchInfo, MailingDocumentKind, MailingItem, PrintedFile, PrintOptions, ReferralLetterData } from './mailing.ts';
import { byAddressee, checkBatchInfo, checkItem, inPostcodeOrder } from './mailing-order.ts';
import { openPdfFile, type PdfFileWriter, renderPdfBuffer } from './pdf-file.ts';
import { renderQuestionnaires } from './questionnaire.ts';
import { drawReferralLetter } from './referral-letter.ts';
import { renderReminderLetters } from './reminder-letter.ts';
import { renderTicketStickers } from './ticket-stickers.ts';

const TITLES: Record<MailingDocumentKind, string> = {
  questionnaire: '予防接種予診票',
  tickets: '予防接種券',
  reminder: '予防接種のお知らせ（勧奨通知）',
  labels: '宛名シール',
};

export async function printMailingBatch(
  info: MailingBatchInfo,
  items: Iterable<MailingItem> | AsyncIterable<MailingItem>,
  outDir: string,
  options: PrintOptions = { labelsPerSheet: 12 },
): Promise<PrintedFile[]> {
  checkBatchInfo(info, options);
  const fonts = locateFonts(); // a missing font fails before anything is written
  const received: MailingItem[] = [];
  for await (const item of items) {
    checkItem(item, received.length, info);
    received.push(item);
  }
  const ordered = inPostcodeOrder(received, (i) => i.person);
  const envelopes = byAddressee(ordered);

  fs.mkdirSync(outDir, { recursive: true });
  const out: PrintedFile[] = [];
  const print = async (kind: MailingDocumentKind, draw: (w: PdfFileWriter) => Promise<void>): Promise<void> => {
    if (options.only && !options.only.includes(kind)) return;
    const file = path.join(outDir, `${kind}.pdf`);
    const w = openPdfFile(file, { title: `${TITLES[kind]}（${info.municipalityName}）`, author: info.senderName || info.municipalityName, issuedOn: info.issuedOn }, fonts);
    try {
      await draw(w);
      out.push({ kind, path: file, pages: await w.finish() });
    } catch (e) {
      w.abort();
      throw e;
    }
  };
  if (ordered.length === 0) return out;
  if (info.kind === 'reminder') {
    await print('reminder', (w) => renderReminderLetters(w, info, envelopes, fonts));
  } else {
    await print('questionnaire', (w) => renderQuestionnaires(w, info, ordered, fonts));
    if (ordered.some((i) => i.ticket)) await print('tickets', (w) => renderTicketStickers(w, info, ordered, fonts));
  }
  await print('labels', (w) => renderAddressLabels(w, envelopes.map((g) => (g[0] as MailingItem).person), options.labelsPerSheet, fonts));
  return out;
}

export async function renderReferralLetter(data: ReferralLetterData, fonts: FontFiles = locateFonts()): Promise<Buffer> {
  return renderPdfBuffer({ title: '予防接種実施依頼書', author: data.fromMunicipalityName, issuedOn: data.issuedOn }, fonts, (doc) => drawReferralLetter(doc, data, fonts));
}
