import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Dispatcher } from '../../src/engine/queue/dispatcher.js';
import { MemoryStore } from '../../src/engine/queue/memory-store.js';
import type { BucketRate } from '../../src/engine/queue/token-bucket.js';
import type { Task } from '../../src/engine/types.js';
import { err, row, seeded } from '../contract/store.contract.js';

interface Harness {
  store: MemoryStore;
  dispatcher: Dispatcher;
  /** Texts in the order they were started. */
  started: string[];
  /** Texts reported as rate limited, each time it was reported. */
  limited: string[];
  /** Tasks currently being delivered, by target. */
  inFlight: Map<string, Task>;
  enqueue(text: string, extra?: Parameters<typeof row>[1]): Task;
  /** Finish the delivery running on `target` (delivered, or failed with a retry time) and pump. */
  finish(target: string, retryAt?: number): void;
  paused: { value: boolean };
}

function harness(
  opts: { workers?: number; rate?: (category: string) => BucketRate; setup?: (store: MemoryStore) => void } = {},
): Harness {
  const store = new MemoryStore();
  opts.setup?.(store);
  const started: string[] = [];
  const limited: string[] = [];
  const inFlight = new Map<string, Task>();
  const paused = { value: false };
  const dispatcher: Dispatcher = new Dispatcher({
    store,
    clock: { now: () => Date.now() },
    workers: opts.workers ?? 3,
    rateFor: opts.rate ?? (() => ({ perSecond: 0, burst: 1 })),
    isPaused: () => paused.value,
    start: (task) => {
      expect(inFlight.has(task.target), `second delivery started on ${task.target}`).toBe(false);
      started.push(task.text);
      inFlight.set(task.target, store.markDelivering(task.id, Date.now(), null));
    },
    onRateLimited: (task) => limited.push(task.text),
  });
  return {
    store,
    dispatcher,
    started,
    limited,
    inFlight,
    paused,
    enqueue(text, extra) {
      const [r] = store.insertMany([row(text, { target: 'A', ...extra })], Date.now(), 60_000);
      dispatcher.markReady(r!.task.target);
      dispatcher.pump();
      return r!.task;
    },
    finish(target, retryAt) {
      const task = inFlight.get(target);
      if (!task) throw new Error(`nothing in flight on ${target}`);
      inFlight.delete(target);
      if (retryAt === undefined) store.markDelivered(task.id, Date.now());
      else store.markFailed(task.id, err(task.attempts), retryAt, Date.now());
      dispatcher.done(target);
      dispatcher.pump();
    },
  };
}

