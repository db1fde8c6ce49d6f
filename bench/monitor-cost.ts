// Monitor cost: CPU and RSS of a process that receives engine events at RATE tasks/s (queued+started+delivered
// per task), with the monitor attached vs not attached, and idle; steady state after a 5 s warm-up.
// Prints figures; never pass/fail.
// Usage: npm run bench:monitor -- [seconds=20] [rate=500]
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createMonitor, resolveMonitorConfig } from '../src/engine/monitor/index.js';
import type { EngineEventMap, QueueStats, Task } from '../src/engine/types.js';
import { openHistoryStore } from '../src/engine/sqlite/history-store.js';

const [, , secondsArg = '20', rateArg = '500', modeArg] = process.argv;
const seconds = Number(secondsArg);
const rate = Number(rateArg);

if (!modeArg) {
  const rows: Array<{ mode: string; cpu: number; rss: number; heap: number; tasks: number }> = [];
  for (const mode of ['off-idle', 'on-idle', 'off-load', 'on-load']) {
    const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), secondsArg, rateArg, mode], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(r.stderr);
    rows.push(
      JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
        mode: string;
        cpu: number;
        rss: number;
        heap: number;
        tasks: number;
      },
    );
  }
  console.log(`node ${process.version}, ${seconds} s per run, load = ${rate} tasks/s (3 events each)`);
  console.log('mode       cpu%(1 core)  rss MiB(end)  heap MiB(end)  tasks');
  for (const r of rows)
    console.log(
      `${r.mode.padEnd(10)} ${r.cpu.toFixed(2).padStart(12)}  ${r.rss.toFixed(1).padStart(12)}  ${r.heap.toFixed(1).padStart(13)}  ${r.tasks}`,
    );
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'wht-bench-'));
const db = new Database(join(dir, 'queue.db'));
db.pragma('journal_mode = WAL');
const events = new EventEmitter<EngineEventMap>();
const [on, load] = [modeArg.startsWith('on'), modeArg.endsWith('load')];
const noop = () => {};
let tasks = 0;
const stats = (): QueueStats => ({
  totalProcessed: tasks,
  successful: tasks,
  failed: 0,
  failedAttempts: 0,
  retries: 0,
  rateLimited: 0,
  received: tasks,
  deduplicated: 0,
  avgProcessingMs: 0,
  avgEndToEndMs: 0,
  peakQueueSize: 0,
  depth: {
    queued: 0,
    delivering: 0,
    retrying: 0,
    delivered: tasks,
    working: 0,
    completed: 0,
    stalled: 0,
    dead: 0,
    dropped: 0,
    forwarded: 0,
  },
  pending: 0,
  capacity: 10000,
  oldestPendingAgeMs: 0,
  paused: false,
});
const monitor = on
  ? createMonitor({
      events,
      history: openHistoryStore(db, resolveMonitorConfig({})),
      stats,
      clock: { now: () => Date.now() },
      logger: { debug: noop, info: noop, warn: noop, error: noop },
      config: resolveMonitorConfig({}),
      checks: {
        dbWritable: () => true,
        spoolOk: () => ({ ok: true }),
        tmuxReachable: async () => true,
        targets: async () => [],
        dataDirs: [dir],
      },
      watchedPids: async () => [process.ppid],
    })
  : null;
monitor?.start();
const start = Date.now();
const timer = load
  ? setInterval(() => {
      const now = Date.now();
      // Catch up to the intended count so timer drift does not lower the rate.
      const due = Math.floor(((now - start) / 1000) * rate);
      while (tasks < due) {
        const id = ++tasks;
        const task: Task = {
          id,
          text: 'x',
          target: 'default',
          priority: 0,
          category: 'c',
          idemKey: null,
          source: 'spool',
          state: 'delivered',
          attempts: 1,
          nextAttemptAt: 0,
          errors: [],
          receivedAt: now - 20 - (id % 50),
          committedAt: now - 18,
          startedAt: now - 5,
          deliveredAt: now,
          finishedAt: now,
        };
        events.emit('task:queued', task);
        events.emit('task:started', task);
        events.emit('task:delivered', task);
      }
    }, 10)
  : null;
// Read the snapshot 4 times a second, like the dashboard.
const snap = monitor ? setInterval(() => monitor.snapshot(), 250) : null;
// Warm up 5 s (JIT, first health check, first samples), then measure the steady state.
await new Promise((r) => setTimeout(r, 5000));
const t0 = process.cpuUsage();
const h0 = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, seconds * 1000));
if (timer) clearInterval(timer);
if (snap) clearInterval(snap);
const cpu = process.cpuUsage(t0);
const elapsedUs = Number(process.hrtime.bigint() - h0) / 1000;
const mem = process.memoryUsage();
await monitor?.close();
db.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    mode: modeArg,
    cpu: (100 * (cpu.user + cpu.system)) / elapsedUs,
    rss: mem.rss / 1048576,
    heap: mem.heapUsed / 1048576,
    tasks,
  }),
);
