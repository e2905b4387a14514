// 地方公共団体コード (local government code): 2-digit prefecture + 3-digit municipality + check
// digit. Check digit (総務省 全国地方公共団体コード仕様): weights 6,5,4,3,2 on the first five
// digits; the check digit is the last digit of 11 − (sum mod 11).

export type MunicipalityCodeResult = { ok: true; code: string } | { ok: false; reason: string };

export function municipalityCheckDigit(first5: string): number {
  const weights = [6, 5, 4, 3, 2];
  let sum = 0;
  for (let i = 0; i < 5; i++) sum += Number(first5[i]) * (weights[i] ?? 0);
  return (11 - (sum % 11)) % 10;
}

export function parseMunicipalityCode(input: string): MunicipalityCodeResult {
  const code = input.trim().normalize('NFKC');
  if (!/^\d{6}$/.test(code)) {
    return { ok: false, reason: `municipality code must be 6 digits (地方公共団体コードは6桁です): got "${input}"` };
  }
  const prefecture = Number(code.slice(0, 2));
  if (prefecture < 1 || (prefecture > 47 && prefecture !== 99)) {
    return { ok: false, reason: `municipality code ${code}: prefecture part ${code.slice(0, 2)} is not 01–47 (都道府県コードが不正です)` };
  }
  const expected = municipalityCheckDigit(code.slice(0, 5));
  if (Number(code[5]) !== expected) {
    return {
      ok: false,
      reason: `municipality code ${code}: check digit should be ${expected}, not ${code[5]} (検査数字が一致しません)`,
    };
  }
  return { ok: true, code };
}

/** Prefecture code 99 is not used by any real government: sesshu keeps it for demo tenants. */
export const DEMO_MUNICIPALITY = { code: '990019', name: 'さくら市（デモ）', nameEn: 'Sakura City (demo)', prefecture: 'デモ県' } as const;
