/**
 * The text report: the old load-test.py layout (configuration, results, response times, analysis, scalability
 * table) so its users recognise it, with the new sections: late sends, end to end, engine stages, generator CPU,
 * thresholds and a terminal chart of latency percentiles against load. Pure: LoadReport -> string.
 */
import { STAGES } from '../monitor/types.js';
import { GRADE_BARS } from './analysis.js';
import type { LoadReport } from './report.js';
import { latencyChart } from './text-chart.js';

const RULE = '='.repeat(64);

export function fmtMs(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (x < 1) return `${(x * 1000).toFixed(0)} µs`;
  return `${x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0)} ms`;
}

const pct = (x: number): string => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 2)}%`;
const num = (x: number): string => x.toLocaleString('en-US');
const rate = (x: number | null): string => (x === null ? '-' : `${x.toFixed(1)} req/s`);
const mb = (b: number | null): string => (b === null ? '-' : `${(b / 1024 / 1024).toFixed(0)} MB`);
const kv = (k: string, v: string): string => `  ${`${k}:`.padEnd(32)}${v}`;

export function table(head: string[], rows: string[][]): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    `  ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')}`;
  return [line(head), ...rows.map(line)];
}

function configSection(r: LoadReport): string[] {
  const c = r.config;
  return [
    'Test Configuration:',
    kv('Test type', c.type),
    kv(
      'Model',
      c.model === 'open'
        ? 'open (constant arrival rate; latency from intended send time)'
        : 'closed (users wait for each answer)',
    ),
    kv('Target', c.target),
    kv('Duration', `${c.durationS.toFixed(1)} s${c.warmupS ? ` (+ warmup ${c.warmupS} s, not counted)` : ''}`),
    kv('Concurrent users', c.users === null ? '- (open model)' : String(c.users)),
    kv('Requests per user', c.requestsPerUser === null ? '-' : String(c.requestsPerUser)),
    kv('Ramp-up', `${c.rampUpS} s`),
    kv('Asked rate', rate(r.rate.asked)),
    ...(c.phases.length > 1 ? [kv('Levels', c.phases.join(', '))] : []),
  ];
}

function resultsSection(r: LoadReport): string[] {
  const q = r.requests;
  const codes = Object.entries(q.statuses)
    .map(([k, v]) => `${k}: ${num(v)}`)
    .concat(Object.entries(q.errors).map(([k, v]) => `${k}: ${num(v)}`));
  return [
    'Results:',
    kv('Total requests', num(q.total)),
    kv('Successful', num(q.successful)),
    kv('Failed', `${num(q.failed)}${codes.length ? `  (${codes.join(', ')})` : ''}`),
    kv(
      'Requests per second',
      `${r.rate.achieved.toFixed(1)}${r.rate.asked !== null ? ` (asked ${r.rate.asked.toFixed(1)})` : ''}`,
    ),
    kv(
      'Late sends',
      `${num(r.late)} (> ${r.config.lateMs} ms after the intended time; lateness p99 ${fmtMs(r.lateness.p99)}, max ${fmtMs(r.lateness.max)})`,
    ),
    ...(q.skipped ? [kv('Not sent', `${num(q.skipped)} (stopped or capped)`)] : []),
  ];
}

function latencySection(r: LoadReport): string[] {
  const l = r.latency;
  return [
    `Response Times (${l.basis === 'send' ? 'from each send' : 'from each intended send time'}, ${num(l.count)} samples):`,
    kv('Average', fmtMs(l.avg)),
    kv('50th percentile', fmtMs(l.p50)),
    kv('95th percentile', fmtMs(l.p95)),
    kv('99th percentile', fmtMs(l.p99)),
    kv('Max', fmtMs(l.max)),
    ...(l.basis !== 'send'
      ? [
          kv(
            'From actual send',
            `p50 ${fmtMs(r.service.p50)}, p99 ${fmtMs(r.service.p99)} (what a closed-loop tool shows)`,
          ),
        ]
      : []),
  ];
}

function e2eSection(r: LoadReport): string[] {
  const e = r.e2e;
  if (!e)
    return [
      'End to End: not measured (give --e2e PANE with `webhook-tui sink` running in it, or use the scratch engine)',
    ];
  return [
    'End to End (acknowledged -> line typed into the pane, seen by the sink):',
    kv('Delivered', `${num(e.delivered)} of ${num(e.acknowledged)} acknowledged`),
    kv('Lost', `${num(e.lost)}${e.pending ? ` (${num(e.pending)} still queued when the wait ended)` : ''}`),
    kv('Duplicated', num(e.duplicated)),
    kv('Out of order', num(e.reordered)),
    ...(e.unacknowledged ? [kv('Typed, not acknowledged', num(e.unacknowledged))] : []),
    kv('Average', fmtMs(e.avg)),
    kv('50th percentile', fmtMs(e.p50)),
    kv('95th percentile', fmtMs(e.p95)),
    kv('99th percentile', fmtMs(e.p99)),
    kv('Max', fmtMs(e.max)),
  ];
}

