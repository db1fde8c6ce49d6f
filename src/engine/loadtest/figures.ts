/** Figures of one or more phases: counts, achieved rate, merged percentiles, per-level rows. Pure. */
import type { E2eOutcome } from './e2e.js';
import { latencyStats, merged, statsOf as latencyStatsOfList, type LatencyStats } from './histogram.js';
import type { LevelRow } from './analysis.js';
import type { ThresholdFigures } from './thresholds.js';
import type { PhaseResult } from './types.js';
import type { PhaseRun } from './phase-run.js';

export interface Figures {
  sent: number;
  ok: number;
  failed: number;
  skipped: number;
  late: number;
  errorRate: number;
  /** Open: sends per second over the send window; closed: answers per second. */
  achievedRate: number;
  latency: LatencyStats;
  service: LatencyStats;
  lateness: LatencyStats;
  statuses: Record<string, number>;
  errors: Record<string, number>;
}

function sumInto(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Achieved rate of one phase. Open: (sent - 1) / (last send - first send); closed: answers / elapsed. */
export function achievedRate(r: PhaseResult, open: boolean): number {
  if (open) return r.sendWindowMs > 0 ? ((r.sent - 1) * 1000) / r.sendWindowMs : r.sent;
  return r.elapsedMs > 0 ? ((r.ok + r.failed) * 1000) / r.elapsedMs : 0;
}

export function figuresOf(results: readonly PhaseResult[], open: boolean): Figures {
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let sent = 0,
    ok = 0,
    failed = 0,
    skipped = 0,
    late = 0,
    windowMs = 0;
  for (const r of results) {
    sent += r.sent;
    ok += r.ok;
    failed += r.failed;
    skipped += r.skipped;
    late += r.late;
    windowMs += open ? r.sendWindowMs : r.elapsedMs;
    sumInto(statuses, r.statuses);
    sumInto(errors, r.errors);
  }
  const first = results[0];
  const achieved =
    results.length === 1 && first
      ? achievedRate(first, open)
      : windowMs > 0
        ? ((open ? sent : ok + failed) * 1000) / windowMs
        : 0;
  return {
    sent,
    ok,
    failed,
    skipped,
    late,
    errorRate: ok + failed ? failed / (ok + failed) : 0,
    achievedRate: achieved,
    latency: latencyStats(merged(results.map((r) => r.latency))),
    service: latencyStats(merged(results.map((r) => r.service))),
    lateness: latencyStats(merged(results.map((r) => r.lateness))),
    statuses,
    errors,
  };
}

const latencyRecord = (s: LatencyStats): Record<string, number> => ({ ...s });

export function e2eFigures(e: E2eOutcome): NonNullable<ThresholdFigures['e2e']> {
  return {
    latency: latencyRecord(latencyStats(e.latency)),
    lost: e.lost,
    duplicated: e.duplicated,
    reordered: e.reordered,
    acknowledged: e.acknowledged,
  };
}

/** What thresholds are checked against. */
export function phaseFigures(results: readonly PhaseResult[], e2e: E2eOutcome | null, open = true): ThresholdFigures {
  const f = figuresOf(results, open);
  return {
    latency: latencyRecord(f.latency),
    errors: f.errorRate,
    failed: f.failed,
    late: f.late,
    sent: f.sent,
    rps: f.achievedRate,
    e2e: e2e ? e2eFigures(e2e) : undefined,
  };
}

/** One table row per phase (scalability: users; stress: rate). e2e p99 from the per-seq latencies of that phase. */
export function levelRows(phases: readonly PhaseRun[], e2e: E2eOutcome | null): LevelRow[] {
  return phases.map((ph) => {
    const open = ph.plan.model.kind === 'open';
    const f = figuresOf([ph.result], open);
    let e2eP99: number | undefined;
    if (e2e) {
      const lat: number[] = [];
      for (let i = 0; i < ph.result.acceptedAt.length; i++) {
        const v = e2e.perSeq.get(ph.seqStart + i);
        if (v !== undefined) lat.push(v);
      }
      if (lat.length) e2eP99 = latencyStatsOfList(lat).p99;
    }
    const level = ph.plan.level;
    return {
      users: level && 'users' in level ? level.users : undefined,
      rate: level && 'rate' in level ? level.rate : undefined,
      rps: f.achievedRate,
      latency: f.latency,
      errorRate: f.errorRate,
      requests: f.sent,
      late: f.late,
      e2eP99,
      ok: ph.held,
    };
  });
}
