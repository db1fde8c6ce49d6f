/** Retention: delete delivered and dropped tasks older than queue.retainDays, at start and then hourly. */
import { timersOf, type Clock, type ClockTimer } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { QueueStore } from './queue/store.js';
import { pruneRejected } from './intake/spool-prune.js';

export const PRUNE_EVERY_MS = 3_600_000;

export interface RetentionDeps {
  store: QueueStore;
  clock: Clock;
  logger: Logger;
  retainDays: number;
  /** The spool: its rejected/ is pruned with the same retention. */
  spoolDir?: string | undefined;
  /** Also prune these (the event log and sent callbacks) with the same retention; returns how many rows went. */
  pruneMore?: ((before: number) => number) | undefined;
  onError: (err: unknown) => void;
}

export class Retention {
  private timer: ClockTimer | undefined;

  constructor(private readonly d: RetentionDeps) {}

  start(): void {
    if (this.timer !== undefined || this.d.retainDays <= 0) return;
    this.timer = timersOf(this.d.clock).setInterval(() => this.pruneNow(), PRUNE_EVERY_MS);
    this.pruneNow();
  }

  /** Prune once now; a store failure is reported, not thrown (this runs from a timer). */
  pruneNow(): number {
    if (this.d.retainDays <= 0) return 0;
    try {
      const before = this.d.clock.now() - this.d.retainDays * 86_400_000;
      const n = this.d.store.prune(before);
      if (n) this.d.logger.info('pruned finished tasks', { count: n });
      const events = this.d.pruneMore?.(before) ?? 0;
      if (events) this.d.logger.info('pruned old events and callbacks', { count: events });
      const files = this.d.spoolDir === undefined ? 0 : pruneRejected(this.d.spoolDir, before, this.d.logger);
      if (files) this.d.logger.info('pruned rejected spool files', { count: files });
      return n;
    } catch (err) {
      this.d.onError(err);
      return 0;
    }
  }

  close(): void {
    if (this.timer !== undefined) timersOf(this.d.clock).clearInterval(this.timer);
    this.timer = undefined;
  }
}
