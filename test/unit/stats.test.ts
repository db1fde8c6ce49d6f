import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/engine/queue/memory-store.js';
import { buildStats } from '../../src/engine/stats.js';
import { err, row } from '../contract/store.contract.js';

describe('buildStats', () => {
  let store: MemoryStore | undefined;
  afterEach(() => store?.close());

  it('starts at zero with no NaN averages', () => {
    store = new MemoryStore();
    const s = buildStats(store, 1000, false, 5000);
    expect(s).toMatchObject({
      totalProcessed: 0,
      successful: 0,
      failed: 0,
      avgProcessingMs: 0,
      avgEndToEndMs: 0,
      peakQueueSize: 0,
      pending: 0,
      capacity: 1000,
      oldestPendingAgeMs: 0,
      paused: false,
    });
  });

  it('reports the old system fields from the store', () => {
    store = new MemoryStore();
    const [a, b, c] = store
      .insertMany(
        [
          row('a', { receivedAt: 1000 }),
          row('b', { receivedAt: 1000 }),
          row('c', { receivedAt: 1500 }),
          row('d', { receivedAt: 1800 }),
        ],
        2000,
        60_000,
      )
      .map((r) => r.task.id);
    store.markDelivering(a!, 3000, null);
    store.markDelivered(a!, 3010);
    store.markDelivering(b!, 3000, null);
    store.markDelivered(b!, 3030);
    store.markDelivering(c!, 3000, null);
    store.markFailed(c!, err(1), null, 3001);
    store.bumpCounter('rate_limited', 2);
    const s = buildStats(store, 50, true, 10_000);
    expect(s).toMatchObject({
      totalProcessed: 3,
      successful: 2,
      failed: 1,
      failedAttempts: 1,
      retries: 0,
      rateLimited: 2,
      received: 4,
      deduplicated: 0,
      avgProcessingMs: 20,
      avgEndToEndMs: 2020,
      peakQueueSize: 4,
      pending: 1,
      capacity: 50,
      oldestPendingAgeMs: 8200,
      paused: true,
      depth: { queued: 1, delivering: 0, retrying: 0, delivered: 2, dead: 1, dropped: 0 },
    });
  });
});
