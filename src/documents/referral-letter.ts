// 予防接種実施依頼書: asks another municipality's mayor to vaccinate a resident who stays there
// (里帰り出産, 入院, 施設入所). One A4 page: letter number and date, addressee and sender mayors,
// the request, and under 記 the person (氏名 in exact characters, フリガナ, 生年月日, 性別, 住所),
// the stay address, the reason, the vaccine and dose, and the validity. control: DATA-08
import type { FontFiles } from './fonts.ts';
import { bothCalendars, eraDate, postcodeText } from './jp-calendar.ts';
import type { ReferralLetterData } from './mailing.ts';
import { A4, type Doc, mm } from './pdf-file.ts';
import { fontFor } from './pdf-fonts.ts';
import { fittedLine, line } from './pdf-text.ts';

const LEFT = mm(25);
const WIDTH = A4.width - 2 * LEFT;

export function drawReferralLetter(doc: Doc, d: ReferralLetterData, fonts: FontFiles): void {
  line(doc, fontFor(fonts, d.letterNumber, 'mincho'), 10.5, d.letterNumber, LEFT, mm(25), { width: WIDTH, align: 'right' });
  line(doc, 'mincho', 10.5, eraDate(d.issuedOn), LEFT, mm(25) + 16, { width: WIDTH, align: 'right' });
  const to = `${d.toMunicipalityName}長\u3000${d.toMayorName}\u3000様`;
  fittedLine(doc, fontFor(fonts, to, 'mincho'), 12, 8, to, LEFT, mm(45), WIDTH * 0.7);
  const from = `${d.fromMunicipalityName}長\u3000${d.fromMayorName}`;
  fittedLine(doc, fontFor(fonts, from, 'mincho'), 12, 8, from, LEFT + WIDTH * 0.3, mm(58), WIDTH * 0.7, { align: 'right' });

  line(doc, 'gothic', 16, '予防接種実施依頼書', LEFT, mm(78), { width: WIDTH, align: 'center' });
  const ours = municipalityUnit(d.fromMunicipalityName);
  const body =
    `下記の者は本${ours}の住民ですが、下記の理由により貴${municipalityUnit(d.toMunicipalityName)}に滞在しているため、` +
    `本${ours}において予防接種を受けることが困難です。つきましては、予防接種法に基づく予防接種の実施についてご配慮くださいますようお願いいたします。` +
    `なお、接種に要する費用は本${ours}が負担します。`;
  doc.font('mincho').fontSize(10.5).fillColor('#000000').text(body, LEFT, mm(92), { width: WIDTH, lineGap: 5 });
  let y = doc.y + 18;
  line(doc, 'mincho', 10.5, '記', LEFT, y, { width: WIDTH, align: 'center' });
  y += 24;

  const p = d.person;
  const rows: [string, string][] = [
    ['氏名', p.name],
    ['フリガナ', p.nameKana],
    ['生年月日', bothCalendars(p.birthDate)],
    ['性別', p.sex === 'M' ? '男' : '女'],
    ['住所', `${postcodeText(p.postcode)}\u3000${p.address}`.trim()],
    ...(p.guardianName ? [['保護者氏名', p.guardianName] as [string, string]] : []),
    ['滞在先', d.stayAddress],
    ['理由', d.reason],
    ['予防接種の種類', `${d.vaccineName}\u3000第${d.doseNumber}回`],
    ['有効期限', bothCalendars(d.validUntil)],
  ];
  y = drawTable(doc, rows, y, fonts);
  line(doc, 'mincho', 9, '※接種後は、予防接種済証の写し又は接種記録を依頼元までお送りください。', LEFT, y + 14);
}

/** 市 / 町 / 村 / 区 from the municipality's name, for 「本市」「貴町」; 市町村 when unclear. */
function municipalityUnit(name: string): string {
  const last = name.trim().slice(-1);
  return ['市', '町', '村', '区'].includes(last) ? last : '市町村';
}

function drawTable(doc: Doc, rows: [string, string][], top: number, fonts: FontFiles): number {
  const lw = 95;
  let y = top;
  for (const [label, value] of rows) {
    const h = label === '氏名' ? 30 : 24;
    doc.lineWidth(0.6).rect(LEFT, y, lw, h).fillAndStroke('#eeeeee', '#000000');
    doc.rect(LEFT + lw, y, WIDTH - lw, h).stroke('#000000');
    line(doc, 'gothic', 9.5, label, LEFT + 6, y + h / 2 - 5);
    const size = label === '氏名' ? 14 : 10.5;
    fittedLine(doc, fontFor(fonts, value, 'mincho'), size, 6, value, LEFT + lw + 8, y + (h - size) / 2, WIDTH - lw - 16);
    y += h;
  }
  return y;
}
