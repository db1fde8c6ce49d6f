/** Inline SVG charts for the HTML reports (no scripts, no external assets). Pure: data -> SVG text. */

export interface Series {
  name: string;
  color: string;
  /** [x, y] points; x in the chart's own unit. */
  points: Array<[number, number]>;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Category labels for x = 0, 1, 2, ... (instead of numbers). */
  xTicks?: string[] | undefined;
  width?: number;
  height?: number;
  /** bars: one bar per x per series (counts); lines otherwise. */
  kind?: 'line' | 'bar';
}

export const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const short = (v: number): string =>
  Math.abs(v) >= 1000
    ? `${(v / 1000).toFixed(1)}k`
    : Math.abs(v) >= 10
      ? v.toFixed(0)
      : v.toFixed(2).replace(/\.?0+$/, '') || '0';

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 2.5, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

export function chartSvg(spec: ChartSpec): string {
  const W = spec.width ?? 720,
    H = spec.height ?? 260,
    L = 56,
    R = 16,
    T = 28,
    B = 40;
  const all = spec.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const xMin = spec.kind === 'bar' ? -0.5 : Math.min(0, ...xs);
  const xMax = spec.kind === 'bar' ? Math.max(0, ...xs) + 0.5 : Math.max(1, ...xs);
  const yMax = niceMax(Math.max(0, ...all.map((p) => p[1])));
  const x = (v: number): number => L + ((v - xMin) / (xMax - xMin || 1)) * (W - L - R);
  const y = (v: number): number => T + (1 - v / yMax) * (H - T - B);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(spec.title)}">`,
  ];
  out.push(`<text x="${L}" y="16" font-size="13" font-weight="bold">${escapeXml(spec.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${L - 6}" y="${y(v) + 4}" font-size="10" text-anchor="end">${short(v)}</text>`,
    );
  }
  const ticks =
    spec.xTicks ??
    [...new Set(xs)]
      .sort((a, b) => a - b)
      .filter((_, i, arr) => i % Math.max(1, Math.ceil(arr.length / 10)) === 0)
      .map(String);
  ticks.forEach((t, i) => {
    const xv = spec.xTicks ? i : Number(t);
    out.push(`<text x="${x(xv)}" y="${H - B + 14}" font-size="10" text-anchor="middle">${escapeXml(t)}</text>`);
  });
  out.push(
    `<text x="${(L + W - R) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
  );
  out.push(
    `<text x="12" y="${(T + H - B) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${(T + H - B) / 2})">${escapeXml(spec.yLabel)}</text>`,
  );
  const n = spec.series.length;
  spec.series.forEach((s, si) => {
    if (spec.kind === 'bar') {
      const bw = (((W - L - R) / (xMax - xMin || 1)) * 0.8) / n;
      for (const [px, py] of s.points)
        out.push(
          `<rect x="${x(px) - (bw * n) / 2 + si * bw}" y="${y(py)}" width="${bw}" height="${y(0) - y(py)}" fill="${s.color}"><title>${escapeXml(`${s.name}: ${short(py)}`)}</title></rect>`,
        );
    } else if (s.points.length) {
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${s.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ')}"/>`,
      );
    }
    out.push(
      `<rect x="${W - R - 110}" y="${T + si * 16}" width="10" height="10" fill="${s.color}"/><text x="${W - R - 96}" y="${T + 9 + si * 16}" font-size="11">${escapeXml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}

/** A self-contained page: title, inline CSS, the given body. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px auto;max-width:960px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}.pass{color:#1a7f37;font-weight:bold}.fail{color:#cf222e;font-weight:bold}
svg{display:block;margin:12px 0;max-width:100%;height:auto}pre{background:#f6f8fa;padding:8px;overflow:auto}
</style></head><body>
${body}
</body></html>
`;
}

export function htmlTable(head: string[], rows: string[][]): string {
  const cell = (tag: string) => (c: string) => `<${tag}>${escapeXml(c)}</${tag}>`;
  return `<table><tr>${head.map(cell('th')).join('')}</tr>${rows.map((r) => `<tr>${r.map(cell('td')).join('')}</tr>`).join('')}</table>`;
}
