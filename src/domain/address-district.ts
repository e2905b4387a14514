// 地区 (町域) of an address, for selection filters and coverage by district (issue 6).
// The resident register has no district column, so the district is read off the address text:
// drop the prefecture and the municipality (市, 市+区, 郡+町村, 特別区), then keep the place name up
// to its 丁目 / 番地 / first number. 「デモ県さくら市本町一丁目3番4号」→「本町」,
// 「デモ県さくら市大字上野120番地」→「大字上野」. The SQL function address_district() in migration
// 0010 applies the same two patterns, so pages and set-based queries agree (tested).

/** Prefecture, then municipality: the same pattern as the SQL function (POSIX-compatible). */
export const DISTRICT_PREFIX_PATTERN = '^(東京都|北海道|京都府|大阪府|[^ ]{2,3}県)?([^ ]+?郡[^ ]+?[町村]|[^ ]+?市([^ ]+?区)?|[^ ]+?区)';
/** The district: up to a number (ASCII, or kanji before 丁目), 番地 or a space. */
export const DISTRICT_NAME_PATTERN = '^(.+?)([0-9]|[一二三四五六七八九十]+丁目|番地| |$)';

const prefix = new RegExp(DISTRICT_PREFIX_PATTERN);
const name = new RegExp(DISTRICT_NAME_PATTERN);

/** The district name, or '' when the address has none that can be read. */
export function addressDistrict(address: string): string {
  const a = address.normalize('NFKC').replace(/\s+/g, ' ').trim();
  const rest = a.replace(prefix, '');
  const m = name.exec(rest);
  return m?.[1] ?? '';
}
