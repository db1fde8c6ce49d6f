/**
 * History queries: pick the tier that fits the requested range and point count, stitch coarser tiers in for the
 * part the chosen tier no longer holds, merge to an even step. Percentiles come from merged sketches.
 */
import type { Database } from 'better-sqlite3';
import { decodeRollup } from './codec.js';
import { downsample, latencyOver, toHistoryPoint, type Rollup } from './rollup.js';
import type { HistoryRange, HistoryRangeName, HistoryResult } from './types.js';

export const RANGE_MS: Record<HistoryRangeName, number> = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
};
export const DEFAULT_MAX_POINTS = 120;

/** Reads rows of one resolution starting in [since, until), oldest first. */
export type TierReader = (resMs: number, sinceMs: number, untilMs: number) => Rollup[];

export function rangeBounds(range: HistoryRange, now: number): { sinceMs: number; untilMs: number; maxPoints: number } {
  if (typeof range === 'string') return { sinceMs: now - RANGE_MS[range], untilMs: now, maxPoints: DEFAULT_MAX_POINTS };
  return {
    sinceMs: range.sinceMs,
    untilMs: range.untilMs ?? now,
    maxPoints: Math.max(1, range.maxPoints ?? DEFAULT_MAX_POINTS),
  };
}

/**
 * Rows from `resolutions` (preferred first, then coarser ones): each coarser tier fills only the time before the
 * oldest row already taken, and only with buckets that end by then (no double counting).
 */
export function readStitched(
  read: TierReader,
  resolutions: readonly number[],
  sinceMs: number,
  untilMs: number,
): Rollup[] {
  let out: Rollup[] = [];
  let end = untilMs;
  resolutions.forEach((res, i) => {
    if (end <= sinceMs) return;
    const rows = read(res, sinceMs, end).filter((r) => i === 0 || r.at + res <= end);
    const first = rows[0];
    if (!first) return;
    out = [...rows, ...out];
    end = first.at;
  });
  return out;
}

/**
 * Coarsest resolution not above twice the step (so a chart gets between maxPoints/2 and maxPoints points from the
 * fewest rows), else the finest.
 */
export function chooseResolution(resolutions: readonly number[], stepMs: number): number {
  const sorted = [...resolutions].sort((a, b) => a - b);
  const fit = sorted.filter((r) => r <= 2 * stepMs);
  return fit.at(-1) ?? sorted[0] ?? stepMs;
}

export function queryHistory(
  read: TierReader,
  resolutions: readonly number[],
  range: HistoryRange,
  now: number,
): HistoryResult {
  const { sinceMs, untilMs, maxPoints } = rangeBounds(range, now);
  const span = Math.max(1, untilMs - sinceMs);
  const preferred = chooseResolution(resolutions, span / maxPoints);
  const step = Math.max(preferred, Math.ceil(span / maxPoints / preferred) * preferred);
  const chain = [...resolutions].filter((r) => r >= preferred).sort((a, b) => a - b);
  const rows = readStitched(read, chain, sinceMs, untilMs);
  const points = downsample(rows, step).map(toHistoryPoint);
  return { sinceMs, untilMs, resolutionMs: step, points, latency: latencyOver(rows) };
}

/** A TierReader straight on the database (for export from another process). */
export function dbTierReader(db: Database): { read: TierReader; resolutions: number[] } {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'monitor_rollups'").get();
  if (!exists) return { read: () => [], resolutions: [] };
  const resolutions = (
    db.prepare('SELECT DISTINCT res_ms FROM monitor_rollups ORDER BY res_ms').all() as Array<{ res_ms: number }>
  ).map((r) => r.res_ms);
  const stmt = db.prepare(
    'SELECT data, sketches FROM monitor_rollups WHERE res_ms = ? AND at >= ? AND at < ? ORDER BY at',
  );
  const read: TierReader = (res, since, until) =>
    (stmt.all(res, since, until) as Array<{ data: string; sketches: Buffer }>).map((r) =>
      decodeRollup(r.data, r.sketches),
    );
  return { read, resolutions };
}
