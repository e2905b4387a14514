// Small charts as SVG text, without a library: bars (coverage by district or cohort) and a month
// chart (doses as bars, cumulative coverage as a line on a second axis). Every text is XML-escaped
// here; styling is by presentation attributes and the cov-* classes of app.css, never a style
// attribute (strict CSP). Each chart names itself with <title> and <desc> for screen readers; the
// page's tables carry the same figures.

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export function escapeXml(s: string): string {
  // Characters XML 1.0 forbids (control characters) are dropped rather than escaped.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/gu, '').replace(/[&<>"']/gu, (c) => XML_ESCAPES[c] ?? c);
}

export interface ChartBar {
  readonly label: string;
  /** null: nothing to draw (no one counted); shown as a dash. */
  readonly value: number | null;
}

export interface BarChartSpec {
  /** Prefix for element ids; letters, digits and hyphens. */
  readonly id: string;
  readonly title: string;
  readonly desc: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly bars: readonly ChartBar[];
  /** Top of the value axis; default: a round number above the largest value. */
  readonly max?: number;
  /** Appended to values on labels, e.g. '%'. */
  readonly unit?: string;
}

export interface MonthPoint {
  readonly label: string;
  readonly bar: number;
  readonly line: number | null;
}

export interface MonthChartSpec {
  readonly id: string;
  readonly title: string;
  readonly desc: string;
  readonly xLabel: string;
  readonly barLabel: string;
  readonly lineLabel: string;
  readonly points: readonly MonthPoint[];
}

const W = 720;
const H = 340;
const M = { top: 28, right: 64, bottom: 84, left: 64 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;
const BAR_FILL = '#0031d8';
const LINE_STROKE = '#c2410c';

/** A round axis top and step for about five ticks. */
export function niceScale(maxValue: number, integer = false): { max: number; step: number } {
  if (!(maxValue > 0)) return { max: 1, step: 1 };
  const rough = maxValue / 5;
  const pow = 10 ** Math.floor(Math.log10(rough));
  let step = [1, 2, 5, 10].map((k) => k * pow).find((s) => s >= rough) ?? 10 * pow;
  // Counts get whole-number ticks; rounding also clears float dust such as 0.30000000000000004.
  step = integer ? Math.max(1, Math.round(step)) : Number(step.toPrecision(2));
  return { max: Number((Math.ceil(maxValue / step - 1e-9) * step).toPrecision(6)), step };
}

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));
/** A value as the tables print it: percentages with one decimal. */
const valueText = (n: number, unit: string): string => (unit === '%' ? `${n.toFixed(1)}%` : fmt(n) + unit);
const num = (n: number): string => (Math.round(n * 10) / 10).toString();
const safeId = (id: string): string => id.replace(/[^A-Za-z0-9-]/gu, '-');

