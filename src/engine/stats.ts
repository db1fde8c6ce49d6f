import type { QueueStore } from './queue/store.js';
import type { QueueStats } from './types.js';

/** The queue's statistics, with the old system's fields (total processed, successful, failed, ...). */
export function buildStats(store: QueueStore, capacity: number, paused: boolean, now: number): QueueStats {
  const c = store.counters();
  const rejectedByReason: Record<string, number> = {};
  for (const [name, value] of Object.entries(c))
    if (name.startsWith('rejected:')) rejectedByReason[name.slice(9)] = value;
  const depth = store.countByState();
  const oldest = store.oldestPendingReceivedAt();
  return {
    totalProcessed: c.delivered + c.dead,
    successful: c.delivered,
    failed: c.dead,
    failedAttempts: c.failed_attempts,
    retries: c.retries,
    rateLimited: c.rate_limited,
    received: c.received,
    deduplicated: c.deduplicated,
    rejected: Object.values(rejectedByReason).reduce((a, b) => a + b, 0),
    rejectedByReason,
    avgProcessingMs: c.delivered ? c.sum_processing_ms / c.delivered : 0,
    avgEndToEndMs: c.delivered ? c.sum_e2e_ms / c.delivered : 0,
    peakQueueSize: c.peak_pending,
    depth,
    pending: depth.queued + depth.delivering + depth.retrying,
    capacity,
    oldestPendingAgeMs: oldest === null ? 0 : Math.max(0, now - oldest),
    paused,
  };
}
