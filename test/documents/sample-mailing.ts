// Synthetic mailing batches for the document tests and bench/print.bench.ts.
import type { MailingBatchInfo, MailingItem, MailingKind } from '../../src/documents/mailing.ts';
import { buildOcrLine, formatTicketNumber } from '../../src/modules/records/ticket-numbers.ts';

export const MUNICIPALITY_CODE = '152226';

export function sampleInfo(kind: MailingKind): MailingBatchInfo {
  return {
    batchId: `batch-${kind}`,
    kind,
    municipalityCode: MUNICIPALITY_CODE,
    municipalityName: 'さくら市',
    senderName: 'さくら市 健康福祉部 健康推進課',
    senderContact: '電話 0250-12-3456（平日 8:30〜17:15）',
    issuedOn: '2025-04-01',
  };
}

/** Names that exercise the font fallback: 髙 and 﨑 (in IPAex), 𠮷 (IPAmj only), a foreign resident. */
export const SPECIAL_PERSONS = [
  { name: '髙橋 一郎', nameKana: 'タカハシ イチロウ', birthDate: '2024-06-15', sex: 'M', guardianName: '髙橋 花子', postcode: '9591234', address: 'さくら市桜町一丁目2番3号' },
  { name: '山﨑 美咲', nameKana: 'ヤマサキ ミサキ', birthDate: '2023-12-31', sex: 'F', guardianName: '山﨑 健', postcode: '9590001', address: 'さくら市本町4番地5 グランドハイツ202' },
  { name: '𠮷田 太郎', nameKana: 'ヨシダ タロウ', birthDate: '1958-03-01', sex: 'M', guardianName: null, postcode: '9595678', address: 'さくら市𠮷野3丁目7番8号' },
  { name: 'SMITH JOHN ALEXANDER', nameKana: 'スミス ジョン アレクサンダー', birthDate: '2019-08-20', sex: 'M', guardianName: 'SMITH EMILY', postcode: '9590500', address: 'さくら市緑が丘10番地1' },
] as const;

const VACCINES: [string, string][] = [['hib', 'ヒブ'], ['pcv', '小児用肺炎球菌'], ['mr', '麻しん風しん混合（MR）'], ['flu', '高齢者インフルエンザ']];

/** n items; the first four are SPECIAL_PERSONS, then generated children and adults. Serials start at serialFrom. */
export function sampleItems(n: number, opts: { tickets?: boolean; serialFrom?: number } = {}): MailingItem[] {
  const out: MailingItem[] = [];
  for (let i = 0; i < n; i++) {
    const special = SPECIAL_PERSONS[i];
    const child = i % 3 !== 2;
    const person = special
      ? { ...special, guardianName: special.guardianName as string | null, sex: special.sex as 'M' | 'F', addressNumber: String(100001 + i) }
      : {
        addressNumber: String(100001 + i),
        name: `佐藤 ${['一郎', '花子', '健太', '美穂', '翔'][i % 5]}${i}`,
        nameKana: `サトウ ${['イチロウ', 'ハナコ', 'ケンタ', 'ミホ', 'ショウ'][i % 5]}`,
        birthDate: child ? `202${i % 5}-0${(i % 9) + 1}-1${i % 10}` : `195${i % 10}-1${i % 3}-0${(i % 9) + 1}`,
        sex: (i % 2 === 0 ? 'M' : 'F') as 'M' | 'F',
        postcode: `959${String((i * 7919) % 10000).padStart(4, '0')}`,
        address: `さくら市${['桜町', '本町', '緑が丘', '中央'][i % 4]}${(i % 9) + 1}丁目${(i % 30) + 1}番${(i % 12) + 1}号`,
        guardianName: child ? `佐藤 ${['大輔', '由美'][i % 2]}` : null,
      };
    const [vaccineId, vaccineName] = VACCINES[i % VACCINES.length] as [string, string];
    const doseNumber = (i % 3) + 1;
    const ticketNumber = formatTicketNumber((opts.serialFrom ?? 1) + i);
    out.push({
      person,
      vaccineId,
      vaccineName,
      doseNumber,
      dueFrom: '2025-04-01',
      dueUntil: '2026-03-31',
      ticket: opts.tickets === false ? null : { ticketNumber, kind: '1', ocrLine: buildOcrLine({ kind: '1', doseNumber, municipalityCode: MUNICIPALITY_CODE, ticketNumber }) },
    });
  }
  return out;
}
