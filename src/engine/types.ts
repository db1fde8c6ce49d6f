import type { MonitorSnapshot } from './monitor/types.js';
import type { LogStatus } from './logs/manager.js';

/**
 * Plain data shared by the engine and everything that reads it (CLI, HTTP, TUI).
 * Nothing here holds a resource; everything is JSON-serialisable.
 */

export const TASK_STATES = ['queued', 'delivering', 'retrying', 'delivered', 'dead', 'dropped'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** States in which a task still waits for delivery (count against capacity). */
export const PENDING_STATES: readonly TaskState[] = ['queued', 'delivering', 'retrying'];

export type TaskSource = 'spool' | 'legacy' | 'http' | 'cli' | 'api';

export interface AttemptError {
  /** Attempt number (1-based) that failed. */
  attempt: number;
  /** Epoch milliseconds. */
  at: number;
  code: string;
  message: string;
}

export interface Task {
  id: number;
  text: string;
  /** Target name from config (`targets.NAME`), or `default`. */
  target: string;
  /** Higher runs first. */
  priority: number;
  category: string;
  /** Idempotency key (spool JSON `id`, HTTP `id` / `webhook-id`). */
  idemKey: string | null;
  source: TaskSource;
  state: TaskState;
  attempts: number;
  /** Epoch ms before which the task is not attempted (backoff). */
  nextAttemptAt: number;
  errors: AttemptError[];
  /** Epoch ms timestamps for each stage; null until reached. */
  receivedAt: number;
  committedAt: number;
  startedAt: number | null;
  deliveredAt: number | null;
  /** When the task reached a final state (delivered, dead, dropped). */
  finishedAt: number | null;
}

export interface NewTask {
  text: string;
  target?: string | undefined;
  priority?: number | undefined;
  category?: string | undefined;
  idemKey?: string | undefined;
  source: TaskSource;
  /** Epoch ms the trigger was first seen (file event, request arrival). Defaults to commit time. */
  receivedAt?: number | undefined;
}

export interface EnqueueResult {
  task: Task;
  /** false when the idempotency key matched an existing task inside the dedupe window. */
  created: boolean;
}

export interface QueueStats {
  /** delivered + dead */
  totalProcessed: number;
  successful: number;
  /** Tasks that went dead. */
  failed: number;
  /** Failed attempts, including those that were retried. */
  failedAttempts: number;
  retries: number;
  rateLimited: number;
  received: number;
  deduplicated: number;
  /** Mean ms from started to delivered over delivered tasks. */
  avgProcessingMs: number;
  /** Mean ms from received to delivered over delivered tasks. */
  avgEndToEndMs: number;
  peakQueueSize: number;
  depth: Record<TaskState, number>;
  /** queued + delivering + retrying */
  pending: number;
  capacity: number;
  /** ms since the oldest pending task was received; 0 when none. */
  oldestPendingAgeMs: number;
  paused: boolean;
  /** Sizes of the SQLite database and its WAL (absent where no one knows the files). */
  storage?: StorageStats | undefined;
}

/** Why the database cannot take commits now. `lost`: its file was deleted or replaced; only a restart helps. */
export interface StorageDown {
  reason: string;
  since: number;
  lost: boolean;
}

export interface StorageStats {
  databaseBytes: number;
  walBytes: number;
  /** queue.walLimitBytes: the WAL is checkpointed past it, truncated past twice it. */
  walLimitBytes: number;
}

export interface TargetStatus {
  name: string;
  /** tmux target, e.g. `%3` or `=work:1.0`. */
  pane: string;
  profile: string;
  present: boolean;
  /** `idle` / `busy` where known, `unknown` otherwise. */
  activity: 'idle' | 'busy' | 'unknown';
  inMode: boolean;
  currentCommand: string | null;
}

export interface EngineSnapshot {
  at: number;
  startedAt: number;
  pid: number;
  version: string;
  paused: boolean;
  stats: QueueStats;
  targets: TargetStatus[];
  /** Pending tasks in delivery order per target, capped. */
  pending: Task[];
  /** Dead-letter tasks, newest first, capped. */
  dead: Task[];
  /** Latency percentiles, throughput, resources, health and alerts (absent when no monitor runs). */
  monitor?: MonitorSnapshot | undefined;
  /** The log manager: dir, level, dropped lines, whether the files can be written (absent with an injected logger). */
  logs?: LogStatus | undefined;
}

/** Events the engine emits; listeners get plain data. */
export interface EngineEventMap {
  'task:queued': [task: Task];
  'task:deduplicated': [task: Task];
  'task:started': [task: Task];
  'task:delivered': [task: Task];
  'task:retrying': [task: Task, error: AttemptError];
  'task:dead': [task: Task, error: AttemptError | null];
  'task:dropped': [task: Task];
  'task:rate-limited': [task: Task];
  'intake:rejected': [info: { source: TaskSource; name: string; reason: string }];
  'queue:paused': [];
  'queue:resumed': [];
  /** The database stopped (a reason) or started again (null) taking commits. */
  'storage:changed': [down: StorageDown | null];
  log: [entry: LogEntry];
  error: [error: Error];
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface LogEntry {
  at: number;
  level: LogLevel;
  msg: string;
  [key: string]: unknown;
}

export interface ListTasksQuery {
  state?: TaskState | undefined;
  target?: string | undefined;
  limit?: number | undefined;
  /** Return tasks with id < before (paging, newest first). */
  before?: number | undefined;
}

/**
 * The actions every surface uses (CLI, HTTP, TUI, control socket): one code path per action.
 */
export interface EngineApi {
  enqueue(input: NewTask): EnqueueResult;
  /**
   * Optional group commit: validate each input as `enqueue` does, insert the accepted ones in ONE transaction, and
   * return one outcome per input, in order: its EnqueueResult, or the Error (WhtError) that refused it. Within the
   * batch a repeated idempotency key dedupes against the earlier input. The HTTP intake batches concurrent requests
   * through this when present (one commit per event-loop turn instead of one per request).
   */
  enqueueMany?(inputs: readonly NewTask[]): Array<EnqueueResult | Error>;
  getTask(id: number): Task | undefined;
  listTasks(query?: ListTasksQuery): Task[];
  /** Move a dead (or retrying) task back to queued. Throws WhtError TASK_NOT_FOUND / TASK_STATE. */
  retry(id: number): Task;
  /** Move every dead task back to queued; returns how many. */
  retryAllDead(): number;
  /** Drop a pending or dead task. */
  drop(id: number): Task;
  pause(): void;
  resume(): void;
  isPaused(): boolean;
  stats(): QueueStats;
  snapshot(): EngineSnapshot;
}
