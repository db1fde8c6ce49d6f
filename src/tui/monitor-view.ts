/**
 * What the dashboard reads from the monitor: `MonitorLike` is the subset of MonitorSnapshot
 * (src/engine/monitor/types.ts) the TUI uses, derived from its types so a real MonitorSnapshot is assignable to
 * it. When the monitor block is missing the dashboard falls back to LocalStats.
 */
import {
  STAGES,
  type ActiveAlert,
  type AlertTransition,
  type HistoryPoint,
  type LatencySummary,
  type Stage,
} from '../engine/monitor/types.js';

export { STAGES, type Stage };

/** The parts of the monitor's types that the dashboard reads (a real MonitorSnapshot is assignable). */
export type LatencySummaryLike = Pick<LatencySummary, 'count' | 'p50Ms' | 'p95Ms' | 'p99Ms' | 'maxMs'>;
export type AlertLike = Pick<ActiveAlert, 'rule' | 'severity' | 'since' | 'message'>;
export type AlertTransitionLike = Pick<AlertTransition, 'at' | 'rule' | 'state' | 'severity' | 'message'>;

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
export type HistoryPointLike = Pick<HistoryPoint, 'at' | 'delivered' | 'failed' | 'resolutionMs'> & {
  latency: Record<Stage, LatencySummaryLike>;
};

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

/** Narrow a monitor block (from the engine, or JSON over the control socket) to MonitorLike; undefined when absent or foreign. */
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
