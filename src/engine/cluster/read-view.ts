/** The CLI's cluster commands, straight on Redis with this config (no local engine needed). */
import { BullBus } from './bullmq-bus.js';
import type { ClusterConfig } from './config.js';
import { readClusterSecret, redisConnectOptions } from './redis-options.js';
import { sendControl, type ControlAction } from './control.js';
import { clusterView, type ClusterView } from './view.js';

export async function readClusterView(c: ClusterConfig, now: number): Promise<ClusterView> {
  const bus = new BullBus({ connect: redisConnectOptions(c.redis!), prefix: c.prefix, timeoutMs: c.timeoutMs });
  try {
    return await clusterView(bus, now);
  } finally {
    await bus.close();
  }
}

/** `dlq retry|drop NODE.ID`, `pause|resume --node NAME` from the CLI: sign and send it through Redis directly. */
export async function sendClusterControl(
  c: ClusterConfig,
  action: ControlAction,
  arg: string,
): Promise<{ node: string; action: ControlAction; gid: string | null }> {
  const secret = readClusterSecret(c.secretFile!);
  const bus = new BullBus({ connect: redisConnectOptions(c.redis!), prefix: c.prefix, timeoutMs: c.timeoutMs });
  try {
    return await sendControl(bus, secret, `cli@${c.node}`, action, arg);
  } finally {
    await bus.close();
  }
}
