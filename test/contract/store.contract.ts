import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isWhtError } from '../../src/engine/errors.js';
import type { QueueStore, TaskRow } from '../../src/engine/queue/store.js';
import type { AttemptError, TaskState } from '../../src/engine/types.js';
import { seededRandom } from '../../src/engine/ports/random.js';

/** Deterministic PRNG (mulberry32) so a failing random sequence can be replayed. */
export const seeded = seededRandom;

export interface StoreFixture {
  store: QueueStore;
  cleanup(): void;
}

const HOUR = 3_600_000;

export function row(text: string, extra: Partial<TaskRow> = {}): TaskRow {
  return {
    text,
    target: 'default',
    priority: 0,
    category: 'default',
    idemKey: null,
    source: 'api',
    receivedAt: 1000,
    ...extra,
  };
}

export function err(attempt: number, at = 5000, code = 'WHT_ERR_TMUX_FAILED'): AttemptError {
  return { attempt, at, code, message: `attempt ${attempt} failed` };
}

/** Run `fn` and return the WhtError it throws (fails the test when it does not throw one). */
export function thrown(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isWhtError(e)) return e;
    throw e;
  }
  throw new Error('expected a WhtError, nothing was thrown');
}

/**
 * The QueueStore contract. `makeStore` returns a fresh, empty store; `countsQuery` (optional) returns the
 * authoritative per-state counts straight from the backend, to check countByState() against.
 */
