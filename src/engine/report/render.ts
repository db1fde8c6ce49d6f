/** The performance report as text (terminal) and as one self-contained HTML page (inline SVG). Pure. */
import { chartSvg, escapeXml, htmlPage, htmlTable } from '../loadtest/svg.js';
import { fmtMs, table } from '../loadtest/report-text.js';
import { STAGES } from '../monitor/types.js';
import type { PeriodFigures, PeriodReport } from './period.js';

const RULE = '='.repeat(64);
const num = (x: number): string => Math.round(x).toLocaleString('en-US');
const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(2)}%`);
const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
const when = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

function change(cur: number | null, prev: number | null): string {
  if (cur === null || prev === null) return '-';
  if (prev === 0) return cur === 0 ? '0' : 'new';
  const d = ((cur - prev) / prev) * 100;
  return `${d >= 0 ? '+' : ''}${d.toFixed(1)}%`;
}

function summaryRows(c: PeriodFigures, p: PeriodFigures): string[][] {
  const row = (name: string, a: number | null, b: number | null, f: (x: number | null) => string): string[] => [
    name,
    f(a),
    f(b),
    change(a, b),
  ];
  const n = (x: number | null): string => (x === null ? '-' : num(x));
  return [
    row('received', c.received, p.received, n),
    row('delivered', c.delivered, p.delivered, n),
    row('dead-lettered', c.failed, p.failed, n),
    row('retries', c.retries, p.retries, n),
    row('rate limited', c.rateLimited, p.rateLimited, n),
    row('success rate', c.successRate, p.successRate, pct),
    row('error rate', c.errorRate, p.errorRate, pct),
    row('throughput (delivered/s)', c.deliveredPerSec, p.deliveredPerSec, (x) => (x === null ? '-' : x.toFixed(3))),
    row(
      'end to end p95',
      c.stages.endToEnd.count ? c.stages.endToEnd.p95Ms : null,
      p.stages.endToEnd.count ? p.stages.endToEnd.p95Ms : null,
      (x) => fmtMs(x),
    ),
    row(
      'end to end p99',
      c.stages.endToEnd.count ? c.stages.endToEnd.p99Ms : null,
      p.stages.endToEnd.count ? p.stages.endToEnd.p99Ms : null,
      (x) => fmtMs(x),
    ),
    row('monitor coverage (hours)', c.coveredSec / 3600, p.coveredSec / 3600, (x) => (x === null ? '-' : x.toFixed(1))),
  ];
}

function stageRows(r: PeriodReport): string[][] {
  return STAGES.map((s) => {
    const x = r.current.stages[s];
    const prev = r.previous.stages[s];
    const ms = (v: number, n: number): string => (n ? fmtMs(v) : '-');
    return [
      s,
      num(x.count),
      ms(x.p50Ms, x.count),
      ms(x.p95Ms, x.count),
      ms(x.p99Ms, x.count),
      ms(x.maxMs, x.count),
      ms(prev.p95Ms, prev.count),
    ];
  });
}

const dayRows = (r: PeriodReport): string[][] =>
  r.days.map((d) => [
    d.day,
    num(d.received),
    num(d.delivered),
    num(d.failed),
    num(d.retries),
    d.deliveredPerSec.toFixed(3),
    d.delivered ? fmtMs(d.endToEndP95Ms) : '-',
  ]);
const alertRows = (r: PeriodReport): string[][] =>
  r.alerts.map((a) => [
    a.rule,
    a.severity,
    when(a.firedAt),
    a.resolvedAt === null ? 'still firing' : when(a.resolvedAt),
    `${(a.durationMs / 60_000).toFixed(1)} min`,
  ]);

function resources(c: PeriodFigures): string[] {
  const x = c.resources;
  return [
    `  engine CPU mean ${x.cpuMeanPercent.toFixed(1)}%, max ${x.cpuMaxPercent.toFixed(1)}% (of one core); RSS mean ${mb(x.rssMeanBytes)}, max ${mb(x.rssMaxBytes)}; load average (1 min) mean ${x.load1Mean.toFixed(2)}; most tasks pending ${num(x.pendingMax)}`,
  ];
}

const DAY_HEAD = ['day', 'received', 'delivered', 'failed', 'retries', 'per sec', 'e2e p95'];
const STAGE_HEAD = ['stage', 'count', 'p50', 'p95', 'p99', 'max', 'p95 before'];

export function renderPeriodText(r: PeriodReport): string {
  const reasons = (title: string, xs: PeriodReport['deadLetterReasons']): string[] => [
    title,
    ...(xs.length ? xs.map((x) => `  ${String(x.count).padStart(6)}  ${x.reason}`) : ['  none']),
  ];
  return [
    RULE,
    'WEBHOOK-TUI PERFORMANCE REPORT',
    `Period: ${when(Date.parse(r.period.since))} -> ${when(Date.parse(r.period.until))} UTC (${r.period.days} days), against the ${r.period.days} days before`,
    RULE,
    'Summary:',
    ...table(['', 'this period', 'previous', 'change'], summaryRows(r.current, r.previous)),
    '',
    'Deliveries per day:',
    ...(r.days.length ? table(DAY_HEAD, dayRows(r)) : ['  no monitor history in this period']),
    '',
    'Latency per stage (merged stored histograms):',
    ...table(STAGE_HEAD, stageRows(r)),
    '',
    ...reasons('Top dead-letter reasons:', r.deadLetterReasons),
    '',
    ...reasons('Top rejection reasons (spool rejected/):', r.rejectionReasons),
    '',
    'Alerts:',
    ...(r.alerts.length ? table(['rule', 'severity', 'fired', 'resolved', 'lasted'], alertRows(r)) : ['  none']),
    '',
    'Resources:',
    ...resources(r.current),
    RULE,
  ].join('\n');
}

export function renderPeriodHtml(r: PeriodReport): string {
  const title = `webhook-tui performance report, ${r.period.since.slice(0, 10)} to ${r.period.until.slice(0, 10)}`;
  const charts = r.days.length
    ? [
        chartSvg({
          title: 'Deliveries per day',
          xLabel: 'day',
          yLabel: 'tasks',
          kind: 'bar',
          xTicks: r.days.map((d) => d.day.slice(5)),
          series: [
            { name: 'delivered', color: '#2f81f7', points: r.days.map((d, i) => [i, d.delivered]) },
            { name: 'dead', color: '#cf222e', points: r.days.map((d, i) => [i, d.failed]) },
          ],
        }),
        chartSvg({
          title: 'End-to-end p95 per day',
          xLabel: 'day',
          yLabel: 'ms',
          xTicks: r.days.map((d) => d.day.slice(5)),
          series: [{ name: 'e2e p95', color: '#d29922', points: r.days.map((d, i) => [i, d.endToEndP95Ms]) }],
        }),
      ].join('\n')
    : '<p>No monitor history in this period.</p>';
  const reasons = (xs: PeriodReport['deadLetterReasons']): string =>
    xs.length
      ? htmlTable(
          ['count', 'reason'],
          xs.map((x) => [String(x.count), x.reason]),
        )
      : '<p>none</p>';
  const body = [
    `<h1>${escapeXml(title)}</h1>`,
    `<p>Generated ${escapeXml(r.generatedAt)}; compared with the ${r.period.days} days before.</p>`,
    '<h2>Summary</h2>',
    htmlTable(['', 'this period', 'previous', 'change'], summaryRows(r.current, r.previous)),
    '<h2>Charts</h2>',
    charts,
    '<h2>Deliveries per day</h2>',
    htmlTable(DAY_HEAD, dayRows(r)),
    '<h2>Latency per stage</h2>',
    htmlTable(STAGE_HEAD, stageRows(r)),
    '<h2>Top dead-letter reasons</h2>',
    reasons(r.deadLetterReasons),
    '<h2>Top rejection reasons</h2>',
    reasons(r.rejectionReasons),
    '<h2>Alerts</h2>',
    r.alerts.length ? htmlTable(['rule', 'severity', 'fired', 'resolved', 'lasted'], alertRows(r)) : '<p>none</p>',
    '<h2>Resources</h2>',
    `<p>${escapeXml(resources(r.current)[0]!.trim())}</p>`,
  ];
  return htmlPage(title, body.join('\n'));
}
