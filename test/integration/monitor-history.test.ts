import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportHistory, parseDuration } from '../../src/engine/monitor/export.js';
import { queryHistory } from '../../src/engine/monitor/history-query.js';
import { SqliteHistoryStore } from '../../src/engine/sqlite/history-store.js';
import { emptyRollup, tiersFor, type Rollup } from '../../src/engine/monitor/rollup.js';
import { LogSketch, SKETCH_ALPHA } from '../../src/engine/monitor/sketch.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Start of an hour, so tier buckets line up with the samples. */
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

/** A raw 5 s sample: `n` deliveries with end-to-end latencies (µs) from `lat(i)`, CPU `cpu`. */
function sample(at: number, n: number, lat: (i: number) => number, cpu = 10): Rollup {
  const r = emptyRollup(at, 5000);
  const sk = new LogSketch();
  for (let i = 0; i < n; i++) sk.record(lat(i));
  r.samples = 1;
  r.received = n;
  r.delivered = n;
  r.cpuSum = cpu;
  r.rssSum = 100e6;
  r.pendingMax = n;
  r.stages.endToEnd = sk.toJSON();
  return r;
}

let dir: string;
let db: Database.Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wht-monitor-'));
  db = new Database(join(dir, 'queue.db'));
  db.pragma('journal_mode = WAL');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteHistoryStore rollups and downsampling', () => {
  it('stores every sample at 5 s and merges them into 1 min and 1 h rows with the same totals and percentiles', () => {
    const store = new SqliteHistoryStore(db, tiersFor(5000, 30), 50_000);
    // One hour: minute m has 10 deliveries per sample with latency (m+1) ms; so the hour spans 1..60 ms.
    for (let k = 0; k < 720; k++)
      store.append(sample(T0 + k * 5000, 10, () => (Math.floor(k / 12) + 1) * 1000, k % 2 === 0 ? 10 : 20));
    store.flush();
    const minute = store.read(1, T0, T0 + HOUR);
    expect(minute).toHaveLength(60);
    expect(minute[0]?.delivered).toBe(120);
    expect(store.read(2, T0, T0 + HOUR).map((r) => r.delivered)).toEqual([1800, 1800, 1800, 1800]);
    const hour = store.read(3, T0, T0 + HOUR);
    expect(hour).toHaveLength(1);
    expect(hour[0]?.delivered).toBe(7200);
    expect(hour[0]?.samples).toBe(720);

    const h = queryHistory(
      store.reader,
      store.tiers.map((t) => t.resMs),
      { sinceMs: T0, untilMs: T0 + HOUR, maxPoints: 1 },
      T0 + HOUR,
    );
    expect(h.points).toHaveLength(1);
    expect(h.points[0]?.cpuPercent).toBeCloseTo(15);
    // Uniform over 60 values 1..60 ms: P50 = 30 ms, P95 = 57 ms, P99 = 60 ms (exact order statistics), within alpha.
    expect(h.latency.endToEnd.count).toBe(7200);
    const within = (v: number, exact: number) => expect(Math.abs(v - exact) / exact).toBeLessThanOrEqual(SKETCH_ALPHA);
    within(h.latency.endToEnd.p50Ms, 30);
    within(h.latency.endToEnd.p95Ms, 57);
    within(h.latency.endToEnd.p99Ms, 60);
    // Not the average of per-minute P95s (which would be ~30.5 ms).
    expect(h.latency.endToEnd.p95Ms).toBeGreaterThan(50);
  });

  it('merges partial flushes into the same coarse row (flush twice within a minute)', () => {
    const store = new SqliteHistoryStore(db, tiersFor(5000, 30), 50_000);
    for (let k = 0; k < 6; k++) store.append(sample(T0 + k * 5000, 1, () => 1000));
    store.flush();
    for (let k = 6; k < 12; k++) store.append(sample(T0 + k * 5000, 1, () => 1000));
    expect(store.read(1, T0, T0 + 60_000)[0]?.delivered).toBe(12); // includes unflushed deltas
    store.flush();
    expect(store.read(1, T0, T0 + 60_000)[0]?.delivered).toBe(12);
  });

  it('picks a coarser tier for longer ranges and stitches older coarse rows in without double counting', () => {
    const store = new SqliteHistoryStore(db, tiersFor(5000, 30), 1_000_000);
    // 3 hours of samples, then drop the 5 s and 1 min rows of the first 2 hours (as retention would).
    for (let k = 0; k < 3 * 720; k++) store.append(sample(T0 + k * 5000, 1, () => 2000));
    store.flush();
    db.prepare('DELETE FROM monitor_rollups WHERE res_ms < 3600000 AND at < ?').run(T0 + 2 * HOUR);
    const res = store.tiers.map((t) => t.resMs);
    const day = queryHistory(store.reader, res, { sinceMs: T0, untilMs: T0 + 3 * HOUR, maxPoints: 180 }, T0 + 3 * HOUR);
    expect(day.points.reduce((a, p) => a + p.delivered, 0)).toBe(3 * 720);
    expect(day.resolutionMs).toBe(60_000);
    expect(day.points[0]?.at).toBe(T0);
    const fine = queryHistory(
      store.reader,
      res,
      { sinceMs: T0 + 2 * HOUR, untilMs: T0 + 3 * HOUR, maxPoints: 720 },
      T0 + 3 * HOUR,
    );
    expect(fine.resolutionMs).toBe(5000);
    expect(fine.points).toHaveLength(720);
  });
});

