import { describe, expect, it } from 'vitest';
import { takeToken, type Bucket, type BucketRate } from '../../src/engine/queue/token-bucket.js';

/** Take tokens at the given times, threading the bucket; returns which takes succeeded. */
function takes(rate: BucketRate, times: number[], start?: Bucket): boolean[] {
  let bucket = start;
  return times.map((now) => {
    const r = takeToken(bucket, rate, now);
    bucket = r.bucket;
    return r.ok;
  });
}

describe('takeToken', () => {
  it('starts full: a burst of `burst` tasks passes at once, the next waits', () => {
    expect(takes({ perSecond: 10, burst: 10 }, Array(11).fill(1000))).toEqual([...Array(10).fill(true), false]);
    expect(takes({ perSecond: 10, burst: 3 }, Array(4).fill(1000))).toEqual([true, true, true, false]);
  });

  it('says how long to wait for the next token', () => {
    let bucket: Bucket | undefined;
    for (let i = 0; i < 10; i++) bucket = takeToken(bucket, { perSecond: 10, burst: 10 }, 1000).bucket;
    const r = takeToken(bucket, { perSecond: 10, burst: 10 }, 1000);
    expect(r).toMatchObject({ ok: false, waitMs: 100 });
    const r2 = takeToken(r.bucket, { perSecond: 10, burst: 10 }, 1040);
    expect(r2).toMatchObject({ ok: false, waitMs: 60 });
    expect(takeToken(r2.bucket, { perSecond: 10, burst: 10 }, 1100).ok).toBe(true);
  });

  it('refills at perSecond, never above burst', () => {
    const empty: Bucket = { tokens: 0, updatedAt: 0 };
    expect(takeToken(empty, { perSecond: 2, burst: 5 }, 499).ok).toBe(false);
    expect(takeToken(empty, { perSecond: 2, burst: 5 }, 500).ok).toBe(true);
    // A long idle period refills only up to burst.
    expect(takes({ perSecond: 2, burst: 5 }, Array(6).fill(1_000_000), empty)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('holds a steady rate: 10/s lets through about 10 per second over a long run', () => {
    let bucket: Bucket | undefined;
    let passed = 0;
    for (let now = 0; now < 10_000; now += 1) {
      const r = takeToken(bucket, { perSecond: 10, burst: 1 }, now);
      bucket = r.bucket;
      if (r.ok) passed++;
    }
    expect(passed).toBeGreaterThanOrEqual(99);
    expect(passed).toBeLessThanOrEqual(101);
  });

  it('perSecond 0 means unlimited', () => {
    expect(takes({ perSecond: 0, burst: 1 }, Array(1000).fill(5)).every(Boolean)).toBe(true);
  });

  it('a clock going backwards adds no tokens', () => {
    const r = takeToken({ tokens: 0, updatedAt: 5000 }, { perSecond: 10, burst: 10 }, 1000);
    expect(r.ok).toBe(false);
  });

  it('is a pure function of (bucket, rate, now): the input bucket is not changed', () => {
    const b: Bucket = { tokens: 3, updatedAt: 100 };
    const a1 = takeToken(b, { perSecond: 1, burst: 5 }, 600);
    const a2 = takeToken(b, { perSecond: 1, burst: 5 }, 600);
    expect(a1).toEqual(a2);
    expect(b).toEqual({ tokens: 3, updatedAt: 100 });
    expect(a1.bucket.tokens).toBeCloseTo(2.5);
  });
});
