/**
 * Rollups: one record per time bucket holding counts, sums and a latency sketch per stage.
 * Merging rollups is exact for counts/sums/max and keeps percentiles recomputable (sketches merge).
 * Pure functions only; storage is in history-store.ts.
 */
import { LogSketch, emptySummary, summariseSketch, type SketchData } from './sketch.js';
import { STAGES, type HistoryPoint, type LatencySummary, type Stage } from './types.js';

export interface Rollup {
  /** Bucket start, epoch ms (a multiple of resMs). */
  at: number;
  resMs: number;
  /** Number of raw samples merged in. */
  samples: number;
  received: number;
  delivered: number;
  failed: number;
  retries: number;
  rateLimited: number;
  cpuSum: number;
  rssSum: number;
  watchedCpuSum: number;
  watchedRssSum: number;
  load1Sum: number;
  pendingMax: number;
  oldestMax: number;
  stages: Record<Stage, SketchData>;
}

export interface Tier {
  resMs: number;
  keepMs: number;
}

const DAY = 86_400_000;

/** Downsampling tiers, finest first: raw samples for a day, 1 min for a week, 15 min and 1 h for `retentionDays`. */
export function tiersFor(sampleMs: number, retentionDays: number): Tier[] {
  const keep = retentionDays * DAY;
  const all: Tier[] = [
    { resMs: sampleMs, keepMs: Math.min(DAY, keep) },
    { resMs: 60_000, keepMs: Math.min(7 * DAY, keep) },
    { resMs: 900_000, keepMs: keep },
    { resMs: 3_600_000, keepMs: keep },
  ];
  // A coarser tier must be coarser than the finest (sampleMs may be configured to 1 min or more).
  return all.filter((t, i) => i === 0 || t.resMs > sampleMs);
}

export function bucketStart(at: number, resMs: number): number {
  return at - (((at % resMs) + resMs) % resMs);
}

/** The serialised form of an empty sketch (no 10 KiB dense sketch allocated for it). */
function emptySketchData(): SketchData {
  return { n: 0, sum: 0, min: 0, max: 0, z: 0, b: [] };
}

export function emptyRollup(at: number, resMs: number): Rollup {
  const stages = {} as Record<Stage, SketchData>;
  for (const s of STAGES) stages[s] = emptySketchData();
  return {
    at,
    resMs,
    samples: 0,
    received: 0,
    delivered: 0,
    failed: 0,
    retries: 0,
    rateLimited: 0,
    cpuSum: 0,
    rssSum: 0,
    watchedCpuSum: 0,
    watchedRssSum: 0,
    load1Sum: 0,
    pendingMax: 0,
    oldestMax: 0,
    stages,
  };
}

/** Merge rollups into one bucket [at, at + resMs). */
export function mergeRollups(at: number, resMs: number, parts: readonly Rollup[]): Rollup {
  const out = emptyRollup(at, resMs);
  // Dense sketches only for stages that have samples: an idle engine merges empty rollups every tick.
  const sketches = {} as Partial<Record<Stage, LogSketch>>;
  for (const p of parts) {
    out.samples += p.samples;
    out.received += p.received;
    out.delivered += p.delivered;
    out.failed += p.failed;
    out.retries += p.retries;
    out.rateLimited += p.rateLimited;
    out.cpuSum += p.cpuSum;
    out.rssSum += p.rssSum;
    out.watchedCpuSum += p.watchedCpuSum;
    out.watchedRssSum += p.watchedRssSum;
    out.load1Sum += p.load1Sum;
    out.pendingMax = Math.max(out.pendingMax, p.pendingMax);
    out.oldestMax = Math.max(out.oldestMax, p.oldestMax);
    for (const s of STAGES)
      if (p.stages[s] && p.stages[s].n > 0) (sketches[s] ??= new LogSketch()).mergeData(p.stages[s]);
  }
  for (const s of STAGES) out.stages[s] = sketches[s]?.toJSON() ?? emptySketchData();
  return out;
}

/** Group rollups into buckets of `resMs` (a multiple of theirs); oldest first. */
export function downsample(rows: readonly Rollup[], resMs: number): Rollup[] {
  const groups = new Map<number, Rollup[]>();
  for (const r of rows) {
    const at = bucketStart(r.at, resMs);
    const g = groups.get(at);
    if (g) g.push(r);
    else groups.set(at, [r]);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([at, g]) => mergeRollups(at, resMs, g));
}

export function toHistoryPoint(r: Rollup): HistoryPoint {
  const n = Math.max(1, r.samples);
  const latency = {} as Record<Stage, LatencySummary>;
  for (const s of STAGES)
    latency[s] = r.stages[s].n > 0 ? summariseSketch(LogSketch.from(r.stages[s])) : emptySummary();
  return {
    at: r.at,
    resolutionMs: r.resMs,
    received: r.received,
    delivered: r.delivered,
    failed: r.failed,
    retries: r.retries,
    rateLimited: r.rateLimited,
    latency,
    cpuPercent: r.cpuSum / n,
    rssBytes: r.rssSum / n,
    watchedCpuPercent: r.watchedCpuSum / n,
    watchedRssBytes: r.watchedRssSum / n,
    load1: r.load1Sum / n,
    pending: r.pendingMax,
    oldestPendingAgeMs: r.oldestMax,
  };
}

/** Percentiles over all rows (merged sketches). */
export function latencyOver(rows: readonly Rollup[]): Record<Stage, LatencySummary> {
  const out = {} as Record<Stage, LatencySummary>;
  for (const s of STAGES) {
    const sk = new LogSketch();
    for (const r of rows) sk.mergeData(r.stages[s]);
    out[s] = summariseSketch(sk);
  }
  return out;
}
