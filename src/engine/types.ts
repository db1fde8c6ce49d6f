/**
 * The engine's public plain data: tasks (task.ts), events (events.ts), the snapshot and the actions every surface uses.
 * Nothing here holds a resource; everything is JSON-serialisable.
 */
import type { LogStatus } from './logs/manager.js';
import type { MonitorSnapshot } from './monitor/types.js';
import type { EnqueueResult, ListTasksQuery, NewTask, QueueStats, Task, TargetStatus } from './task.js';

export * from './task.js';
export type { EngineEventMap, IntakeRejected } from './events.js';

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