function engineSection(r: LoadReport): string[] {
  const g = r.generator;
  const out = [
    'Resources:',
    kv('Generator CPU', `${g.cpuPercent.toFixed(1)}% of one core (${g.cpuCount} cores; senders in a worker thread)`),
  ];
  const e = r.engine;
  if (e) {
    out.push(
      kv(
        'Engine CPU / RSS',
        `${e.cpuPercent === null ? '-' : `${e.cpuPercent.toFixed(1)}%`} / ${mb(e.rssBytes)}${e.rssAtStartBytes === null ? '' : ` (RSS at start ${mb(e.rssAtStartBytes)})`}`,
      ),
    );
    if (e.eventLoopDelayP99Ms !== null) out.push(kv('Engine event loop p99', fmtMs(e.eventLoopDelayP99Ms)));
  }
  out.push(
    kv(
      'Load average',
      `${r.loadAverage.start.map((x) => x.toFixed(2)).join(' ')} -> ${r.loadAverage.end.map((x) => x.toFixed(2)).join(' ')}`,
    ),
  );
  if (e?.stages) {
    out.push('', `Engine stages (its own monitor, ${e.window}):`);
    out.push(
      ...table(
        ['stage', 'count', 'p50', 'p95', 'p99', 'max'],
        STAGES.map((s) => {
          const x = e.stages![s];
          return [s, num(x.count), fmtMs(x.p50Ms), fmtMs(x.p95Ms), fmtMs(x.p99Ms), fmtMs(x.maxMs)];
        }),
      ),
    );
  }
  return out;
}

function thresholdValue(expr: string, v: number | null): string {
  if (v === null) return 'no such figure in this run';
  if (/^\s*(e2e\.)?(avg|min|med|p[\d.()]+|max)\s*[<>=]/i.test(expr)) return fmtMs(v);
  if (/^\s*errors/i.test(expr) || expr.includes('%')) return pct(v);
  return Number.isInteger(v) ? num(v) : v.toFixed(1);
}

function analysisSection(r: LoadReport): string[] {
  const out: string[] = [];
  if (r.thresholds.length) {
    out.push('Thresholds:');
    for (const t of r.thresholds)
      out.push(`  ${t.ok ? 'PASS' : 'FAIL'}  ${t.expr.padEnd(22)}${thresholdValue(t.expr, t.actual)}`);
    out.push('');
  }
  const g = r.grade;
  out.push(
    'Analysis:',
    kv(`Response time (p95 <= ${GRADE_BARS.p95Ms / 1000} s)`, g.responseTime),
    kv(`Throughput (>= ${GRADE_BARS.rps} req/s)`, g.throughput),
    kv(`Error rate (<= ${GRADE_BARS.errorRate * 100}%)`, g.errorRate),
    kv('Overall', g.overall),
  );
  return out;
}

function levelsSection(r: LoadReport): string[] {
  if (!r.levels?.length) return [];
  const byUsers = r.config.type === 'scalability';
  const head = [
    byUsers ? 'Users' : 'Rate',
    'RPS',
    'Avg Response',
    'p95',
    'p99',
    'Error Rate',
    ...(r.e2e ? ['e2e p99'] : []),
    ...(byUsers ? [] : ['Held']),
  ];
  const rows = r.levels.map((l) => [
    byUsers ? String(l.users) : `${l.rate}/s`,
    l.rps.toFixed(1),
    fmtMs(l.latency.avg),
    fmtMs(l.latency.p95),
    fmtMs(l.latency.p99),
    pct(l.errorRate),
    ...(r.e2e ? [fmtMs(l.e2eP99)] : []),
    ...(byUsers ? [] : [l.ok ? 'yes' : 'no']),
  ]);
  const out = [byUsers ? 'Scalability Test Results:' : 'Stress Test Results:', ...table(head, rows)];
  if (byUsers)
    out.push(
      r.sweetSpot
        ? `  Sweet spot: ${r.sweetSpot.users} concurrent users (${r.sweetSpot.rps.toFixed(1)} req/s)`
        : '  Sweet spot: none (no level within p95 <= 1 s and errors <= 1%)',
    );
  if (r.stress)
    out.push(
      `  Last rate that held: ${r.stress.lastHeldRate === null ? 'none' : `${r.stress.lastHeldRate}/s`}${r.stress.brokeAt !== null ? `; broke at ${r.stress.brokeAt}/s` : '; nothing broke up to the highest step'}`,
    );
  out.push(
    '',
    'Latency against load (p50 5, p95 9, p99 *):',
    ...latencyChart(
      r.levels.map((l) => ({
        label: byUsers ? `${l.users} users` : `${l.rate}/s`,
        p50: l.latency.p50,
        p95: l.latency.p95,
        p99: l.latency.p99,
      })),
    ),
  );
  return out;
}

function extraSections(r: LoadReport): string[] {
  const out: string[] = [];
  if (r.spike) {
    const rec = (x: number | null): string =>
      x === null ? 'did not recover before the end' : `${(x / 1000).toFixed(1)} s`;
    out.push(
      'Spike:',
      kv('Base -> peak', `${r.spike.baseRate}/s -> ${r.spike.peakRate}/s`),
      kv('Recovery (responses)', rec(r.spike.recoveryMs)),
    );
    if (r.e2e) out.push(kv('Recovery (end to end)', rec(r.spike.e2eRecoveryMs)));
  }
  if (r.soak)
    out.push('Soak:', kv('p99 first tenth', fmtMs(r.soak.firstP99)), kv('p99 last tenth', fmtMs(r.soak.lastP99)));
  return out;
}

export function renderText(r: LoadReport): string {
  const sections = [
    configSection(r),
    resultsSection(r),
    latencySection(r),
    e2eSection(r),
    engineSection(r),
    levelsSection(r),
    extraSections(r),
    analysisSection(r),
  ].filter((s) => s.length);
  const head = [
    RULE,
    'WEBHOOK-TUI LOAD TEST REPORT',
    `${r.startedAt} - ${r.finishedAt}${r.stopped ? '  (STOPPED EARLY: figures cover what ran)' : ''}`,
    RULE,
  ];
  return [
    ...head,
    ...sections.flatMap((s) => [...s, '']),
    `Result: ${r.passed ? 'PASSED' : 'FAILED'} (${r.thresholds.length ? `${r.thresholds.filter((t) => !t.ok).length} of ${r.thresholds.length} thresholds broken` : 'no thresholds given'})`,
    RULE,
  ].join('\n');
}
