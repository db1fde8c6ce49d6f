import { describe, expect, it } from 'vitest';
import { ClientLimiter, takeToken } from '../../src/engine/intake/http/rate-limit.js';
import { ReplayCache } from '../../src/engine/intake/http/replay-cache.js';

describe('takeToken', () => {
  const policy = { perSecond: 2, burst: 3 };

  it('allows a burst, then refuses with the wait until the next token', () => {
    let b = undefined;
    const results: boolean[] = [];
    let last = takeToken(b, 0, policy);
    for (let i = 0; i < 4; i++) {
      last = takeToken(b, 0, policy);
      b = last.bucket;
      results.push(last.allowed);
    }
    expect(results).toEqual([true, true, true, false]);
    expect(last.retryAfterMs).toBe(500);
  });

  it('refills at the configured rate and never above the burst', () => {
    let r = takeToken({ tokens: 0, updatedAt: 0 }, 499, policy);
    expect(r.allowed).toBe(false);
    r = takeToken(r.bucket, 500, policy);
    expect(r.allowed).toBe(true);
    r = takeToken({ tokens: 0, updatedAt: 0 }, 3_600_000, policy);
    expect(r.bucket.tokens).toBe(2);
  });
});

describe('ClientLimiter', () => {
  it('keeps separate buckets per client and forgets the least recently seen beyond maxClients', () => {
    const l = new ClientLimiter({ perSecond: 1, burst: 1 }, 2);
    expect(l.take('a', 0).allowed).toBe(true);
    expect(l.take('a', 0).allowed).toBe(false);
    expect(l.take('b', 0).allowed).toBe(true);
    expect(l.take('c', 0).allowed).toBe(true);
    expect(l.size).toBe(2);
    expect(l.take('a', 0).allowed).toBe(true); // forgotten, so a fresh bucket
  });
});

describe('ReplayCache', () => {
  it('remembers a delivery for the ttl, then forgets it', () => {
    const c = new ReplayCache(1000, 10);
    const k = ReplayCache.key('h', 'id', '1');
    c.add(k, 0);
    expect(c.has(k, 999)).toBe(true);
    expect(c.has(ReplayCache.key('h', 'id', '2'), 999)).toBe(false);
    expect(c.has(k, 1000)).toBe(false);
    expect(c.size).toBe(0);
  });

  it('stays within its size bound', () => {
    const c = new ReplayCache(1000, 3);
    for (let i = 0; i < 10; i++) c.add(String(i), i);
    expect(c.size).toBe(3);
    expect(c.has('9', 10)).toBe(true);
    expect(c.has('0', 10)).toBe(false);
  });
});
