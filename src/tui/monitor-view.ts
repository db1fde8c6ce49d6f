/**
 * What the dashboard reads from the monitor. `MonitorLike` is the subset of MonitorSnapshot
 * (src/engine/monitor/types.ts, monitor branch) the TUI uses, spelled with the same names so a real
 * MonitorSnapshot is assignable to it. When the monitor block is missing the dashboard falls back to LocalStats.
 */
export const STAGES = ['intake', 'wait', 'delivery', 'endToEnd'] as const;
export type Stage = (typeof STAGES)[number];

export interface LatencySummaryLike {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface AlertLike {
  rule: string;
  severity: string;
  since: number;
  message: string;
}

export interface AlertTransitionLike {
  at: number;
  rule: string;
  state: string;
  severity: string;
  message: string;
}

export interface MonitorLike {
  at: number;
  latency: Record<Stage, { lastMinute: LatencySummaryLike; sinceStart: LatencySummaryLike }>;
  throughput: {
    intervalMs: number;
    series: { at: number; received: number; delivered: number; failed: number }[];
    successRate: number | null;
  };
  resources: { engine: { cpuPercent: number; rssBytes: number }; system: { totalMemBytes: number } } | null;
  health: { status: string; failing: string[] } | null;
  alerts: { active: AlertLike[]; recent: AlertTransitionLike[] };
}

/** One history bucket as the chart needs it (subset of HistoryPoint). */
export interface HistoryPointLike {
  at: number;
  delivered: number;
  failed: number;
  resolutionMs: number;
  latency: Record<Stage, LatencySummaryLike>;
}

/** Everything the view-models need, from the monitor or from LocalStats. */
export interface MonitorView {
  source: 'monitor' | 'local';
  cpuPercent: number | null;
  rssBytes: number | null;
  totalMemBytes: number | null;
  successRate: number | null;
  health: { status: string; failing: string[] } | null;
  latency: Record<Stage, { lastMinute: LatencySummaryLike; sinceStart: LatencySummaryLike }>;
  /** Per-second counts, oldest first. */
  received: number[];
  delivered: number[];
  failed: number[];
  alerts: { active: AlertLike[]; recent: AlertTransitionLike[] };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Narrow `EngineSnapshot.monitor` (typed unknown on main) to MonitorLike, or undefined when absent/foreign. */
export function asMonitor(value: unknown): MonitorLike | undefined {
  if (!isObject(value)) return undefined;
  if (!isObject(value.latency) || !isObject(value.throughput) || !isObject(value.alerts)) return undefined;
  return value as unknown as MonitorLike;
}

export function monitorView(m: MonitorLike): MonitorView {
  const series = m.throughput.series;
  return {
    source: 'monitor',
    cpuPercent: m.resources?.engine.cpuPercent ?? null,
    rssBytes: m.resources?.engine.rssBytes ?? null,
    totalMemBytes: m.resources?.system.totalMemBytes ?? null,
    successRate: m.throughput.successRate,
    health: m.health,
    latency: m.latency,
    received: series.map((p) => p.received),
    delivered: series.map((p) => p.delivered),
    failed: series.map((p) => p.failed),
    alerts: m.alerts,
  };
}