describe('Dispatcher', () => {
  let h: Harness | undefined;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    h?.dispatcher.stop();
    h?.store.close();
    h = undefined;
    vi.useRealTimers();
  });

  it('delivers one task at a time per target, in FIFO order', () => {
    h = harness();
    h.enqueue('a1');
    h.enqueue('a2');
    h.enqueue('a3');
    h.dispatcher.pump();
    expect(h.started).toEqual(['a1']);
    h.finish('A');
    expect(h.started).toEqual(['a1', 'a2']);
    h.finish('A');
    h.finish('A');
    expect(h.started).toEqual(['a1', 'a2', 'a3']);
    expect(h.inFlight.size).toBe(0);
  });

  it('serves the highest priority first within a target', () => {
    h = harness();
    h.paused.value = true;
    h.enqueue('low', { priority: -1 });
    h.enqueue('mid1');
    h.enqueue('high', { priority: 10 });
    h.enqueue('mid2');
    h.paused.value = false;
    h.dispatcher.pump();
    for (let i = 0; i < 3; i++) h.finish('A');
    expect(h.started).toEqual(['high', 'mid1', 'mid2', 'low']);
  });

  it('serves at most `workers` targets in parallel', () => {
    h = harness({ workers: 2 });
    for (const t of ['A', 'B', 'C', 'D']) h.enqueue(`${t}1`, { target: t });
    expect(h.started).toEqual(['A1', 'B1']);
    expect(h.dispatcher.busyTargets().sort()).toEqual(['A', 'B']);
    h.finish('B');
    expect(h.started).toEqual(['A1', 'B1', 'C1']);
    h.finish('A');
    expect(h.started).toEqual(['A1', 'B1', 'C1', 'D1']);
    expect(h.inFlight.size).toBe(2);
  });

  it('takes targets round robin so a busy target does not starve the others', () => {
    h = harness({
      workers: 1,
      setup: (store) => {
        store.insertMany(
          ['A', 'B', 'C'].flatMap((t) => [row(`${t}1`, { target: t }), row(`${t}2`, { target: t })]),
          Date.now(),
          60_000,
        );
      },
    });
    h.dispatcher.pump();
    for (let i = 0; i < 5; i++) h.finish(h.inFlight.keys().next().value!);
    expect(h.started).toEqual(['A1', 'B1', 'C1', 'A2', 'B2', 'C2']);
  });

  it('picks up tasks already in the store when created', () => {
    h = harness({
      setup: (store) => {
        store.insertMany([row('x', { target: 'X' }), row('y', { target: 'Y' })], Date.now(), 60_000);
      },
    });
    h.dispatcher.pump();
    expect(h.started.sort()).toEqual(['x', 'y']);
  });

  it('waits out a backoff and wakes up by itself when it ends', () => {
    h = harness();
    h.enqueue('flaky');
    h.enqueue('next');
    h.finish('A', Date.now() + 5000);
    expect(h.started).toEqual(['flaky']);
    vi.advanceTimersByTime(4999);
    expect(h.started).toEqual(['flaky']);
    vi.advanceTimersByTime(1);
    expect(h.started).toEqual(['flaky', 'flaky']);
  });

  it('keeps other targets going while one waits in backoff', () => {
    h = harness();
    h.enqueue('a');
    h.finish('A', Date.now() + 60_000);
    h.enqueue('b', { target: 'B' });
    expect(h.started).toEqual(['a', 'b']);
  });

  it('rate-limits per category, reports a waiting task once, and starts it when a token is due', () => {
    h = harness({ rate: (c) => (c === 'slow' ? { perSecond: 1, burst: 1 } : { perSecond: 0, burst: 1 }) });
    h.enqueue('s1', { target: 'A', category: 'slow' });
    h.enqueue('s2', { target: 'B', category: 'slow' });
    h.enqueue('fast', { target: 'C', category: 'other' });
    expect(h.started).toEqual(['s1', 'fast']);
    expect(h.limited).toEqual(['s2']);
    h.finish('A');
    h.finish('C');
    h.dispatcher.pump();
    vi.advanceTimersByTime(500);
    expect(h.started).toEqual(['s1', 'fast']);
    expect(h.limited).toEqual(['s2']);
    vi.advanceTimersByTime(500);
    expect(h.started).toEqual(['s1', 'fast', 's2']);
    expect(h.limited).toEqual(['s2']);
    expect(h.store.get(h.inFlight.get('B')!.id)?.attempts).toBe(1);
  });

  it('holds a steady rate on one category: 2/s delivers 2 tasks a second', () => {
    h = harness({ rate: () => ({ perSecond: 2, burst: 1 }) });
    for (let i = 0; i < 6; i++) h.enqueue(`t${i}`);
    const seen: number[] = [];
    for (let ms = 0; ms <= 2500; ms += 100) {
      while (h.inFlight.has('A')) h.finish('A');
      seen.push(h.started.length);
      vi.advanceTimersByTime(100);
    }
    // t0 at once, then one every 500 ms: t1 at 500, t2 at 1000, ... t5 at 2500.
    expect(h.started).toHaveLength(6);
    expect(seen[4]).toBe(1);
    expect(seen[5]).toBe(2);
    expect(seen[10]).toBe(3);
    expect(h.limited).toEqual(['t1', 't2', 't3', 't4', 't5']);
  });

  it('starts nothing while paused, timers included, and resumes on pump', () => {
    h = harness();
    h.paused.value = true;
    h.enqueue('a');
    h.enqueue('b', { target: 'B' });
    vi.advanceTimersByTime(10_000);
    expect(h.started).toEqual([]);
    h.paused.value = false;
    h.dispatcher.pump();
    expect(h.started.sort()).toEqual(['a', 'b']);
  });

  it('starts nothing after stop, even when a wake-up was due', () => {
    h = harness();
    h.enqueue('a');
    h.enqueue('a2');
    h.finish('A', Date.now() + 1000);
    h.dispatcher.stop();
    vi.advanceTimersByTime(5000);
    h.dispatcher.pump();
    expect(h.started).toEqual(['a']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('random load: never over workers, one per target, and every task is delivered by timers alone (no lost wake-up)', () => {
    const random = seeded(1234);
    const rates: Record<string, BucketRate> = {
      fast: { perSecond: 0, burst: 1 },
      slow: { perSecond: 3, burst: 2 },
      crawl: { perSecond: 0.5, burst: 1 },
    };
    h = harness({ workers: 2, rate: (c) => rates[c]! });
    const failures = new Map<number, number>();
    let total = 0;
    for (let step = 0; step < 400; step++) {
      const roll = random();
      if (roll < 0.3 && total < 120) {
        total++;
        h.enqueue(`t${total}`, {
          target: ['A', 'B', 'C', 'D'][Math.floor(random() * 4)]!,
          priority: Math.floor(random() * 3),
          category: ['fast', 'slow', 'crawl'][Math.floor(random() * 3)]!,
        });
      } else if (roll < 0.6 && h.inFlight.size) {
        const target = [...h.inFlight.keys()][Math.floor(random() * h.inFlight.size)]!;
        const id = h.inFlight.get(target)!.id;
        const failed = failures.get(id) ?? 0;
        if (failed < 2 && random() < 0.3) {
          failures.set(id, failed + 1);
          h.finish(target, Date.now() + 1 + Math.floor(random() * 3000));
        } else h.finish(target);
      } else if (roll < 0.65) {
        h.paused.value = !h.paused.value;
        if (!h.paused.value) h.dispatcher.pump();
      } else vi.advanceTimersByTime(Math.floor(random() * 400));
      expect(h.inFlight.size).toBeLessThanOrEqual(2);
    }
    // Drain: only finishing deliveries and the passing of time may start the rest.
    h.paused.value = false;
    h.dispatcher.pump();
    for (let i = 0; i < 2000 && h.store.countByState().delivered < total; i++) {
      for (const target of [...h.inFlight.keys()]) h.finish(target);
      vi.advanceTimersByTime(100);
    }
    expect(h.store.countByState()).toMatchObject({ delivered: total, queued: 0, retrying: 0, delivering: 0 });
    expect(total).toBeGreaterThan(60);
  });

  it('does not deliver a dead or dropped task', () => {
    h = harness();
    h.paused.value = true;
    const t = h.enqueue('gone');
    h.store.drop(t.id, Date.now());
    h.paused.value = false;
    h.dispatcher.pump();
    expect(h.started).toEqual([]);
  });
});
