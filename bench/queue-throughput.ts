/**
 * Queue store throughput: enqueue + claim + complete through the SQLite store, no tmux, set up as the engine runs it
 * (synchronous=NORMAL, WAL, automatic checkpoints off, the checkpointer worker thread).
 *
 * One by one: per task insertMany([row]) (the acknowledgement: committed before it returns), head(),
 * markDelivering() (committed before anything would be typed), markDelivered() (deferred: group commit, committed
 * with the next task's insert). So one by one is TWO commits a task now. Beside it in the same run:
 * - "3 commits/task": the same store with commit() after markDelivered, every write its own commit (how main did it);
 * - "schema 2 (main's), 3 commits/task": the same, on a database that stops at migration 2 (main's triggers and
 *   indexes: an `events` row with two indexes per change, seven indexes on tasks);
 * - FULL (an fsync per commit), and NORMAL without the event log (the triggers dropped: what the log costs).
 * Batched: insertMany of 100 in one transaction, then one transaction of 100 x (head, markDelivering, markDelivered).
 * Also: WAL bytes a task adds (nothing checkpointing), head()/stats() cost and RSS with a deep queue.
 *
 *   npm run bench:queue                 # N=20000, deep queue 100000
 *   BENCH_N=50000 BENCH_DEEP=1000000 npm run bench:queue
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../src/engine/sqlite/migrations.js';
import { openDatabase, SqliteStore } from '../src/engine/sqlite/queue-store.js';
import { buildStats } from '../src/engine/stats.js';
import type { TaskRow } from '../src/engine/queue/store.js';
import { Checkpointer } from '../src/engine/sqlite/checkpointer.js';
import { silentLogger } from '../src/engine/ports/logger.js';

const N = Number(process.env.BENCH_N ?? 20_000);
const DEEP = Number(process.env.BENCH_DEEP ?? 100_000);
const BATCH = 100;

type Schema = 'current' | 'v2' | 'no log';
interface Setup {
  sync: 'NORMAL' | 'FULL';
  schema: Schema;
  /** commit() after markDelivered: three commits a task. */
  threeCommits: boolean;
}

function row(i: number): TaskRow {
  return {
    text: `echo task ${i}`,
    target: `t${i % 4}`,
    priority: i % 3,
    category: 'default',
    idemKey: null,
    source: 'api',
    receivedAt: Date.now(),
  };
}

