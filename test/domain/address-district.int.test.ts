// The district read off an address is the same in TypeScript and in SQL (address_district()).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { addressDistrict } from '../../src/domain/address-district.ts';
import { testEngines } from '../support/engines.ts';

const CASES: [string, string][] = [
  ['デモ県さくら市本町一丁目3番4号', '本町'],
  ['デモ県さくら市大字上野120番地', '大字上野'],
  ['デモ県さくら市日の出町二丁目1番1号　ハイツ101号室', '日の出町'],
  ['東京都千代田区丸の内1-1-1', '丸の内'],
  ['神奈川県横浜市中区山下町10', '山下町'],
  ['大阪府大阪市北区梅田三丁目1', '梅田'],
  ['京都府京都市左京区下鴨泉川町5', '下鴨泉川町'],
  ['北海道虻田郡倶知安町北一条西２丁目', '北一条西'],
  ['さくら市栄町５番地', '栄町'],
  ['髙﨑市𠮷田町1', '𠮷田町'],
  ['', ''],
];

describe('addressDistrict', () => {
  it.each(CASES)('%s → %s', (address, district) => {
    expect(addressDistrict(address)).toBe(district);
  });
});

describe.each(testEngines)('address_district() on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(() => db?.close());

  it('agrees with the TypeScript function', async () => {
    for (const [address] of CASES) {
      const [row] = await db.query<{ d: string }>('SELECT address_district($1) AS d', [address]);
      expect(row?.d, address).toBe(addressDistrict(address));
    }
  });
});
