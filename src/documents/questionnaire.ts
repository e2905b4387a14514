// 予診票: one A4 page per item, after the national standard layout (予防接種実施要領 様式): the
// header with the vaccine and dose, the person block filled in (住所, フリガナ, 氏名, 性別, 生年月日 in
// 西暦 and 和暦, 年齢, 保護者氏名, 接種券番号), the 問診事項 with はい/いいえ boxes and a column for
// the doctor, the doctor's decision, the consent signature (保護者自署 or 本人自署) and the
// clinic's record. No My Number field (DATA-08). control: DATA-08
import type { FontFiles } from './fonts.ts';
import { ageText, bothCalendars, postcodeText } from './jp-calendar.ts';
import type { MailingBatchInfo, MailingItem } from './mailing.ts';
import { A4, type Doc, type PdfFileWriter } from './pdf-file.ts';
import { fontFor } from './pdf-fonts.ts';
import { type PageTemplate, recordTemplate, stampTemplate } from './pdf-template.ts';
import { checkBox, fittedLine, line, wrapped } from './pdf-text.ts';

const LEFT = 34;
const WIDTH = A4.width - 2 * LEFT;
const RIGHT = LEFT + WIDTH;
const LABEL_BG = '#eeeeee';

interface Question {
  lines: string[];
}

/** 発育歴: asked for children only. */
const GROWTH: Question = { lines: ['お子さんの発育歴についておたずねします。出生体重（　　　　　）g', '分娩時・出生後に異常がありましたか。乳児健診で異常があるといわれたことがありますか。'] };

const QUESTIONS: Question[] = [
  { lines: ['今日受ける予防接種について市町村から配られている説明書を読みましたか。'] },
  { lines: ['今日、体に具合の悪いところがありますか。', '具合の悪い症状（　　　　　　　　　　　　　　　　　）'] },
  { lines: ['最近1か月以内に病気にかかりましたか。　病名（　　　　　　　　　　　　　）'] },
  { lines: ['1か月以内に家族や周囲で麻しん、風しん、水痘、おたふくかぜなどにかかった方がいますか。', '病名（　　　　　　　　　　　　　）'] },
  { lines: ['1か月以内に予防接種を受けましたか。　予防接種の種類（　　　　　　　　　　）'] },
  { lines: ['生まれてから今までに先天性異常、心臓、腎臓、肝臓、脳神経、免疫不全症その他の病気に', 'かかり、医師の診察を受けていますか。　病名（　　　　　　　　　　　　　）'] },
  { lines: ['その病気を診てもらっている医師に今日の予防接種を受けてよいと言われましたか。'] },
  { lines: ['ひきつけ（けいれん）を起こしたことがありますか。　（　　　）歳ごろ'] },
  { lines: ['そのとき熱が出ましたか。'] },
  { lines: ['薬や食品（鶏卵、鶏肉など）で皮膚に発しんやじんましんが出たり、体の具合が悪くなった', 'ことがありますか。　薬または食品の名前（　　　　　　　　　　　）'] },
  { lines: ['近親者に先天性免疫不全症と診断されている方はいますか。'] },
  { lines: ['これまでに予防接種を受けて具合が悪くなったことはありますか。', '予防接種の種類（　　　　　　　　）　症状（　　　　　　　　　　）'] },
  { lines: ['近親者に予防接種を受けて具合が悪くなった方はいますか。'] },
  { lines: ['6か月以内に輸血あるいはガンマグロブリンの注射を受けましたか。'] },
  { lines: ['今日の予防接種について質問がありますか。'] },
];

const Q_SIZE = 8;
const Q_LINE = 11.5;

