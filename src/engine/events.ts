/**
 * The engine's typed events (listeners get plain data). The facade (`Engine`) is an EventEmitter of this map; the
 * control socket forwards the same events to an attached dashboard.
 */
import type { WhtError } from './errors.js';
import type { AttemptError, LogEntry, StorageDown, Task, TaskSource } from './task.js';

/** A trigger an intake could not accept (it moved to spool/rejected, or was answered with an error). */
export interface IntakeRejected {
  source: TaskSource;
  name: string;
  reason: string;
}

/**
 * Where one delivery's time went, in ms, by the tmux round trips and the commits between them (startedAt is taken
 * just before `commit`, deliveredAt just before `record`).
 */
export interface DeliverySteps {
  /** The pane check (readiness); for shell targets the mark's capture rides in the same round trip. */
  check: number;
  /** A capture of its own for the mark: agents, or a shell pane whose capture could not be cut (a wrapped line). */
  mark: number;
  /** The `delivering` commit (with the mark), before the first keystroke. */
  commit: number;
  /** Typing text and Enter; for shell targets the still-there check is pipelined behind the keys. */
  type: number;
  /** The still-there check when it had a round trip of its own, and the confirmation (targets.NAME.confirm). */
  confirm: number;
  /** The `delivered` commit. */
  record: number;
}

/** Events the engine emits; listeners get plain data. */
export interface EngineEventMap {
  'task:queued': [task: Task];
  'task:deduplicated': [task: Task];
  'task:started': [task: Task];
  /** `steps` when this process typed it just now (not for a delivery found typed after a crash). */
  'task:delivered': [task: Task, steps?: DeliverySteps];
  'task:retrying': [task: Task, error: AttemptError];
  'task:dead': [task: Task, error: AttemptError | null];
  /** A watched task's busy marker showed (delivered -> working). */
  'task:working': [task: Task];
  /** A watched task's target is idle again; its output is stored (`getTask`). */
  'task:completed': [task: Task];
  /** A watched task stayed busy past completionTimeoutMs, or its pane went away. */
  'task:stalled': [task: Task, error: AttemptError];
  'task:dropped': [task: Task];
  'task:rate-limited': [task: Task];
  /** Cluster mode: handed through Redis to the node that owns its target (`node` null: to a pool). */
  'task:forwarded': [task: Task, node: string | null];
  'intake:rejected': [info: IntakeRejected];
  'queue:paused': [];
  'queue:resumed': [];
  /** The database stopped (a reason) or started again (null) taking commits. */
  'storage:changed': [down: StorageDown | null];
  log: [entry: LogEntry];
  /**
   * A failure no caller sees (a timer, a background promise): logged, and emitted with its code; `details.component`
   * names the part it came from. Emitted only while someone listens (an EventEmitter throws an unhandled `error`).
   */
  error: [error: WhtError];
}
