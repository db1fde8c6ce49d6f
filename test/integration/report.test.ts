/**
 * `webhook-tui report` (the built CLI) and the weekly report, against a history with known contents written through
 * the monitor's own store (HistoryStore) and the queue store: two days this week, one day the week before, alerts,
 * dead tasks and spool rejections.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/engine/config/resolve.js';
import { openStore } from '../../src/engine/sqlite/open-store.js';
import { toTaskRow } from '../../src/engine/queue/task-row.js';
import { SqliteHistoryStore } from '../../src/engine/sqlite/history-store.js';
import { bucketStart, emptyRollup, tiersFor, type Rollup } from '../../src/engine/monitor/rollup.js';
import { LogSketch, SKETCH_ALPHA } from '../../src/engine/monitor/sketch.js';
import type { PeriodReport } from '../../src/engine/report/period.js';
import {
  lastWeeklyRun,
  latestReport,
  nextWeeklyRun,
  pruneReports,
  WeeklyReports,
} from '../../src/engine/report/weekly.js';
import { systemClock } from '../../src/engine/ports/clock.js';
import { silentLogger } from '../../src/engine/ports/logger.js';
import { tempDir } from '../helpers/engine.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));
const DAY = 86_400_000;
const now = Date.now();

/** A 5 s rollup at `at` with known counts and end-to-end latencies 1..n ms (in µs). */
function rollup(at: number, counts: Partial<Rollup>, e2eMs: number[] = []): Rollup {
  const r = {
    ...emptyRollup(bucketStart(at, 5000), 5000),
    samples: 1,
    cpuSum: 10,
    rssSum: 100 * 1024 * 1024,
    load1Sum: 0.5,
    ...counts,
  };
  const sk = new LogSketch();
  for (const ms of e2eMs) sk.record(ms * 1000);
  r.stages = { ...r.stages, endToEnd: sk.toJSON() };
  return r;
}

