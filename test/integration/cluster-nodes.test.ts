/**
 * Cluster mode with three real `serve` processes (three data dirs, three tmux servers on their own -L sockets, one
 * private redis-server): local, remote and pooled tasks through HTTP and the spool, each typed once and in order;
 * kill -9 of a node mid-burst and restart: nothing lost, nothing typed twice; Redis killed and restarted mid-burst:
 * nothing lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeProcess } from '../helpers/cluster-procs.js';
import { secretFile } from '../helpers/cluster.js';
import { tempDir } from '../helpers/engine.js';
import { TestRedis } from '../helpers/redis.js';
import { holdsFor, recorded, waitFor } from '../helpers/tmux.js';

const tmp = tempDir('wht-cnodes-');
const redis = new TestRedis(tmp.dir);
const [one, two, three] = ['one', 'two', 'three'].map((n) => new NodeProcess(n, tmp.dir)) as [
  NodeProcess,
  NodeProcess,
  NodeProcess,
];

const lines = (n: NodeProcess, target: string) => recorded(n.panes[target]!.file);

beforeAll(async () => {
  await redis.start();
  const secret = secretFile(tmp.dir);
  await one.setup({ 't-one': null }, redis.socket, secret);
  await two.setup({ 't-two': null, 'two-p': 'crew' }, redis.socket, secret);
  await three.setup({ 't-three': null, 'three-p': 'crew' }, redis.socket, secret);
  await Promise.all([one.start(), two.start(), three.start()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([one, two, three].map((n) => n.stop()));
  await redis.stop();
  tmp.cleanup();
});

/** Wait until `target` on `node` has `n` lines, then that no more come. */
async function settle(node: NodeProcess, target: string, n: number, what: string): Promise<string[]> {
  await waitFor(() => lines(node, target).length >= n, 120_000, what);
  await holdsFor(() => lines(node, target).length === n, 500, `${what}: nothing typed twice`);
  return lines(node, target);
}

describe('cluster mode: three serve processes, one Redis', () => {
  it('types local, remote and pooled tasks from HTTP and the spool once each, in order per accepting node', async () => {
    const sent: Record<string, string[]> = {};
    const send = async (via: NodeProcess, how: 'http' | 'spool', target: string, i: number) => {
      const text = `echo ${via.name}-${how}-${target}-${i}`;
      (sent[`${via.name}>${target}`] ??= []).push(text);
      if (how === 'spool') via.spool(text, target);
      else expect(await via.post({ command: text, target })).toBe(202);
    };
    for (let i = 1; i <= 4; i++)
      for (const via of [one, two, three])
        for (const target of ['t-one', 't-two', 't-three', 'pool:crew'])
          await send(via, i % 2 ? 'http' : 'spool', target, i);
    const owners = { 't-one': one, 't-two': two, 't-three': three } as const;
    for (const [target, node] of Object.entries(owners)) {
      const got = await settle(node, target, 12, target);
      for (const via of [one, two, three]) {
        const mine = sent[`${via.name}>${target}`]!;
        // The spool and HTTP of one node are two intakes: order holds within each.
        for (const how of ['http', 'spool'])
          expect(got.filter((l) => mine.includes(l) && l.includes(`-${how}-`))).toEqual(
            mine.filter((l) => l.includes(`-${how}-`)),
          );
      }
    }
    await waitFor(() => lines(two, 'two-p').length + lines(three, 'three-p').length >= 12, 120_000, 'pooled');
    await holdsFor(() => lines(two, 'two-p').length + lines(three, 'three-p').length === 12, 500, 'pool once');
    const pooled = [...lines(two, 'two-p'), ...lines(three, 'three-p')].sort();
    expect(pooled).toEqual([one, two, three].flatMap((v) => sent[`${v.name}>pool:crew`]!).sort());
  }, 300_000);

  it('kill -9 of the owner and then of the sender mid-burst, each restarted: every task typed once, in order', async () => {
    const n = 300;
    const before = lines(two, 't-two').length;
    const texts = Array.from({ length: n }, (_, i) => `burst-${String(i).padStart(4, '0')}`);
    for (const t of texts) one.spool(t, 't-two');
    await waitFor(() => lines(two, 't-two').length >= before + 40, 120_000, 'some burst lines');
    await two.kill('SIGKILL');
    await two.start();
    await waitFor(() => lines(two, 't-two').length >= before + 150, 120_000, 'more burst lines');
    await one.kill('SIGKILL');
    await one.start();
    const got = (await settle(two, 't-two', before + n, 'the burst')).slice(before);
    expect(got).toEqual(texts);
  }, 300_000);

  it('Redis killed and restarted mid-burst: every task typed once, in order', async () => {
    const n = 200;
    const before = lines(three, 't-three').length;
    const texts = Array.from({ length: n }, (_, i) => `redis-burst-${String(i).padStart(4, '0')}`);
    for (const t of texts.slice(0, n / 2)) one.spool(t, 't-three');
    await waitFor(() => lines(three, 't-three').length >= before + 20, 120_000, 'some lines');
    await redis.stop('SIGKILL');
    for (const t of texts.slice(n / 2)) one.spool(t, 't-three');
    await waitFor(async () => ((await one.stats()).cluster?.backlog ?? 0) > 0, 60_000, 'a backlog while Redis is down');
    await redis.start();
    const got = (await settle(three, 't-three', before + n, 'the burst')).slice(before);
    expect(got).toEqual(texts);
    expect((await one.stats()).cluster?.backlog).toBe(0);
  }, 300_000);
});
