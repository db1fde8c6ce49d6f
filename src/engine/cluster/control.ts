/**
 * Operator actions from any node: `dlq retry/drop NODE.ID`, `pause/resume --node NAME` (CLI), and the same through
 * HTTP. The sender signs a control message and puts it on the owner's queue without a priority, so it runs before
 * any task waiting there; the owner verifies it and acts through its own facade (one code path per action). A task's
 * owner is the node its state report names; a task no owner has reported yet cannot be acted on from elsewhere.
 */
import { randomUUID } from 'node:crypto';
import { WhtError } from '../errors.js';
import type { QueueStore } from '../queue/store.js';
import type { Task } from '../task.js';
import { nodeQueue, type ClusterBus } from './bus.js';
import { NODE_NAME_RE } from './config.js';
import { JobRejected } from './bus.js';
import { clusterKey } from './receiver.js';
import { parseGid, signControl, verifyControl, type ControlPayload } from './signing.js';

export type ControlAction = ControlPayload['action'];

/** Send an action; resolves with the node it went to once Redis has it. */
export async function sendControl(
  bus: ClusterBus,
  secret: string,
  from: string,
  action: ControlAction,
  arg: string,
): Promise<{ node: string; action: ControlAction; gid: string | null }> {
  let node = arg;
  let gid: string | null = null;
  if (action === 'retry' || action === 'drop') {
    if (!parseGid(arg)) throw new WhtError('WHT_ERR_USAGE', `${action}: ${arg} is not a global task id NODE.ID`);
    gid = arg;
    const [state] = await bus.getStates([arg]);
    if (!state)
      throw new WhtError(
        'WHT_ERR_TASK_NOT_FOUND',
        `task ${arg}: no owner has reported it yet (still in Redis, or unknown); act on it on the node that holds it`,
      );
    node = state.node;
  } else if (!NODE_NAME_RE.test(arg)) throw new WhtError('WHT_ERR_USAGE', `${action}: ${arg} is not a node name`);
  const control: ControlPayload = { action, gid, node, from, at: Date.now(), nonce: randomUUID() };
  await bus.add(nodeQueue(node), [{ id: `ctl-${control.nonce}`, priority: 0, data: signControl(control, secret) }]);
  return { node, action, gid };
}

export interface ControlTarget {
  node: string;
  store: QueueStore;
  retry(id: number): Task;
  drop(id: number): Task;
  pause(): void;
  resume(): void;
}

/** The owner's side: verify, then act. A refused message goes to the failed set; a failed action is logged. */
export function applyControl(data: unknown, secret: string, t: ControlTarget): string {
  const v = verifyControl(data, secret);
  if (!v.ok) throw new JobRejected('WHT_ERR_AUTH_FAILED', `control message: ${v.reason}`);
  const c = v.control;
  if (c.node !== t.node) throw new JobRejected('WHT_ERR_AUTH_FAILED', `control message for node ${c.node}`);
  if (c.action === 'pause') t.pause();
  else if (c.action === 'resume') t.resume();
  else {
    const p = parseGid(c.gid ?? '');
    const task =
      t.store.findByIdemKey(clusterKey(c.gid ?? ''), 0) ?? (p?.node === t.node ? t.store.get(p.id) : undefined);
    if (!task) throw new WhtError('WHT_ERR_TASK_NOT_FOUND', `no task ${c.gid} here`);
    if (c.action === 'retry') t.retry(task.id);
    else t.drop(task.id);
  }
  return `${c.action}${c.gid ? ` ${c.gid}` : ''} from ${c.from}`;
}