describe('webhook-tui report over a history with known contents', () => {
  const tmp = tempDir('wht-report-');
  const configFile = join(tmp.dir, 'config.json');
  const spool = join(tmp.dir, 'spool');
  const config = resolveConfig({ dataDir: join(tmp.dir, 'data'), spool: { dir: spool } }, {});
  const oneTo100 = Array.from({ length: 100 }, (_, i) => i + 1);

  beforeAll(() => {
    writeFileSync(configFile, JSON.stringify({ dataDir: config.dataDir, spool: { dir: spool } }));
    const store = openStore(config);
    const history = new SqliteHistoryStore(store.db, tiersFor(5000, 30), 50_000);
    history.append(rollup(now - 3 * DAY, { received: 110, delivered: 100, failed: 2, retries: 5 }, oneTo100));
    history.append(rollup(now - 1 * DAY, { received: 40, delivered: 40 }, oneTo100));
    history.append(rollup(now - 9 * DAY, { received: 50, delivered: 50 }, [1, 2, 3]));
    history.flush();
    history.recordTransition({
      at: now - 2 * DAY,
      rule: 'cpu',
      state: 'firing',
      severity: 'warning',
      value: 90,
      threshold: 80,
      message: 'cpu high',
    });
    history.recordTransition({
      at: now - 2 * DAY + 600_000,
      rule: 'cpu',
      state: 'resolved',
      severity: 'warning',
      value: 10,
      threshold: 80,
      message: 'cpu ok',
    });
    history.recordTransition({
      at: now - 3_600_000,
      rule: 'queueDepth',
      state: 'firing',
      severity: 'critical',
      value: 95,
      threshold: 80,
      message: 'queue deep',
    });
    const dead = (text: string, code: string, message: string, at: number): void => {
      const [r] = store.insertMany([toTaskRow({ text, source: 'api' }, config, at)], at, 0);
      store.markDelivering(r!.task.id, at, null);
      store.markFailed(r!.task.id, { attempt: 1, at, code, message }, null, at);
    };
    dead('a', 'WHT_ERR_TARGET_MISSING', 'pane %3 not found', now - 2 * DAY);
    dead('b', 'WHT_ERR_TARGET_MISSING', 'pane %41 not found', now - 2 * DAY);
    dead('c', 'WHT_ERR_TARGET_MISSING', 'pane %7 not found', now - DAY);
    dead('d', 'WHT_ERR_NOT_CONFIRMED', 'text not seen', now - DAY);
    dead('e', 'WHT_ERR_TARGET_BUSY', 'old', now - 10 * DAY);
    store.close();
    mkdirSync(join(spool, 'rejected'), { recursive: true });
    writeFileSync(join(spool, 'rejected', 'x.json.reason'), 'WHT_ERR_BAD_TRIGGER: invalid JSON at 12\n');
    writeFileSync(join(spool, 'rejected', 'y.json.reason'), 'WHT_ERR_BAD_TRIGGER: invalid JSON at 80\n');
  });
  afterAll(() => tmp.cleanup());

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, '--config', configFile, ...args], {
      encoding: 'utf8',
      env: { ...process.env, TMUX_PANE: '' },
    });

  it('--json: totals, per day, merged percentiles, reasons, alerts and the previous week', () => {
    const r = cli('report', '--since', '7d', '--json');
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout) as PeriodReport;
    expect(rep.current).toMatchObject({ received: 150, delivered: 140, failed: 2, retries: 5 });
    expect(rep.previous).toMatchObject({ received: 50, delivered: 50 });
    expect(rep.current.successRate).toBeCloseTo(140 / 142, 6);
    expect(rep.current.errorRate).toBeCloseTo(7 / 147, 6);
    expect(rep.days.map((d) => d.delivered)).toEqual([100, 40]);
    // 200 samples of 1..100 ms twice: p95 is 95 ms within the stored histograms' relative accuracy.
    expect(rep.current.stages.endToEnd.count).toBe(200);
    expect(Math.abs(rep.current.stages.endToEnd.p95Ms - 95) / 95).toBeLessThanOrEqual(SKETCH_ALPHA);
    expect(rep.previous.stages.endToEnd.count).toBe(3);
    expect(rep.deadLetterReasons).toEqual([
      { reason: 'WHT_ERR_TARGET_MISSING: pane %N not found', count: 3 },
      { reason: 'WHT_ERR_NOT_CONFIRMED: text not seen', count: 1 },
    ]);
    expect(rep.rejectionReasons).toEqual([{ reason: 'spool: WHT_ERR_BAD_TRIGGER: invalid JSON at N', count: 2 }]);
    expect(rep.alerts.map((a) => [a.rule, a.resolvedAt === null, a.durationMs])).toEqual([
      ['cpu', false, 600_000],
      ['queueDepth', true, expect.any(Number)],
    ]);
    expect(rep.current.resources.rssMaxBytes).toBe(100 * 1024 * 1024);
  });

  it('text and --html: the same figures, the change against the previous week, inline SVG only', () => {
    const html = join(tmp.dir, 'r.html');
    const r = cli('report', '--html', html);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('WEBHOOK-TUI PERFORMANCE REPORT');
    expect(r.stdout).toMatch(/delivered\s+140\s+50\s+\+180\.0%/);
    expect(r.stdout).toMatch(/3 {2}WHT_ERR_TARGET_MISSING: pane %N not found/);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).not.toMatch(/<script|<link|\bsrc=|\bhref=/i);
    expect(cli('report', '--since', 'soon').status).toBe(2);
  });

  it('weekly: Monday 03:00 local; the missed report is written after start, status names it, old ones go', async () => {
    const next = new Date(nextWeeklyRun(now));
    expect([next.getDay(), next.getHours(), next.getMinutes()]).toEqual([1, 3, 0]);
    expect(next.getTime()).toBeGreaterThan(now);
    expect(next.getTime() - lastWeeklyRun(now)).toBeGreaterThanOrEqual(7 * DAY - 3_600_000); // DST may shorten a week by an hour
    const store = openStore(config);
    const weekly = new WeeklyReports({
      db: store.db,
      dataDir: config.dataDir,
      spoolDir: spool,
      sampleMs: 5000,
      retainDays: 30,
      clock: systemClock,
      logger: silentLogger,
    });
    try {
      weekly.start(0);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      weekly.close();
      store.close();
    }
    const latest = latestReport(config.dataDir);
    expect(latest?.path).toMatch(/weekly-\d{4}-\d{2}-\d{2}\.html$/);
    const json = JSON.parse(readFileSync(latest!.path.replace(/\.html$/, '.json'), 'utf8')) as PeriodReport;
    expect(Date.parse(json.period.until)).toBe(lastWeeklyRun(now));
    expect(cli('status').stdout).toContain(latest!.path);
    // Past the retention the report files are deleted.
    expect(pruneReports(config.dataDir, 1, now + 10 * DAY).length).toBe(3);
    expect(existsSync(latest!.path)).toBe(false);
  });
});
