// Printing a frozen batch and a 実施依頼書 through the document renderers (src/documents): this side
// loads what was frozen, in mailing order, and hands it over; the renderers own the layout.
import type { Database } from '../../db/client.ts';
import type { MailingItem, PrintedFile, PrintOptions } from '../../documents/mailing.ts';
import { printMailingBatch, renderReferralLetter } from '../../documents/print-batch.ts';
import type { Actor } from '../../security/actor.ts';
import { batchPrintInfo, batchPrintItems, getBatch } from './batches.ts';
import { referralLetterData } from './referrals.ts';

export interface PrintProgress {
  start(total: number): void;
  update(done: number): void;
}

/** Writes the batch's PDFs into outDir. Printing the same batch twice hands over the same items. */
export async function printBatch(
  db: Database,
  actor: Actor,
  batchId: string,
  outDir: string,
  options: PrintOptions = { labelsPerSheet: 12 },
  progress?: PrintProgress,
): Promise<PrintedFile[]> {
  const detail = await getBatch(db, actor, batchId);
  const info = await batchPrintInfo(db, actor, batchId);
  progress?.start(detail.items - detail.reissued);
  async function* counted(): AsyncGenerator<MailingItem> {
    let done = 0;
    for await (const item of batchPrintItems(db, actor, batchId)) {
      yield item;
      if (++done % 500 === 0) progress?.update(done);
    }
    progress?.update(done);
  }
  return printMailingBatch(info, counted(), outDir, options);
}

/** The PDF of an issued 実施依頼書. */
export async function referralLetterPdf(db: Database, actor: Actor, letterId: string, opts: { fromMayorName?: string } = {}): Promise<Buffer> {
  return renderReferralLetter(await referralLetterData(db, actor, letterId, opts));
}
