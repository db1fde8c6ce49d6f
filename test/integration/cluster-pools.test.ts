/**
 * Cluster mode, pools: two nodes each with one member of pool `reviewers`, a third node that only accepts. Tasks
 * for `pool:reviewers` sent to any node are typed once each, by whichever member was free and ready, never twice,
 * with both nodes racing for the same queue.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postTask, secretFile, startNode, type TestNode } from '../helpers/cluster.js';
import { tempDir } from '../helpers/engine.js';
import { TestRedis } from '../helpers/redis.js';
import { holdsFor, recorded, waitFor } from '../helpers/tmux.js';

const tmp = tempDir('wht-pools-');
const redis = new TestRedis(tmp.dir);
const nodes: TestNode[] = [];

beforeAll(async () => {
  await redis.start();
  const secret = secretFile(tmp.dir);
  const start = async (name: string, targets: Record<string, string | null>) => {
    nodes.push(await startNode(name, join(tmp.dir, name), redis.socket, targets, { secret }));
  };
  await start('p1', { 'rev-1': 'reviewers' });
  await start('p2', { 'rev-2': 'reviewers' });
  await start('front', { 'front-shell': null });
});

afterAll(async () => {
  for (const n of nodes) {
    await n.engine.close();
    n.tmux.kill();
  }
  await redis.stop();
  tmp.cleanup();
});

describe('cluster mode: pools (real Redis, tmux, SQLite)', () => {
  it('types each pooled task once, in some member, with two nodes racing for the pool queue', async () => {
    const [p1, p2, front] = nodes as [TestNode, TestNode, TestNode];
    const sent: string[] = [];
    for (let i = 1; i <= 12; i++) {
      const text = `echo pooled-${i}`;
      const via = [front, p1, p2][i % 3]!;
      const r = await postTask(via, { command: text, target: 'pool:reviewers' });
      expect(r.status).toBe(202);
      sent.push(text);
    }
    const typed = () => [...recorded(p1.panes['rev-1']!.file), ...recorded(p2.panes['rev-2']!.file)];
    await waitFor(() => typed().length >= 12, 30_000, 'twelve pooled lines');
    await holdsFor(() => typed().length === 12, 1000, 'no pooled task typed twice');
    expect([...typed()].sort()).toEqual([...sent].sort());
    // Each member typed the tasks one node accepted in the order that node accepted them (FIFO per accepting node:
    // between nodes, the order they reached Redis decides).
    const viaOf = (line: string) => (Number(line.split('-')[1]) % 3) as 0 | 1 | 2;
    for (const file of [p1.panes['rev-1']!.file, p2.panes['rev-2']!.file])
      for (const via of [0, 1, 2]) {
        const mine = recorded(file).filter((l) => viaOf(l) === via);
        expect(mine).toEqual([...mine].sort((a, b) => sent.indexOf(a) - sent.indexOf(b)));
      }
    // The accepting nodes keep theirs as forwarded to the pool.
    expect(front.engine.stats().cluster?.forwarded).toEqual({ 'pool:reviewers': 4 });
    const committed = [p1, p2].flatMap((n) => n.engine.listTasks().filter((t) => t.source === 'cluster'));
    expect(committed).toHaveLength(12);
    expect(new Set(committed.map((t) => t.idemKey)).size).toBe(12);
    expect(committed.every((t) => t.target === 'rev-1' || t.target === 'rev-2')).toBe(true);
  });

  it('gives pooled tasks only to members that are ready: a pane in copy mode takes none', async () => {
    const [p1, p2, front] = nodes as [TestNode, TestNode, TestNode];
    const before1 = recorded(p1.panes['rev-1']!.file).length;
    const before2 = recorded(p2.panes['rev-2']!.file).length;
    p1.tmux.run('copy-mode', '-t', p1.panes['rev-1']!.pane);
    try {
      for (let i = 1; i <= 4; i++) await postTask(front, { command: `echo ready-only-${i}`, target: 'pool:reviewers' });
      await waitFor(() => recorded(p2.panes['rev-2']!.file).length === before2 + 4, 30_000, 'four lines in rev-2');
      expect(recorded(p2.panes['rev-2']!.file).slice(before2)).toEqual([1, 2, 3, 4].map((i) => `echo ready-only-${i}`));
      expect(recorded(p1.panes['rev-1']!.file).length).toBe(before1);
      expect(p1.engine.listTasks().filter((t) => t.text.startsWith('echo ready-only'))).toEqual([]);
    } finally {
      p1.tmux.run('copy-mode', '-q', '-t', p1.panes['rev-1']!.pane);
    }
  });
});
