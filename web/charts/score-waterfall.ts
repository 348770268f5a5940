import { html, type SafeHtml } from '../html.ts';

export interface ScoreStep {
  label: string;
  /** How the feature compared, in words (e.g. 完全相同). */
  detail: string;
  weight: number;
}

const WIDTH = 400;
const LABEL = 92;
const ROW = 22;

/**
 * How a pair's score is built: each feature's weight as a step from the running total (green adds,
 * red subtracts), the total as the last bar, and the review and link thresholds as dashed lines.
 */
export function scoreWaterfall(steps: ScoreStep[], score: number, thresholds: { review: number; link: number }): SafeHtml {
  const running: [number, number][] = [];
  let total = 0;
  for (const s of steps) {
    running.push([total, total + s.weight]);
    total += s.weight;
  }
  const values = [0, score, thresholds.review, thresholds.link, ...running.flat()];
  const lo = Math.floor(Math.min(...values) - 1);
  const hi = Math.ceil(Math.max(...values) + 1);
  const plot = WIDTH - LABEL - 110;
  const x = (v: number) => LABEL + Math.round(((v - lo) / (hi - lo)) * plot);
  const top = 18;
  const height = top + (steps.length + 1) * ROW + 8;
  const bar = (from: number, to: number, y: number, cls: string, title: string) =>
    html`<rect x="${Math.min(x(from), x(to))}" y="${y}" width="${Math.max(1, Math.abs(x(to) - x(from)))}" height="${ROW - 8}" class="${cls}"><title>${title}</title></rect>`;
  const fmt = (v: number) => (v > 0 ? `+${v.toFixed(2)}` : v.toFixed(2));
  return html`<svg class="waterfall" role="img" aria-label="得分构成" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<title>得分构成：${score.toFixed(2)}</title>
${[
  // Review label to the left of its line, link label to the right: close thresholds must not overprint.
  { v: thresholds.review, t: `复核 ${thresholds.review}`, anchor: 'end', dx: -3 },
  { v: thresholds.link, t: `关联 ${thresholds.link}`, anchor: 'start', dx: 3 },
].map((l) => html`<line x1="${x(l.v)}" x2="${x(l.v)}" y1="${top - 4}" y2="${height - 4}" class="threshold"/><text x="${x(l.v) + l.dx}" y="${top - 7}" text-anchor="${l.anchor}" class="value">${l.t}</text>`)}
<line x1="${x(0)}" x2="${x(0)}" y1="${top - 4}" y2="${height - 4}" class="axis"/>
${steps.map((s, i) => {
  const [from, to] = running[i]!;
  const y = top + i * ROW;
  return html`<g class="step" data-feature="${s.label}">
<text x="${LABEL - 6}" y="${y + 11}" text-anchor="end">${s.label}</text>
${s.weight === 0 ? html`<line x1="${x(from)}" x2="${x(from)}" y1="${y}" y2="${y + ROW - 8}" class="axis"><title>${s.label}：${s.detail}，0</title></line>` : bar(from, to, y, s.weight > 0 ? 'bar-plus' : 'bar-minus', `${s.label}：${s.detail}，${fmt(s.weight)}`)}
<text x="${Math.max(x(from), x(to)) + 4}" y="${y + 11}" class="value">${s.weight === 0 ? s.detail : `${fmt(s.weight)} ${s.detail}`}</text>
</g>`;
})}
<g class="step total">
<text x="${LABEL - 6}" y="${top + steps.length * ROW + 11}" text-anchor="end" font-weight="bold">总分</text>
${bar(0, score, top + steps.length * ROW, 'bar-total', `总分 ${score.toFixed(2)}`)}
<text x="${Math.max(x(0), x(score)) + 4}" y="${top + steps.length * ROW + 11}" class="value">${score.toFixed(2)}</text>
</g>
</svg>`;
}
