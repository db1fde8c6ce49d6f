/**
 * What the monitor is given (ports, built by the engine's composition root) and what it offers. Apart from
 * types.ts (plain data) so that the data types import nothing of the engine's machinery.
 */
import type { EventEmitter } from 'node:events';
import type { EngineEventMap } from '../events.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { QueueStats } from '../task.js';
import type { MonitorConfig } from './config.js';
import type { TierReader } from './history-query.js';
import type { Rollup, Tier } from './rollup.js';
import type {
  AlertTransition,
  HealthCheckDeps,
  HealthResult,
  HistoryRange,
  HistoryResult,
  MonitorSnapshot,
} from './types.js';

/** The monitor's history port: tiered rollups and alert transitions (SQLite: sqlite/history-store.ts). */
export interface HistoryStore {
  readonly tiers: readonly Tier[];
  /** Store one raw sample (finest tier) and queue it for the coarser tiers. */
  append(sample: Rollup): void;
  /** Merge queued samples into the coarser tiers. */
  flush(): void;
  /** Drop rows past each tier's retention and above the row cap; returns how many. */
  prune(now: number): number;
  readonly reader: TierReader;
  recordTransition(t: AlertTransition): void;
  /** The newest `limit` alert transitions, oldest first. */
  transitions(limit: number): AlertTransition[];
}

/** Sends a tmux command (argv); used for `display-message`. Usually `(args) => tmux.run(args)`. */
export type TmuxRun = (args: readonly string[]) => Promise<unknown>;

export interface MonitorDeps {
  events: EventEmitter<EngineEventMap>;
  stats: () => QueueStats;
  /** Where history goes (the composition root opens it on the queue's database). */
  history: HistoryStore;
  clock: Clock;
  logger: Logger;
  config: MonitorConfig;
  checks: HealthCheckDeps;
  /** tmux server pid + pane pids. */
  watchedPids: () => Promise<number[]>;
  /** Optional: tmux port for alert `display-message`. */
  tmux?: TmuxRun | undefined;
  /** Optional: target for `display-message -t` (e.g. the dashboard session); omitted = current client. */
  tmuxTarget?: string | undefined;
  /** Optional: where a failed sampling tick is reported (the engine: log + `error` event); default: logged. */
  onError?: ((err: unknown) => void) | undefined;
  /** Optional: fetch replacement for the outbound alert webhook (tests). */
  fetch?: typeof fetch | undefined;
}

export interface Monitor {
  start(): void;
  /** Idempotent; flushes the current rollup. */
  close(): Promise<void>;
  snapshot(): MonitorSnapshot;
  history(range: HistoryRange): HistoryResult;
  /** Runs every check now and stores the result. */
  health(): Promise<HealthResult>;
  /** Prometheus text exposition format 0.0.4. */
  prometheus(): string;
}
