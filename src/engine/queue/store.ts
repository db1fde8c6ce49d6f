import type { AttemptError, ListTasksQuery, Task, TaskCallback, TaskState } from '../types.js';

/** A task as validated by intake, ready to insert: the fields a new task carries, defaults applied. */
export type TaskRow = Pick<Task, 'text' | 'target' | 'priority' | 'category' | 'idemKey' | 'source' | 'receivedAt'> & {
  callback?: TaskCallback | null | undefined;
};

/** What a watched task ended with. */
export interface CompletionResult {
  output: string | null;
  exitCode: number | null;
}

export interface InsertResult {
  task: Task;
  created: boolean;
}

/** Limits the store applies inside the insert transaction (admission). */
export interface AdmitLimits {
  /** A repeated idempotency key committed within this many ms returns the existing task. */
  dedupeWindowMs: number;
  /** Pending tasks (queued + delivering + retrying) at most; a new row past it is refused (null). */
  capacity: number;
}

/** Per row: inserted or deduplicated (InsertResult), or null: refused because the queue is full. */
export type AdmitResult = InsertResult | null;

/** The fixed counters every store keeps (seeded at 0); the named families below come and go. */
export const FIXED_COUNTERS = [
  'received',
  'delivered',
  'dead',
  'failed_attempts',
  'retries',
  'rate_limited',
  'deduplicated',
  'sum_processing_ms',
  'sum_e2e_ms',
  'peak_pending',
] as const;

export type CounterName =
  | (typeof FIXED_COUNTERS)[number]
  /** Triggers rejected at intake (spool, legacy file), by reason code: `rejected:WHT_ERR_TEXT_UNSAFE`. */
  | `rejected:${string}`
  /** Cluster mode, per other node: `cluster:forwarded:NODE` (tasks handed to it), `cluster:received:NODE`. */
  | `cluster:${string}`;

/**
 * The storage port. One contract suite (test/contract/store.contract.ts) runs against every implementation.
 * All methods are synchronous and each is one transaction. Writes are durable when they return, except those marked
 * deferred (markDelivered, bumpCounter): group commit, they are committed with the next durable write, at the end of
 * the event-loop turn, or by commit(), whichever comes first. Reads see them at once.
 */
export interface QueueStore {
  /** Insert a batch in one transaction; a repeated idempotency key inside the window returns the existing task. */
  insertMany(rows: readonly TaskRow[], now: number, dedupeWindowMs: number): InsertResult[];
  /**
   * Admission in ONE transaction, one idempotency-key lookup per row: a repeated key inside the window returns the
   * existing task (even when the queue is full; a key repeated inside the batch dedupes against the earlier row);
   * otherwise the row is inserted while pending < capacity, else refused (null).
   */
  admit(rows: readonly TaskRow[], now: number, limits: AdmitLimits): AdmitResult[];
  get(id: number): Task | undefined;
  /** The newest task with this idempotency key committed at or after `since`. */
  findByIdemKey(key: string, since: number): Task | undefined;
  list(query?: ListTasksQuery): Task[];
  /** Next task for a target in delivery order (priority desc, FIFO), among queued and retrying. */
  head(target: string): Task | undefined;
  /** Targets that have queued or retrying tasks. */
  readyTargets(): string[];
  /** queued/retrying -> delivering; attempts + 1; records where the pane was (for crash recovery). */
  markDelivering(id: number, now: number, paneMark: string | null): Task;
  /**
   * delivering -> delivered; `watched`: its target's completion is watched, so the task is not finished yet.
   * Deferred: a crash before it is committed leaves the task `delivering` (the pane check at start finds it submitted).
   */
  markDelivered(id: number, now: number, watched?: boolean): Task;
  /** delivered (watched) -> working: the busy marker showed. */
  markWorking(id: number, now: number): Task;
  /** delivered/working (watched) -> completed, with the output. */
  markCompleted(id: number, now: number, result: CompletionResult): Task;
  /** delivered/working (watched) -> stalled (busy past completionTimeoutMs, or the pane went away). */
  markStalled(id: number, now: number, error: AttemptError, output: string | null): Task;
  /** Delivered tasks whose completion is still watched (after a restart: watched again). */
  watched(): Task[];
  /** delivering -> retrying (retryAt given) or dead (retryAt null), appending the error. */
  markFailed(id: number, error: AttemptError, retryAt: number | null, now: number): Task;
  /** delivering -> queued without counting an attempt (crash recovery found it was never sent). */
  requeue(id: number, note: AttemptError | null): Task;
  /** dead, retrying or stalled -> queued, attempts reset. */
  retry(id: number, now: number): Task;
  retryAllDead(now: number): number;
  drop(id: number, now: number): Task;
  /** Where the pane's cursor was when the task's last attempt started (opaque, see delivery/pane-mark.ts); null if unknown. */
  paneMark(id: number): string | null;
  /** Cluster mode: queued tasks for these targets (other nodes' targets, pools), oldest first, at most `limit`. */
  queuedFor(targets: readonly string[], limit: number): Task[];
  /** Cluster mode: how many tasks are queued for these targets (the forward backlog). */
  countQueuedFor(targets: readonly string[]): number;
  /** Cluster mode, one transaction: queued -> forwarded (handed to the owning node); ids not queued are skipped. */
  markForwarded(ids: readonly number[], now: number): Task[];
  /** Tasks left in `delivering` (after a crash). */
  delivering(): Task[];
  countByState(): Record<TaskState, number>;
  pendingCount(): number;
  oldestPendingReceivedAt(): number | null;
  counters(): Record<CounterName, number>;
  bumpCounter(name: CounterName, by?: number): void;
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /** Delete delivered/dropped/forwarded tasks finished before `before`; returns how many. */
  prune(before: number): number;
  /** Commit the deferred writes now (throws when the commit fails: they are written again with the next commit). */
  commit(): void;
  /** Commits what is deferred, then closes. */
  close(): void;
}
