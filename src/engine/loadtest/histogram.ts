/**
 * Latency percentiles for the load tester and bench/: the monitor's HDR histogram (perf_hooks, integer µs), so
 * there is one implementation. Histograms cross worker threads by structured clone and merge with `add`.
 */
import type { RecordableHistogram } from 'node:perf_hooks';
import { HIGHEST_US, newHistogram } from '../monitor/latency.js';

export { newHistogram };
export type { RecordableHistogram };

/** Latency figures in ms (floats; recorded in µs). Every field 0 when count is 0. */
export interface LatencyStats {
  count: number;
  avg: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** Record a duration in ms (kept to the µs). Negative or non-finite values are ignored. */
export function recordMs(h: RecordableHistogram, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) return;
  h.record(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
}

export function latencyStats(h: RecordableHistogram): LatencyStats {
  if (h.count === 0) return { count: 0, avg: 0, min: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  const ms = (us: number): number => us / 1000;
  return {
    count: h.count,
    avg: ms(h.mean),
    min: ms(h.min),
    p50: ms(h.percentile(50)),
    p90: ms(h.percentile(90)),
    p95: ms(h.percentile(95)),
    p99: ms(h.percentile(99)),
    p999: ms(h.percentile(99.9)),
    max: ms(h.max),
  };
}

/** Percentiles (ms) of a list of samples in ms, through the same histogram. */
export function statsOf(samplesMs: Iterable<number>): LatencyStats {
  const h = newHistogram();
  for (const v of samplesMs) recordMs(h, v);
  return latencyStats(h);
}

/** A new histogram holding the sum of the given ones. */
export function merged(parts: Iterable<RecordableHistogram>): RecordableHistogram {
  const h = newHistogram();
  for (const p of parts) if (p.count > 0) h.add(p);
  return h;
}

/** Percentile p (0..100) in ms of samples in ms, through the same histogram; NaN when there are none. */
export function percentileOf(samplesMs: Iterable<number>, p: number): number {
  const h = newHistogram();
  for (const v of samplesMs) recordMs(h, v);
  return h.count === 0 ? NaN : h.percentile(p) / 1000;
}