/** A database at migration 2 (main before issue 18), with openDatabase's settings. */
function openV2(path: string, sync: 'NORMAL' | 'FULL'): Database.Database {
  const db = new Database(path);
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync}`);
  db.pragma(`journal_size_limit = ${8 * 1024 * 1024}`);
  db.pragma('cache_size = -2048');
  for (const m of MIGRATIONS.slice(0, 2)) db.exec(m);
  db.pragma('user_version = 2');
  return db;
}

function open(path: string, s: Setup): SqliteStore {
  const db = s.schema === 'v2' ? openV2(path, s.sync) : openDatabase(path, { synchronous: s.sync });
  if (s.schema === 'no log')
    for (const t of [
      'tasks_event_insert',
      'tasks_event_insert_callback',
      'tasks_event_update',
      'tasks_event_update_callback',
    ])
      db.exec(`DROP TRIGGER ${t}`);
  const store = new SqliteStore(db);
  store.db.pragma('wal_autocheckpoint = 0');
  return store;
}

/** A store set up as the engine sets it up: WAL checkpoints in a worker thread, not inside commits. */
async function withStore<T>(s: Setup, fn: (store: SqliteStore) => T, checkpoints = true): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'wht-bench-'));
  const path = join(dir, 'q.db');
  const store = open(path, s);
  const checkpointer = checkpoints ? new Checkpointer(path, silentLogger) : undefined;
  try {
    return fn(store);
  } finally {
    await checkpointer?.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function cycle(store: SqliteStore, i: number, threeCommits: boolean): void {
  const now = Date.now();
  store.insertMany([row(i)], now, 0);
  const head = store.head(`t${i % 4}`)!;
  store.markDelivering(head.id, now, null);
  store.markDelivered(head.id, now);
  if (threeCommits) store.commit();
}

function oneByOne(store: SqliteStore, n: number, threeCommits: boolean): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) cycle(store, i, threeCommits);
  store.commit();
  return n / ((performance.now() - t0) / 1000);
}

function batched(store: SqliteStore, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i += BATCH) {
    const now = Date.now();
    store.insertMany(
      Array.from({ length: BATCH }, (_, k) => row(i + k)),
      now,
      0,
    );
    store.db
      .transaction(() => {
        for (let k = 0; k < BATCH; k++) {
          const head = store.head(`t${k % 4}`)!;
          store.markDelivering(head.id, now, null);
          store.markDelivered(head.id, now);
        }
      })
      .immediate();
  }
  return n / ((performance.now() - t0) / 1000);
}

/** WAL bytes per task one by one, nothing checkpointing (the WAL only grows). */
function walBytesPerTask(s: Setup, n = 2000): number {
  const dir = mkdtempSync(join(tmpdir(), 'wht-bench-'));
  const path = join(dir, 'q.db');
  const store = open(path, s);
  try {
    for (let i = 0; i < n; i++) cycle(store, i, s.threeCommits);
    store.commit();
    return statSync(`${path}-wal`).size / n;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function deepQueue(): Promise<void> {
  await withStore({ sync: 'NORMAL', schema: 'current', threeCommits: false }, (store) => {
    const rss0 = process.memoryUsage().rss;
    for (let i = 0; i < DEEP; i += 1000)
      store.insertMany(
        Array.from({ length: 1000 }, (_, k) => row(i + k)),
        Date.now(),
        0,
      );
    const heads: number[] = [];
    const stats: number[] = [];
    for (let i = 0; i < 200; i++) {
      let t = performance.now();
      store.head(`t${i % 4}`);
      heads.push(performance.now() - t);
      t = performance.now();
      buildStats(store, DEEP, false, Date.now());
      stats.push(performance.now() - t);
    }
    const rss = process.memoryUsage().rss;
    console.log(
      `deep queue: ${DEEP} queued tasks: head() p50 ${(median(heads) * 1000).toFixed(0)} µs, stats() p50 ${(median(stats) * 1000).toFixed(0)} µs, RSS ${(rss / 1e6).toFixed(0)} MB (+${((rss - rss0) / 1e6).toFixed(0)} MB)`,
    );
  });
}

const GROUP: Setup = { sync: 'NORMAL', schema: 'current', threeCommits: false };
const THREE: Setup = { ...GROUP, threeCommits: true };
const MAIN: Setup = { ...GROUP, schema: 'v2', threeCommits: true };
const ONE_BY_ONE: Array<[string, Setup, number]> = [
  ['NORMAL one-by-one (2 commits/task)', GROUP, N],
  ['NORMAL one-by-one, 3 commits/task', THREE, N],
  ["schema 2 (main's), 3 commits/task", MAIN, N],
  ['FULL one-by-one (2 commits/task)', { ...GROUP, sync: 'FULL' }, Math.min(N, 5000)],
  ['NORMAL one-by-one, no event log', { ...GROUP, schema: 'no log' }, N],
];
const BATCHED: Array<[string, Setup]> = [
  ['NORMAL batched', GROUP],
  ["schema 2 (main's) batched", MAIN],
  ['FULL batched', { ...GROUP, sync: 'FULL' }],
  ['NORMAL batched, no event log', { ...GROUP, schema: 'no log' }],
];

const load = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const results: Record<string, number[]> = {};
for (let round = 0; round < 3; round++) {
  for (const [name, s, n] of ONE_BY_ONE)
    (results[name] ??= []).push(await withStore(s, (st) => oneByOne(st, n, s.threeCommits)));
  for (const [name, s] of BATCHED) (results[name] ??= []).push(await withStore(s, (st) => batched(st, N)));
}
console.log(
  `queue store: enqueue + claim + complete, engine settings (WAL, checkpointer worker), median of 3 rounds (N=${N}; FULL one-by-one N=${Math.min(N, 5000)}); load average ${load} before, ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} after`,
);
for (const [name, xs] of Object.entries(results))
  console.log(`  ${name.padEnd(38)} ${median(xs).toFixed(0).padStart(8)} tasks/s`);
const m = (name: string) => median(results[name]!);
console.log(
  `  one by one: ${(m('NORMAL one-by-one (2 commits/task)') / m("schema 2 (main's), 3 commits/task")).toFixed(2)}x main's way, ${(m('NORMAL one-by-one (2 commits/task)') / m('NORMAL one-by-one, 3 commits/task')).toFixed(2)}x from group commit alone; batched: ${(m('NORMAL batched') / m("schema 2 (main's) batched")).toFixed(2)}x main's schema`,
);
console.log(
  `  event log cost (NORMAL): one-by-one ${(m('NORMAL one-by-one, no event log') / m('NORMAL one-by-one (2 commits/task)')).toFixed(2)}x, batched ${(m('NORMAL batched, no event log') / m('NORMAL batched')).toFixed(2)}x faster without it`,
);
console.log(`  goals (issue 18): >= 15,000 tasks/s one by one, >= 40,000 batched`);
const wal = (s: Setup) => (walBytesPerTask(s) / 1024).toFixed(1);
console.log(
  `WAL per task (one by one, nothing checkpointing): ${wal(GROUP)} KiB (2 commits), ${wal(THREE)} KiB (3 commits), ${wal(MAIN)} KiB (schema 2, 3 commits)`,
);
await deepQueue();
