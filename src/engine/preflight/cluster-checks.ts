/**
 * Cluster checks for `webhook-tui doctor` (and the secret for the start checks): the secret file, Redis reachable
 * within cluster.timeoutMs, its maxmemory-policy noeviction, and no live node holding this node's name or target
 * names. Redis is loaded only when cluster.redis is set (dynamic import).
 */
import type { CheckResult } from './check.js';
import { fail, ok, warn } from './check.js';
import type { ClusterConfig } from '../cluster/config.js';
import { describeEndpoint, readClusterSecret, redisConnectOptions } from '../cluster/redis-options.js';

/** A start check: the secret file is there, private, long enough. */
export function checkClusterSecret(c: ClusterConfig): CheckResult | null {
  if (!c.redis) return null;
  try {
    readClusterSecret(c.secretFile!);
    return ok('cluster.secret', `${c.secretFile} (private, long enough)`);
  } catch (err) {
    return fail(
      'cluster.secret',
      'WHT_ERR_CONFIG_INVALID',
      (err as Error).message,
      'write a shared key of 32+ characters (openssl rand -hex 32) into it, chmod 600, the same on every node',
    );
  }
}

export async function checkClusterRedis(c: ClusterConfig, targets: readonly string[]): Promise<CheckResult[]> {
  if (!c.redis) return [];
  const where = describeEndpoint(c.redis);
  const { BullBus } = await import('../cluster/bullmq-bus.js');
  let bus;
  try {
    bus = new BullBus({ connect: redisConnectOptions(c.redis), prefix: c.prefix, timeoutMs: c.timeoutMs });
  } catch (err) {
    return [fail('cluster.redis', 'WHT_ERR_CONFIG_INVALID', (err as Error).message, 'fix cluster.redis')];
  }
  try {
    await bus.ping();
    const out: CheckResult[] = [ok('cluster.redis', `${where} answers`)];
    const policy = await bus.evictionPolicy();
    out.push(
      policy === 'noeviction'
        ? ok('cluster.eviction', 'maxmemory-policy noeviction')
        : fail(
            'cluster.eviction',
            'WHT_ERR_REDIS_EVICTION',
            `maxmemory-policy is ${policy}: evicted keys would be lost tasks`,
            'set maxmemory-policy noeviction in redis.conf (CONFIG SET maxmemory-policy noeviction)',
          ),
    );
    out.push(await claims(bus, c, targets));
    return out;
  } catch (err) {
    return [
      warn(
        'cluster.redis',
        `${where}: ${(err as Error).message}`,
        'start Redis, or fix cluster.redis; the engine starts anyway and forwards once Redis answers',
      ),
    ];
  } finally {
    await bus.close();
  }
}

async function claims(
  bus: {
    owners(): Promise<Record<string, string>>;
    nodes(): Promise<Array<{ node: string; alive: boolean; pid: number }>>;
  },
  c: ClusterConfig,
  targets: readonly string[],
): Promise<CheckResult> {
  const [owners, nodes] = await Promise.all([bus.owners(), bus.nodes()]);
  const alive = new Set(nodes.filter((n) => n.alive).map((n) => n.node));
  const taken = targets.filter((t) => owners[t] && owners[t] !== c.node && alive.has(owners[t]!));
  if (taken.length)
    return fail(
      'cluster.names',
      'WHT_ERR_CLUSTER_CONFLICT',
      taken.map((t) => `target "${t}" is claimed by live node "${owners[t]}"`).join('; '),
      `rename the target on this node ("${c.node}") or on the other`,
    );
  const up = alive.size;
  const me = alive.has(c.node) ? ` (node "${c.node}" is up: this one, or another process with the same name)` : '';
  return ok('cluster.names', `${up} node(s) up; no live node holds this node's target names${me}`);
}
