/** Judgements over finished phases: the old grading, the sweet spot, stress breaking point, spike recovery. Pure. */
import type { LatencyStats } from './histogram.js';

export type Grade = 'EXCELLENT' | 'GOOD' | 'POOR';

export interface Grading {
  responseTime: Grade;
  throughput: Grade;
  errorRate: Grade;
  overall: Grade;
}

/** The old load-test.py bars: p95 <= 1 s, throughput >= 10 req/s, errors <= 1%. GOOD is within twice the bar. */
export const GRADE_BARS = { p95Ms: 1000, rps: 10, errorRate: 0.01 } as const;

const ORDER: Grade[] = ['EXCELLENT', 'GOOD', 'POOR'];

export function grade(p95Ms: number, rps: number, errorRate: number): Grading {
  const g = (ok: boolean, near: boolean): Grade => (ok ? 'EXCELLENT' : near ? 'GOOD' : 'POOR');
  const responseTime = g(p95Ms <= GRADE_BARS.p95Ms, p95Ms <= 2 * GRADE_BARS.p95Ms);
  const throughput = g(rps >= GRADE_BARS.rps, rps >= GRADE_BARS.rps / 2);
  const errors = g(errorRate <= GRADE_BARS.errorRate, errorRate <= 5 * GRADE_BARS.errorRate);
  const overall = ORDER[Math.max(...[responseTime, throughput, errors].map((x) => ORDER.indexOf(x)))]!;
  return { responseTime, throughput, errorRate: errors, overall };
}

/** One row of a scalability or stress table. */
export interface LevelRow {
  users?: number | undefined;
  rate?: number | undefined;
  rps: number;
  latency: LatencyStats;
  errorRate: number;
  requests: number;
  late: number;
  /** End-to-end p99 of this level's requests (ms), when measured. */
  e2eP99?: number | undefined;
  /** Every threshold held at this level (stress). */
  ok?: boolean | undefined;
}

/**
 * The sweet spot: among levels within the old bars (errors <= 1%, p95 <= 1 s), the fewest users that reach 90% of
 * the best throughput; more users past it only add latency. null when no level is within the bars.
 */
export function sweetSpot(rows: readonly LevelRow[]): LevelRow | null {
  const good = rows.filter((r) => r.errorRate <= GRADE_BARS.errorRate && r.latency.p95 <= GRADE_BARS.p95Ms);
  if (good.length === 0) return null;
  const best = Math.max(...good.map((r) => r.rps));
  return good.find((r) => r.rps >= 0.9 * best) ?? null;
}

/** Stress: the last rate at which every threshold held, and the first at which one broke. */
export function breakingPoint(rows: readonly LevelRow[]): { lastHeld: number | null; brokeAt: number | null } {
  let lastHeld: number | null = null;
  for (const r of rows) {
    if (r.ok === false) return { lastHeld, brokeAt: r.rate ?? null };
    lastHeld = r.rate ?? lastHeld;
  }
  return { lastHeld, brokeAt: null };
}

export interface SecondPoint {
  second: number;
  p95: number;
}

/**
 * Spike recovery: seconds after the peak ended until the per-second p95 came back within max(2x, +5 ms) of the
 * pre-spike p95 and stayed there to the end of the run. null when it never did.
 */
export function recoveryMs(series: readonly SecondPoint[], baselineP95: number, peakEndSecond: number): number | null {
  const bar = Math.max(2 * baselineP95, baselineP95 + 5);
  const after = series.filter((p) => p.second >= peakEndSecond).sort((a, b) => a.second - b.second);
  if (after.length === 0) return null;
  let recoveredAt: number | null = null;
  for (const p of after) {
    if (p.p95 > bar) recoveredAt = null;
    else if (recoveredAt === null) recoveredAt = p.second;
  }
  return recoveredAt === null ? null : (recoveredAt - peakEndSecond) * 1000;
}

/** Soak drift: p99 of the first and the last tenth of the run (at least one second each). */
export function drift(
  series: ReadonlyArray<{ second: number; p99: number }>,
): { firstP99: number; lastP99: number } | null {
  if (series.length < 2) return null;
  const n = Math.max(1, Math.floor(series.length / 10));
  const max = (xs: ReadonlyArray<{ p99: number }>): number => Math.max(...xs.map((x) => x.p99));
  return { firstP99: max(series.slice(0, n)), lastP99: max(series.slice(-n)) };
}
