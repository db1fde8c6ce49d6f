/**
 * Cluster mode, two nodes in one process: each its own data dir, tmux server and HTTP; one private redis-server.
 * A task for the other node's target is committed where it arrives, forwarded, and typed once by the owner; a
 * forged job is never typed; Redis down means accepting locally and forwarding once it is back.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readToken } from '../../src/engine/intake/http/token.js';
import { runCliAsync } from '../helpers/cli.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BullBus } from '../../src/engine/cluster/bullmq-bus.js';
import { nodeQueue } from '../../src/engine/cluster/bus.js';
import { sign, signControl } from '../../src/engine/cluster/signing.js';
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
    const fromAlpha = b.engine.listTasks().filter((t) => t.source === 'cluster');
    expect(fromAlpha.map((t) => t.idemKey).sort()).toEqual(forwarded.map((t) => `cluster:alpha.${t.id}`).sort());
    expect(a.engine.stats().cluster?.forwarded).toEqual({ beta: 3 });
    expect(b.engine.stats().cluster?.received).toEqual({ alpha: 3 });
    // The local one never went through Redis.
    await waitFor(() => a.engine.listTasks({ target: 'a-shell' })[0]?.state === 'delivered', 10_000, 'local delivered');
    await holdsFor(() => recorded(b.panes['b-shell']!.file).length === 6, 500, 'nothing typed twice');
  });

  it('answers where a forwarded task is and what the cluster holds, from any node (HTTP, /metrics, status --cluster)', async () => {
    const a = await node('iota', { 'i-shell': null });
    const b = await node('kappa', { 'k-shell': null, 'k-pool': 'crew' });
    await waitFor(() => a.engine.stats().cluster?.state === 'connected', 10_000, 'iota connected');
    const r = await postTask(a, { command: 'echo where-am-i', target: 'k-shell' });
    await waitFor(() => recorded(b.panes['k-shell']!.file).length === 1, 20_000, 'typed in kappa');
    const get = async (n: TestNode, path: string) => {
      const token = await readToken(join(n.dir, 'data'));
      const res = await fetch(`${n.engine.httpUrl()}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const remoteOf = async () => (await get(a, `/v1/tasks/${r.body.id}`)).body.remote as Record<string, unknown> | null;
    await waitFor(async () => (await remoteOf())?.state === 'delivered', 10_000, 'owner reported delivered');
    const local = await get(a, `/v1/tasks/${r.body.id}`);
    expect(local.body).toMatchObject({
      state: 'forwarded',
      remote: { node: 'kappa', target: 'k-shell', state: 'delivered' },
    });
    // Any node answers by global id.
    const global = await get(b, `/v1/tasks/iota.${r.body.id}`);
    expect(global.body).toMatchObject({ gid: `iota.${r.body.id}`, remote: { node: 'kappa', state: 'delivered' } });
    expect((await get(b, '/v1/tasks/iota.99999')).status).toBe(404);
    const view = (await get(b, '/v1/cluster')).body as { nodes: Array<Record<string, unknown>>; pools: unknown[] };
    const names = view.nodes.filter((n) => n.alive).map((n) => n.node);
    expect(names).toEqual(expect.arrayContaining(['iota', 'kappa']));
    expect(view.nodes.find((n) => n.node === 'kappa')).toMatchObject({
      targets: expect.arrayContaining([expect.objectContaining({ name: 'k-pool', pool: 'crew' })]),
      queue: { waiting: 0, active: 0, failed: 0 },
    });
    expect(view.pools).toEqual(
      expect.arrayContaining([expect.objectContaining({ pool: 'crew', members: ['kappa/k-pool'] })]),
    );
    // The dashboard's data: every node as of the last heartbeat, in this node's snapshot.
    await waitFor(
      () => (a.engine.snapshot().stats.cluster?.nodes ?? []).some((n) => n.node === 'kappa' && n.targets.length === 2),
      10_000,
      'kappa in iota snapshot',
    );
    const metrics = await (await fetch(`${a.engine.httpUrl()}/metrics`)).text();
    expect(metrics).toContain('webhook_tui_cluster_forwarded_total{node="kappa"} 1');
    expect(metrics).toContain('webhook_tui_cluster_connected 1');
    // The CLI reads Redis itself: no engine needed on the machine it runs on.
    const configFile = join(tmp.dir, 'cli-config.json');
    writeFileSync(configFile, JSON.stringify({ cluster: { redis: redis.socket, secretFile: secret, node: 'cli' } }));
    // Async: a blocked event loop would stop these in-process nodes' heartbeats.
    const cli = await runCliAsync(['status', '--cluster', '--json', '--config', configFile]);
    expect(cli.code).toBe(0);
    const fromCli = JSON.parse(cli.out) as { nodes: Array<{ node: string; alive: boolean }> };
    expect(fromCli.nodes.filter((n) => n.alive).map((n) => n.node)).toEqual(expect.arrayContaining(['iota', 'kappa']));
    const text = await runCliAsync(['status', '--cluster', '--config', configFile]);
    expect(text.out).toMatch(/kappa {2}up .*backlog 0/);
    expect(text.out).toContain('pool:crew  members kappa/k-pool');
  });

  it('retries and drops a task, and pauses and resumes a node, from another node (HTTP and CLI)', async () => {
    const a = await node('mu', { 'm-shell': null });
    const b = await node('nu', { 'n-shell': null });
    await waitFor(() => a.engine.stats().cluster?.state === 'connected', 10_000, 'mu connected');
    // nu's pane is gone: the task dies there after its attempts.
    b.tmux.run('kill-pane', '-t', b.panes['n-shell']!.pane);
    const r = await postTask(a, { command: 'echo will-die', target: 'n-shell' });
    const gid = `mu.${r.body.id}`;
    const call = async (method: string, path: string) => {
      const token = await readToken(join(a.dir, 'data'));
      const res = await fetch(`${a.engine.httpUrl()}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const remote = async () => (await call('GET', `/v1/tasks/${gid}`)).body.remote as { state?: string } | null;
    await waitFor(async () => (await remote())?.state === 'dead', 20_000, 'dead on nu');
    const owned = () => b.engine.listTasks().find((t) => t.idemKey === `cluster:${gid}`)!;
    const errorsBefore = owned().errors.length;
    expect(await call('POST', `/v1/tasks/${gid}/retry`)).toMatchObject({ status: 202, body: { sent: { node: 'nu' } } });
    await waitFor(() => owned().errors.length > errorsBefore && owned().state === 'dead', 20_000, 'retried on nu');
    expect((await call('DELETE', `/v1/tasks/${gid}`)).status).toBe(202);
    await waitFor(() => owned().state === 'dropped', 20_000, 'dropped on nu');
    await waitFor(async () => (await remote())?.state === 'dropped', 10_000, 'dropped reported');
    // pause from the CLI (through Redis, no engine on the CLI's side), resume over HTTP on the other node.
    const configFile = join(tmp.dir, 'cli-control.json');
    writeFileSync(configFile, JSON.stringify({ cluster: { redis: redis.socket, secretFile: secret, node: 'ops' } }));
    const paused = await runCliAsync(['pause', '--node', 'nu', '--config', configFile]);
    expect(paused.out).toContain('pause sent to node nu');
    await waitFor(() => b.engine.isPaused(), 10_000, 'nu paused');
    expect(a.engine.isPaused()).toBe(false);
    expect((await call('POST', '/v1/cluster/nodes/nu/resume')).status).toBe(202);
    await waitFor(() => !b.engine.isPaused(), 10_000, 'nu resumed');
    expect((await call('POST', '/v1/tasks/mu.99999/retry')).status).toBe(404);
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
        // An operator action signed with the wrong secret.
        {
          id: 'ctl-forged',
          priority: 0,
          data: signControl(
            { action: 'pause', gid: null, node: 'epsilon', from: 'mallory', at: Date.now(), nonce: 'n' },
            'not-the-cluster-secret-but-long-enough-0123',
          ),
        },
      ]);
      await waitFor(async () => (await forger.counts(nodeQueue('epsilon'))).failed === 4, 15_000, 'four refused');
      const failed = await forger.failed(nodeQueue('epsilon'), 10);
      expect(failed.every((f) => f.reason.startsWith('WHT_ERR_AUTH_FAILED'))).toBe(true);
    } finally {
      await forger.close();
    }
    expect(b.engine.stats().cluster?.rejected).toBe(4);
    expect(b.engine.stats().rejectedByReason).toMatchObject({ WHT_ERR_AUTH_FAILED: 4 });
    expect(b.engine.isPaused()).toBe(false);
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
      // doctor says the same before anyone starts an engine.
      const configFile = join(tmp.dir, 'doctor-lru.json');
      const dataDir = join(tmp.dir, 'doctor-data');
      writeFileSync(
        configFile,
        JSON.stringify({ dataDir, cluster: { redis: lru.socket, secretFile: secret, node: 'doc' } }),
      );
      const doctor = await runCliAsync(['doctor', '--json', '--config', configFile]);
      const { checks } = JSON.parse(doctor.out) as { checks: Array<{ id: string; status: string; message: string }> };
      const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
      expect(byId['cluster.secret']?.status).toBe('ok');
      expect(byId['cluster.redis']?.status).toBe('ok');
      expect(byId['cluster.eviction']).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('allkeys-lru'),
      });
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
