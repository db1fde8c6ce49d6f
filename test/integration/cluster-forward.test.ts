/**
 * Cluster mode, two nodes in one process: each its own data dir, tmux server and HTTP; one private redis-server.
 * A task for the other node's target is committed where it arrives, forwarded, and typed once by the owner; a
 * forged job is never typed; Redis down means accepting locally and forwarding once it is back.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BullBus } from '../../src/engine/cluster/bullmq-bus.js';
import { nodeQueue } from '../../src/engine/cluster/bus.js';
import { sign } from '../../src/engine/cluster/signing.js';
import { isWhtError } from '../../src/engine/errors.js';
import { postTask, secretFile, startNode, type TestNode } from '../helpers/cluster.js';
import { tempDir } from '../helpers/engine.js';
import { TestRedis } from '../helpers/redis.js';
import { holdsFor, recorded, waitFor } from '../helpers/tmux.js';

const tmp = tempDir('wht-cluster-');
const redis = new TestRedis(tmp.dir);
let secret: string;
const nodes: TestNode[] = [];

async function node(name: string, targets: Record<string, string | null>, extra = {}): Promise<TestNode> {
  const n = await startNode(name, join(tmp.dir, name), redis.socket, targets, { secret, ...extra });
  nodes.push(n);
  return n;
}

beforeAll(async () => {
  await redis.start();
  secret = secretFile(tmp.dir);
});

afterEach(async () => {
  for (const n of nodes.splice(0)) {
    await n.engine.close();
    n.tmux.kill();
  }
});

afterAll(async () => {
  await redis.stop();
  tmp.cleanup();
});

describe('cluster mode: forwarding between nodes (real Redis, tmux, SQLite)', () => {
  it('types a task sent to either node once, in the pane of the node that owns its target, in order', async () => {
    const a = await node('alpha', { 'a-shell': null });
    const b = await node('beta', { 'b-shell': null });
    // alpha learns that beta owns b-shell from the registry (its next heartbeat).
    await waitFor(() => a.engine.stats().cluster?.state === 'connected', 10_000, 'alpha connected');
    const sent: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const text = `echo remote-${i}`;
      const r = await postTask(i % 2 ? a : b, { command: text, target: 'b-shell' });
      expect(r.status).toBe(202);
      sent.push(text);
    }
    await postTask(a, { command: 'echo local-a', target: 'a-shell' });
    await waitFor(() => recorded(b.panes['b-shell']!.file).length === 6, 20_000, 'six lines in beta');
    // Each once; in the order each node accepted them (the owner's commit order decides between nodes).
    const typed = recorded(b.panes['b-shell']!.file);
    expect([...typed].sort()).toEqual([...sent].sort());
    expect(typed.filter((l) => sent.indexOf(l) % 2 === 0)).toEqual(sent.filter((_, i) => i % 2 === 0));
    expect(typed.filter((l) => sent.indexOf(l) % 2 === 1)).toEqual(sent.filter((_, i) => i % 2 === 1));
    await waitFor(() => recorded(a.panes['a-shell']!.file).length === 1, 20_000, 'local line in alpha');
    expect(recorded(a.panes['a-shell']!.file)).toEqual(['echo local-a']);
    // alpha kept its three as forwarded; beta committed them under the global id.
    const forwarded = a.engine.listTasks({ state: 'forwarded' });
    expect(forwarded.map((t) => t.text).sort()).toEqual(['echo remote-1', 'echo remote-3', 'echo remote-5']);
    const fromAlpha = b.engine.listTasks({ state: 'delivered' }).filter((t) => t.source === 'cluster');
    expect(fromAlpha.map((t) => t.idemKey).sort()).toEqual(forwarded.map((t) => `cluster:alpha.${t.id}`).sort());
    expect(a.engine.stats().cluster?.forwarded).toEqual({ beta: 3 });
    expect(b.engine.stats().cluster?.received).toEqual({ alpha: 3 });
    // The local one never went through Redis.
    expect(a.engine.listTasks({ target: 'a-shell' })[0]?.state).toBe('delivered');
    await holdsFor(() => recorded(b.panes['b-shell']!.file).length === 6, 500, 'nothing typed twice');
  });

  it('refuses to start a node that claims a target name a live node holds, naming both', async () => {
    await node('gamma', { shared: null });
    const err = await node('delta', { shared: null }).catch((e: unknown) => e);
    expect(isWhtError(err, 'WHT_ERR_CLUSTER_CONFLICT')).toBe(true);
    expect((err as Error).message).toContain('target "shared" is claimed by live node "gamma"; this node is "delta"');
  });

  it('never types a forged job written straight into Redis, and counts it as refused', async () => {
    const b = await node('epsilon', { 'e-shell': null });
    const forger = new BullBus({ connect: { path: redis.socket }, prefix: 'wht', timeoutMs: 2000 });
    const task = {
      gid: 'mallory.1',
      origin: 'mallory',
      target: 'e-shell',
      text: 'echo pwned',
      priority: 0,
      category: 'default',
      receivedAt: Date.now(),
    };
    try {
      await forger.add(nodeQueue('epsilon'), [
        { id: 'mallory.1', priority: 1, data: sign(task, 'not-the-cluster-secret-but-long-enough-0123') },
        { id: 'mallory.2', priority: 1, data: { v: 1, task: { ...task, gid: 'mallory.2' }, sig: '00' } },
        // Signed right, but replayed under another job id.
        { id: 'mallory.3', priority: 1, data: sign(task, (await import('../helpers/cluster.js')).CLUSTER_SECRET) },
      ]);
      await waitFor(async () => (await forger.counts(nodeQueue('epsilon'))).failed === 3, 15_000, 'three refused');
      const failed = await forger.failed(nodeQueue('epsilon'), 10);
      expect(failed.every((f) => f.reason.startsWith('WHT_ERR_AUTH_FAILED'))).toBe(true);
    } finally {
      await forger.close();
    }
    expect(b.engine.stats().cluster?.rejected).toBe(3);
    expect(b.engine.stats().rejectedByReason).toMatchObject({ WHT_ERR_AUTH_FAILED: 3 });
    expect(b.engine.listTasks()).toEqual([]);
    expect(recorded(b.panes['e-shell']!.file)).toEqual([]);
  });

  it('keeps accepting while Redis is down (DEGRADED, backlog shown) and forwards everything once it is back', async () => {
    const a = await node('zeta', { 'z-shell': null });
    const b = await node('eta', { 'h-shell': null });
    await waitFor(() => a.engine.stats().cluster?.state === 'connected', 10_000, 'zeta connected');
    await postTask(a, { command: 'echo before', target: 'h-shell' });
    await waitFor(() => recorded(b.panes['h-shell']!.file).length === 1, 20_000, 'first line');
    await redis.stop('SIGKILL');
    try {
      await waitFor(() => a.engine.stats().cluster?.state === 'disconnected', 10_000, 'zeta sees Redis down');
      for (let i = 1; i <= 5; i++) {
        const r = await postTask(a, { command: `echo during-${i}`, target: 'h-shell' });
        expect(r.status).toBe(202);
      }
      expect(a.engine.stats().cluster?.backlog).toBe(5);
      expect(await waitForHealth(a, 'DEGRADED')).toBe('DEGRADED');
      const cluster = a.engine.snapshot().monitor?.health?.checks.find((c) => c.name === 'cluster');
      expect(cluster).toMatchObject({ status: 'warn', message: expect.stringContaining('5 task(s) wait') });
    } finally {
      await redis.start();
    }
    await waitFor(() => recorded(b.panes['h-shell']!.file).length === 6, 30_000, 'backlog typed');
    expect(recorded(b.panes['h-shell']!.file)).toEqual([
      'echo before',
      ...[1, 2, 3, 4, 5].map((i) => `echo during-${i}`),
    ]);
    expect(a.engine.stats().cluster?.backlog).toBe(0);
  });

  it('refuses to start when Redis may evict keys', async () => {
    const lru = new TestRedis(join(tmp.dir, 'lru'), ['--maxmemory-policy', 'allkeys-lru']);
    await lru.start();
    try {
      const err = await startNode('theta', join(tmp.dir, 'theta'), lru.socket, { t: null }, { secret }).catch(
        (e: unknown) => e,
      );
      expect(isWhtError(err, 'WHT_ERR_REDIS_EVICTION')).toBe(true);
      expect((err as Error).message).toContain('maxmemory-policy is allkeys-lru');
    } finally {
      await lru.stop();
    }
  });
});

/** The node's health: GET /readyz runs the checks now; the monitor keeps that result (its overall status). */
async function waitForHealth(n: TestNode, want: string): Promise<string | undefined> {
  let last: string | undefined;
  await waitFor(
    async () => {
      await fetch(`${n.engine.httpUrl()}/readyz`);
      last = n.engine.snapshot().monitor?.health?.status;
      return last === want;
    },
    20_000,
    `health ${want}`,
  );
  return last;
}