function frame(id: string, title: string, desc: string, body: string): string {
  const i = safeId(id);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="cov-chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" ` +
    `aria-labelledby="${i}-title ${i}-desc" font-size="12">` +
    `<title id="${i}-title">${escapeXml(title)}</title><desc id="${i}-desc">${escapeXml(desc)}</desc>${body}</svg>`
  );
}

/** Value gridlines and tick labels on the left (or right) axis. */
function valueAxis(scale: { max: number; step: number }, side: 'left' | 'right', label: string, unit: string, grid: boolean): string {
  let out = '';
  const x = side === 'left' ? M.left : M.left + PLOT_W;
  for (let v = 0; v <= scale.max + 1e-9; v += scale.step) {
    const y = num(M.top + PLOT_H - (v / scale.max) * PLOT_H);
    if (grid) out += `<line class="cov-grid" x1="${M.left}" y1="${y}" x2="${M.left + PLOT_W}" y2="${y}" stroke="#d8d8db" stroke-width="1"/>`;
    const tx = side === 'left' ? x - 6 : x + 6;
    out += `<text class="cov-tick" x="${tx}" y="${y}" dy="4" text-anchor="${side === 'left' ? 'end' : 'start'}">${escapeXml(fmt(v) + unit)}</text>`;
  }
  out += `<line class="cov-axis" x1="${x}" y1="${M.top}" x2="${x}" y2="${M.top + PLOT_H}" stroke="#333" stroke-width="1"/>`;
  const lx = side === 'left' ? 16 : W - 12;
  const ly = M.top + PLOT_H / 2;
  out += `<text class="cov-axis-title" x="${lx}" y="${num(ly)}" text-anchor="middle" font-weight="700" transform="rotate(-90 ${lx} ${num(ly)})">${escapeXml(label)}</text>`;
  return out;
}

/** Category labels under the plot, slanted when there are many. */
function categoryAxis(labels: readonly string[], xLabel: string): string {
  const band = PLOT_W / Math.max(labels.length, 1);
  const slant = labels.length > 8 || labels.some((l) => l.length * 7 > band);
  let out = `<line class="cov-axis" x1="${M.left}" y1="${M.top + PLOT_H}" x2="${M.left + PLOT_W}" y2="${M.top + PLOT_H}" stroke="#333" stroke-width="1"/>`;
  labels.forEach((l, i) => {
    const x = num(M.left + band * (i + 0.5));
    const y = M.top + PLOT_H + 16;
    const text = escapeXml(l.length > 14 ? `${l.slice(0, 13)}…` : l);
    out += slant
      ? `<text class="cov-tick" x="${x}" y="${y}" text-anchor="end" transform="rotate(-40 ${x} ${y})">${text}</text>`
      : `<text class="cov-tick" x="${x}" y="${y}" text-anchor="middle">${text}</text>`;
  });
  const titleY = slant ? H - 8 : M.top + PLOT_H + 40;
  out += `<text class="cov-axis-title" x="${M.left + PLOT_W / 2}" y="${titleY}" text-anchor="middle" font-weight="700">${escapeXml(xLabel)}</text>`;
  return out;
}

export function barChart(spec: BarChartSpec): string {
  const unit = spec.unit ?? '';
  const largest = Math.max(0, ...spec.bars.map((b) => b.value ?? 0));
  const scale = spec.max !== undefined ? { max: spec.max, step: niceScale(spec.max).step } : niceScale(largest);
  const band = PLOT_W / Math.max(spec.bars.length, 1);
  const width = Math.min(48, band * 0.7);
  let bars = '';
  spec.bars.forEach((b, i) => {
    const cx = M.left + band * (i + 0.5);
    const label = `${b.label}: ${b.value === null ? '—' : valueText(b.value, unit)}`;
    if (b.value === null) {
      bars += `<text class="cov-value" x="${num(cx)}" y="${M.top + PLOT_H - 4}" text-anchor="middle">—<title>${escapeXml(label)}</title></text>`;
      return;
    }
    const h = (Math.min(b.value, scale.max) / scale.max) * PLOT_H;
    const y = M.top + PLOT_H - h;
    bars +=
      `<g class="cov-bar-group"><title>${escapeXml(label)}</title>` +
      `<rect class="cov-bar" x="${num(cx - width / 2)}" y="${num(y)}" width="${num(width)}" height="${num(h)}" fill="${BAR_FILL}"/>` +
      `<text class="cov-value" x="${num(cx)}" y="${num(y - 4)}" text-anchor="middle">${escapeXml(valueText(b.value, unit))}</text></g>`;
  });
  return frame(spec.id, spec.title, spec.desc, valueAxis(scale, 'left', spec.yLabel, unit, true) + bars + categoryAxis(spec.bars.map((b) => b.label), spec.xLabel));
}

/** Doses per month as bars (left axis) and cumulative coverage in percent as a line (right axis, 0–100). */
export function monthChart(spec: MonthChartSpec): string {
  const scale = niceScale(Math.max(0, ...spec.points.map((p) => p.bar)), true);
  const pct = { max: 100, step: 20 };
  const band = PLOT_W / Math.max(spec.points.length, 1);
  const width = Math.min(36, band * 0.6);
  let body = valueAxis(scale, 'left', spec.barLabel, '', true) + valueAxis(pct, 'right', spec.lineLabel, '%', false);
  const coords: string[] = [];
  spec.points.forEach((p, i) => {
    const cx = M.left + band * (i + 0.5);
    const h = (p.bar / scale.max) * PLOT_H;
    body +=
      `<rect class="cov-bar" x="${num(cx - width / 2)}" y="${num(M.top + PLOT_H - h)}" width="${num(width)}" height="${num(h)}" fill="${BAR_FILL}">` +
      `<title>${escapeXml(`${p.label}: ${spec.barLabel} ${p.bar}`)}</title></rect>`;
    if (p.line !== null) coords.push(`${num(cx)},${num(M.top + PLOT_H - (Math.min(p.line, 100) / 100) * PLOT_H)}`);
  });
  if (coords.length > 0) body += `<polyline class="cov-line" points="${coords.join(' ')}" fill="none" stroke="${LINE_STROKE}" stroke-width="2.5"/>`;
  spec.points.forEach((p, i) => {
    if (p.line === null) return;
    const cx = num(M.left + band * (i + 0.5));
    const cy = num(M.top + PLOT_H - (Math.min(p.line, 100) / 100) * PLOT_H);
    body += `<circle class="cov-point" cx="${cx}" cy="${cy}" r="4" fill="${LINE_STROKE}"><title>${escapeXml(`${p.label}: ${spec.lineLabel} ${valueText(p.line, '%')}`)}</title></circle>`;
  });
  body += categoryAxis(spec.points.map((p) => p.label), spec.xLabel);
  // A legend inside the picture, so the two series are told apart without colour alone.
  body +=
    `<rect x="${M.left}" y="8" width="14" height="10" fill="${BAR_FILL}" class="cov-bar"/>` +
    `<text x="${M.left + 20}" y="17">${escapeXml(spec.barLabel)}</text>` +
    `<line x1="${M.left + 200}" y1="13" x2="${M.left + 220}" y2="13" stroke="${LINE_STROKE}" stroke-width="2.5" class="cov-line"/>` +
    `<circle cx="${M.left + 210}" cy="13" r="4" fill="${LINE_STROKE}" class="cov-point"/>` +
    `<text x="${M.left + 226}" y="17">${escapeXml(spec.lineLabel)}</text>`;
  return frame(spec.id, spec.title, spec.desc, body);
}
