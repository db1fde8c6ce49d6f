/**
 * Per-second event counters in a ring (sparklines, last-minute rates) plus since-start totals.
 * Pure bookkeeping: time comes in as `now`.
 */
import type { ThroughputBlock, ThroughputPoint } from './types.js';

export const COUNTERS = [
  'received',
  'delivered',
  'failed',
  'retries',
  'rateLimited',
  'dropped',
  'deduplicated',
] as const;
export type Counter = (typeof COUNTERS)[number];

const POINTS = 60;
const INTERVAL_MS = 1000;

type Slot = Record<Counter, number> & { at: number };

function emptySlot(at: number): Slot {
  return { at, received: 0, delivered: 0, failed: 0, retries: 0, rateLimited: 0, dropped: 0, deduplicated: 0 };
}

export class ThroughputCounter {
  private readonly ring: Slot[] = Array.from({ length: POINTS }, () => emptySlot(-1));
  readonly totals: Record<Counter, number> = emptySlot(0);
  /** Counts since the last `takeInterval()` (the current rollup). */
  private interval: Record<Counter, number> = emptySlot(0);

  add(counter: Counter, now: number, n = 1): void {
    const slot = this.slot(now);
    slot[counter] += n;
    this.totals[counter] += n;
    this.interval[counter] += n;
  }

  takeInterval(): Record<Counter, number> {
    const out = this.interval;
    this.interval = emptySlot(0);
    return out;
  }

  block(now: number): ThroughputBlock {
    const series = this.series(now);
    const sum = (k: 'received' | 'delivered' | 'failed' | 'retries') => series.reduce((acc, p) => acc + p[k], 0);
    const window = {
      received: sum('received'),
      delivered: sum('delivered'),
      failed: sum('failed'),
      retries: sum('retries'),
    };
    const seconds = (POINTS * INTERVAL_MS) / 1000;
    const finished = window.delivered + window.failed;
    const attempts = window.delivered + window.failed + window.retries;
    const { received, delivered, failed, retries, rateLimited, dropped, deduplicated } = this.totals;
    const totals = { received, delivered, failed, retries, rateLimited, dropped, deduplicated };
    return {
      intervalMs: INTERVAL_MS,
      series,
      lastMinute: {
        receivedPerSec: window.received / seconds,
        deliveredPerSec: window.delivered / seconds,
        failedPerSec: window.failed / seconds,
      },
      totals,
      successRate: finished === 0 ? null : window.delivered / finished,
      errorRate: attempts === 0 ? null : (window.failed + window.retries) / attempts,
    };
  }

  /** Last POINTS seconds, oldest first, zero-filled; the last point is the current (partial) second. */
  series(now: number): ThroughputPoint[] {
    const current = now - (now % INTERVAL_MS);
    const out: ThroughputPoint[] = [];
    for (let k = POINTS - 1; k >= 0; k--) {
      const at = current - k * INTERVAL_MS;
      const s = this.ring[Math.floor(at / INTERVAL_MS) % POINTS];
      const live = s && s.at === at ? s : emptySlot(at);
      out.push({
        at,
        received: live.received,
        delivered: live.delivered,
        failed: live.failed,
        retries: live.retries,
        rateLimited: live.rateLimited,
      });
    }
    return out;
  }

  private slot(now: number): Slot {
    const at = now - (now % INTERVAL_MS);
    const i = Math.floor(at / INTERVAL_MS) % POINTS;
    let s = this.ring[i];
    if (!s || s.at !== at) {
      s = emptySlot(at);
      this.ring[i] = s;
    }
    return s;
  }
}
