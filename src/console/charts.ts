// Charts drawn on the server as SVG: pure functions from figures to markup, so the dashboard needs
// no script and no chart library (a stacked bar chart is ~100 lines; a library would bring a
// DOM or a canvas to the server for it). Every text is escaped here, because the view prints the
// result as markup. Accessible: role="img" with <title> and <desc>, and beside the picture a
// visually hidden table with the same figures. The SVG scales with its viewBox (phones).

export interface Series {
  name: string;
  values: number[];
}

export interface StackedBarsInput {
  /** Unique on the page: the ids of the title and description derive from it. */
  id: string;
  title: string;
  /** One sentence saying what the chart shows and its largest figure. */
  desc: string;
  /** One per bar. */
  labels: string[];
  series: Series[];
  /** How a value is written (sizes, counts) in the page's language. */
  format: (value: number) => string;
  /** The hidden table's first column heading. */
  labelHeading: string;
  /** Write only every n-th bar's label under the axis (24 hours do not fit on a phone). */
  labelEvery?: number;
}

const WIDTH = 480;
const HEIGHT = 260;
const LEFT = 64;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 30;
/** Series colours are classes (public/console.css): the CSP allows no inline style. */
const SERIES_CLASSES = 8;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A round top for the axis: 1, 2 or 5 times a power of ten, at least the largest stack. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((factor) => factor * power >= value)!;
  return step * power;
}

const round = (value: number) => Math.round(value * 10) / 10;

export function seriesClass(index: number): string {
  return `series-${index % SERIES_CLASSES}`;
}

function hiddenTable(input: StackedBarsInput): string {
  const head = [input.labelHeading, ...input.series.map((series) => series.name)].map((text) => `<th scope="col">${escapeXml(text)}</th>`).join('');
  const rows = input.labels.map((label, bar) => {
    const cells = input.series.map((series) => `<td>${escapeXml(input.format(series.values[bar] ?? 0))}</td>`).join('');
    return `<tr><th scope="row">${escapeXml(label)}</th>${cells}</tr>`;
  });
  return `<table class="visually-hidden"><caption>${escapeXml(input.title)}</caption><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function legend(series: Series[]): string {
  if (series.length < 2) return '';
  const items = series.map((item, index) => `<li><span class="swatch ${seriesClass(index)}" aria-hidden="true"></span>${escapeXml(item.name)}</li>`);
  return `<ul class="legend" aria-hidden="true">${items.join('')}</ul>`;
}

/** Bars of stacked series (one bar per label), with a value axis, as a <figure> holding the SVG, a legend and the hidden table. */
export function stackedBars(input: StackedBarsInput): string {
  const { labels, series } = input;
  const totals = labels.map((_, bar) => series.reduce((sum, item) => sum + Math.max(0, item.values[bar] ?? 0), 0));
  // At least 5, so small counts get whole-number gridlines.
  const top = niceCeiling(Math.max(5, ...totals));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / Math.max(1, labels.length);
  const barWidth = round(slot * 0.7);
  const y = (value: number) => round(TOP + plotHeight - (value / top) * plotHeight);

  // Round gridlines: a top of 5·10ⁿ in fifths, of 1 or 2·10ⁿ in quarters.
  const lines = String(top).startsWith('5') ? 5 : 4;
  const grid = Array.from({ length: lines + 1 }, (_, step) => {
    const value = (top / lines) * step;
    return `<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(value)}" y2="${y(value)}"/>`
      + `<text class="axis" x="${LEFT - 6}" y="${y(value) + 4}" text-anchor="end">${escapeXml(input.format(value))}</text>`;
  });
  const every = input.labelEvery ?? 1;
  const bars = labels.map((label, bar) => {
    const x = round(LEFT + slot * bar + (slot - barWidth) / 2);
    let base = 0;
    const pieces = series.map((item, index) => {
      const value = Math.max(0, item.values[bar] ?? 0);
      if (value === 0) return '';
      const rect = `<rect class="${seriesClass(index)}" x="${x}" y="${y(base + value)}" width="${barWidth}" height="${round(y(base) - y(base + value))}"/>`;
      base += value;
      return rect;
    });
    const text = bar % every === 0 ? `<text class="axis" x="${round(x + barWidth / 2)}" y="${HEIGHT - 8}" text-anchor="middle">${escapeXml(label)}</text>` : '';
    return pieces.join('') + text;
  });
  const id = escapeXml(input.id);
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const svg = `<svg class="chart-svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${titleId} ${descId}" xmlns="http://www.w3.org/2000/svg">`
    + `<title id="${titleId}">${escapeXml(input.title)}</title><desc id="${descId}">${escapeXml(input.desc)}</desc>`
    + `${grid.join('')}${bars.join('')}</svg>`;
  return `<figure class="chart" id="${id}"><figcaption>${escapeXml(input.title)}</figcaption>${svg}${legend(series)}${hiddenTable(input)}</figure>`;
}
