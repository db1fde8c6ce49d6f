/**
 * Queue store throughput: enqueue + claim + complete through the SQLite store, no tmux.
 * Prints tasks/s one by one and batched, for synchronous=NORMAL (the default) beside synchronous=FULL (baseline:
 * an fsync per commit), and NORMAL without the event log (the triggers that write `events` and the callback outbox
 * on every state change dropped: what that log costs), plus head()/stats() cost and RSS with a deep queue.
 *
 *   npm run bench:queue                 # N=20000, deep queue 100000
 *   BENCH_N=50000 BENCH_DEEP=1000000 npm run bench:queue
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, SqliteStore } from '../src/engine/sqlite/queue-store.js';
import { buildStats } from '../src/engine/stats.js';
import type { TaskRow } from '../src/engine/queue/store.js';
import { Checkpointer } from '../src/engine/sqlite/checkpointer.js';
import { silentLogger } from '../src/engine/ports/logger.js';

const N = Number(process.env.BENCH_N ?? 20_000);
const DEEP = Number(process.env.BENCH_DEEP ?? 100_000);
const BATCH = 100;

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

/** A store set up as the engine sets it up: WAL checkpoints in a worker thread, not inside commits. */
async function withStore<T>(sync: 'NORMAL' | 'FULL', fn: (store: SqliteStore) => T, noLog = false): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'wht-bench-'));
  const path = join(dir, 'q.db');
  const db = openDatabase(path, { synchronous: sync });
  if (noLog) db.exec('DROP TRIGGER tasks_event_insert; DROP TRIGGER tasks_event_update;');
  const store = new SqliteStore(db);
  store.db.pragma('wal_autocheckpoint = 0');
  const checkpointer = new Checkpointer(path, silentLogger);
  try {
    return fn(store);
  } finally {
    await checkpointer.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function oneByOne(store: SqliteStore, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const now = Date.now();
    store.insertMany([row(i)], now, 0);
    const head = store.head(`t${i % 4}`)!;
    store.markDelivering(head.id, now, null);
    store.markDelivered(head.id, now);
  }
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function deepQueue(): Promise<void> {
  await withStore('NORMAL', (store) => {
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

const results: Record<string, number[]> = {};
for (let round = 0; round < 3; round++) {
  for (const sync of ['NORMAL', 'FULL'] as const) {
    const n = sync === 'FULL' ? Math.min(N, 5000) : N;
    (results[`${sync} one-by-one`] ??= []).push(await withStore(sync, (s) => oneByOne(s, n)));
    (results[`${sync} batched`] ??= []).push(await withStore(sync, (s) => batched(s, N)));
  }
  (results['NORMAL one-by-one, no event log'] ??= []).push(await withStore('NORMAL', (s) => oneByOne(s, N), true));
  (results['NORMAL batched, no event log'] ??= []).push(await withStore('NORMAL', (s) => batched(s, N), true));
}
console.log(
  `queue store: enqueue + claim + complete, median of 3 rounds (N=${N}; FULL one-by-one N=${Math.min(N, 5000)})`,
);
for (const [name, xs] of Object.entries(results))
  console.log(`  ${name.padEnd(32)} ${median(xs).toFixed(0).padStart(8)} tasks/s`);
const normal = median(results['NORMAL one-by-one']!);
const full = median(results['FULL one-by-one']!);
console.log(
  `  ratio NORMAL/FULL one-by-one: ${(normal / full).toFixed(1)}x; batched/one-by-one (NORMAL): ${(median(results['NORMAL batched']!) / normal).toFixed(1)}x`,
);
console.log(
  `  event log cost (NORMAL): one-by-one ${(median(results['NORMAL one-by-one, no event log']!) / normal).toFixed(2)}x, batched ${(median(results['NORMAL batched, no event log']!) / median(results['NORMAL batched']!)).toFixed(2)}x faster without it`,
);
console.log(`  targets (issue 2): >= 10,000 tasks/s one by one, >= 30,000 batched; the old system: 16.7 triggers/s`);
await deepQueue();
