/** `loadtest --html FILE`: one self-contained page (inline CSS and SVG, no scripts, no external assets). Pure. */
import { STAGES } from '../monitor/types.js';
import type { LoadReport } from './report.js';
import { fmtMs, renderText } from './report-text.js';
import { chartSvg, escapeXml, htmlPage, htmlTable, type Series } from './svg.js';

const P_COLORS = { p50: '#2f81f7', p95: '#d29922', p99: '#cf222e' } as const;

function timelineChart(r: LoadReport): string {
  if (r.timeline.length === 0) return '';
  const s = (k: 'p50' | 'p95' | 'p99') => ({
    name: k,
    color: P_COLORS[k],
    points: r.timeline.map((p) => [p.second, p[k]] as [number, number]),
  });
  return (
    chartSvg({
      title: 'Response time per second',
      xLabel: 'seconds',
      yLabel: 'ms',
      series: [s('p50'), s('p95'), s('p99')],
    }) +
    chartSvg({
      title: 'Requests per second',
      xLabel: 'seconds',
      yLabel: 'requests',
      kind: 'line',
      series: [
        { name: 'sent', color: '#2f81f7', points: r.timeline.map((p) => [p.second, p.sent]) },
        { name: 'failed', color: '#cf222e', points: r.timeline.map((p) => [p.second, p.failed]) },
      ],
    })
  );
}

function levelsChart(r: LoadReport): string {
  if (!r.levels?.length) return '';
  const byUsers = r.config.type === 'scalability';
  const ticks = r.levels.map((l) => (byUsers ? `${l.users} users` : `${l.rate}/s`));
  const s = (k: 'p50' | 'p95' | 'p99') => ({
    name: k,
    color: P_COLORS[k],
    points: r.levels!.map((l, i) => [i, l.latency[k]] as [number, number]),
  });
  const series: Series[] = [s('p50'), s('p95'), s('p99')];
  if (r.e2e)
    series.push({
      name: 'e2e p99',
      color: '#8250df',
      points: r.levels.flatMap((l, i) => (l.e2eP99 === undefined ? [] : [[i, l.e2eP99] as [number, number]])),
    });
  return (
    chartSvg({
      title: 'Latency against load',
      xLabel: byUsers ? 'concurrent users' : 'asked rate',
      yLabel: 'ms',
      series,
      xTicks: ticks,
    }) +
    chartSvg({
      title: 'Throughput against load',
      xLabel: byUsers ? 'concurrent users' : 'asked rate',
      yLabel: 'req/s',
      kind: 'bar',
      xTicks: ticks,
      series: [{ name: 'rps', color: '#2f81f7', points: r.levels.map((l, i) => [i, l.rps]) }],
    })
  );
}

function summary(r: LoadReport): string {
  const rows: string[][] = [
    ['requests', `${r.requests.total} (${r.requests.successful} ok, ${r.requests.failed} failed)`],
    [
      'rate asked / achieved',
      `${r.rate.asked === null ? '-' : r.rate.asked.toFixed(1)} / ${r.rate.achieved.toFixed(1)} req/s`,
    ],
    [
      `latency (${r.latency.basis})`,
      `p50 ${fmtMs(r.latency.p50)} · p95 ${fmtMs(r.latency.p95)} · p99 ${fmtMs(r.latency.p99)} · max ${fmtMs(r.latency.max)}`,
    ],
    ['late sends', String(r.late)],
  ];
  if (r.e2e)
    rows.push([
      'end to end',
      `p50 ${fmtMs(r.e2e.p50)} · p95 ${fmtMs(r.e2e.p95)} · p99 ${fmtMs(r.e2e.p99)}; ${r.e2e.delivered} of ${r.e2e.acknowledged} typed, lost ${r.e2e.lost}, duplicated ${r.e2e.duplicated}, out of order ${r.e2e.reordered}`,
    ]);
  rows.push(['grade', r.grade.overall]);
  return htmlTable(['', ''], rows);
}

function stages(r: LoadReport): string {
  const st = r.engine?.stages;
  if (!st) return '';
  return `<h2>Engine stages (${escapeXml(r.engine!.window)})</h2>${htmlTable(
    ['stage', 'count', 'p50', 'p95', 'p99', 'max'],
    STAGES.map((s) => [
      s,
      String(st[s].count),
      fmtMs(st[s].p50Ms),
      fmtMs(st[s].p95Ms),
      fmtMs(st[s].p99Ms),
      fmtMs(st[s].maxMs),
    ]),
  )}`;
}

function thresholds(r: LoadReport): string {
  if (!r.thresholds.length) return '';
  return `<h2>Thresholds</h2><table>${r.thresholds.map((t) => `<tr><td class="${t.ok ? 'pass' : 'fail'}">${t.ok ? 'PASS' : 'FAIL'}</td><td>${escapeXml(t.expr)}</td><td>${t.actual === null ? '-' : escapeXml(String(Math.round(t.actual * 1000) / 1000))}</td></tr>`).join('')}</table>`;
}

export function renderHtml(r: LoadReport): string {
  const title = `webhook-tui load test: ${r.config.type}, ${r.startedAt}`;
  const body = [
    `<h1>${escapeXml(title)}</h1>`,
    `<p class="${r.passed ? 'pass' : 'fail'}">${r.passed ? 'PASSED' : 'FAILED'}${r.stopped ? ' (stopped early)' : ''}</p>`,
    summary(r),
    thresholds(r),
    '<h2>Charts</h2>',
    levelsChart(r),
    timelineChart(r),
    stages(r),
    `<h2>Full report</h2><pre>${escapeXml(renderText(r))}</pre>`,
  ];
  return htmlPage(title, body.join('\n'));
}
