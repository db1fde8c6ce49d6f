import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/engine/queue/backoff.js';

const policy = { baseMs: 1000, maxMs: 60_000, jitter: 0 };

describe('backoffDelay', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [6, 32_000],
  ])('doubles per attempt: attempt %i waits %i ms', (attempt, ms) => {
    expect(backoffDelay(attempt, policy, () => 0.5)).toBe(ms);
  });

  it('caps the delay at maxMs, even for huge attempt numbers', () => {
    expect(backoffDelay(7, policy)).toBe(60_000);
    expect(backoffDelay(50, policy)).toBe(60_000);
    expect(backoffDelay(5000, policy)).toBe(60_000);
  });

  it('treats attempt 0 (or below) as the first', () => {
    expect(backoffDelay(0, policy)).toBe(1000);
    expect(backoffDelay(-3, policy)).toBe(1000);
  });

  it('draws from [(1 - jitter)·d, d] using the injected random', () => {
    const p = { baseMs: 1000, maxMs: 60_000, jitter: 0.2 };
    expect(backoffDelay(3, p, () => 0)).toBe(3200);
    expect(backoffDelay(3, p, () => 0.999999)).toBe(4000);
    expect(backoffDelay(3, p, () => 0.5)).toBe(3600);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(3, p, () => i / 100);
      expect(d).toBeGreaterThanOrEqual(3200);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it('full jitter spans 0..d; jitter also applies to the capped delay', () => {
    expect(backoffDelay(2, { baseMs: 1000, maxMs: 60_000, jitter: 1 }, () => 0)).toBe(0);
    expect(backoffDelay(99, { baseMs: 1000, maxMs: 10_000, jitter: 0.5 }, () => 0)).toBe(5000);
  });

  it('is a pure function of its inputs', () => {
    const p = { baseMs: 250, maxMs: 5000, jitter: 0.3 };
    expect(backoffDelay(4, p, () => 0.42)).toBe(backoffDelay(4, p, () => 0.42));
  });
});
