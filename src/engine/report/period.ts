/**
 * Performance report for a period, from the monitor's history in the queue database (the old system's weekly
 * report): deliveries and throughput per day, P50/P95/P99 per stage from merged stored histograms (never averaged
 * percentiles), success and error rates, top dead-letter and spool-rejection reasons, alerts and how long they
 * lasted, resource use, and the same figures for the previous period of equal length. Reads only; pure apart from the
 * database and the spool's rejected/ dir passed in.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { dbTierReader, readStitched } from '../monitor/history-query.js';
import { latencyOver, mergeRollups, type Rollup } from '../monitor/rollup.js';
import type { LatencySummary, Stage } from '../monitor/types.js';

export interface DayRow {
  /** Local date, YYYY-MM-DD. */
  day: string;
  received: number;
  delivered: number;
  failed: number;
  retries: number;
  /** Deliveries per second over the day's covered time (monitor samples present). */
  deliveredPerSec: number;
  endToEndP95Ms: number;
}

export interface PeriodFigures {
  sinceMs: number;
  untilMs: number;
  received: number;
  delivered: number;
  failed: number;
  retries: number;
  rateLimited: number;
  /** delivered / (delivered + failed); null when nothing finished. */
  successRate: number | null;
  /** failed attempts (retries + dead) / attempts; null when no attempts. */
  errorRate: number | null;
  /** Deliveries per second over the time the monitor covered. */
  deliveredPerSec: number;
  /** Seconds of the period with monitor samples. */
  coveredSec: number;
  stages: Record<Stage, LatencySummary>;
  resources: {
    cpuMeanPercent: number;
    cpuMaxPercent: number;
    rssMeanBytes: number;
    rssMaxBytes: number;
    load1Mean: number;
    pendingMax: number;
  };
}

export interface ReasonCount {
  reason: string;
  count: number;
}

export interface AlertSpan {
  rule: string;
  severity: string;
  firedAt: number;
  /** null while still firing at the end of the period. */
  resolvedAt: number | null;
  durationMs: number;
  message: string;
}

export interface PeriodReport {
  generatedAt: string;
  period: { since: string; until: string; days: number };
  current: PeriodFigures;
  previous: PeriodFigures;
  days: DayRow[];
  deadLetterReasons: ReasonCount[];
  rejectionReasons: ReasonCount[];
  alerts: AlertSpan[];
}

const localDay = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

function readRows(db: Database, sinceMs: number, untilMs: number): Rollup[] {
  const { read, resolutions } = dbTierReader(db);
  return readStitched(read, resolutions, sinceMs, untilMs);
}

function figures(rows: readonly Rollup[], sinceMs: number, untilMs: number, sampleMs: number): PeriodFigures {
  const m = mergeRollups(sinceMs, Math.max(1, untilMs - sinceMs), rows);
  // Each raw sample covers sampleMs; a coarse row covers at most its own length.
  const coveredSec = rows.reduce((a, r) => a + Math.min(r.resMs, r.samples * sampleMs), 0) / 1000;
  const finished = m.delivered + m.failed;
  const attempts = m.delivered + m.failed + m.retries;
  const n = Math.max(1, m.samples);
  return {
    sinceMs,
    untilMs,
    received: m.received,
    delivered: m.delivered,
    failed: m.failed,
    retries: m.retries,
    rateLimited: m.rateLimited,
    successRate: finished ? m.delivered / finished : null,
    errorRate: attempts ? (m.retries + m.failed) / attempts : null,
    deliveredPerSec: coveredSec > 0 ? m.delivered / coveredSec : 0,
    coveredSec,
    stages: latencyOver(rows),
    resources: {
      cpuMeanPercent: m.cpuSum / n,
      cpuMaxPercent: Math.max(0, ...rows.map((r) => r.cpuSum / Math.max(1, r.samples))),
      rssMeanBytes: m.rssSum / n,
      rssMaxBytes: Math.max(0, ...rows.map((r) => r.rssSum / Math.max(1, r.samples))),
      load1Mean: m.load1Sum / n,
      pendingMax: m.pendingMax,
    },
  };
}

