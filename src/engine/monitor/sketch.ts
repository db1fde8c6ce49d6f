/**
 * A mergeable, serialisable log-bucket histogram for stored rollups (DDSketch-style, relative error ALPHA).
 * perf_hooks histograms cannot be serialised, so each rollup interval records into one of these as well;
 * percentiles over an hour or a day are recomputed by merging stored sketches, never by averaging percentiles.
 * Values are non-negative integers (microseconds). Memory is fixed: ~1300 dense bucket counts (10 KiB) per live
 * sketch; stored form is sparse.
 */
import { emptySummary } from './percentiles.js';
import type { LatencySummary } from './types.js';

/** Relative accuracy of a reconstructed value. */
export const SKETCH_ALPHA = 0.02;
const GAMMA = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
const LN_GAMMA = Math.log(GAMMA);

/** Serialised form: counts and exact sum/min/max, non-empty buckets as flat [index, count, index, count, ...]. */
export interface SketchData {
  n: number;
  sum: number;
  min: number;
  max: number;
  /** Count of values < 1 (zero bucket). */
  z: number;
  b: ArrayLike<number>;
}

export function bucketIndex(value: number): number {
  return Math.ceil(Math.log(value) / LN_GAMMA);
}

/** Representative value of a bucket: within ALPHA of every value that maps to it. */
export function bucketValue(index: number): number {
  return (2 * GAMMA ** index) / (GAMMA + 1);
}

/** Highest bucket index kept (values above ~1 day in µs share the last bucket; max stays exact). */
const MAX_INDEX = bucketIndex(24 * 3600 * 1e6 * 2);

/** Dense counts (one Float64Array of ~1300 slots); merging a stored sketch adds its sparse buckets in place. */
export class LogSketch {
  private counts = new Float64Array(MAX_INDEX + 1);
  private lo = MAX_INDEX + 1;
  private hi = -1;
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;
  private zeros = 0;

  private addBucket(i: number, c: number): void {
    const k = Math.min(MAX_INDEX, Math.max(0, i));
    this.counts[k] = (this.counts[k] ?? 0) + c;
    if (k < this.lo) this.lo = k;
    if (k > this.hi) this.hi = k;
  }

  record(value: number, times = 1): void {
    if (!(value >= 0) || times <= 0) return;
    this.count += times;
    this.sum += value * times;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value < 1) this.zeros += times;
    else this.addBucket(bucketIndex(value), times);
  }

  merge(other: LogSketch): this {
    if (other.count === 0) return this;
    for (let i = other.lo; i <= other.hi; i++) {
      const c = other.counts[i] ?? 0;
      if (c > 0) this.addBucket(i, c);
    }
    this.mergeTotals(other.count, other.sum, other.min, other.max, other.zeros);
    return this;
  }

  /** Merge a serialised sketch without materialising it. */
  mergeData(data: SketchData | undefined): this {
    if (!data || data.n === 0) return this;
    const b = data.b;
    for (let k = 0; k + 1 < b.length; k += 2) this.addBucket(b[k] ?? 0, b[k + 1] ?? 0);
    this.mergeTotals(data.n, data.sum, data.min, data.max, data.z);
    return this;
  }

  private mergeTotals(n: number, sum: number, min: number, max: number, zeros: number): void {
    this.count += n;
    this.sum += sum;
    this.min = Math.min(this.min, min);
    this.max = Math.max(this.max, max);
    this.zeros += zeros;
  }

  /** Value at percentile p (0..100): the first bucket whose cumulative count reaches ceil(p% of count). */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    if (rank >= this.count) return this.max;
    let seen = this.zeros;
    if (seen >= rank) return this.min;
    for (let i = this.lo; i <= this.hi; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, bucketValue(i)));
    }
    return this.max;
  }

  reset(): void {
    if (this.hi >= this.lo) this.counts.fill(0, this.lo, this.hi + 1);
    this.lo = MAX_INDEX + 1;
    this.hi = -1;
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = 0;
    this.zeros = 0;
  }

  toJSON(): SketchData {
    const b: number[] = [];
    for (let i = this.lo; i <= this.hi; i++) {
      const c = this.counts[i] ?? 0;
      if (c > 0) b.push(i, c);
    }
    return { n: this.count, sum: this.sum, min: this.count === 0 ? 0 : this.min, max: this.max, z: this.zeros, b };
  }

  static from(data: SketchData | undefined): LogSketch {
    return new LogSketch().mergeData(data);
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

export { emptySummary };
