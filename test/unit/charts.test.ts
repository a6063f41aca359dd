// The dashboard's SVG charts: pure functions, so their geometry, escaping and accessible parts
// are checked on the string itself.
import { describe, expect, it } from 'vitest';
import { escapeXml, niceCeiling, stackedBars } from '../../src/console/charts.js';
import { loginOutcome } from '../../src/radius/auth-log.js';

const chart = (overrides: Partial<Parameters<typeof stackedBars>[0]> = {}) => stackedBars({
  id: 'c1', title: 'Traffic', desc: 'All of it', labels: ['09:00', '10:00'], labelHeading: 'Hour',
  series: [{ name: 'student', values: [30, 10] }, { name: 'teacher', values: [10, 0] }],
  format: (value) => `${value} B`, ...overrides,
});

const rects = (svg: string) => [...svg.matchAll(/<rect class="(series-\d)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"\/>/g)]
  .map(([, cls, x, y, width, height]) => ({ cls, x: Number(x), y: Number(y), width: Number(width), height: Number(height) }));

describe('stackedBars', () => {
  it('stacks each bar\'s series on one another, to scale against a round axis top', () => {
    const drawn = rects(chart());
    // The plot runs from y 8 to 230; 30 + 10 = 40 against an axis top of 50. A zero draws nothing.
    expect(drawn.map((rect) => rect.cls)).toEqual(['series-0', 'series-1', 'series-0']);
    const [student, teacher, second] = drawn;
    expect(student!.y + student!.height).toBeCloseTo(230, 0);
    expect(teacher!.y + teacher!.height).toBeCloseTo(student!.y, 0);
    expect(teacher!.y).toBeCloseTo(230 - (40 / 50) * 222, 0);
    expect(second!.height * 3).toBeCloseTo(student!.height, 0);
    expect(second!.x).toBeGreaterThan(student!.x + student!.width);
  });

  it('is an image with a title and description, a legend, and a hidden table of the same figures', () => {
    const svg = chart();
    expect(svg).toContain('role="img" aria-labelledby="c1-title c1-desc"');
    expect(svg).toContain('<title id="c1-title">Traffic</title><desc id="c1-desc">All of it</desc>');
    expect(svg).toContain('<ul class="legend" aria-hidden="true">');
    expect(svg).toContain('<table class="visually-hidden"><caption>Traffic</caption>');
    expect(svg).toContain('<tr><th scope="row">09:00</th><td>30 B</td><td>10 B</td></tr>');
    expect(svg).toContain('viewBox="0 0 480 260"');
  });

  it('escapes every text it draws', () => {
    const svg = chart({ id: 'x"y', title: '<script>alert(1)</script>', desc: 'a & b', labels: ['<b>', '"'], series: [{ name: "O'Neil</title>", values: [1, 2] }, { name: 'x', values: [0, 0] }] });
    expect(svg).not.toMatch(/<script|<b>|<\/title>"|O'Neil/);
    expect(svg).toContain('&#60;script&#62;');
    expect(svg).toContain('O&#39;Neil&#60;/title&#62;');
  });

  it('draws an empty chart with whole gridlines up to 5 and no bars, and writes every n-th label', () => {
    const empty = chart({ series: [{ name: 'student', values: [0, 0] }] });
    expect(rects(empty)).toEqual([]);
    expect([...empty.matchAll(/text-anchor="end">([^<]*)</g)].map((match) => match[1])).toEqual(['0 B', '1 B', '2 B', '3 B', '4 B', '5 B']);
    const labels = chart({ labels: ['a', 'b', 'c', 'd'], series: [{ name: 's', values: [1, 1, 1, 1] }], labelEvery: 3 });
    expect([...labels.matchAll(/text-anchor="middle">([a-d])</g)].map((match) => match[1])).toEqual(['a', 'd']);
  });
});

describe('niceCeiling and escapeXml', () => {
  it.each([[0, 1], [1, 1], [3, 5], [40, 50], [41, 50], [51, 100], [1_234_567, 2_000_000]])('%d rounds up to %d', (value, top) => {
    expect(niceCeiling(value)).toBe(top);
  });
  it('leaves plain text alone', () => {
    expect(escapeXml('Школа №7')).toBe('Школа №7');
  });
});

describe('how the dashboard counts a RADIUS decision', () => {
  it.each([
    [true, 'ok', 'accept'],
    [false, 'bad-password', 'failed'],
    [false, 'unknown-user', 'failed'],
    [false, 'token-used', 'failed'],
    [false, 'outside-schedule', 'refuse'],
    [false, 'account-disabled', 'refuse'],
    [false, 'unknown-device', undefined],
  ] as const)('accepted=%s, %s → %s', (accepted, reason, outcome) => {
    expect(loginOutcome(accepted, { reason })).toBe(outcome);
  });
});
