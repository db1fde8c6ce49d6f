/**
 * The owner's side of forwarding: takes jobs from this node's queue (`node-NAME`) one at a time, in queue order,
 * verifies the HMAC and that the job id is the signed task id, then commits the task through admission (the same
 * text-safety checks as every intake) under the idempotency key `cluster:NODE.ID`, and only then completes the job.
 * A job that fails verification or validation goes to the queue's failed set with its reason and is never typed.
 * A job handed out again (this node died before completing it) finds its key committed and types nothing new.
 */
import type { EnqueueResult, NewTask } from '../task.js';
import type { QueueStore } from '../queue/store.js';
import { isWhtError } from '../errors.js';
import { JobLater, JobRejected, type BusJob } from './bus.js';
import { isControl, verify, type ForwardPayload } from './signing.js';

export interface ReceiverDeps {
  store: QueueStore;
  secret: string;
  enqueueMany: (inputs: readonly NewTask[]) => Array<EnqueueResult | Error>;
  /** A task committed here for another node (counters, state reports). */
  onCommitted: (result: EnqueueResult, from: ForwardPayload) => void;
  /** A control message (an operator's action from another node): verified and applied. */
  control?: (data: unknown) => void;
}

/** Codes that mean "not now" (full, storage down, closing): the job waits at the head of its queue. */
const LATER = new Set(['WHT_ERR_QUEUE_FULL', 'WHT_ERR_STORAGE', 'WHT_ERR_CLOSED']);

export const clusterKey = (gid: string): string => `cluster:${gid}`;

/** Check a job; the payload, or JobRejected with WHT_ERR_AUTH_FAILED. */
export function verifiedPayload(job: BusJob, secret: string): ForwardPayload {
  const v = verify(job.data, secret);
  if (!v.ok) throw new JobRejected('WHT_ERR_AUTH_FAILED', `job ${job.id}: ${v.reason}`);
  if (v.task.gid !== job.id)
    throw new JobRejected('WHT_ERR_AUTH_FAILED', `job ${job.id}: its id is not the signed task id ${v.task.gid}`);
  return v.task;
}

/** Commit a verified payload for `target` (its own target, or the pool member chosen) under its cluster key. */
export function commitForwarded(d: ReceiverDeps, task: ForwardPayload, target: string): void {
  const key = clusterKey(task.gid);
  if (d.store.findByIdemKey(key, 0)) return;
  const input: NewTask = {
    text: task.text,
    target,
    priority: task.priority,
    category: task.category,
    idemKey: key,
    source: 'cluster',
    receivedAt: task.receivedAt,
  };
  const [result] = d.enqueueMany([input]);
  if (result instanceof Error) {
    const code = isWhtError(result) ? result.code : 'WHT_ERR_INTERNAL';
    if (LATER.has(code)) throw new JobLater(1000, result.message);
    throw new JobRejected(code, `job ${task.gid}: ${result.message}`);
  }
  d.onCommitted(result!, task);
}

export function receiveHandler(d: ReceiverDeps): (job: BusJob) => Promise<void> {
  return async (job) => {
    if (d.control && isControl(job.data)) return d.control(job.data);
    const task = verifiedPayload(job, d.secret);
    commitForwarded(d, task, task.target);
  };
}
