/** CLI commands' cluster paths (status --cluster, dlq on NODE.ID, pause/resume --node): Redis through the config. */
import type { ControlAction } from '../engine/cluster/control.js';
import { WhtError } from '../engine/errors.js';
import type { GlobalArgs } from './context.js';
import { loadConfig } from './context.js';

function clusterConfig(global: GlobalArgs, what: string) {
  const config = loadConfig(global);
  if (!config.cluster.redis)
    throw new WhtError('WHT_ERR_USAGE', `${what}: cluster mode is off (set cluster.redis, see README: Cluster)`);
  return config.cluster;
}

export async function clusterControl(
  global: GlobalArgs,
  action: ControlAction,
  arg: string,
): Promise<{ node: string; action: ControlAction; gid: string | null }> {
  const c = clusterConfig(global, `${action} ${arg}`);
  const { sendClusterControl } = await import('../engine/cluster/read-view.js');
  return sendClusterControl(c, action, arg);
}

export async function clusterStatus(global: GlobalArgs, json: boolean): Promise<string> {
  const c = clusterConfig(global, 'status --cluster');
  const { readClusterView } = await import('../engine/cluster/read-view.js');
  const { formatClusterView } = await import('../engine/cluster/view.js');
  const view = await readClusterView(c, Date.now());
  return json ? JSON.stringify(view, null, 2) : formatClusterView(view).trimEnd();
}
