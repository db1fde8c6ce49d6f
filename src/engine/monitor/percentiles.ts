/**
 * The one percentile implementation for live figures: Node's HDR histogram (perf_hooks.createHistogram, integer
 * microseconds, 3 significant figures: a reported value is within 0.1% of the recorded one). The monitor's windows,
 * the dashboard's fallback figures and the benches all use it.
 * API: record durations in MICROSECONDS (`recordUs`), read summaries in MILLISECONDS (`summariseHistogram`,
 * `summariseMs`, `percentileMs`). Stored rollups use LogSketch (sketch.ts) instead: HDR histograms cannot be serialised.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import type { LatencySummary } from './types.js';

/** Values above this (24 h in µs) are clamped; values below 1 µs count as 1 µs. */
export const HIGHEST_US = 24 * 3600 * 1e6;

export type LatencyHistogram = RecordableHistogram;

export function newLatencyHistogram(): LatencyHistogram {
  return createHistogram({ lowest: 1, highest: HIGHEST_US, figures: 3 });
}

/** Record one duration in µs (clamped to 1..HIGHEST_US, rounded); returns the value recorded. */
export function recordUs(h: LatencyHistogram, us: number): number {
  const v = Math.min(HIGHEST_US, Math.max(1, Math.round(us)));
  h.record(v);
  return v;
}

export function emptySummary(): LatencySummary {
  return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, minMs: 0, maxMs: 0, meanMs: 0 };
}

/** Count, p50/p95/p99, min, max and mean of a histogram, in ms. */
export function summariseHistogram(h: LatencyHistogram): LatencySummary {
  if (h.count === 0) return emptySummary();
  return {
    count: h.count,
    p50Ms: h.percentile(50) / 1000,
    p95Ms: h.percentile(95) / 1000,
    p99Ms: h.percentile(99) / 1000,
    minMs: h.min / 1000,
    maxMs: h.max / 1000,
    meanMs: h.mean / 1000,
  };
}

function histogramOfMs(valuesMs: Iterable<number>): LatencyHistogram {
  const h = newLatencyHistogram();
  for (const ms of valuesMs) if (Number.isFinite(ms) && ms >= 0) recordUs(h, ms * 1000);
  return h;
}

/** Summary of durations given in ms (negative and non-finite values are skipped). */
export function summariseMs(valuesMs: Iterable<number>): LatencySummary {
  return summariseHistogram(histogramOfMs(valuesMs));
}

/** One percentile (0-100) of durations given in ms; NaN when there are none. */
export function percentileMs(valuesMs: Iterable<number>, p: number): number {
  const h = histogramOfMs(valuesMs);
  return h.count === 0 ? NaN : h.percentile(p) / 1000;
}
