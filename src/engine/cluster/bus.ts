/**
 * The port between cluster mode and Redis: BullMQ queues (one per node, one per pool) for the tasks, and a few plain
 * keys for the node registry and the state that flows back. One implementation (bullmq-bus.ts), checked by the
 * conformance suite in test/contract/cluster-bus.test.ts against a real redis-server. Every call is bounded by
 * `cluster.timeoutMs` and rejects with WHT_ERR_REDIS_UNAVAILABLE instead of waiting on a dead Redis.
 */

/** What a node says about itself in the registry (renewed every heartbeat). */
export interface NodeRecord {
  node: string;
  /** Random per start: tells a second process with the same node name from this one. */
  instance: string;
  version: string;
  pid: number;
  startedAt: number;
  heartbeatAt: number;
  /** The node's own health (ok, degraded, down) as its monitor judges it. */
  health: string;
  httpUrl: string | null;
  /** Its targets with their state and depth (pending tasks). */
  targets: Array<{ name: string; pool: string | null; state: string; depth: number }>;
  /** Tasks committed here for other nodes, not yet handed to Redis. */
  backlog: number;
  paused: boolean;
}

export interface NodeView extends NodeRecord {
  /** Its registration is younger than `cluster.nodeTtlMs`. */
  alive: boolean;
}

export type ClaimConflict = { kind: 'target'; target: string; owner: string } | { kind: 'node'; heartbeatAt: number };

export interface BusJob {
  id: string;
  data: unknown;
  /** Times BullMQ handed this job to a worker before (0 the first time). */
  attemptsMade: number;
}

/** Thrown by a handler: the job goes to the queue's failed set (the cluster's dead letters) and is never retried. */
export class JobRejected extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

/** Thrown by a handler: put the job back at the head of its queue and pause taking from it for `delayMs`. */
export class JobLater extends Error {
  readonly delayMs: number;
  constructor(delayMs: number, message: string) {
    super(message);
    this.delayMs = delayMs;
  }
}

export interface ConsumeOptions {
  /**
   * `retry`: a job held by a node that died is handed out again (safe when the handler is idempotent per job id).
   * `fail`: it goes to the failed set with a reason instead (pools: another node must never type it again).
   */
  stalled: 'retry' | 'fail';
  /** Called when a job failed for good (rejected, or stalled with `fail`), with BullMQ's reason. */
  onFailed?: (job: BusJob, reason: string) => void;
  /** A fault (connection, a handler's unexpected error: its job was put back). undefined errors are not reported. */
  onError?: (err: unknown) => void;
}

/** A manual consumer for pools: `take()` fetches the next job only when asked (a member is ready). */
export interface PoolTaker {
  /**
   * The next job, held under a lock, or null when the queue is empty. A job whose previous holder died goes to the
   * failed set on the way (onFailed), never to this caller.
   */
  take(): Promise<
    | (BusJob & {
        complete(): Promise<void>;
        reject(code: string, reason: string): Promise<void>;
        /** Put it back (this node cannot commit it now, and has not). */
        release(): Promise<void>;
      })
    | null
  >;
  close(): Promise<void>;
}

export interface Consumer {
  close(): Promise<void>;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  failed: number;
  completed: number;
}

export interface FailedJob {
  id: string;
  reason: string;
  data: unknown;
  failedAt: number | null;
}

/** What the owner says about a forwarded task (kept in Redis for the accepting node and `GET /v1/tasks`). */
export interface TaskMirror {
  gid: string;
  node: string;
  /** The owner's task id. */
  id: number;
  /** The owner's target (a pool member for pooled tasks). */
  target: string;
  state: string;
  attempts: number;
  at: number;
  error: string | null;
}

export interface ClusterBus {
  ping(): Promise<void>;
  /** Redis's maxmemory-policy (INFO memory). */
  evictionPolicy(): Promise<string>;
  /**
   * Atomically renew this node's record and claim its target names; a name held by another live node, or this node
   * name held by another live instance, is not taken and is returned.
   */
  claim(rec: NodeRecord, targets: readonly string[], ttlMs: number): Promise<ClaimConflict[]>;
  heartbeat(rec: NodeRecord, ttlMs: number): Promise<void>;
  /** A clean stop: this node's record goes (its target names stay claimed, so their tasks wait for it). */
  leave(node: string, instance: string): Promise<void>;
  /** Target name -> owning node, for every name ever claimed. */
  owners(): Promise<Record<string, string>>;
  nodes(): Promise<NodeView[]>;
  /** Add jobs to one queue (`node-NAME`, `pool-NAME`); a job id already there is left as it is. */
  add(queue: string, jobs: ReadonlyArray<{ id: string; priority: number; data: unknown }>): Promise<void>;
  consume(queue: string, handler: (job: BusJob) => Promise<void>, opts: ConsumeOptions): Consumer;
  poolTaker(queue: string, opts: Pick<ConsumeOptions, 'onError' | 'onFailed'>): PoolTaker;
  counts(queue: string): Promise<QueueCounts>;
  failed(queue: string, limit: number): Promise<FailedJob[]>;
  putStates(states: readonly TaskMirror[], ttlMs: number): Promise<void>;
  getStates(gids: readonly string[]): Promise<Array<TaskMirror | null>>;
  close(): Promise<void>;
}

export const nodeQueue = (node: string): string => `node-${node}`;
export const poolQueue = (pool: string): string => `pool-${pool}`;