function perDay(rows: readonly Rollup[], sampleMs: number): DayRow[] {
  const groups = new Map<string, Rollup[]>();
  for (const r of rows) {
    const k = localDay(r.at);
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(r);
  }
  return [...groups.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([day, g]) => {
      const f = figures(g, g[0]!.at, g[g.length - 1]!.at + g[g.length - 1]!.resMs, sampleMs);
      return {
        day,
        received: f.received,
        delivered: f.delivered,
        failed: f.failed,
        retries: f.retries,
        deliveredPerSec: f.deliveredPerSec,
        endToEndP95Ms: f.stages.endToEnd.p95Ms,
      };
    });
}

/** "WHT_ERR_TARGET_MISSING: pane %3 not found" -> same text with numbers as N, so alike failures group. */
const normalise = (s: string): string => s.replace(/\d+/g, 'N').slice(0, 160);

function top(counts: Map<string, number>, n = 10): ReasonCount[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([reason, count]) => ({ reason, count }));
}

function deadReasons(db: Database, sinceMs: number, untilMs: number): ReasonCount[] {
  const rows = db
    .prepare("SELECT errors FROM tasks WHERE state = 'dead' AND finished_at >= ? AND finished_at < ?")
    .all(sinceMs, untilMs) as Array<{ errors: string }>;
  const counts = new Map<string, number>();
  for (const { errors } of rows) {
    let last: { code?: string; message?: string } | undefined;
    try {
      last = (JSON.parse(errors) as Array<{ code?: string; message?: string }>).at(-1);
    } catch {
      /* unreadable */
    }
    const key = last ? `${last.code ?? 'unknown'}: ${normalise(last.message ?? '')}` : 'unknown';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return top(counts);
}

function rejectionReasons(spoolDir: string | undefined, sinceMs: number, untilMs: number): ReasonCount[] {
  if (!spoolDir) return [];
  const dir = join(spoolDir, 'rejected');
  const counts = new Map<string, number>();
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.reason'));
  } catch {
    return [];
  }
  for (const name of names) {
    try {
      const p = join(dir, name);
      const at = statSync(p).mtimeMs;
      if (at < sinceMs || at >= untilMs) continue;
      const key = `spool: ${normalise(readFileSync(p, 'utf8').trim().split('\n')[0] ?? '')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    } catch {
      /* gone meanwhile */
    }
  }
  return top(counts);
}

function alertSpans(db: Database, sinceMs: number, untilMs: number): AlertSpan[] {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'monitor_alerts'").get();
  if (!exists) return [];
  const rows = db
    .prepare('SELECT at, rule, state, severity, message FROM monitor_alerts WHERE at < ? ORDER BY id')
    .all(untilMs) as Array<{ at: number; rule: string; state: string; severity: string; message: string }>;
  const open = new Map<string, (typeof rows)[number]>();
  const out: AlertSpan[] = [];
  const push = (f: (typeof rows)[number], resolvedAt: number | null): void => {
    const end = resolvedAt ?? untilMs;
    if (end < sinceMs) return;
    out.push({
      rule: f.rule,
      severity: f.severity,
      firedAt: f.at,
      resolvedAt,
      durationMs: end - f.at,
      message: f.message,
    });
  };
  for (const r of rows) {
    if (r.state === 'firing') {
      if (!open.has(r.rule)) open.set(r.rule, r);
      continue;
    }
    const f = open.get(r.rule);
    if (f) {
      push(f, r.at);
      open.delete(r.rule);
    }
  }
  for (const f of open.values()) push(f, null);
  return out.sort((a, b) => a.firedAt - b.firedAt);
}

export interface PeriodOptions {
  db: Database;
  now: number;
  spanMs: number;
  spoolDir?: string | undefined;
  /** monitor.sampleMs: how long one raw sample covers. */
  sampleMs: number;
}

export function buildPeriodReport(o: PeriodOptions): PeriodReport {
  const until = o.now;
  const since = until - o.spanMs;
  const rows = readRows(o.db, since, until);
  const prevRows = readRows(o.db, since - o.spanMs, since);
  return {
    generatedAt: new Date(o.now).toISOString(),
    period: { since: new Date(since).toISOString(), until: new Date(until).toISOString(), days: o.spanMs / 86_400_000 },
    current: figures(rows, since, until, o.sampleMs),
    previous: figures(prevRows, since - o.spanMs, since, o.sampleMs),
    days: perDay(rows, o.sampleMs),
    deadLetterReasons: deadReasons(o.db, since, until),
    rejectionReasons: rejectionReasons(o.spoolDir, since, until),
    alerts: alertSpans(o.db, since, until),
  };
}
