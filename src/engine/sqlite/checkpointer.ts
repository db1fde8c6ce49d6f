import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../ports/logger.js';

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit crosses the WAL
 * size threshold and fsyncs the database file there: with better-sqlite3 (synchronous) that stalled the engine's
 * event loop for 8-28 ms every few seconds (measured: per-task p99 8.8 ms with autocheckpoint, 0.5 ms without).
 * The engine turns autocheckpoint off and this worker thread, on its own connection, checkpoints:
 * - PASSIVE (never blocks the engine) every `intervalMs` after commits, and at once when the WAL passes
 *   `walLimitBytes`. A PASSIVE checkpoint cannot finish while commits keep coming, and only a finished one lets the
 *   next commit start the WAL over (cut back to `journal_size_limit`): under a steady burst the file grew by about
 *   40 KB a task without end.
 * - TRUNCATE when the WAL is past twice the limit (it holds off the engine's next commit for the short tail of the
 *   checkpoint: frames PASSIVE already copied are not copied again), and when the engine has been idle for `idleMs`.
 * - Idle after that: no polling until the WAL is written again (inotify on the -wal file).
 */
const WORKER_SOURCE = `
const { statSync, watch } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const { path, intervalMs, pollMs, idleMs, walLimitBytes, asleepMs } = workerData;
// fileMustExist: a worker that starts late must never create an empty database where the engine's was deleted.
const db = new Database(path, { timeout: 1000, fileMustExist: true });
db.pragma('journal_size_limit = ' + walLimitBytes);
// Checkpoints copy WAL frames without the page cache; keep this connection's cache small (default 16,000 KiB).
db.pragma('cache_size = -256');
const dataVersion = db.prepare('PRAGMA data_version').pluck();
const walSize = () => { try { return statSync(path + '-wal').size; } catch { return 0; } };
// Returns the WAL's size after it.
const checkpoint = (mode) => {
  try {
    const [r] = db.pragma('wal_checkpoint(' + mode + ')');
    const walBytes = walSize();
    parentPort.postMessage({ checkpoint: mode, done: r.busy === 0 && r.log === r.checkpointed, walBytes });
    return walBytes;
  } catch (err) { parentPort.postMessage({ error: String(err) }); return walSize(); }
};
// data_version changes when another connection commits: a poll is one cheap read and a stat.
let seen = -1, changedAt = 0, lastPassive = 0, truncated = true, timer = null, watcher = null, stopped = false;
// Polled every pollMs while the WAL grows fast (a burst: a checkpoint must not come late), less often (up to 8x) while
// it grows slowly (the monitor's history every few seconds).
let interval = pollMs, lastSize = 0;
const poll = () => {
  timer = null;
  const now = Date.now();
  const version = dataVersion.get();
  if (version !== seen) { seen = version; changedAt = now; truncated = false; }
  const size = walSize();
  let after = size;
  if (size > 2 * walLimitBytes) { after = checkpoint('TRUNCATE'); lastPassive = now; }
  else if (changedAt > lastPassive && (size > walLimitBytes || now - lastPassive >= intervalMs)) { after = checkpoint('PASSIVE'); lastPassive = now; }
  else if (!truncated && now - changedAt >= idleMs) { after = checkpoint('TRUNCATE'); truncated = true; }
  if (stopped) return;
  const grew = size - lastSize;
  lastSize = after;
  interval = grew > 64 * 1024 || size > walLimitBytes / 2 ? pollMs : Math.min(interval * 2, 8 * pollMs);
  if (truncated) sleep(); else timer = setTimeout(poll, interval);
};
// Idle (WAL truncated, no commit for idleMs): no polling (40 wake-ups a second were most of an idle engine's CPU);
// the first write to the WAL wakes the worker through inotify, and a slow poll covers a watch that cannot be set.
const sleep = () => {
  try { watcher = watch(path + '-wal', { persistent: false }, wake); watcher.on('error', () => {}); } catch { watcher = null; }
  timer = setTimeout(wake, asleepMs);
};
const wake = () => {
  if (watcher) { watcher.close(); watcher = null; }
  if (timer) clearTimeout(timer);
  if (!stopped) poll();
};
poll();
parentPort.on('message', (msg) => {
  if (msg !== 'stop') return;
  stopped = true;
  if (watcher) watcher.close();
  if (timer) clearTimeout(timer);
  checkpoint('TRUNCATE');
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

export interface CheckpointerOptions {
  /** PASSIVE checkpoint at most this often while commits come. @default 1000 */
  intervalMs?: number;
  /** How often the worker looks at the WAL (a stat and a data_version read: microseconds). @default 25 */
  pollMs?: number;
  /** After this long without a commit, TRUNCATE the WAL. @default 2000 */
  idleMs?: number;
  /**
   * Once the WAL is truncated the worker stops polling: a write to the WAL wakes it (inotify), or this much time
   * (in case the watch could not be set). @default 5000
   */
  asleepMs?: number;
  /** WAL size that triggers a checkpoint at once (twice it: TRUNCATE); also `journal_size_limit`. @default 8 MiB */
  walLimitBytes?: number;
}

interface WorkerMessage {
  error?: string;
  stopped?: boolean;
  checkpoint?: string;
  walBytes?: number;
}

export class Checkpointer {
  private readonly worker: Worker;
  private readonly path: string;
  private closing: Promise<void> | undefined;
  /** Checkpoints made, by mode (for status and tests). */
  readonly counts: Record<string, number> = {};
  readonly walLimitBytes: number;

  constructor(dbPath: string, logger: Logger, options: CheckpointerOptions = {}) {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    this.path = dbPath;
    this.walLimitBytes = options.walLimitBytes ?? 8 * 1024 * 1024;
    const workerData = {
      path: dbPath,
      module,
      intervalMs: options.intervalMs ?? 1000,
      pollMs: options.pollMs ?? 25,
      idleMs: options.idleMs ?? 2000,
      asleepMs: options.asleepMs ?? 5000,
      walLimitBytes: this.walLimitBytes,
    };
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    this.worker.on('message', (msg: WorkerMessage) => {
      if (msg.error) logger.warn('WAL checkpoint failed; will try again', { error: msg.error });
      if (msg.checkpoint) this.counts[msg.checkpoint] = (this.counts[msg.checkpoint] ?? 0) + 1;
    });
    this.worker.on('error', (err) => logger.error('WAL checkpoint worker failed', { error: String(err) }));
    this.worker.unref();
  }

  /** Size of the database file and of its WAL now (a stat each: no I/O beyond the inode). */
  sizes(): { databaseBytes: number; walBytes: number } {
    return { databaseBytes: fileSize(this.path), walBytes: fileSize(`${this.path}-wal`) };
  }

  /** Final checkpoint (TRUNCATE), then the worker exits. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.worker.ref(); // keep the process alive until the final checkpoint is done
      const done = () => resolve();
      this.worker.once('exit', done);
      this.worker.on('message', (msg: WorkerMessage) => {
        if (msg.stopped) void this.worker.terminate().then(done, done);
      });
      this.worker.postMessage('stop');
      setTimeout(() => void this.worker.terminate().then(done, done), 5000).unref();
    });
    return this.closing;
  }
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