export async function renderQuestionnaires(w: PdfFileWriter, info: MailingBatchInfo, items: readonly MailingItem[], fonts: FontFiles): Promise<void> {
  // the fixed part of the form, recorded once per document for children (保護者) and for adults
  const frames = new Map<boolean, PageTemplate>();
  for (const item of items) {
    await w.addPage();
    const child = item.person.guardianName !== null;
    let frame = frames.get(child);
    if (!frame) {
      frame = recordTemplate(w.doc, (doc) => drawFrame(doc, child));
      frames.set(child, frame);
    }
    stampTemplate(w.doc, frame);
    fillIn(w.doc, info, item, fonts);
  }
}

/** A complete page (the frame and the person's data), for callers that print a single form. */
export function drawQuestionnaire(doc: Doc, info: MailingBatchInfo, item: MailingItem, fonts: FontFiles): void {
  drawFrame(doc, item.person.guardianName !== null);
  fillIn(doc, info, item, fonts);
}

function labelCell(doc: Doc, label: string, x: number, y: number, width: number, height: number): void {
  doc.lineWidth(0.5).rect(x, y, width, height).fillAndStroke(LABEL_BG, '#000000');
  line(doc, 'gothic', 8, label, x, y + height / 2 - 4.5, { width, align: 'center' });
}

function valueCell(doc: Doc, x: number, y: number, width: number, height: number): void {
  doc.lineWidth(0.5).rect(x, y, width, height).stroke('#000000');
}

// Person block geometry, shared by the frame and the filled-in values.
const TOP = 62;
const LW = 58; // label width
const SPLIT = LEFT + 318; // left / right halves
const RW = 60; // right label width
const ROWS = { address: [TOP, 34], kana: [TOP + 34, 17], name: [TOP + 51, 32], guardian: [TOP + 83, 22], ticket: [TOP + 105, 20] } as const;
const PERSON_BOTTOM = TOP + 125;
const LEFT_VALUE = SPLIT - LEFT - LW - 12; // usable width of a left value cell

function drawFrame(doc: Doc, child: boolean): void {
  line(doc, 'mincho', 7.5, `太わくの中は、接種を受ける方${child ? '（お子さんの場合は保護者）' : ''}が記入してください。`, LEFT, 50);
  const row = ([y, h]: readonly [number, number], left: string, right: string | null): void => {
    labelCell(doc, left, LEFT, y, LW, h);
    if (right === null) {
      valueCell(doc, LEFT + LW, y, WIDTH - LW, h);
      return;
    }
    valueCell(doc, LEFT + LW, y, SPLIT - LEFT - LW, h);
    labelCell(doc, right, SPLIT, y, RW, h);
    valueCell(doc, SPLIT + RW, y, RIGHT - SPLIT - RW, h);
  };
  row(ROWS.address, '住所', null);
  row(ROWS.kana, 'フリガナ', '性別');
  row(ROWS.name, '氏名', '生年月日');
  row(ROWS.guardian, child ? '保護者氏名' : '電話番号', '年齢');
  row(ROWS.ticket, child ? '電話番号' : '緊急連絡先', '接種券番号');
  doc.lineWidth(1.6).rect(LEFT, TOP, WIDTH, PERSON_BOTTOM - TOP).stroke('#000000');
  const [kanaY, kanaH] = ROWS.kana;
  drawSexChoices(doc, SPLIT + RW, kanaY, RIGHT - SPLIT - RW, kanaH);

  // Temperature
  let y = PERSON_BOTTOM + 6;
  doc.lineWidth(1.6).rect(SPLIT, y, RIGHT - SPLIT, 20).stroke('#000000');
  line(doc, 'gothic', 9, '診察前の体温', SPLIT + 6, y + 5);
  line(doc, 'mincho', 9, '度　　　　分', RIGHT - 110, y + 5, { width: 100, align: 'right' });
  y += 26;

  y = drawQuestions(doc, y, child);
  y = drawDecisions(doc, y, child);
  drawClinicRecord(doc, y);
}

