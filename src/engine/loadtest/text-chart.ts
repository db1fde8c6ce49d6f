/** A terminal chart of latency percentiles per load level: one line per level, marks on a shared scale. Pure. */

export interface ChartRow {
  label: string;
  p50: number;
  p95: number;
  p99: number;
}

const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));

/**
 * `  10 users |----5--9-----*            | 12.3 ms` with 5 = p50, 9 = p95, * = p99 on a linear scale from 0 to the
 * largest p99 (a log scale when the largest is over 100 times the smallest, so both ends stay readable).
 */
export function latencyChart(rows: readonly ChartRow[], width = 40): string[] {
  if (rows.length === 0) return [];
  const max = Math.max(...rows.map((r) => r.p99), 1e-3);
  const min = Math.max(1e-3, Math.min(...rows.map((r) => r.p50)));
  const log = max / min > 100;
  const pos = (v: number): number => {
    const x = log ? (Math.log(Math.max(v, min)) - Math.log(min)) / (Math.log(max) - Math.log(min) || 1) : v / max;
    return Math.min(width - 1, Math.max(0, Math.round(x * (width - 1))));
  };
  const labelW = Math.max(...rows.map((r) => r.label.length));
  const lines = rows.map((r) => {
    const cells = Array.from({ length: width }, () => ' ');
    for (let i = 0; i < pos(r.p50); i++) cells[i] = '-';
    cells[pos(r.p99)] = '*';
    cells[pos(r.p95)] = '9';
    cells[pos(r.p50)] = '5';
    return `  ${r.label.padStart(labelW)} |${cells.join('')}| p99 ${fmt(r.p99)} ms`;
  });
  const scale = `  ${' '.repeat(labelW)}  ${log ? `${fmt(min)} ms (log scale)` : '0 ms'}${' '.repeat(Math.max(1, width - 24))}${fmt(max)} ms`;
  return [...lines, scale];
}
