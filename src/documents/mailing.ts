// Contract between mailing batches (src/modules/selection) and the print renderers (issue 6 item 3).
// The selection side loads a frozen batch and hands its items here in mailing order (postcode,
// address, 宛名番号); the renderers write print-ready A4 PDFs. Never carries My Number.

/** What a batch prints: 通知 (予診票 + 接種券 + 宛名シール), 勧奨 (勧奨通知 + 宛名シール), 再発行. */
export type MailingKind = 'notice' | 'reminder' | 'reissue';

export type MailingDocumentKind = 'questionnaire' | 'tickets' | 'reminder' | 'labels';

export interface MailingAddressee {
  addressNumber: string;
  name: string; // exact characters (髙, 﨑, 𠮷)
  nameKana: string;
  birthDate: string; // ISO
  sex: 'M' | 'F';
  postcode: string | null; // 7 digits, no hyphen
  address: string;
  /** 保護者: for children, the household's adult who receives the mail; null for adults. */
  guardianName: string | null;
}

export interface MailingItem {
  person: MailingAddressee;
  vaccineId: string; // stable ids of schedule-jp.md
  vaccineName: string; // Japanese display name
  doseNumber: number;
  /** The window of the dose the person is due for (ISO); null when unknown. */
  dueFrom: string | null;
  dueUntil: string | null;
  /** Present for notice/reissue batches: the ticket issued for this item. */
  ticket: { ticketNumber: string; ocrLine: string; kind: string } | null;
}

export interface MailingBatchInfo {
  batchId: string;
  kind: MailingKind;
  municipalityCode: string;
  municipalityName: string;
  /** The sender block printed on letters, e.g. 「さくら市 健康福祉部 健康推進課」 and its phone. */
  senderName: string;
  senderContact: string;
  issuedOn: string; // ISO
}

export interface PrintOptions {
  /** 宛名シール per A4 sheet. */
  labelsPerSheet: 12 | 24;
  /** Print only these documents (a page downloading one file); default: all the batch kind prints. */
  only?: readonly MailingDocumentKind[];
}

export interface PrintedFile {
  kind: MailingDocumentKind;
  path: string;
  pages: number;
}

/** 実施依頼書: asks another municipality's mayor to vaccinate a resident staying there. */
export interface ReferralLetterData {
  letterNumber: string; // e.g. さくら健第123号
  issuedOn: string;
  fromMunicipalityName: string;
  fromMayorName: string;
  toMunicipalityName: string;
  toMayorName: string;
  person: MailingAddressee;
  stayAddress: string;
  reason: string;
  vaccineName: string;
  doseNumber: number;
  validUntil: string;
}