function fillIn(doc: Doc, info: MailingBatchInfo, item: MailingItem, fonts: FontFiles): void {
  const p = item.person;
  fittedLine(doc, 'gothic', 15, 10, `${item.vaccineName} 予防接種予診票`, LEFT + 60, 26, WIDTH - 120, { align: 'center' });
  line(doc, 'gothic', 10, `第${item.doseNumber}回`, LEFT, 30, { width: WIDTH, align: 'right' });

  const addressText = `${postcodeText(p.postcode)}\u3000${p.address}`.trim();
  wrapped(doc, fontFor(fonts, addressText, 'mincho'), 10, addressText, LEFT + LW + 6, ROWS.address[0] + 6, WIDTH - LW - 12, 2);
  fittedLine(doc, fontFor(fonts, p.nameKana, 'mincho'), 9, 6, p.nameKana, LEFT + LW + 6, ROWS.kana[0] + 4, LEFT_VALUE);
  const [kanaY, kanaH] = ROWS.kana;
  circleSex(doc, p.sex, SPLIT + RW, kanaY, RIGHT - SPLIT - RW, kanaH);

  const nameY = ROWS.name[0];
  fittedLine(doc, fontFor(fonts, p.name, 'mincho'), 15, 8, p.name, LEFT + LW + 6, nameY + 8, LEFT_VALUE);
  const birth = bothCalendars(p.birthDate);
  const cut = birth.indexOf('（');
  line(doc, 'mincho', 9, cut > 0 ? birth.slice(0, cut) : birth, SPLIT + RW + 6, nameY + 5);
  if (cut > 0) line(doc, 'mincho', 9, birth.slice(cut), SPLIT + RW + 2, nameY + 18);

  const gY = ROWS.guardian[0];
  if (p.guardianName) fittedLine(doc, fontFor(fonts, p.guardianName, 'mincho'), 11, 7, p.guardianName, LEFT + LW + 6, gY + 6, LEFT_VALUE);
  line(doc, 'mincho', 9, ageText(p.birthDate, info.issuedOn), SPLIT + RW + 6, gY + 3);
  line(doc, 'mincho', 6.5, `（${bothCalendars(info.issuedOn).split('（')[0] ?? ''}現在）`, SPLIT + RW + 6, gY + 13);
  if (item.ticket) line(doc, 'gothic', 10, item.ticket.ticketNumber, SPLIT + RW + 6, ROWS.ticket[0] + 5);

  const footer = `${info.municipalityName}\u3000宛名番号 ${p.addressNumber}`;
  line(doc, fontFor(fonts, footer, 'gothic'), 7, footer, LEFT, A4.height - 22, { color: '#444444' });
  line(doc, 'gothic', 7, `発行 ${info.issuedOn}`, LEFT, A4.height - 22, { width: WIDTH, align: 'right', color: '#444444' });
}

// 男 ・ 女, with the person's one circled as on the paper form.
const sexX = (x: number, width: number, sex: 'M' | 'F'): number => x + width / 2 + (sex === 'M' ? -22 : 22);

function drawSexChoices(doc: Doc, x: number, y: number, width: number, height: number): void {
  const cy = y + height / 2;
  line(doc, 'mincho', 9, '男', sexX(x, width, 'M') - 4.5, cy - 5);
  line(doc, 'mincho', 9, '・', x, cy - 5, { width, align: 'center' });
  line(doc, 'mincho', 9, '女', sexX(x, width, 'F') - 4.5, cy - 5);
}

function circleSex(doc: Doc, sex: 'M' | 'F', x: number, y: number, width: number, height: number): void {
  doc.lineWidth(0.7).circle(sexX(x, width, sex), y + height / 2 - 0.5, 6.5).stroke('#000000');
}