export function describeStoreContract(
  name: string,
  makeStore: () => StoreFixture,
  countsQuery?: (store: QueueStore) => Record<string, number>,
): void {
  describe(`QueueStore contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: QueueStore;
    beforeEach(() => {
      fx = makeStore();
      store = fx.store;
    });
    afterEach(() => fx.cleanup());

    const insert = (r: TaskRow, now = 2000, windowMs = HOUR) => store.insertMany([r], now, windowMs)[0]!;
    const deliver = (id: number, now = 3000) => {
      store.markDelivering(id, now, '7');
      return store.markDelivered(id, now + 10);
    };
    const kill = (id: number, now = 3000) => {
      store.markDelivering(id, now, null);
      return store.markFailed(id, err(1, now), null, now + 1);
    };

    describe('insertMany', () => {
      it('commits a batch and returns each task queued with its fields and timestamps', () => {
        const results = store.insertMany(
          [
            row('a', { priority: 5, category: 'c1', target: 't1', idemKey: 'k1', source: 'spool', receivedAt: 900 }),
            row('b'),
          ],
          2000,
          HOUR,
        );
        expect(results.map((r) => r.created)).toEqual([true, true]);
        const a = results[0]!.task;
        expect(a).toMatchObject({
          text: 'a',
          target: 't1',
          priority: 5,
          category: 'c1',
          idemKey: 'k1',
          source: 'spool',
          state: 'queued',
          attempts: 0,
          errors: [],
          receivedAt: 900,
          committedAt: 2000,
          startedAt: null,
          deliveredAt: null,
          finishedAt: null,
        });
        expect(a.nextAttemptAt).toBeLessThanOrEqual(2000);
        expect(results[1]!.task.id).toBeGreaterThan(a.id);
        expect(store.get(a.id)).toEqual(a);
        expect(store.countByState().queued).toBe(2);
      });

      it('is one transaction: a failing row leaves nothing of the batch behind', () => {
        const bad = { ...row('bad'), text: null } as unknown as TaskRow;
        expect(() => store.insertMany([row('ok1'), bad, row('ok2')], 2000, HOUR)).toThrow();
        expect(store.list()).toEqual([]);
        expect(store.countByState().queued).toBe(0);
        expect(store.counters().received).toBe(0);
      });

      it('returns the existing task for a repeated idempotency key inside the window and types nothing new', () => {
        const first = insert(row('x', { idemKey: 'k' }), 2000);
        const again = insert(row('other text', { idemKey: 'k' }), 2000 + HOUR - 1);
        expect(again.created).toBe(false);
        expect(again.task).toEqual(first.task);
        expect(store.list()).toHaveLength(1);
        expect(store.counters()).toMatchObject({ received: 1, deduplicated: 1 });
      });

      it('dedupes a key repeated inside one batch', () => {
        const [a, b] = store.insertMany([row('x', { idemKey: 'k' }), row('y', { idemKey: 'k' })], 2000, HOUR);
        expect(a!.created).toBe(true);
        expect(b!.created).toBe(false);
        expect(b!.task.id).toBe(a!.task.id);
      });

      it('creates a new task when the key was last seen outside the window', () => {
        const first = insert(row('x', { idemKey: 'k' }), 2000);
        const later = insert(row('x', { idemKey: 'k' }), 2000 + HOUR + 1);
        expect(later.created).toBe(true);
        expect(later.task.id).not.toBe(first.task.id);
      });

      it('never dedupes tasks without a key', () => {
        const results = store.insertMany([row('x'), row('x')], 2000, HOUR);
        expect(results.every((r) => r.created)).toBe(true);
      });
    });

    describe('admit (capacity and dedupe inside the insert transaction)', () => {
      const limits = (capacity: number) => ({ dedupeWindowMs: HOUR, capacity });

      it('inserts while pending < capacity and refuses (null) every new row after that', () => {
        insert(row('old'));
        const out = store.admit([row('a'), row('b'), row('c')], 2000, limits(3));
        expect(out.map((r) => r?.created ?? null)).toEqual([true, true, null]);
        expect(store.pendingCount()).toBe(3);
        expect(store.counters().received).toBe(3);
      });

      it('answers a repeated idempotency key with its task even when the queue is full, counting it deduplicated', () => {
        const first = insert(row('x', { idemKey: 'k' }));
        const [again, fresh] = store.admit(
          [row('x', { idemKey: 'k' }), row('y', { idemKey: 'other' })],
          2100,
          limits(1),
        );
        expect(again).toMatchObject({ created: false, task: { id: first.task.id } });
        expect(fresh).toBeNull();
        expect(store.counters()).toMatchObject({ received: 1, deduplicated: 1 });
      });

      it('dedupes a key repeated inside the batch against the earlier row, and frees no room for later rows', () => {
        const out = store.admit(
          [row('x', { idemKey: 'k' }), row('x again', { idemKey: 'k' }), row('z')],
          2000,
          limits(1),
        );
        expect(out[0]!.created).toBe(true);
        expect(out[1]).toMatchObject({ created: false, task: { id: out[0]!.task.id } });
        expect(out[2]).toBeNull();
      });

      it('counts delivering and retrying tasks against capacity, not finished ones', () => {
        const [a, b, c] = store.insertMany([row('a'), row('b'), row('c')], 2000, HOUR).map((r) => r.task.id) as [
          number,
          number,
          number,
        ];
        store.markDelivering(a, 3000, null);
        store.markDelivering(b, 3000, null);
        store.markFailed(b, err(1), 9000, 3001);
        deliver(c);
        expect(store.admit([row('d'), row('e')], 4000, limits(3)).map((r) => r?.created ?? null)).toEqual([true, null]);
      });
    });

    describe('head and readyTargets', () => {
      it('orders by priority (highest first), then FIFO within a priority', () => {
        const low = insert(row('low', { priority: -5 })).task;
        const mid1 = insert(row('mid1')).task;
        const high = insert(row('high', { priority: 9 })).task;
        const mid2 = insert(row('mid2')).task;
        const order: number[] = [];
        for (let t = store.head('default'); t; t = store.head('default')) {
          order.push(t.id);
          deliver(t.id);
        }
        expect(order).toEqual([high.id, mid1.id, mid2.id, low.id]);
      });

      it('keeps targets apart', () => {
        const a = insert(row('a', { target: 'A' })).task;
        const b = insert(row('b', { target: 'B', priority: 50 })).task;
        expect(store.head('A')?.id).toBe(a.id);
        expect(store.head('B')?.id).toBe(b.id);
        expect(store.head('C')).toBeUndefined();
        expect(store.readyTargets().sort()).toEqual(['A', 'B']);
      });

      it('skips delivering, delivered, dead and dropped tasks; serves retrying ones', () => {
        const ids = store
          .insertMany(
            ['d1', 'd2', 'd3', 'd4', 'r', 'q'].map((t) => row(t, { target: 'T' })),
            2000,
            HOUR,
          )
          .map((r) => r.task.id);
        const [delivering, delivered, dead, dropped, retrying, queued] = ids as [
          number,
          number,
          number,
          number,
          number,
          number,
        ];
        store.markDelivering(delivering, 3000, null);
        deliver(delivered);
        kill(dead);
        store.drop(dropped, 3000);
        store.markDelivering(retrying, 3000, null);
        store.markFailed(retrying, err(1), 3500, 3001);
        expect(store.head('T')?.id).toBe(retrying);
        store.drop(retrying, 4000);
        expect(store.head('T')?.id).toBe(queued);
        store.drop(queued, 4000);
        expect(store.head('T')).toBeUndefined();
        expect(store.readyTargets()).toEqual([]);
      });
    });

    describe('state transitions', () => {
      it('queued -> delivering -> delivered, with attempts and stage timestamps', () => {
        const t = insert(row('a', { receivedAt: 1000 }), 2000).task;
        // Each change returns the task exactly as it is stored now.
        expect(store.get(t.id)).toEqual(t);
        const d = store.markDelivering(t.id, 3000, '12');
        expect(d).toMatchObject({ state: 'delivering', attempts: 1, startedAt: 3000 });
        expect(store.get(t.id)).toEqual(d);
        expect(store.delivering().map((x) => x.id)).toEqual([t.id]);
        const done = store.markDelivered(t.id, 3050);
        expect(done).toMatchObject({ state: 'delivered', deliveredAt: 3050, finishedAt: 3050 });
        expect(store.get(t.id)).toEqual(done);
        expect(store.delivering()).toEqual([]);
        expect(store.counters()).toMatchObject({ delivered: 1, sum_processing_ms: 50, sum_e2e_ms: 2050 });
      });

      it('after a failed attempt, delivered on a watched target: not finished; each change returns what is stored', () => {
        const t = insert(row('w'), 2000).task;
        store.markDelivering(t.id, 3000, null);
        const failed = store.markFailed(t.id, err(1, 3010), 3100, 3010);
        expect(store.get(t.id)).toEqual(failed);
        const again = store.markDelivering(t.id, 3200, null);
        expect(again).toMatchObject({ attempts: 2, errors: [err(1, 3010)] });
        const done = store.markDelivered(t.id, 3300, true);
        expect(done).toMatchObject({ state: 'delivered', attempts: 2, deliveredAt: 3300, finishedAt: null });
        expect(store.get(t.id)).toEqual(done);
      });

      it('names the missing id (WHT_ERR_TASK_NOT_FOUND)', () => {
        for (const action of [
          () => store.markDelivering(999, 1, null),
          () => store.markDelivered(999, 1),
          () => store.markFailed(999, err(1), null, 1),
          () => store.requeue(999, null),
          () => store.retry(999, 1),
          () => store.drop(999, 1),
        ]) {
          const e = thrown(action);
          expect(e.code).toBe('WHT_ERR_TASK_NOT_FOUND');
          expect(e.message).toContain('999');
        }
      });

      it('refuses a transition from the wrong state with WHT_ERR_TASK_STATE naming the state', () => {
        const t = insert(row('a')).task;
        const cases: Array<[() => unknown, TaskState]> = [
          [() => store.markDelivered(t.id, 1), 'queued'],
          [() => store.markFailed(t.id, err(1), null, 1), 'queued'],
          [() => store.requeue(t.id, null), 'queued'],
          [() => store.retry(t.id, 1), 'queued'],
        ];
        for (const [action, state] of cases) {
          const e = thrown(action);
          expect(e.code).toBe('WHT_ERR_TASK_STATE');
          expect(e.message).toContain(state);
        }
        deliver(t.id);
        for (const action of [
          () => store.markDelivering(t.id, 1, null),
          () => store.drop(t.id, 1),
          () => store.retry(t.id, 1),
        ]) {
          const e = thrown(action);
          expect(e.code).toBe('WHT_ERR_TASK_STATE');
          expect(e.message).toContain('delivered');
        }
        expect(store.get(t.id)?.state).toBe('delivered');
        expect(store.countByState()).toMatchObject({ delivered: 1, queued: 0 });
      });

      it('paneMark keeps where the pane cursor was when the last attempt started', () => {
        const t = insert(row('a')).task;
        expect(store.paneMark(t.id)).toBeNull();
        store.markDelivering(t.id, 3000, '{"line":120}');
        expect(store.paneMark(t.id)).toBe('{"line":120}');
        store.markFailed(t.id, err(1), 3500, 3001);
        store.markDelivering(t.id, 3500, '{"line":133,"before":["$ ls"]}');
        expect(store.paneMark(t.id)).toBe('{"line":133,"before":["$ ls"]}');
        store.requeue(t.id, null);
        store.markDelivering(t.id, 3600, null);
        expect(store.paneMark(t.id)).toBeNull();
        expect(store.paneMark(424242)).toBeNull();
      });

      it('markFailed appends to the error history: retrying with a retry time, dead without', () => {
        const t = insert(row('a')).task;
        store.markDelivering(t.id, 3000, null);
        const r = store.markFailed(t.id, err(1, 3001), 9000, 3001);
        expect(r).toMatchObject({ state: 'retrying', nextAttemptAt: 9000, finishedAt: null, errors: [err(1, 3001)] });
        store.markDelivering(t.id, 9000, null);
        const d = store.markFailed(t.id, err(2, 9001, 'WHT_ERR_TARGET_MISSING'), null, 9001);
        expect(d).toMatchObject({ state: 'dead', attempts: 2, finishedAt: 9001 });
        expect(d.errors).toEqual([err(1, 3001), err(2, 9001, 'WHT_ERR_TARGET_MISSING')]);
        expect(store.counters()).toMatchObject({ failed_attempts: 2, retries: 1, dead: 1 });
      });

      it('requeue returns a delivering task to queued without counting the attempt', () => {
        const t = insert(row('a')).task;
        store.markDelivering(t.id, 3000, null);
        const q = store.requeue(t.id, err(1, 3100, 'recovery'));
        expect(q).toMatchObject({ state: 'queued', attempts: 0 });
        expect(q.errors).toHaveLength(1);
        store.markDelivering(t.id, 3200, null);
        expect(store.requeue(t.id, null).errors).toHaveLength(1);
      });

      it('retry moves dead or retrying back to queued with attempts reset and due now', () => {
        const dead = insert(row('dead')).task;
        kill(dead.id);
        const again = store.retry(dead.id, 8000);
        expect(again).toMatchObject({ state: 'queued', attempts: 0, finishedAt: null });
        expect(again.nextAttemptAt).toBeLessThanOrEqual(8000);
        expect(again.errors).toHaveLength(1);
        const r = insert(row('r')).task;
        store.markDelivering(r.id, 3000, null);
        store.markFailed(r.id, err(1), 99_999, 3001);
        expect(store.retry(r.id, 8000)).toMatchObject({ state: 'queued', attempts: 0 });
        expect(store.head('default')?.nextAttemptAt).toBeLessThanOrEqual(8000);
      });

      it('retryAllDead moves every dead task and returns the count', () => {
        const ids = store.insertMany([row('a'), row('b'), row('c')], 2000, HOUR).map((r) => r.task.id);
        kill(ids[0]!);
        kill(ids[1]!);
        expect(store.retryAllDead(9000)).toBe(2);
        expect(store.countByState()).toMatchObject({ dead: 0, queued: 3 });
        expect(store.retryAllDead(9000)).toBe(0);
      });

      it('drop works from queued, retrying and dead only', () => {
        const [q, r, d, g] = store
          .insertMany([row('q'), row('r'), row('d'), row('g')], 2000, HOUR)
          .map((x) => x.task.id) as [number, number, number, number];
        store.markDelivering(r, 3000, null);
        store.markFailed(r, err(1), 5000, 3001);
        kill(d);
        store.markDelivering(g, 3000, null);
        for (const id of [q, r, d]) expect(store.drop(id, 6000)).toMatchObject({ state: 'dropped', finishedAt: 6000 });
        const e = thrown(() => store.drop(g, 6000));
        expect(e.code).toBe('WHT_ERR_TASK_STATE');
        expect(e.message).toContain('delivering');
        expect(store.countByState()).toMatchObject({ dropped: 3, delivering: 1 });
      });
    });

    describe('counts', () => {
      it('pendingCount is queued + delivering + retrying', () => {
        const ids = store
          .insertMany([row('a'), row('b'), row('c'), row('d'), row('e')], 2000, HOUR)
          .map((r) => r.task.id);
        store.markDelivering(ids[0]!, 3000, null);
        store.markDelivering(ids[1]!, 3000, null);
        store.markFailed(ids[1]!, err(1), 5000, 3001);
        deliver(ids[2]!);
        kill(ids[3]!);
        expect(store.pendingCount()).toBe(3);
      });

      it('oldestPendingReceivedAt is the earliest receivedAt among pending tasks (delivering included), null when none', () => {
        expect(store.oldestPendingReceivedAt()).toBeNull();
        const a = insert(row('a', { receivedAt: 100 })).task;
        insert(row('b', { receivedAt: 200 }));
        expect(store.oldestPendingReceivedAt()).toBe(100);
        store.markDelivering(a.id, 3000, null);
        expect(store.oldestPendingReceivedAt()).toBe(100);
        store.markDelivered(a.id, 3001);
        expect(store.oldestPendingReceivedAt()).toBe(200);
      });

      it('counts received, deduplicated and the peak of pending tasks', () => {
        store.insertMany([row('a'), row('b'), row('c')], 2000, HOUR);
        deliver(store.head('default')!.id);
        store.insertMany([row('d', { idemKey: 'k' }), row('e', { idemKey: 'k' })], 2100, HOUR);
        const c = store.counters();
        expect(c).toMatchObject({ received: 4, deduplicated: 1, peak_pending: 3, delivered: 1 });
        store.bumpCounter('rate_limited');
        store.bumpCounter('rate_limited', 4);
        expect(store.counters().rate_limited).toBe(5);
      });

      it('peak_pending is the highest pending count ever, also when retries bring dead tasks back', () => {
        const ids = store.insertMany([row('a'), row('b'), row('c')], 2000, HOUR).map((r) => r.task.id);
        for (const id of ids) kill(id);
        store.insertMany([row('d'), row('e')], 4000, HOUR);
        expect(store.counters().peak_pending).toBe(3);
        store.retry(ids[0]!, 5000);
        expect(store.pendingCount()).toBe(3);
        expect(store.retryAllDead(5000)).toBe(2);
        expect(store.pendingCount()).toBe(5);
        expect(store.counters().peak_pending).toBe(5);
      });

      it('starts every counter at 0', () => {
        const c = store.counters();
        for (const k of [
          'received',
          'delivered',
          'dead',
          'failed_attempts',
          'retries',
          'rate_limited',
          'deduplicated',
          'sum_processing_ms',
          'sum_e2e_ms',
          'peak_pending',
        ] as const) {
          expect(c[k], k).toBe(0);
        }
      });

      it('countByState stays equal to the backend after a random sequence of operations', () => {
        const random = seeded(20261126);
        const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(random() * xs.length)];
        let now = 10_000;
        let applied = 0;
        for (let step = 0; step < 600; step++) {
          now += 1 + Math.floor(random() * 50);
          const all = store.list({ limit: 10_000 });
          const task = pick(all);
          const op = Math.floor(random() * 11);
          try {
            if (op <= 2 || !task) {
              const n = 1 + Math.floor(random() * 4);
              store.insertMany(
                Array.from({ length: n }, (_, i) =>
                  row(`t${step}.${i}`, {
                    target: pick(['A', 'B', 'C'])!,
                    priority: Math.floor(random() * 3),
                    idemKey: random() < 0.3 ? `k${Math.floor(random() * 20)}` : null,
                  }),
                ),
                now,
                500,
              );
            } else if (op === 3) store.markDelivering(task.id, now, null);
            else if (op === 4) store.markDelivered(task.id, now);
            else if (op === 5)
              store.markFailed(task.id, err(task.attempts, now), random() < 0.5 ? now + 100 : null, now);
            else if (op === 6) store.requeue(task.id, null);
            else if (op === 7) store.retry(task.id, now);
            else if (op === 8) store.drop(task.id, now);
            else if (op === 9) store.retryAllDead(now);
            else store.prune(now - 200);
            applied++;
          } catch (e) {
            if (!isWhtError(e, 'WHT_ERR_TASK_STATE') && !isWhtError(e, 'WHT_ERR_TASK_NOT_FOUND')) throw e;
          }
          const fromList: Record<string, number> = {};
          for (const t of store.list({ limit: 10_000 })) fromList[t.state] = (fromList[t.state] ?? 0) + 1;
          const truth = countsQuery ? countsQuery(store) : fromList;
          const counts = store.countByState();
          const nonZero = Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
          expect(nonZero, `after step ${step} (op ${op})`).toEqual(truth);
          expect(truth).toEqual(fromList);
          expect(store.pendingCount()).toBe((truth.queued ?? 0) + (truth.delivering ?? 0) + (truth.retrying ?? 0));
        }
        expect(applied).toBeGreaterThan(200);
      });
    });

    describe('get and list', () => {
      it('get returns undefined for an unknown id; an empty batch inserts nothing', () => {
        expect(store.get(12345)).toBeUndefined();
        expect(store.insertMany([], 2000, HOUR)).toEqual([]);
        expect(store.counters().received).toBe(0);
      });

      it('lists newest first, filtered by state and target, paged with before and limit', () => {
        const ids = store
          .insertMany(
            ['a', 'b', 'c', 'd', 'e'].map((t, i) => row(t, { target: i % 2 ? 'odd' : 'even' })),
            2000,
            HOUR,
          )
          .map((r) => r.task.id);
        deliver(ids[0]!);
        expect(store.list().map((t) => t.id)).toEqual([...ids].reverse());
        expect(store.list({ target: 'odd' }).map((t) => t.text)).toEqual(['d', 'b']);
        expect(store.list({ state: 'delivered' }).map((t) => t.text)).toEqual(['a']);
        expect(store.list({ state: 'queued', target: 'even' }).map((t) => t.text)).toEqual(['c', 'e']);
        expect(store.list({ limit: 2 }).map((t) => t.text)).toEqual(['e', 'd']);
        expect(store.list({ before: ids[3]!, limit: 2 }).map((t) => t.text)).toEqual(['c', 'b']);
      });

      it('lists a pending state in delivery order (priority desc, then FIFO)', () => {
        store.insertMany([row('p0'), row('p5', { priority: 5 }), row('p0b'), row('p-1', { priority: -1 })], 2000, HOUR);
        expect(store.list({ state: 'queued' }).map((t) => t.text)).toEqual(['p5', 'p0', 'p0b', 'p-1']);
      });
    });

    describe('meta and prune', () => {
      it('stores meta values', () => {
        expect(store.getMeta('paused')).toBeUndefined();
        store.setMeta('paused', '1');
        store.setMeta('paused', '0');
        expect(store.getMeta('paused')).toBe('0');
      });

      it('prunes only delivered and dropped tasks finished before the cutoff', () => {
        const [oldDelivered, newDelivered, oldDropped, oldDead, queued] = store
          .insertMany(
            ['od', 'nd', 'odr', 'odead', 'q'].map((t) => row(t)),
            2000,
            HOUR,
          )
          .map((r) => r.task.id) as [number, number, number, number, number];
        deliver(oldDelivered, 3000);
        store.drop(oldDropped, 3000);
        kill(oldDead, 3000);
        deliver(newDelivered, 9000);
        expect(store.prune(5000)).toBe(2);
        expect(store.get(oldDelivered)).toBeUndefined();
        expect(store.get(oldDropped)).toBeUndefined();
        expect(store.get(newDelivered)?.state).toBe('delivered');
        expect(store.get(oldDead)?.state).toBe('dead');
        expect(store.get(queued)?.state).toBe('queued');
        expect(store.countByState()).toMatchObject({ delivered: 1, dropped: 0, dead: 1, queued: 1 });
        expect(store.prune(5000)).toBe(0);
      });
    });

    describe('cluster outbox (queuedFor, countQueuedFor, markForwarded)', () => {
      it('lists queued tasks for the given targets oldest first, whatever their priority', () => {
        const ids = store
          .insertMany(
            [
              row('a', { target: 'remote' }),
              row('b', { target: 'local' }),
              row('c', { target: 'pool:p', priority: 9 }),
            ],
            2000,
            HOUR,
          )
          .map((r) => r.task.id);
        expect(store.queuedFor(['remote', 'pool:p'], 10).map((t) => t.id)).toEqual([ids[0], ids[2]]);
        expect(store.queuedFor(['remote', 'pool:p'], 1).map((t) => t.id)).toEqual([ids[0]]);
        expect(store.queuedFor([], 10)).toEqual([]);
        expect(store.countQueuedFor(['remote', 'pool:p'])).toBe(2);
        expect(store.countQueuedFor([])).toBe(0);
      });

      it('moves queued tasks to forwarded, skipping others, and keeps the counts', () => {
        const [a, b, c] = store
          .insertMany([row('a', { target: 'r' }), row('b', { target: 'r' }), row('c', { target: 'r' })], 2000, HOUR)
          .map((r) => r.task.id) as [number, number, number];
        store.drop(c, 2500);
        const moved = store.markForwarded([a, b, c, 999], 3000);
        expect(moved.map((t) => [t.id, t.state, t.finishedAt])).toEqual([
          [a, 'forwarded', 3000],
          [b, 'forwarded', 3000],
        ]);
        expect(store.countByState()).toMatchObject({ queued: 0, forwarded: 2, dropped: 1 });
        expect(store.pendingCount()).toBe(0);
        expect(store.queuedFor(['r'], 10)).toEqual([]);
        expect(store.readyTargets()).toEqual([]);
        // Forwarded rows are kept like delivered ones, then pruned.
        expect(store.prune(3500)).toBe(3);
      });
    });

    it('close is idempotent', () => {
      store.close();
      expect(() => store.close()).not.toThrow();
    });
  });
}

/** Per-state counts straight from a better-sqlite3 database (the truth countByState must match). */
export function sqliteCounts(db: Database.Database): Record<string, number> {
  const rows = db.prepare('SELECT state, COUNT(*) AS n FROM tasks GROUP BY state').all() as Array<{
    state: string;
    n: number;
  }>;
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}
