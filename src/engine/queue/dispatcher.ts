import { WakeTimer, type Clock } from '../ports/clock.js';
import type { QueueStore } from './store.js';
import { takeToken, type Bucket, type BucketRate } from './token-bucket.js';
import type { Task } from '../task.js';

export interface DispatcherOptions {
  store: QueueStore;
  clock: Clock;
  workers: number;
  rateFor: (category: string) => BucketRate;
  isPaused: () => boolean;
  /** Start delivering a task (the dispatcher marks its target busy until `done(target)`). */
  start: (task: Task) => void;
  onRateLimited: (task: Task) => void;
  /**
   * Cluster mode: whether this node delivers a target's tasks itself; tasks of a target it does not own stay queued
   * for the forwarder (cluster/forwarder.ts). @default every target
   */
  owns?: (target: string) => boolean;
  /** A pump run from the dispatcher's own timer failed (the store): reported here instead of thrown from a timer. */
  onError?: (err: unknown) => void;
}

/**
 * Decides what runs next: per target one delivery at a time, highest priority first, FIFO within a priority,
 * `workers` targets in parallel, a token bucket per category. Event-driven: `pump()` on every change, one timer for
 * the earliest future wake-up (backoff or rate limit); no polling.
 */
export class Dispatcher {
  private readonly opts: DispatcherOptions;
  private readonly busy = new Set<string>();
  /** Targets whose delivered task is still watched until it completes: nothing else is typed there meanwhile. */
  private readonly held = new Set<string>();
  private readonly ready = new Set<string>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly rateLimitedIds = new Set<number>();
  private readonly wake: WakeTimer;
  private stopped = false;

  constructor(opts: DispatcherOptions) {
    this.opts = opts;
    this.wake = new WakeTimer(opts.clock, () => {
      try {
        this.pump();
      } catch (err) {
        if (!opts.onError) throw err;
        opts.onError(err);
      }
    });
    for (const t of opts.store.readyTargets()) this.ready.add(t);
  }

  /** A target got work (enqueue, retry, requeue). */
  markReady(target: string): void {
    this.ready.add(target);
  }

  busyTargets(): string[] {
    return [...this.busy];
  }

  /** A delivery for `target` finished (either way). */
  done(target: string): void {
    this.busy.delete(target);
  }

  /** Type nothing more into `target` until `release` (its task is watched until it completes; no worker is taken). */
  hold(target: string): void {
    this.held.add(target);
  }

  release(target: string): void {
    this.held.delete(target);
  }

  heldTargets(): string[] {
    return [...this.held];
  }

  pump(): void {
    if (this.stopped || this.opts.isPaused()) return;
    const now = this.opts.clock.now();
    let wakeAt = Infinity;
    for (const target of [...this.ready]) {
      if (this.busy.size >= this.opts.workers) break;
      if (this.busy.has(target) || this.held.has(target)) continue;
      if (this.opts.owns && !this.opts.owns(target)) {
        this.ready.delete(target);
        continue;
      }
      const head = this.opts.store.head(target);
      if (!head) {
        this.ready.delete(target);
        continue;
      }
      if (head.nextAttemptAt > now) {
        wakeAt = Math.min(wakeAt, head.nextAttemptAt);
        continue;
      }
      const take = takeToken(this.buckets.get(head.category), this.opts.rateFor(head.category), now);
      this.buckets.set(head.category, take.bucket);
      if (!take.ok) {
        wakeAt = Math.min(wakeAt, now + take.waitMs);
        if (!this.rateLimitedIds.has(head.id)) {
          this.rateLimitedIds.add(head.id);
          this.opts.onRateLimited(head);
        }
        continue;
      }
      this.rateLimitedIds.delete(head.id);
      this.busy.add(target);
      // Round-robin: a served target goes to the back so no target starves the others.
      this.ready.delete(target);
      this.ready.add(target);
      this.opts.start(head);
    }
    if (wakeAt < Infinity) this.wake.at(wakeAt);
  }

  stop(): void {
    this.stopped = true;
    this.wake.cancel();
  }
}
