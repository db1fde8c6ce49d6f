import { describe, expect, it } from 'vitest';
import { LatencyRecorder, SLOT_MS } from '../../src/engine/monitor/latency.js';
import { LogSketch, SKETCH_ALPHA, summariseSketch } from '../../src/engine/monitor/sketch.js';

/** Deterministic PRNG (mulberry32) so distributions are reproducible. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('LogSketch percentiles', () => {
  it('matches the exact percentiles of a uniform 1..10000 µs distribution within alpha', () => {
    const s = new LogSketch();
    for (let v = 1; v <= 10_000; v++) s.record(v);
    expect(s.count).toBe(10_000);
    for (const [p, exact] of [
      [50, 5000],
      [95, 9500],
      [99, 9900],
    ] as const) {
      expect(Math.abs(s.percentile(p) - exact) / exact).toBeLessThanOrEqual(SKETCH_ALPHA + 1e-9);
    }
    expect(s.percentile(100)).toBe(10_000);
    expect(s.min).toBe(1);
  });

  it('matches the analytic quantiles of an exponential distribution (mean 20 ms)', () => {
    const r = rng(42);
    const s = new LogSketch();
    const meanUs = 20_000;
    for (let i = 0; i < 200_000; i++) s.record(Math.round(-Math.log(1 - r()) * meanUs));
    // Exponential quantile: -ln(1-q) * mean.
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = -Math.log(1 - q) * meanUs;
      expect(Math.abs(s.percentile(q * 100) - exact) / exact).toBeLessThan(SKETCH_ALPHA + 0.015);
    }
  });

  it('gives the same percentiles after serialising and merging parts as the whole', () => {
    const r = rng(7);
    const whole = new LogSketch();
    const parts = [new LogSketch(), new LogSketch(), new LogSketch()];
    for (let i = 0; i < 30_000; i++) {
      const v = Math.round(Math.exp(r() * 12));
      whole.record(v);
      parts[i % 3]?.record(v);
    }
    const merged = new LogSketch();
    for (const p of parts) merged.merge(LogSketch.from(JSON.parse(JSON.stringify(p.toJSON()))));
    expect(summariseSketch(merged)).toEqual(summariseSketch(whole));
  });

  it('reports an empty summary for no samples', () => {
    expect(summariseSketch(new LogSketch())).toMatchObject({ count: 0, p99Ms: 0, maxMs: 0 });
  });
});

describe('LatencyRecorder (perf_hooks HDR histograms)', () => {
  it('reports P50/P95/P99 of a uniform 1..1000 ms distribution over the last minute and since start', () => {
    const rec = new LatencyRecorder();
    const now = 1_000_000;
    for (let ms = 1; ms <= 1000; ms++) rec.recordMs('delivery', ms, now);
    const { lastMinute, sinceStart } = rec.summary(now).delivery;
    for (const sum of [lastMinute, sinceStart]) {
      expect(sum.count).toBe(1000);
      expect(sum.p50Ms).toBeCloseTo(500, -0.5);
      expect(Math.abs(sum.p95Ms - 950) / 950).toBeLessThan(0.002);
      expect(Math.abs(sum.p99Ms - 990) / 990).toBeLessThan(0.002);
      expect(sum.maxMs).toBeCloseTo(1000, 0);
    }
  });

  it('keeps sub-millisecond latencies (records microseconds)', () => {
    const rec = new LatencyRecorder();
    for (let i = 0; i < 100; i++) rec.recordMs('intake', 0.25, 0);
    expect(rec.summary(0).intake.lastMinute.p50Ms).toBeCloseTo(0.25, 3);
  });

  it('drops samples older than the last minute from the window but not from since-start', () => {
    const rec = new LatencyRecorder();
    const t0 = 10 * SLOT_MS * 100;
    for (let i = 0; i < 100; i++) rec.recordMs('endToEnd', 5000, t0);
    for (let i = 0; i < 10; i++) rec.recordMs('endToEnd', 10, t0 + 30_000);
    expect(rec.summary(t0 + 30_000).endToEnd.lastMinute.count).toBe(110);
    const later = rec.summary(t0 + 65_000).endToEnd;
    expect(later.lastMinute.count).toBe(10);
    expect(later.lastMinute.p99Ms).toBeCloseTo(10, 1);
    expect(later.sinceStart.count).toBe(110);
    expect(rec.summary(t0 + 200_000).endToEnd.lastMinute.count).toBe(0);
  });

  it('recomputes the summary at most once a second', () => {
    const rec = new LatencyRecorder();
    rec.recordMs('wait', 1, 0);
    expect(rec.summary(0).wait.lastMinute.count).toBe(1);
    rec.recordMs('wait', 1, 500);
    expect(rec.summary(500).wait.lastMinute.count).toBe(1);
    expect(rec.summary(1000).wait.lastMinute.count).toBe(2);
  });

  it('hands out the current rollup sketch once and starts a new one', () => {
    const rec = new LatencyRecorder();
    rec.recordMs('wait', 3, 0);
    rec.recordMs('wait', 4, 0);
    expect(rec.takeRollup().wait.count).toBe(2);
    expect(rec.takeRollup().wait.count).toBe(0);
  });

  it('produces cumulative Prometheus buckets ending in +Inf = count', () => {
    const rec = new LatencyRecorder();
    for (const ms of [0.5, 2, 20, 200, 2000, 400_000]) rec.recordMs('delivery', ms, 0);
    const h = rec.promHistogram('delivery');
    expect(h.count).toBe(6);
    expect(h.buckets.at(-1)).toEqual([Infinity, 6]);
    const le = (b: number) => h.buckets.find(([x]) => x === b)?.[1];
    expect(le(0.001)).toBe(1);
    expect(le(0.0025)).toBe(2);
    expect(le(0.25)).toBe(4);
    expect(le(300)).toBe(5);
    expect(h.sum).toBeCloseTo(0.0005 + 0.002 + 0.02 + 0.2 + 2 + 400, 6);
  });
});
