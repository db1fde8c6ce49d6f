/**
 * `webhook-tui metrics export --since 24h --format csv|json`: history at the finest stored resolution, with coarser
 * tiers filling the time the finer ones no longer hold. Reads the database only (works from another process).
 */
import type { Database } from 'better-sqlite3';
import { dbTierReader, readStitched } from './history-query.js';
import { toHistoryPoint } from './rollup.js';
import { STAGES, type HistoryPoint } from './types.js';

export type ExportFormat = 'csv' | 'json';

export interface ExportOptions {
  sinceMs: number;
  untilMs?: number | undefined;
  format: ExportFormat;
}

const SCALARS = [
  ['received', (p: HistoryPoint) => p.received],
  ['delivered', (p: HistoryPoint) => p.delivered],
  ['failed', (p: HistoryPoint) => p.failed],
  ['retries', (p: HistoryPoint) => p.retries],
  ['rate_limited', (p: HistoryPoint) => p.rateLimited],
  ['cpu_percent', (p: HistoryPoint) => round(p.cpuPercent, 2)],
  ['rss_bytes', (p: HistoryPoint) => Math.round(p.rssBytes)],
  ['watched_cpu_percent', (p: HistoryPoint) => round(p.watchedCpuPercent, 2)],
  ['watched_rss_bytes', (p: HistoryPoint) => Math.round(p.watchedRssBytes)],
  ['load1', (p: HistoryPoint) => round(p.load1, 2)],
  ['pending_max', (p: HistoryPoint) => p.pending],
  ['oldest_pending_age_ms', (p: HistoryPoint) => p.oldestPendingAgeMs],
] as const;

const LATENCY_FIELDS = ['count', 'p50Ms', 'p95Ms', 'p99Ms', 'maxMs'] as const;
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function exportPoints(db: Database, sinceMs: number, untilMs: number): HistoryPoint[] {
  const { read, resolutions } = dbTierReader(db);
  return readStitched(read, resolutions, sinceMs, untilMs).map(toHistoryPoint);
}

export function historyCsv(points: readonly HistoryPoint[]): string {
  const latencyCols = STAGES.flatMap((s) => LATENCY_FIELDS.map((f) => `${snake(s)}_${snake(f)}`));
  const header = ['time', 'at_ms', 'resolution_ms', ...SCALARS.map(([n]) => n), ...latencyCols];
  const lines = points.map((p) =>
    [
      new Date(p.at).toISOString(),
      p.at,
      p.resolutionMs,
      ...SCALARS.map(([, f]) => f(p)),
      ...STAGES.flatMap((s) => LATENCY_FIELDS.map((f) => round(p.latency[s][f], 3))),
    ].join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}

/** History since `sinceMs` as CSV (one row per stored bucket, header first) or JSON ({sinceMs, untilMs, points}). */
export function exportHistory(db: Database, opts: ExportOptions): string {
  const untilMs = opts.untilMs ?? Date.now();
  const points = exportPoints(db, opts.sinceMs, untilMs);
  if (opts.format === 'csv') return historyCsv(points);
  return JSON.stringify({ sinceMs: opts.sinceMs, untilMs, points }, null, 2) + '\n';
}

/** Parses `24h`, `7d`, `30m`, `90s` into ms (for the CLI's --since). */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new Error(`invalid duration "${text}" (expected e.g. 90s, 30m, 24h, 7d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[
    m[2] as 'ms' | 's' | 'm' | 'h' | 'd' | 'w'
  ];
  return Number(m[1]) * unit;
}
