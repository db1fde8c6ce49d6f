/**
 * Monitor contract: plain, JSON-serialisable data returned by `Monitor.snapshot()` / `history()` / `health()`.
 * Consumers (status --json, GET /v1/stats, the TUI) build against these types. Changes stay additive.
 *
 * Units: durations in milliseconds (floats; recorded internally in integer microseconds), sizes in bytes,
 * timestamps in epoch milliseconds, CPU in percent of ONE core (0..100 * cpuCount, like `top` / pidusage).
 */
import type { TargetStatus, TaskState } from '../task.js';

/** Latency stages: intake = received→committed, wait = committed→started, delivery = started→delivered, endToEnd = received→delivered. */
export const STAGES = ['intake', 'wait', 'delivery', 'endToEnd'] as const;
export type Stage = (typeof STAGES)[number];

export interface LatencySummary {
  /** Number of samples in the window. When 0 every other field is 0. */
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
}

export interface StageLatency {
  /** Rolling window of the last ~60 s (12 slots of 5 s). */
  lastMinute: LatencySummary;
  /** Since the monitor started. */
  sinceStart: LatencySummary;
}

/** One point of the throughput series (sparklines): counts in [at, at + intervalMs). */
export interface ThroughputPoint {
  /** Start of the interval, epoch ms. */
  at: number;
  received: number;
  delivered: number;
  /** Tasks that went dead. */
  failed: number;
  retries: number;
  rateLimited: number;
}

export interface ThroughputBlock {
  /** Length of one series point in ms (1000). */
  intervalMs: number;
  /** Oldest first, last ~60 points; the newest (partial) interval is the last element. */
  series: ThroughputPoint[];
  /** Rates over the last minute, per second. */
  lastMinute: { receivedPerSec: number; deliveredPerSec: number; failedPerSec: number };
  /** Counts since the monitor started. */
  totals: {
    received: number;
    delivered: number;
    failed: number;
    retries: number;
    rateLimited: number;
    dropped: number;
    deduplicated: number;
  };
  /** delivered / (delivered + failed) over the last minute; null when nothing finished. */
  successRate: number | null;
  /** failed attempts (retries + dead) / attempts over the last minute; null when no attempts. */
  errorRate: number | null;
}

export interface QueueBlock {
  depth: Record<TaskState, number>;
  pending: number;
  capacity: number;
  oldestPendingAgeMs: number;
  paused: boolean;
  /** Engine totals (from QueueStats, survive restarts). */
  retries: number;
  rateLimited: number;
  dead: number;
}

export interface ProcessUsage {
  pid: number;
  /** Percent of one core over the last sample interval. */
  cpuPercent: number;
  rssBytes: number;
}

export interface EngineProcessUsage extends ProcessUsage {
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** Event-loop delay over the last sample interval (perf_hooks.monitorEventLoopDelay). */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

export interface DiskUsage {
  path: string;
  freeBytes: number;
  totalBytes: number;
  /** 0..100 */
  freePercent: number;
}

export interface ResourceSample {
  at: number;
  engine: EngineProcessUsage;
  /** tmux server and pane processes (pidusage); pids that vanished are left out. */
  watched: ProcessUsage[];
  /** Sum over `watched`. */
  watchedTotal: { cpuPercent: number; rssBytes: number };
  system: {
    loadAvg: [number, number, number];
    freeMemBytes: number;
    totalMemBytes: number;
    cpuCount: number;
    disks: DiskUsage[];
  };
}

export type HealthStatus = 'HEALTHY' | 'DEGRADED' | 'UNHEALTHY';
export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface HealthCheckResult {
  /** e.g. `database`, `spool`, `tmux`, `target:NAME`, `disk:/path`, `event-loop`. */
  name: string;
  status: CheckStatus;
  message: string;
  /** true: a `fail` makes the whole result UNHEALTHY; false: only DEGRADED. */
  critical: boolean;
}

export interface HealthResult {
  at: number;
  status: HealthStatus;
  checks: HealthCheckResult[];
  /** Names of checks whose status is not `pass`. */
  failing: string[];
}

export const ALERT_RULES = [
  'memory',
  'cpu',
  'latencyP95',
  'errorRate',
  'queueDepth',
  'oldestAge',
  'deadGrowth',
  'health',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];
export type AlertSeverity = 'warning' | 'critical';

export interface ActiveAlert {
  rule: AlertRule;
  severity: AlertSeverity;
  /** When it fired (epoch ms). */
  since: number;
  /** Latest observed value and the threshold it is compared with (units per rule, see docs/monitor.md). */
  value: number;
  threshold: number;
  message: string;
}

export interface AlertTransition {
  at: number;
  rule: AlertRule;
  state: 'firing' | 'resolved';
  severity: AlertSeverity;
  value: number;
  threshold: number;
  message: string;
}

export interface MonitorSnapshot {
  at: number;
  startedAt: number;
  sampleMs: number;
  latency: Record<Stage, StageLatency>;
  throughput: ThroughputBlock;
  queue: QueueBlock;
  /** Latest resource sample; null before the first sample. */
  resources: ResourceSample | null;
  /** Latest health result; null before the first check. */
  health: HealthResult | null;
  alerts: {
    active: ActiveAlert[];
    /** Newest first, capped (20). */
    recent: AlertTransition[];
  };
}

/** One stored rollup, read back for charts / export. Percentiles are recomputed from merged histograms. */
export interface HistoryPoint {
  /** Start of the bucket, epoch ms. */
  at: number;
  resolutionMs: number;
  received: number;
  delivered: number;
  failed: number;
  retries: number;
  rateLimited: number;
  latency: Record<Stage, LatencySummary>;
  /** Means over the bucket. */
  cpuPercent: number;
  rssBytes: number;
  watchedCpuPercent: number;
  watchedRssBytes: number;
  load1: number;
  /** Max over the bucket. */
  pending: number;
  oldestPendingAgeMs: number;
}

export type HistoryRangeName = 'hour' | 'day' | 'week' | 'month';
export type HistoryRange =
  HistoryRangeName | { sinceMs: number; untilMs?: number | undefined; maxPoints?: number | undefined };

export interface HistoryResult {
  sinceMs: number;
  untilMs: number;
  resolutionMs: number;
  /** Oldest first; at most `maxPoints` (default 120), merged to an even step. */
  points: HistoryPoint[];
  /** Percentiles over the whole range (merged histograms, not averaged percentiles). */
  latency: Record<Stage, LatencySummary>;
}

/** Functions the engine supplies for health checks. Each may throw/reject; that counts as `fail`. */
export interface HealthCheckDeps {
  /** Whether a commit succeeds now; with a message saying why not. */
  dbWritable(): boolean | { ok: boolean; message?: string } | Promise<boolean | { ok: boolean; message?: string }>;
  /** Spool dir present with safe permissions; return a message for a failure. */
  spoolOk(): { ok: boolean; message?: string } | Promise<{ ok: boolean; message?: string }>;
  tmuxReachable(): Promise<boolean>;
  targets(): Promise<TargetStatus[]>;
  /** Directories whose filesystems are checked for free space (data dir, spool dir). */
  dataDirs: string[];
  /** Cluster mode: the node's own checks (Redis reachable, conflicts); absent on a single node. */
  cluster?: (() => HealthCheckResult[]) | undefined;
}
