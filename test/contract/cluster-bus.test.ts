/**
 * Conformance suite for the ClusterBus port (src/engine/cluster/bus.ts), run against a real redis-server started
 * for this file (unix socket, AOF). What cluster mode relies on: priority order with FIFO inside a priority, job ids
 * that dedupe, rejected jobs in the failed set, put-back at the head, pool jobs taken once even when the taker dies,
 * atomic target claims, bounded calls while Redis is down.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullBus } from '../../src/engine/cluster/bullmq-bus.js';
import { JobLater, JobRejected, type BusJob, type NodeRecord } from '../../src/engine/cluster/bus.js';
import { tempDir } from '../helpers/engine.js';
import { TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/tmux.js';

const tmp = tempDir('wht-bus-');
const redis = new TestRedis(tmp.dir);
const buses: BullBus[] = [];

function bus(opts: { lockMs?: number; timeoutMs?: number } = {}): BullBus {
  const b = new BullBus({ connect: { path: redis.socket }, prefix: 'bt', timeoutMs: opts.timeoutMs ?? 3000, ...opts });
  buses.push(b);
  return b;
}

function rec(node: string, instance = randomUUID()): NodeRecord {
  return {
    node,
    instance,
    version: 'test',
    pid: process.pid,
    startedAt: Date.now(),
    heartbeatAt: Date.now(),
    health: 'ok',
    httpUrl: null,
    targets: [],
    backlog: 0,
    paused: false,
  };
}

const uniq = (p: string) => `${p}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  await redis.start();
});

afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  await redis.stop();
  tmp.cleanup();
});

describe('ClusterBus on BullMQ (real redis-server)', () => {
  it('answers PING and reports the eviction policy', async () => {
    const b = bus();
    await b.ping();
    expect(await b.evictionPolicy()).toBe('noeviction');
  });

  it('hands jobs out by priority, FIFO within one, and ignores a repeated job id', async () => {
    const b = bus();
    const q = uniq('node-order');
    await b.add(q, [
      { id: 'a.1', priority: 5, data: 'low-1' },
      { id: 'a.2', priority: 1, data: 'high-1' },
      { id: 'a.3', priority: 5, data: 'low-2' },
      { id: 'a.4', priority: 1, data: 'high-2' },
    ]);
    await b.add(q, [{ id: 'a.2', priority: 1, data: 'repeated' }]);
    const seen: unknown[] = [];
    const c = b.consume(q, async (job) => void seen.push(job.data), { stalled: 'retry' });
    await waitFor(() => seen.length >= 4, 15_000, 'four jobs');
    await waitFor(async () => (await b.counts(q)).completed === 4, 15_000, 'completed');
    await c.close();
    expect(seen).toEqual(['high-1', 'high-2', 'low-1', 'low-2']);
  });

  it('moves a rejected job to the failed set with its reason, and never hands it out again', async () => {
    const b = bus();
    const q = uniq('node-reject');
    const failed: Array<[BusJob, string]> = [];
    const seen: string[] = [];
    await b.add(q, [
      { id: 'x.1', priority: 1, data: 'forged' },
      { id: 'x.2', priority: 1, data: 'fine' },
    ]);
    const c = b.consume(
      q,
      async (job) => {
        seen.push(job.data as string);
        if (job.data === 'forged') throw new JobRejected('WHT_ERR_AUTH_FAILED', 'bad signature');
      },
      { stalled: 'retry', onFailed: (job, reason) => failed.push([job, reason]) },
    );
    await waitFor(() => seen.includes('fine') && failed.length === 1, 15_000, 'both jobs');
    await c.close();
    expect(failed[0]![0].id).toBe('x.1');
    expect(failed[0]![1]).toContain('WHT_ERR_AUTH_FAILED');
    const listed = await b.failed(q, 10);
    expect(listed.map((f) => f.id)).toEqual(['x.1']);
    expect(listed[0]!.reason).toContain('bad signature');
    expect(seen.filter((s) => s === 'forged')).toHaveLength(1);
  });

  it('puts a job handed back with JobLater at the head, ahead of later jobs', async () => {
    const b = bus();
    const q = uniq('node-later');
    await b.add(q, [
      { id: 'l.1', priority: 1, data: 1 },
      { id: 'l.2', priority: 1, data: 2 },
    ]);
    const seen: number[] = [];
    let refused = 0;
    const c = b.consume(
      q,
      async (job) => {
        if (job.data === 1 && refused < 2) {
          refused++;
          throw new JobLater(50, 'queue full');
        }
        seen.push(job.data as number);
      },
      { stalled: 'retry' },
    );
    await waitFor(() => seen.length === 2, 15_000, 'both jobs');
    await c.close();
    expect(seen).toEqual([1, 2]);
    expect(refused).toBe(2);
  });

  it('claims target names atomically and refuses one a live node holds, naming it', async () => {
    const b = bus();
    const [a, c] = [uniq('A'), uniq('C')];
    const t = uniq('t');
    expect(await b.claim(rec(a), [`${t}-1`, `${t}-2`], 10_000)).toEqual([]);
    expect(await b.claim(rec(c), [`${t}-2`, `${t}-3`], 10_000)).toEqual([
      { kind: 'target', target: `${t}-2`, owner: a },
    ]);
    // Nothing of a refused claim is taken.
    expect((await b.owners())[`${t}-3`]).toBeUndefined();
    const owners = await b.owners();
    expect([owners[`${t}-1`], owners[`${t}-2`]]).toEqual([a, a]);
  });

  it('refuses a node name held by another live instance, and frees it on leave or expiry', async () => {
    const b = bus();
    const n = uniq('N');
    const first = rec(n);
    expect(await b.claim(first, [], 10_000)).toEqual([]);
    const conflict = await b.claim(rec(n), [], 10_000);
    expect(conflict).toEqual([{ kind: 'node', heartbeatAt: first.heartbeatAt }]);
    await b.leave(n, first.instance);
    expect(await b.claim(rec(n), [], 300)).toEqual([]);
    await waitFor(async () => (await b.nodes()).some((v) => v.node === n && !v.alive), 10_000, 'node expired');
    expect(await b.claim(rec(n), [], 10_000)).toEqual([]);
  });

  it('lists nodes with their records and liveness', async () => {
    const b = bus();
    const n = uniq('L');
    const r = { ...rec(n), backlog: 7 };
    await b.heartbeat(r, 10_000);
    const view = (await b.nodes()).find((v) => v.node === n);
    expect(view).toMatchObject({ node: n, backlog: 7, alive: true });
  });

  it('keeps and reads back task states', async () => {
    const b = bus();
    const gid = `${uniq('S')}.5`;
    await b.putStates(
      [{ gid, node: 'B', id: 9, target: 't', state: 'delivered', attempts: 1, at: 1, error: null }],
      60_000,
    );
    expect(await b.getStates([gid, 'nope.1'])).toEqual([
      { gid, node: 'B', id: 9, target: 't', state: 'delivered', attempts: 1, at: 1, error: null },
      null,
    ]);
  });

  it('gives each pooled job to one taker only, even with takers racing', async () => {
    const b = bus();
    const q = uniq('pool-race');
    const n = 40;
    await b.add(
      q,
      Array.from({ length: n }, (_, i) => ({ id: `p.${i + 1}`, priority: 1, data: i })),
    );
    const takers = [b.poolTaker(q, {}), bus().poolTaker(q, {}), bus().poolTaker(q, {})];
    const got: number[] = [];
    await Promise.all(
      takers.map(async (t) => {
        for (;;) {
          const job = await t.take();
          if (!job) return;
          got.push(job.data as number);
          await job.complete();
        }
      }),
    );
    expect(got.sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect((await b.counts(q)).completed).toBe(n);
  });

  it('sends a pooled job whose taker died to the failed set instead of to another taker', async () => {
    const dying = bus({ lockMs: 500 });
    const q = uniq('pool-stall');
    await dying.add(q, [{ id: 's.1', priority: 1, data: 'held' }]);
    const held = await dying.poolTaker(q, {}).take();
    expect(held?.data).toBe('held');
    // The holder stops renewing its lock (a dead node); another node keeps looking.
    await dying.close();
    const other = bus({ lockMs: 500 });
    const failed: string[] = [];
    const taker = other.poolTaker(q, { onFailed: (job, reason) => failed.push(`${job.id}: ${reason}`) });
    // Its stalled check finds the job without a lock; taking never hands it out.
    await waitFor(async () => (await taker.take()) === null && failed.length === 1, 15_000, 'stalled job failed');
    expect(failed[0]).toMatch(/^s\.1: WHT_ERR_NODE_LOST: .*stalled/);
    expect((await other.counts(q)).failed).toBe(1);
    const [f] = await other.failed(q, 5);
    expect(f?.id).toBe('s.1');
    expect(f?.reason).toMatch(/^WHT_ERR_NODE_LOST: .*stalled/);
  });

  it('rejects within its bound while Redis is down, and works again once it is back', async () => {
    const b = bus({ timeoutMs: 500 });
    const q = uniq('node-down');
    await b.add(q, [{ id: 'd.1', priority: 1, data: 1 }]);
    await redis.stop('SIGKILL');
    try {
      await expect(b.add(q, [{ id: 'd.2', priority: 1, data: 2 }])).rejects.toMatchObject({
        code: 'WHT_ERR_REDIS_UNAVAILABLE',
      });
      await expect(b.ping()).rejects.toMatchObject({ code: 'WHT_ERR_REDIS_UNAVAILABLE' });
    } finally {
      await redis.start();
    }
    await waitFor(
      () =>
        b.add(q, [{ id: 'd.2', priority: 1, data: 2 }]).then(
          () => true,
          () => false,
        ),
      15_000,
      'add after restart',
    );
    // AOF: the job acknowledged before the crash is still there.
    expect((await b.counts(q)).waiting).toBe(2);
  });
});
