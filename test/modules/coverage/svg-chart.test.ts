// The charts are well-formed SVG, name themselves for screen readers, escape every text and scale
// their axes to round numbers.
import { describe, expect, it } from 'vitest';
import { barChart, escapeXml, monthChart, niceScale } from '../../../src/modules/coverage/svg-chart.ts';
import { xmlProblems } from '../../support/xml.ts';

const hostile = `<script>alert("x")</script> & 'q' \u0001`;

describe('coverage charts', () => {
  it('draws a bar chart with title, description, axis labels and one bar per value', () => {
    const svg = barChart({
      id: 'c1', title: '地区別の接種率', desc: '本町 33.3%', xLabel: '地区', yLabel: '接種率（%）', unit: '%', max: 100,
      bars: [{ label: '本町', value: 33.3 }, { label: '上野', value: 50 }, { label: '（地区不明）', value: null }],
    });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* role="img" aria-labelledby="c1-title c1-desc"/);
    expect(svg).toContain('<title id="c1-title">地区別の接種率</title><desc id="c1-desc">本町 33.3%</desc>');
    expect(svg.match(/<rect class="cov-bar"/g)).toHaveLength(2);
    expect(svg).toContain('>接種率（%）</text>');
    expect(svg).toContain('>100%</text>');
    expect(svg).toContain('<title>（地区不明）: —</title>');
    expect(svg).not.toContain('style=');
  });

  it('escapes every text it is given', () => {
    const svg = barChart({ id: 'x"><script>', title: hostile, desc: hostile, xLabel: hostile, yLabel: hostile, bars: [{ label: hostile, value: 3 }] });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('\u0001');
    expect(escapeXml(`a<b>&"'`)).toBe('a&lt;b&gt;&amp;&quot;&apos;');
  });

  it('draws months as bars with the cumulative coverage as a line on a 0–100% axis', () => {
    const points = Array.from({ length: 12 }, (_, i) => ({ label: `2025-${String(i + 1).padStart(2, '0')}`, bar: i * 3, line: i * 8 }));
    const svg = monthChart({ id: 'm', title: '月別', desc: 'd', xLabel: '接種月', barLabel: '接種数', lineLabel: '累積接種率', points });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.match(/<rect class="cov-bar"/g)).toHaveLength(12);
    expect(svg.match(/<circle class="cov-point"/g)).toHaveLength(12);
    expect(svg).toMatch(/<polyline class="cov-line" points="(\d+(\.\d)?,\d+(\.\d)? ){11}\d+(\.\d)?,\d+(\.\d)?"/);
    expect(svg).toContain('>100%</text>');
    expect(svg).toContain('rotate(-40'); // twelve month labels are slanted
    // An empty month chart is still a picture.
    expect(xmlProblems(monthChart({ id: 'e', title: 't', desc: 'd', xLabel: 'x', barLabel: 'b', lineLabel: 'l', points: [] }))).toEqual([]);
  });

  it('picks round axis scales', () => {
    expect(niceScale(0)).toEqual({ max: 1, step: 1 });
    expect(niceScale(7, true)).toEqual({ max: 8, step: 2 });
    expect(niceScale(2, true)).toEqual({ max: 2, step: 1 });
    expect(niceScale(0.3)).toEqual({ max: 0.3, step: 0.1 });
    expect(niceScale(1234)).toEqual({ max: 1500, step: 500 });
  });
});
