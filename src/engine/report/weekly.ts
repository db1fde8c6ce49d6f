/**
 * The weekly performance report (`monitor.reports.weekly`): every Monday 03:00 local time the engine writes the
 * last 7 days' report into `<dataDir>/reports/` (weekly-YYYY-MM-DD.{txt,json,html}, the date being that Monday).
 * An engine that was down at that time writes the missed one shortly after it starts. Reports older than the log
 * retention are deleted. One timer, unref'd; close() is idempotent.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { buildPeriodReport } from './period.js';
import { renderPeriodHtml, renderPeriodText } from './render.js';

const WEEK_MS = 7 * 86_400_000;
/** Monday, 03:00 local. */
export const WEEKLY_DAY = 1;
export const WEEKLY_HOUR = 3;

/** The most recent Monday 03:00 local at or before `now`. Pure (local time zone of the process). */
export function lastWeeklyRun(now: number): number {
  const d = new Date(now);
  d.setHours(WEEKLY_HOUR, 0, 0, 0);
  const back = (d.getDay() - WEEKLY_DAY + 7) % 7;
  d.setDate(d.getDate() - back);
  if (d.getTime() > now) d.setDate(d.getDate() - 7);
  return d.getTime();
}

/** The next Monday 03:00 local strictly after `now`. */
export function nextWeeklyRun(now: number): number {
  const last = new Date(lastWeeklyRun(now));
  last.setDate(last.getDate() + 7); // setDate keeps 03:00 local across a DST change
  return last.getTime();
}

export const reportsDir = (dataDir: string): string => join(dataDir, 'reports');

const stamp = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** Path (without extension) of the newest weekly report in the data dir, or null. */
export function latestReport(dataDir: string): { path: string; at: number } | null {
  let names: string[];
  try {
    names = readdirSync(reportsDir(dataDir))
      .filter((n) => /^weekly-\d{4}-\d{2}-\d{2}\.html$/.test(n))
      .sort();
  } catch {
    return null;
  }
  const name = names.at(-1);
  if (!name) return null;
  const path = join(reportsDir(dataDir), name);
  return { path, at: statSync(path).mtimeMs };
}

export interface WeeklyDeps {
  db: Database;
  dataDir: string;
  spoolDir: string;
  sampleMs: number;
  /** Days reports are kept (the log retention); 0 = forever. */
  retainDays: number;
  clock: Clock;
  logger: Logger;
}

/** Write the report for the week ending at `runAt` (a Monday 03:00). Returns the HTML path. */
export function writeWeeklyReport(deps: WeeklyDeps, runAt: number): string {
  const dir = reportsDir(deps.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const report = buildPeriodReport({
    db: deps.db,
    now: runAt,
    spanMs: WEEK_MS,
    spoolDir: deps.spoolDir,
    sampleMs: deps.sampleMs,
  });
  const base = join(dir, `weekly-${stamp(runAt)}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(`${base}.txt`, `${renderPeriodText(report)}\n`, { mode: 0o600 });
  writeFileSync(`${base}.html`, renderPeriodHtml(report), { mode: 0o600 });
  return `${base}.html`;
}

/** Delete weekly reports whose week ended more than retainDays ago. Returns the names deleted. */
export function pruneReports(dataDir: string, retainDays: number, now: number): string[] {
  if (retainDays <= 0) return [];
  let names: string[];
  try {
    names = readdirSync(reportsDir(dataDir));
  } catch {
    return [];
  }
  const cutoff = now - retainDays * 86_400_000;
  const gone: string[] = [];
  for (const n of names) {
    const m = /^weekly-(\d{4})-(\d{2})-(\d{2})\.(txt|json|html)$/.exec(n);
    if (!m) continue;
    if (new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), WEEKLY_HOUR).getTime() >= cutoff) continue;
    rmSync(join(reportsDir(dataDir), n), { force: true });
    gone.push(n);
  }
  return gone;
}

export class WeeklyReports {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly deps: WeeklyDeps) {}

  /** Arms the timer; writes the last week's report soon if it is missing (the engine was down on Monday). */
  start(catchUpDelayMs = 30_000): void {
    const now = this.deps.clock.now();
    const last = lastWeeklyRun(now);
    const have = latestReport(this.deps.dataDir);
    if (!have || !have.path.endsWith(`weekly-${stamp(last)}.html`))
      this.arm(Math.min(catchUpDelayMs, Math.max(0, nextWeeklyRun(now) - now)), last);
    else this.arm(nextWeeklyRun(now) - now, nextWeeklyRun(now));
  }

  private arm(delayMs: number, runAt: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => this.run(runAt), delayMs);
    this.timer.unref();
  }

  private run(runAt: number): void {
    try {
      const path = writeWeeklyReport(this.deps, runAt);
      const pruned = pruneReports(this.deps.dataDir, this.deps.retainDays, this.deps.clock.now());
      this.deps.logger.info('weekly performance report written', { path, pruned: pruned.length });
    } catch (err) {
      this.deps.logger.warn('weekly performance report failed', {
        error: err instanceof Error ? err.message : String(err),
      });
    }
    const now = this.deps.clock.now();
    this.arm(nextWeeklyRun(now) - now, nextWeeklyRun(now));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
