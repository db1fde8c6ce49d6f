/** `status --cluster`: the cluster view read straight from Redis with this config (no local engine needed). */
import { BullBus } from './bullmq-bus.js';
import type { ClusterConfig } from './config.js';
import { redisConnectOptions } from './redis-options.js';
import { clusterView, type ClusterView } from './view.js';

export async function readClusterView(c: ClusterConfig, now: number): Promise<ClusterView> {
  const bus = new BullBus({ connect: redisConnectOptions(c.redis!), prefix: c.prefix, timeoutMs: c.timeoutMs });
  try {
    return await clusterView(bus, now);
  } finally {
    await bus.close();
  }
}
