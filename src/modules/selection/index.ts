// The selection and mailing API the CLI and the pages build on (issue 6 items 1–2).
export { OVERDUE_AFTER_DAYS, parseCriteria, type CriteriaInput, type SelectionCriteria } from './criteria.ts';
export type { SelectionProblem, SelectionReason, SelectionRow } from './scan.ts';
export { previewSelection, runSelection, type SelectionPreview, type SelectionSummary } from './service.ts';
export {
  batchPrintInfo, batchPrintItems, createBatch, getBatch, listBatches, reissue, rulePackStamp,
  type BatchDetail, type BatchKind, type BatchSummary, type CreateBatchResult, type ReissueInput, type ReissueReason, type ReissueResult,
} from './batches.ts';
export { issueReferral, listReferrals, referralLetterData, type ReferralInput, type ReferralRecord } from './referrals.ts';
export { printBatch, referralLetterPdf, type PrintProgress } from './print.ts';
