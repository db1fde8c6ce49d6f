/**
 * Plain data about tasks, shared by the engine and everything that reads it (CLI, HTTP, TUI). A leaf module: it
 * imports nothing, so every part of the engine may import it. Nothing here holds a resource; all is JSON-serialisable.
 */

/** `forwarded`: cluster mode, committed here and handed (through Redis) to the node that owns its target. */
export const TASK_STATES = [
  'queued',
  'delivering',
  'retrying',
  'delivered',
  'working',
  'completed',
  'stalled',
  'dead',
  'dropped',
  'forwarded',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/**
 * States after `delivered` on a target whose completion is watched (agents; shells with `trackCompletion`):
 * `working` once its busy marker showed, then `completed` (idle again) or `stalled` (busy past completionTimeoutMs).
 */
export const WATCHED_STATES: readonly TaskState[] = ['delivered', 'working'];

/** States a task ends in (its finishedAt is set); `delivered` ends a task only on a target that is not watched. */
export const FINAL_STATES: readonly TaskState[] = ['completed', 'stalled', 'dead', 'dropped'];

/** Where a task's state changes are POSTed (Standard Webhooks signed), from the trigger or the hook. */
export interface TaskCallback {
  url: string;
  /** States that are sent. */
  events: TaskState[];
  /** Which configured secret signs it: `callbacks` (the global one) or `hooks.NAME`. */
  secret: string;
}

/** States in which a task still waits for delivery (count against capacity). */
export const PENDING_STATES: readonly TaskState[] = ['queued', 'delivering', 'retrying'];

/** `cluster`: forwarded by another node (its idempotency key is `cluster:NODE.ID`). */
export type TaskSource = 'spool' | 'legacy' | 'http' | 'cli' | 'api' | 'cluster';

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
  /** Target name from config (`targets.NAME`), or `default`; cluster mode: another node's target, or `pool:NAME`. */
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
  /** When the task reached a final state (completed, stalled, dead, dropped; delivered on an unwatched target). */
  finishedAt: number | null;
  /** Watched targets: when the busy marker first showed after delivery. */
  workingAt?: number | null | undefined;
  /** When it was seen completed (idle again). Duration: completedAt - deliveredAt. */
  completedAt?: number | null | undefined;
  /**
   * What the pane printed between the submitted prompt and the return to idle (or up to `stalled`): wrapped lines
   * joined, escape sequences removed, the agent's chrome trimmed, at most output.maxBytes. Only `get` fills it;
   * lists leave it out (`outputBytes` says how long it is).
   */
  output?: string | null | undefined;
  outputBytes?: number | undefined;
  /** Shell targets with a promptPattern: the exit status the prompt showed. */
  exitCode?: number | null | undefined;
  callback?: TaskCallback | null | undefined;
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
  /** POST this task's state changes to a URL (checked against callbacks.allow at admission). */
  callback?: NewTaskCallback | undefined;
}

export interface NewTaskCallback {
  url: string;
  events?: TaskState[] | undefined;
  /** The secret's name: `callbacks` (default) or `hooks.NAME`. */
  secret?: string | undefined;
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
  /** Triggers rejected at intake (spool files moved to rejected/, legacy triggers refused); the engine always sets it. */
  rejected?: number | undefined;
  /** The same, by reason code (`WHT_ERR_TEXT_UNSAFE`, `WHT_ERR_TOO_LARGE`, ...). */
  rejectedByReason?: Record<string, number> | undefined;
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
  /** Cluster mode only: this node, Redis, the forward backlog and counters. */
  cluster?: ClusterStatus | undefined;
  /** The callback outbox (absent where no engine runs). */
  callbacks?: CallbackStats | undefined;
}

/** The callback outbox: rows by state now, and POST outcomes since the engine started. */
export interface CallbackStats {
  pending: number;
  sent: number;
  /** Given up (failed for longer than callbacks.giveUpAfterMs, or 410 Gone). */
  failed: number;
  /** Pending callbacks whose last try failed. */
  retrying: number;
  /** The latest failure of a callback not (yet) sent. */
  lastError: string | null;
  sentSinceStart: number;
  failedTriesSinceStart: number;
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

/** A target's readiness as delivery judges it (delivery/readiness.ts). */
export type TargetState = 'ready' | 'busy' | 'not-ready' | 'missing' | 'in-mode' | 'input-off';

export interface TargetStatus {
  name: string;
  /** tmux target, e.g. `%3` or `=work:1.0`. */
  pane: string;
  profile: string;
  preset: string | null;
  /** The same judgement delivery makes before typing. */
  state: TargetState;
  /** Why it is not `ready` (null when it is). */
  reason: string | null;
  present: boolean;
  /** `idle` / `busy` where known, `unknown` otherwise. */
  activity: 'idle' | 'busy' | 'unknown';
  inMode: boolean;
  currentCommand: string | null;
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
  /** Only the task(s) with this idempotency key (`send --wait`). */
  idemKey?: string | undefined;
}

/** Cluster mode: this node's view of the cluster (status, /v1/stats, health). */
export interface ClusterStatus {
  node: string;
  /** Where Redis is (a password never shows). */
  redis: string;
  /** `connected`; `connecting`/`disconnected`: Redis not reachable (tasks for other nodes wait here); `refused`: a conflict. */
  state: 'connecting' | 'connected' | 'disconnected' | 'refused';
  reason: string | null;
  lastHeartbeatAt: number | null;
  /** Tasks committed here for other nodes or pools, not yet handed to Redis. */
  backlog: number;
  /** Tasks handed on, by destination node (`pool:NAME` for pools). */
  forwarded: Record<string, number>;
  /** Tasks taken in from other nodes, by accepting node. */
  received: Record<string, number>;
  /** Jobs refused here (bad signature, unsafe text): never typed, kept in Redis's failed set. */
  rejected: number;
  /** Every node as of the last heartbeat (for the dashboard): liveness, health, backlog, its targets. */
  nodes?: ClusterNodeSummary[] | undefined;
}

export interface ClusterNodeSummary {
  node: string;
  alive: boolean;
  health: string;
  backlog: number;
  targets: Array<{ name: string; pool: string | null; state: string; depth: number }>;
}
