// Prints a mailing batch: one PDF per document kind into outDir (issue 6 item 3).
// STUB until the renderers land; the signatures are the contract used by src/modules/selection.
import type { MailingBatchInfo, MailingItem, PrintedFile, PrintOptions, ReferralLetterData } from './mailing.ts';

export async function printMailingBatch(
  info: MailingBatchInfo,
  items: Iterable<MailingItem> | AsyncIterable<MailingItem>,
  outDir: string,
  options: PrintOptions = { labelsPerSheet: 12 },
): Promise<PrintedFile[]> {
  void info; void items; void outDir; void options;
  throw new Error('printMailingBatch: not implemented yet');
}

export async function renderReferralLetter(data: ReferralLetterData): Promise<Buffer> {
  void data;
  throw new Error('renderReferralLetter: not implemented yet');
}
