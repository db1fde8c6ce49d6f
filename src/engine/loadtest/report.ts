/**
 * The load-test report document (`loadtest --json`; the text and HTML reports render it). Documented in README
 * ("Load testing"); fields are only ever added. Times in ms (floats, from µs histograms), rates per second.
 */
import { breakingPoint, drift, grade, recoveryMs, sweetSpot, type Grading, type LevelRow } from './analysis.js';
import { latencyStats, statsOf, type LatencyStats } from './histogram.js';
import { e2eFigures, figuresOf, levelRows, phaseFigures } from './figures.js';
import { expectedCount, totalDurationMs } from './schedule.js';
import type { EngineView } from './engine-stats.js';
import type { RunData } from './run.js';
import { evaluateThresholds, type ThresholdResult } from './thresholds.js';
import { VERSION } from '../version.js';

export interface TimelinePoint {
  /** Seconds since the test started (by intended send time). */
  second: number;
  sent: number;
  failed: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface LoadReport {
  tool: { name: 'webhook-tui loadtest'; version: string };
  /** Every command text of this run is `lt-<runId>-<seq>`. */
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** true when Ctrl-C ended the run early: the figures cover what ran. */
  stopped: boolean;
  config: {
    type: string;
    model: 'open' | 'closed';
    target: string;
    scratch: boolean;
    durationS: number;
    warmupS: number;
    rampUpS: number;
    users: number | null;
    requestsPerUser: number | null;
    maxRequests: number;
    lateMs: number;
    timeoutMs: number;
    phases: string[];
  };
  requests: {
    total: number;
    successful: number;
    failed: number;
    skipped: number;
    statuses: Record<string, number>;
    errors: Record<string, number>;
  };
  rate: { asked: number | null; achieved: number };
  /** Open model: from each request's intended send time; closed: from its send. */
  latency: LatencyStats & { basis: 'intended send time' | 'send' };
  /** From the actual send (what a closed-loop tool would report), for comparison. */
  service: LatencyStats;
  /** Sends that left more than config.lateMs after their intended time. */
  late: number;
  lateness: { p99: number; max: number };
  e2e?:
    | {
        acknowledged: number;
        delivered: number;
        lost: number;
        pending: number;
        duplicated: number;
        reordered: number;
        unacknowledged: number;
        avg: number;
        p50: number;
        p95: number;
        p99: number;
        max: number;
      }
    | undefined;
  engine?: (EngineView & { rssAtStartBytes: number | null }) | undefined;
  generator: { cpuPercent: number; cpuCount: number; threads: 'worker' };
  loadAverage: { start: number[]; end: number[] };
  thresholds: Array<{ expr: string; actual: number | null; ok: boolean }>;
  passed: boolean;
  grade: Grading;
  levels?:
    | Array<{
        users?: number | undefined;
        rate?: number | undefined;
        rps: number;
        latency: LatencyStats;
        errorRate: number;
        requests: number;
        late: number;
        e2eP99?: number | undefined;
        ok?: boolean | undefined;
      }>
    | undefined;
  stress?: { lastHeldRate: number | null; brokeAt: number | null } | undefined;
  spike?: { baseRate: number; peakRate: number; recoveryMs: number | null; e2eRecoveryMs: number | null } | undefined;
  sweetSpot?: { users: number; rps: number } | null | undefined;
  soak?: { firstP99: number; lastP99: number } | null | undefined;
  timeline: TimelinePoint[];
}

function timeline(d: RunData): TimelinePoint[] {
  const out: TimelinePoint[] = [];
  for (const ph of d.phases) {
    const base = Math.round((ph.result.startedAt - d.phases[0]!.result.startedAt) / 1000);
    for (const s of ph.result.timeline) {
      const st = latencyStats(s.latency);
      out.push({ second: base + s.second, sent: s.sent, failed: s.failed, p50: st.p50, p95: st.p95, p99: st.p99 });
    }
  }
  return out;
}

/** Per-second p95 of end-to-end latency, by the second the request was due in the (single) spike phase. */
function e2eSeries(d: RunData): Array<{ second: number; p95: number }> {
  const ph = d.phases[0];
  if (!d.e2e || !ph) return [];
  const bySecond = new Map<number, number[]>();
  for (let i = 0; i < ph.result.sentAt.length; i++) {
    const v = d.e2e.perSeq.get(ph.seqStart + i);
    const sent = ph.result.sentAt[i]!;
    if (v === undefined || Number.isNaN(sent)) continue;
    const sec = Math.floor((sent - ph.result.startedAt) / 1000);
    (bySecond.get(sec) ?? bySecond.set(sec, []).get(sec)!).push(v);
  }
  return [...bySecond].map(([second, xs]) => ({ second, p95: statsOf(xs).p95 }));
}

function spikeSection(d: RunData, tl: TimelinePoint[]): LoadReport['spike'] {
  const o = d.options;
  const third = Math.round(o.durationMs / 3) / 1000;
  const base = (xs: Array<{ second: number; p95: number }>): number =>
    Math.max(0, ...xs.filter((p) => p.second < third).map((p) => p.p95));
  const e2e = e2eSeries(d);
  return {
    baseRate: o.rate,
    peakRate: o.peakRate,
    recoveryMs: recoveryMs(tl, base(tl), Math.ceil(2 * third)),
    e2eRecoveryMs: e2e.length ? recoveryMs(e2e, base(e2e), Math.ceil(2 * third)) : null,
  };
}

export function buildReport(d: RunData): LoadReport {
  const o = d.options;
  const open = o.model === 'open' && o.type !== 'scalability';
  const results = d.phases.map((p) => p.result);
  const f = figuresOf(results, open);
  const rows: LevelRow[] = levelRows(d.phases, d.e2e);
  const stress = o.type === 'stress' ? breakingPoint(rows) : undefined;
  // Stress is judged at its last level that held (or its first, when none did); other types over the whole run.
  const judged = stress
    ? d.phases.filter(
        (p) => p.plan.level && 'rate' in p.plan.level && p.plan.level.rate === (stress.lastHeld ?? rows[0]?.rate),
      )
    : d.phases;
  const thresholds: ThresholdResult[] = evaluateThresholds(
    o.thresholds,
    phaseFigures(
      judged.map((p) => p.result),
      stress ? null : d.e2e,
      open,
    ),
  );
  const tl = timeline(d);
  const plannedMs = d.phases.reduce(
    (a, p) => a + (p.plan.model.kind === 'open' ? totalDurationMs(p.plan.model.stages) : p.plan.model.durationMs),
    0,
  );
  const asked =
    open && plannedMs > 0
      ? d.phases.reduce((a, p) => a + (p.plan.model.kind === 'open' ? expectedCount(p.plan.model.stages) : 0), 0) /
        (plannedMs / 1000)
      : null;
  const e = d.e2e ? { ...e2eFigures(d.e2e).latency } : null;
  const spot = o.type === 'scalability' ? sweetSpot(rows) : undefined;
  return {
    tool: { name: 'webhook-tui loadtest', version: VERSION },
    runId: d.runId,
    startedAt: new Date(d.startedAt).toISOString(),
    finishedAt: new Date(d.finishedAt).toISOString(),
    stopped: d.stopped,
    config: {
      type: o.type,
      model: open ? 'open' : 'closed',
      target: d.target.describe,
      scratch: d.target.describe.startsWith('scratch'),
      durationS: plannedMs / 1000,
      warmupS: o.warmupMs / 1000,
      rampUpS: o.rampUpMs / 1000,
      users: open ? null : o.users,
      requestsPerUser: open ? null : o.requestsPerUser,
      maxRequests: o.maxRequests,
      lateMs: o.lateMs,
      timeoutMs: o.timeoutMs,
      phases: d.phases.map((p) => p.plan.label),
    },
    requests: {
      total: f.sent,
      successful: f.ok,
      failed: f.failed,
      skipped: f.skipped,
      statuses: f.statuses,
      errors: f.errors,
    },
    rate: { asked, achieved: f.achievedRate },
    latency: { ...f.latency, basis: open ? 'intended send time' : 'send' },
    service: f.service,
    late: f.late,
    lateness: { p99: f.lateness.p99, max: f.lateness.max },
    e2e:
      d.e2e && e
        ? {
            acknowledged: d.e2e.acknowledged,
            delivered: d.e2e.delivered,
            lost: d.e2e.lost,
            pending: d.e2e.pending,
            duplicated: d.e2e.duplicated,
            reordered: d.e2e.reordered,
            unacknowledged: d.e2e.unacknowledged,
            avg: e['avg']!,
            p50: e['p50']!,
            p95: e['p95']!,
            p99: e['p99']!,
            max: e['max']!,
          }
        : undefined,
    engine: d.engine ? { ...d.engine, rssAtStartBytes: d.engineAtStart?.rssBytes ?? null } : undefined,
    generator: { ...d.generator, threads: 'worker' },
    loadAverage: d.loadAvg,
    thresholds: thresholds.map((t) => ({ expr: t.source, actual: t.actual, ok: t.ok })),
    passed: thresholds.every((t) => t.ok),
    grade: grade(f.latency.p95, f.achievedRate, f.errorRate),
    levels: o.type === 'stress' || o.type === 'scalability' ? rows : undefined,
    stress: stress ? { lastHeldRate: stress.lastHeld, brokeAt: stress.brokeAt } : undefined,
    spike: o.type === 'spike' ? spikeSection(d, tl) : undefined,
    sweetSpot:
      spot === undefined ? undefined : spot && spot.users !== undefined ? { users: spot.users, rps: spot.rps } : null,
    soak: o.type === 'soak' ? drift(tl) : undefined,
    timeline: tl,
  };
}
