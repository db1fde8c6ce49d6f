/**
 * The cluster as Redis knows it (`status --cluster`, `GET /v1/cluster`): every node that ever registered (alive or
 * not, its record: version, uptime, last heartbeat, health, targets with state and depth, backlog) and the queue of
 * each node and pool in Redis. `formatClusterView` is pure.
 */
import { nodeQueue, poolQueue, type ClusterBus, type NodeView, type QueueCounts } from './bus.js';

export interface ClusterView {
  at: number;
  nodes: Array<NodeView & { uptimeMs: number; queue: QueueCounts }>;
  pools: Array<{ pool: string; members: string[]; queue: QueueCounts }>;
}

export async function clusterView(bus: ClusterBus, now: number): Promise<ClusterView> {
  const views = await bus.nodes();
  const nodes = await Promise.all(
    views.map(async (v) => ({
      ...v,
      uptimeMs: v.alive ? now - v.startedAt : 0,
      queue: await bus.counts(nodeQueue(v.node)),
    })),
  );
  const members = new Map<string, string[]>();
  for (const v of views)
    for (const t of v.targets) if (t.pool) members.set(t.pool, [...(members.get(t.pool) ?? []), `${v.node}/${t.name}`]);
  const pools = await Promise.all(
    [...members].sort().map(async ([pool, m]) => ({ pool, members: m, queue: await bus.counts(poolQueue(pool)) })),
  );
  return { at: now, nodes, pools };
}

const ago = (ms: number) =>
  ms < 1000 ? `${Math.round(ms)} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
const q = (c: QueueCounts) => `waiting ${c.waiting}, active ${c.active}, failed ${c.failed}`;

export function formatClusterView(v: ClusterView): string {
  const out: string[] = [`Cluster: ${v.nodes.filter((n) => n.alive).length} of ${v.nodes.length} node(s) up`];
  for (const n of v.nodes) {
    const state = n.alive ? `up ${ago(n.uptimeMs)}, health ${n.health}${n.paused ? ', PAUSED' : ''}` : 'DOWN';
    out.push(
      `  ${n.node}  ${state}  v${n.version}  heartbeat ${ago(v.at - n.heartbeatAt)} ago  backlog ${n.backlog}  queue: ${q(n.queue)}`,
    );
    for (const t of n.targets)
      out.push(`    ${t.name}${t.pool ? ` (pool ${t.pool})` : ''}: ${t.state}, ${t.depth} queued`);
  }
  for (const p of v.pools) out.push(`  pool:${p.pool}  members ${p.members.join(', ')}  queue: ${q(p.queue)}`);
  return out.join('\n') + '\n';
}
