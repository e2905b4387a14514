// Japanese fonts for PDF documents (stack-probe §2): IPAex Gothic / Mincho for text, IPAmj Mincho
// for names that contain characters IPAex lacks (𠮷 U+20BB7 and the rest of the MJ set), OCR-B for
// the machine-readable line of 接種券 stickers.
// The fonts come from Debian packages (.ci/run installs them); SESSHU_FONT_DIR overrides the
// directory searched. Coverage is read from each font's own cmap table, so the choice is exact
// rather than a guess by code point range.
import fs from 'node:fs';
import path from 'node:path';

export interface FontFiles {
  gothic: string;
  mincho: string;
  mj: string;
  ocrb: string;
}

const WANTED: Record<keyof FontFiles, { file: string; pkg: string }> = {
  gothic: { file: 'ipaexg.ttf', pkg: 'fonts-ipaexfont-gothic (or fonts-ipaexfont)' },
  mincho: { file: 'ipaexm.ttf', pkg: 'fonts-ipaexfont-mincho (or fonts-ipaexfont)' },
  mj: { file: 'ipamjm.ttf', pkg: 'fonts-ipamj-mincho' },
  ocrb: { file: 'OCRB.otf', pkg: 'fonts-ocr-b' },
};

export class MissingFontError extends Error {
  override name = 'MissingFontError';
}

function findFile(root: string, name: string, depth = 0): string | null {
  if (depth > 6) return null;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return null;
  }
  for (const e of entries) if (e.isFile() && e.name === name) return path.join(root, e.name);
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const hit = findFile(path.join(root, e.name), name, depth + 1);
    if (hit) return hit;
  }
  return null;
}

const located = new Map<string, FontFiles>();

/** The font files, or MissingFontError naming the Debian package to install. */
export function locateFonts(root = process.env.SESSHU_FONT_DIR || '/usr/share/fonts'): FontFiles {
  const cached = located.get(root);
  if (cached) return cached;
  const out: Partial<FontFiles> = {};
  const missing: string[] = [];
  for (const [key, want] of Object.entries(WANTED) as [keyof FontFiles, { file: string; pkg: string }][]) {
    const hit = findFile(root, want.file);
    if (hit) out[key] = hit;
    else missing.push(`${want.file} (apt-get install ${want.pkg})`);
  }
  if (missing.length) {
    throw new MissingFontError(`PDF fonts not found under ${root}: ${missing.join(', ')}. Install the Debian packages fonts-ipaexfont, fonts-ipamj-mincho and fonts-ocr-b, or set SESSHU_FONT_DIR.`);
  }
  const files = out as FontFiles;
  located.set(root, files);
  return files;
}

// ---------------------------------------------------------------------------------------------
// Glyph coverage from the TrueType/OpenType cmap (formats 4 and 12)

export interface Coverage {
  has(codePoint: number): boolean;
}

const bytesCache = new Map<string, Buffer>();

/** A font file's bytes, read once per process (IPAmj is 46 MB: reading it per PDF cost seconds). */
export function fontBytes(file: string): Buffer {
  let buf = bytesCache.get(file);
  if (!buf) {
    buf = fs.readFileSync(file);
    bytesCache.set(file, buf);
  }
  return buf;
}

const coverageCache = new Map<string, Coverage>();

/** Reads a font's Unicode cmap once; has() answers whether the font maps the code point to a glyph. */
export function fontCoverage(file: string): Coverage {
  const cached = coverageCache.get(file);
  if (cached) return cached;
  const cov = parseCmap(fontBytes(file));
  coverageCache.set(file, cov);
  return cov;
}

export function parseCmap(buf: Buffer): Coverage {
  const numTables = buf.readUInt16BE(4);
  let cmap = -1;
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    if (buf.toString('latin1', rec, rec + 4) === 'cmap') cmap = buf.readUInt32BE(rec + 8);
  }
  if (cmap < 0) throw new Error('font has no cmap table');
  const subtables = buf.readUInt16BE(cmap + 2);
  let fmt4 = -1;
  let fmt12 = -1;
  for (let i = 0; i < subtables; i++) {
    const platform = buf.readUInt16BE(cmap + 4 + i * 8);
    const encoding = buf.readUInt16BE(cmap + 6 + i * 8);
    const offset = cmap + buf.readUInt32BE(cmap + 8 + i * 8);
    const format = buf.readUInt16BE(offset);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    if (format === 12 && fmt12 < 0) fmt12 = offset;
    if (format === 4 && fmt4 < 0) fmt4 = offset;
  }
  if (fmt12 >= 0) {
    const groups = buf.readUInt32BE(fmt12 + 12);
    const ranges: [number, number, number][] = [];
    for (let g = 0; g < groups; g++) {
      const o = fmt12 + 16 + g * 12;
      ranges.push([buf.readUInt32BE(o), buf.readUInt32BE(o + 4), buf.readUInt32BE(o + 8)]);
    }
    return {
      has(cp) {
        let lo = 0;
        let hi = ranges.length - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const [start, end, glyph] = ranges[mid] as [number, number, number];
          if (cp < start) hi = mid - 1;
          else if (cp > end) lo = mid + 1;
          else return glyph + (cp - start) !== 0;
        }
        return false;
      },
    };
  }
  if (fmt4 < 0) throw new Error('font has no Unicode cmap (format 4 or 12)');
  const segX2 = buf.readUInt16BE(fmt4 + 6);
  const ends = fmt4 + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const rangeOffsets = deltas + segX2;
  const segments = segX2 / 2;
  return {
    has(cp) {
      if (cp > 0xffff) return false;
      // segments are sorted by end code: binary search for the first one ending at or after cp
      let lo = 0;
      let hi = segments - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (buf.readUInt16BE(ends + mid * 2) < cp) lo = mid + 1;
        else hi = mid;
      }
      const i = lo * 2;
      if (cp > buf.readUInt16BE(ends + i)) return false;
      const start = buf.readUInt16BE(starts + i);
      if (cp < start) return false;
      const delta = buf.readUInt16BE(deltas + i);
      const ro = buf.readUInt16BE(rangeOffsets + i);
      if (ro === 0) return ((cp + delta) & 0xffff) !== 0;
      const glyph = buf.readUInt16BE(rangeOffsets + i + ro + (cp - start) * 2);
      return glyph !== 0 && ((glyph + delta) & 0xffff) !== 0;
    },
  };
}

/** Variation selectors and joiners carry no glyph of their own; the base character decides. */
const isSelector = (cp: number): boolean => (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef) || cp === 0x200d;

/** The characters of text that the font cannot draw (whitespace and selectors ignored). */
export function missingGlyphs(file: string, text: string): string[] {
  const cov = fontCoverage(file);
  const out: string[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80 ? cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) : /\s/u.test(ch) || isSelector(cp)) continue;
    if (!cov.has(cp)) out.push(ch);
  }
  return out;
}

/** The font for a person's name: IPAex Mincho when it has every character, otherwise IPAmj Mincho. */
export function fontForName(fonts: FontFiles, name: string): string {
  return missingGlyphs(fonts.mincho, name).length === 0 ? fonts.mincho : fonts.mj;
}
