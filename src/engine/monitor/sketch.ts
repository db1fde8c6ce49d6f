/**
 * A mergeable, serialisable log-bucket histogram for stored rollups (DDSketch-style, relative error ALPHA).
 * perf_hooks histograms cannot be serialised, so each rollup interval records into one of these as well;
 * percentiles over an hour or a day are recomputed by merging stored sketches, never by averaging percentiles.
 * Values are non-negative integers (microseconds). Memory is bounded by the number of distinct buckets
 * (about 1100 between 1 µs and 1 h).
 */
import type { LatencySummary } from './types.js';

/** Relative accuracy of a reconstructed value. */
export const SKETCH_ALPHA = 0.01;
const GAMMA = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
const LN_GAMMA = Math.log(GAMMA);

/** Serialised form: counts and exact sum/min/max, buckets as [firstIndex, (indexDelta, count)...]. */
export interface SketchData {
  n: number;
  sum: number;
  min: number;
  max: number;
  /** Count of values < 1 (zero bucket). */
  z: number;
  b: number[];
}

export function bucketIndex(value: number): number {
  return Math.ceil(Math.log(value) / LN_GAMMA);
}

/** Representative value of a bucket: within ALPHA of every value that maps to it. */
export function bucketValue(index: number): number {
  return (2 * GAMMA ** index) / (GAMMA + 1);
}

export class LogSketch {
  private buckets = new Map<number, number>();
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;
  private zeros = 0;

  record(value: number, times = 1): void {
    if (!(value >= 0) || times <= 0) return;
    this.count += times;
    this.sum += value * times;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value < 1) {
      this.zeros += times;
      return;
    }
    const i = bucketIndex(value);
    this.buckets.set(i, (this.buckets.get(i) ?? 0) + times);
  }

  merge(other: LogSketch): this {
    if (other.count === 0) return this;
    for (const [i, c] of other.buckets) this.buckets.set(i, (this.buckets.get(i) ?? 0) + c);
    this.zeros += other.zeros;
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    return this;
  }

  /** Value at percentile p (0..100): the smallest bucket whose cumulative count reaches ceil(p% of count). */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    if (rank >= this.count) return this.max;
    let seen = this.zeros;
    if (seen >= rank) return this.min;
    // Sorting bucket indices (bounded, ~1100 at most), never samples.
    const indices = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const i of indices) {
      seen += this.buckets.get(i) ?? 0;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, bucketValue(i)));
    }
    return this.max;
  }

  reset(): void {
    this.buckets.clear();
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = 0;
    this.zeros = 0;
  }

  toJSON(): SketchData {
    const indices = [...this.buckets.keys()].sort((a, b) => a - b);
    const b: number[] = [];
    let prev = 0;
    indices.forEach((i, k) => {
      b.push(k === 0 ? i : i - prev, this.buckets.get(i) ?? 0);
      prev = i;
    });
    return { n: this.count, sum: this.sum, min: this.count === 0 ? 0 : this.min, max: this.max, z: this.zeros, b };
  }

  static from(data: SketchData | undefined): LogSketch {
    const s = new LogSketch();
    if (!data || data.n === 0) return s;
    s.count = data.n;
    s.sum = data.sum;
    s.min = data.min;
    s.max = data.max;
    s.zeros = data.z;
    let index = 0;
    for (let k = 0; k + 1 < data.b.length; k += 2) {
      index = k === 0 ? (data.b[k] ?? 0) : index + (data.b[k] ?? 0);
      s.buckets.set(index, data.b[k + 1] ?? 0);
    }
    return s;
  }
}

const US_PER_MS = 1000;

/** Summary in ms of a sketch holding microseconds. */
export function summariseSketch(s: LogSketch): LatencySummary {
  if (s.count === 0) return emptySummary();
  return {
    count: s.count,
    p50Ms: s.percentile(50) / US_PER_MS,
    p95Ms: s.percentile(95) / US_PER_MS,
    p99Ms: s.percentile(99) / US_PER_MS,
    minMs: s.min / US_PER_MS,
    maxMs: s.max / US_PER_MS,
    meanMs: s.sum / s.count / US_PER_MS,
  };
}

export function emptySummary(): LatencySummary {
  return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, minMs: 0, maxMs: 0, meanMs: 0 };
}
