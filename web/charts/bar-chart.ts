import { html, type SafeHtml } from '../html.ts';

export interface BarSeries {
  label: string;
  /** CSS class giving the bars their colour (see static/style.css). */
  className: string;
}

export interface BarRow {
  label: string;
  href?: string;
  values: number[];
}

const PLOT_HEIGHT = 170;
const LABEL_HEIGHT = 96;
const LEFT = 72;
const BAR = 10;
const GAP = 10;

/** A nice round top for the value axis, so the gridlines read as whole numbers. */
export function axisTop(max: number): number {
  if (max <= 5) return Math.max(1, max);
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s * 4 >= max) ?? magnitude * 10;
  return Math.ceil(max / step) * step;
}

/** Grouped columns as inline SVG: one group per row (grid), one column per series, labels slanted below. */
export function groupedBarChart(title: string, rows: BarRow[], series: BarSeries[]): SafeHtml {
  const top = axisTop(Math.max(0, ...rows.flatMap((r) => r.values)));
  const groupWidth = series.length * BAR + GAP;
  const width = LEFT + rows.length * groupWidth + 20;
  const legendY = 14;
  const plotTop = 28;
  const height = plotTop + PLOT_HEIGHT + LABEL_HEIGHT;
  const y = (v: number) => plotTop + PLOT_HEIGHT - Math.round((v / top) * PLOT_HEIGHT);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(top * f)).filter((t, i, a) => a.indexOf(t) === i);
  return html`<figure class="chart">
<svg role="img" aria-label="${title}" viewBox="0 0 ${Math.max(width, 320)} ${height}" width="${Math.max(width, 320)}" height="${height}" xmlns="http://www.w3.org/2000/svg">
  <title>${title}</title>
  ${series.map((s, i) => html`<rect x="${LEFT + i * 120}" y="${legendY - 10}" width="12" height="12" class="${s.className}"/><text x="${LEFT + i * 120 + 17}" y="${legendY}" class="legend">${s.label}</text>`)}
  ${ticks.map((t) => html`<line x1="${LEFT}" x2="${width - 10}" y1="${y(t)}" y2="${y(t)}" class="axis"/><text x="${LEFT - 5}" y="${y(t) + 4}" text-anchor="end" class="value">${t}</text>`)}
  ${rows.map((r, i) => {
    const x = LEFT + GAP / 2 + i * groupWidth;
    const labelX = x + (series.length * BAR) / 2;
    const label = html`<text x="${labelX}" y="${plotTop + PLOT_HEIGHT + 12}" transform="rotate(-50 ${labelX} ${plotTop + PLOT_HEIGHT + 12})" text-anchor="end" class="axis">${r.label}</text>`;
    return html`<g>${r.values.map(
      (v, j) => html`<rect x="${x + j * BAR}" y="${y(v)}" width="${BAR - 1}" height="${plotTop + PLOT_HEIGHT - y(v)}" class="${series[j]!.className}"><title>${r.label} ${series[j]!.label}：${v}</title></rect>`,
    )}${r.href ? html`<a href="${r.href}">${label}</a>` : label}</g>`;
  })}
</svg>
</figure>`;
}