describe('SqliteHistoryStore retention', () => {
  it('keeps 5 s rows for a day, 1 min for a week, 15 min and 1 h for retentionDays, and never more than maxRows', () => {
    const store = new SqliteHistoryStore(db, tiersFor(5000, 30), 5000);
    // Sparse samples over 40 days: one per 20 minutes (keeps the test fast) fill every tier.
    const step = 20 * 60_000;
    const end = T0 + 40 * DAY;
    for (let at = T0; at < end; at += step) store.append(sample(at, 1, () => 1000));
    store.flush();
    store.prune(end);
    const oldest = (res: number) =>
      (db.prepare('SELECT min(at) AS m FROM monitor_rollups WHERE res_ms = ?').get(res) as { m: number }).m;
    expect(oldest(5000)).toBeGreaterThanOrEqual(end - DAY);
    expect(oldest(60_000)).toBeGreaterThanOrEqual(end - 7 * DAY);
    expect(oldest(3_600_000)).toBeGreaterThanOrEqual(end - 30 * DAY);
    expect(oldest(3_600_000)).toBeLessThan(end - 29 * DAY);
    expect(oldest(900_000)).toBeGreaterThanOrEqual(end - 30 * DAY);
    expect(store.rowCount()).toBeLessThanOrEqual(5000);

    const tight = new SqliteHistoryStore(db, tiersFor(5000, 30), 3000);
    tight.prune(end);
    expect(tight.rowCount()).toBe(3000);
    // The cap removes the finest, oldest rows first: the hourly tier survives whole.
    expect(oldest(3_600_000)).toBeLessThan(end - 29 * DAY);
  });

  it('re-opening runs no migration twice and keeps rows', () => {
    const a = new SqliteHistoryStore(db, tiersFor(5000, 30), 50_000);
    a.append(sample(T0, 1, () => 1000));
    const b = new SqliteHistoryStore(db, tiersFor(5000, 30), 50_000);
    expect(b.rowCount()).toBe(1);
  });
});

describe('exportHistory', () => {
  it('exports CSV with a header and one row per stored bucket, and JSON with the same points', () => {
    const store = new SqliteHistoryStore(db, tiersFor(5000, 30), 50_000);
    for (let k = 0; k < 24; k++) store.append(sample(T0 + k * 5000, 4, (i) => (i + 1) * 1000));
    store.flush();
    const csv = exportHistory(db, { sinceMs: T0, untilMs: T0 + 120_000, format: 'csv' })
      .trim()
      .split('\n');
    expect(csv).toHaveLength(25);
    const header = csv[0]?.split(',') ?? [];
    const row = csv[1]?.split(',') ?? [];
    const col = (name: string) => row[header.indexOf(name)];
    expect(col('time')).toBe('2026-01-01T00:00:00.000Z');
    expect(col('delivered')).toBe('4');
    expect(col('end_to_end_count')).toBe('4');
    expect(Number(col('end_to_end_max_ms'))).toBe(4);
    expect(header).toContain('delivery_p95_ms');
    const json = JSON.parse(exportHistory(db, { sinceMs: T0, untilMs: T0 + 120_000, format: 'json' })) as {
      points: unknown[];
    };
    expect(json.points).toHaveLength(24);
  });

  it('exports nothing but a header from a database without monitor tables', () => {
    expect(exportHistory(db, { sinceMs: 0, format: 'csv' }).split('\n')[0]).toMatch(/^time,at_ms/);
  });

  it('parses --since durations', () => {
    expect(parseDuration('24h')).toBe(DAY);
    expect(parseDuration('7d')).toBe(7 * DAY);
    expect(parseDuration('90s')).toBe(90_000);
    expect(() => parseDuration('yesterday')).toThrow(/invalid duration/);
  });
});