function drawQuestions(doc: Doc, top: number, child: boolean): number {
  const qw = 352;
  const aw = 82;
  const dw = WIDTH - qw - aw;
  let y = top;
  labelCell(doc, '質問事項', LEFT, y, qw, 14);
  labelCell(doc, '回答欄', LEFT + qw, y, aw, 14);
  labelCell(doc, '医師記入欄', LEFT + qw + aw, y, dw, 14);
  y += 14;
  const list = child ? [GROWTH, ...QUESTIONS] : QUESTIONS;
  list.forEach((q, i) => {
    const h = 6 + q.lines.length * Q_LINE;
    valueCell(doc, LEFT, y, qw, h);
    valueCell(doc, LEFT + qw, y, aw, h);
    valueCell(doc, LEFT + qw + aw, y, dw, h);
    line(doc, 'mincho', Q_SIZE, `${i + 1}`, LEFT + 3, y + 4, { width: 10, align: 'right' });
    q.lines.forEach((text, k) => fittedLine(doc, 'mincho', Q_SIZE, 6, text, LEFT + 16, y + 4 + k * Q_LINE, qw - 20));
    const by = y + h / 2 - 3.5;
    checkBox(doc, LEFT + qw + 8, by);
    line(doc, 'mincho', Q_SIZE, 'はい', LEFT + qw + 17, by - 1);
    checkBox(doc, LEFT + qw + 40, by);
    line(doc, 'mincho', Q_SIZE, 'いいえ', LEFT + qw + 49, by - 1);
    y += h;
  });
  doc.lineWidth(1.6).rect(LEFT, top, qw + aw, y - top).stroke('#000000');
  return y + 6;
}

function drawDecisions(doc: Doc, top: number, child: boolean): number {
  let y = top;
  // 医師記入欄
  doc.lineWidth(0.8).rect(LEFT, y, WIDTH, 40).stroke('#000000');
  line(doc, 'gothic', 8, '医師記入欄', LEFT + 6, y + 4);
  line(doc, 'mincho', 8.5, '以上の問診及び診察の結果、今日の予防接種は（　実施できる　・　見合わせる　）', LEFT + 6, y + 15);
  line(doc, 'mincho', 8, '本人（保護者）に対して、予防接種の効果、副反応及び予防接種健康被害救済制度について説明しました。', LEFT + 6, y + 27);
  line(doc, 'mincho', 8, '医師署名又は記名押印', RIGHT - 190, y + 4);
  y += 46;
  // 自署欄
  const who = child ? '保護者' : '本人';
  doc.lineWidth(1.6).rect(LEFT, y, WIDTH, 58).stroke('#000000');
  fittedLine(doc, 'mincho', 8.5, 6, '医師の診察・説明を受け、予防接種の効果や目的、重篤な副反応の可能性、予防接種健康被害救済制度などについて', LEFT + 6, y + 5, WIDTH - 12);
  line(doc, 'mincho', 8.5, `理解した上で、接種を受けることに（\u3000同意します\u3000・\u3000同意しません\u3000）`, LEFT + 6, y + 16);
  line(doc, 'gothic', 9, `${who}自署`, LEFT + 250, y + 31);
  doc.lineWidth(0.5).moveTo(LEFT + 300, y + 42).lineTo(RIGHT - 10, y + 42).stroke('#000000');
  line(doc, 'mincho', 6.5, '※自署できない場合は代筆者が署名し、代筆者氏名及び被接種者との続柄を記載してください。', LEFT + 6, y + 47);
  return y + 66;
}

function drawClinicRecord(doc: Doc, top: number): void {
  const cols: [string, number][] = [['ワクチン名', 120], ['ロット番号', 100], ['接種量', 80], ['実施場所・医師名・接種年月日', WIDTH - 300]];
  let x = LEFT;
  for (const [title, width] of cols) {
    labelCell(doc, title, x, top, width, 13);
    valueCell(doc, x, top + 13, width, 44);
    x += width;
  }
  line(doc, 'mincho', 7.5, 'ml', LEFT + 220 + 62, top + 44);
  line(doc, 'mincho', 7.5, '年　　月　　日', RIGHT - 90, top + 44);
}
