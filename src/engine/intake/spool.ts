import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  promises as fsp,
  readdirSync,
  readSync,
  unlinkSync,
  watch,
  type FSWatcher,
} from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../ports/logger.js';
import { timersOf, type Clock, type ClockTimer } from '../ports/clock.js';
import type { NewTask } from '../types.js';
import { parseTrigger } from './trigger.js';
import { prepareSpool, type SpoolDirs } from './spool-dirs.js';

export interface SpoolFile {
  name: string;
  task: NewTask;
}

export interface AcceptOutcome {
  /** Files (in order) whose tasks are committed: they are removed. */
  committed: string[];
  /** Files refused with a reason: moved to rejected/. */
  rejected: Array<{ name: string; reason: string }>;
  /** true when the queue is full: the rest stays in new/ until `kick()`. */
  full: boolean;
  /** true when the database cannot be written now: the files stay in new/ until `kick()` (nothing logged here). */
  unavailable?: boolean;
}

export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  batchSize: number;
  rescanMs: number;
  /** Commit a batch in one transaction; called with files in name order. */
  accept: (files: SpoolFile[]) => AcceptOutcome;
  /** How many more tasks the queue takes now; intake reads no more files than that. @default Infinity */
  room?: () => number;
  onRejected?: (name: string, reason: string) => void;
  clock: Clock;
  logger: Logger;
}

const O_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Maildir spool intake. A watch on new/ (inotify through `fs.watch`) only wakes the intake up; every batch then
 * lists new/ and takes the oldest names in order, so files are committed in the order they were renamed in (for one
 * writer) however the events arrive, and a missed event delays a trigger by at most `rescanMs`, never loses it.
 * chokidar is not used here: on each event it re-reads the whole directory and lstat()s every entry, and it opens
 * one watch per file; in a 2,000-file burst that was most of the engine's CPU (bench/e2e-latency profile).
 * Files are read safely (no symlinks followed, no fifos opened for blocking reads, size-capped), committed in
 * batches, and removed only after their batch is committed.
 */
export class SpoolIntake {
  readonly dirs: SpoolDirs;
  private readonly opts: SpoolOptions;
  private watcher: FSWatcher | undefined;
  private timer: ClockTimer | undefined;
  /** When each name in new/ was first noticed (its receivedAt). */
  private readonly firstSeen = new Map<string, number>();
  private draining: Promise<void> | undefined;
  private again = false;
  private full = false;
  private closed = false;
  /** new/ in name order as last read; read again after a watch event or the rescan timer. */
  private listing: string[] | null = null;
  /**
   * Names this intake removed from new/ (committed, rejected) whose watch event has not come yet: that event is not a
   * reason to list new/ again (in a burst, half of all events; each listing is a readdir and a sort).
   */
  private readonly removed = new Set<string>();
  /** Backpressure: since when the queue has been full, and how many files were committed since. */
  private fullSince: number | null = null;
  private waited = 0;

  constructor(opts: SpoolOptions) {
    this.opts = opts;
    this.dirs = prepareSpool(opts.dir);
  }

  async start(): Promise<void> {
    this.watcher = watch(this.dirs.new, { persistent: true }, (_event, name) => {
      // Our own removal of a file we took changes nothing the listing does not know already.
      if (typeof name === 'string' && this.removed.delete(name)) return;
      this.touch();
    });
    this.watcher.on('error', (err: unknown) =>
      this.opts.logger.warn('spool watcher error; the rescan still runs', { error: String(err) }),
    );
    this.schedule();
    await this.draining;
    this.timer = timersOf(this.opts.clock).setInterval(() => {
      this.removed.clear(); // events that never came (a watch that failed) do not pile up
      this.touch();
    }, this.opts.rescanMs);
    this.timer.unref();
  }

  /** Capacity freed: try the files that waited. */
  kick(): void {
    if (this.full) {
      this.full = false;
      this.schedule();
    }
  }

  /** Look at new/ now (also what every watch event and the periodic rescan do). */
  async scan(): Promise<void> {
    this.touch();
    await this.draining;
  }

  /** new/ may have changed: list it again before the next batch. */
  private touch(): void {
    this.listing = null;
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.full) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    });
  }

  /**
   * new/ in name order. While the queue is full every finished delivery asks for one file: the listing is kept
   * between batches (read again only after a watch event or the rescan) so that costs no directory read and sort.
   */
  private listNew(): string[] {
    if (this.listing) return this.listing;
    try {
      this.listing = readdirSync(this.dirs.new).sort();
    } catch (err) {
      this.opts.logger.error('cannot list the spool', { error: String(err) });
      return [];
    }
    const now = this.opts.clock.now();
    for (const name of this.listing) if (!this.firstSeen.has(name)) this.firstSeen.set(name, now);
    if (this.listing.length === 0) this.firstSeen.clear();
    return this.listing;
  }

  private async drain(): Promise<void> {
    // A file that stays in new/ after its turn (it could not be removed or moved) waits for the next rescan
    // instead of spinning this loop.
    const tried = new Set<string>();
    while (!this.closed && !this.full) {
      const room = this.opts.room?.() ?? Infinity;
      const listed = this.listNew();
      const waiting = listed.filter((n) => !tried.has(n));
      if (waiting.length === 0) return this.caughtUp();
      // Strict name order: never read more files than the queue takes, so none is passed over for a later one.
      if (room <= 0) return this.setFull(waiting.length);
      const names = waiting.slice(0, Math.min(this.opts.batchSize, room));
      for (const n of names) tried.add(n);
      await this.processBatch(names);
      const handled = new Set(names.filter((n) => !this.firstSeen.has(n)));
      if (this.listing) this.listing = this.listing.filter((n) => !handled.has(n));
      // Yield so intake never starves delivery.
      await new Promise((r) => setImmediate(r));
    }
  }

  private setFull(waiting: number): void {
    this.full = true;
    if (this.fullSince !== null) return;
    this.fullSince = this.opts.clock.now();
    this.waited = 0;
    this.opts.logger.warn('queue full: spool files wait in new/', { waiting });
  }

  private caughtUp(): void {
    if (this.fullSince === null) return;
    const waitedMs = this.opts.clock.now() - this.fullSince;
    this.fullSince = null;
    this.opts.logger.info('queue has room again: spool intake caught up', { waitedFiles: this.waited, waitedMs });
  }

  private async processBatch(names: string[]): Promise<void> {
    const files: SpoolFile[] = [];
    const rejected: Array<{ name: string; reason: string }> = [];
    for (const name of names) {
      const receivedAt = this.firstSeen.get(name) ?? this.opts.clock.now();
      const read = this.readOne(name);
      if (read === null) {
        this.firstSeen.delete(name);
        continue;
      } // already gone
      if ('reason' in read) {
        rejected.push({ name, reason: read.reason });
        continue;
      }
      const parsed = parseTrigger(read.bytes, 'spool', receivedAt);
      if (!parsed.ok) {
        rejected.push({ name, reason: `${parsed.code}: ${parsed.reason}` });
        continue;
      }
      // The file name is the idempotency key unless the trigger names one: a crash between commit and unlink
      // re-reads the file at start and finds its task instead of typing it twice.
      files.push({ name, task: { ...parsed.task, idemKey: parsed.task.idemKey ?? `spool:${name}` } });
    }
    const outcome = files.length ? this.opts.accept(files) : { committed: [], rejected: [], full: false };
    if (this.fullSince !== null) this.waited += outcome.committed.length;
    for (const name of outcome.committed) {
      try {
        unlinkSync(join(this.dirs.new, name));
        this.removed.add(name);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          this.opts.logger.error('cannot remove committed spool file', { name, error: String(err) });
      }
      this.firstSeen.delete(name);
    }
    for (const r of [...rejected, ...outcome.rejected]) {
      await this.reject(r.name, r.reason);
      this.firstSeen.delete(r.name);
    }
    if (outcome.unavailable) this.full = true;
    else if (outcome.full) this.setFull(names.length - outcome.committed.length);
  }

  /**
   * Read one file without following a symlink (O_NOFOLLOW) and without blocking on a fifo (O_NONBLOCK); fstat on
   * the open descriptor decides what it is. Synchronous: a few microseconds per small local file, far less than
   * the thread-pool round trips of the async API.
   */
  private readOne(name: string): { bytes: Uint8Array } | { reason: string } | null {
    const path = join(this.dirs.new, name);
    let fd: number;
    try {
      fd = openSync(path, O_READ);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      if (code === 'ELOOP') return { reason: 'WHT_ERR_BAD_TRIGGER: is a symlink (not followed)' };
      return { reason: `WHT_ERR_BAD_TRIGGER: cannot open (${code ?? String(err)})` };
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return { reason: 'WHT_ERR_BAD_TRIGGER: not a regular file' };
      if (st.size > this.opts.maxBytes)
        return { reason: `WHT_ERR_TOO_LARGE: ${st.size} bytes is over the limit of ${this.opts.maxBytes}` };
      const buf = Buffer.allocUnsafe(st.size + 1);
      const n = readSync(fd, buf, 0, buf.length, 0);
      if (n > this.opts.maxBytes) return { reason: `WHT_ERR_TOO_LARGE: over the limit of ${this.opts.maxBytes} bytes` };
      return { bytes: buf.subarray(0, n) };
    } finally {
      closeSync(fd);
    }
  }

  private async reject(name: string, reason: string): Promise<void> {
    const from = join(this.dirs.new, name);
    const to = join(this.dirs.rejected, name);
    try {
      await fsp.rename(from, to);
      this.removed.add(name);
      await fsp.writeFile(`${to}.reason`, `${reason}\n`, { mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.opts.logger.error('cannot move rejected spool file', { name, error: String(err) });
      return;
    }
    this.opts.logger.warn('spool file rejected', { name, reason });
    this.opts.onRejected?.(name, reason);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) timersOf(this.opts.clock).clearInterval(this.timer);
    this.watcher?.close();
    await this.draining;
  }
}
