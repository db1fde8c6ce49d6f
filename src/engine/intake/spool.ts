import { constants, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../ports/logger.js';
import type { Clock } from '../ports/clock.js';
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
}

export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  batchSize: number;
  rescanMs: number;
  /** Commit a batch in one transaction; called with files in name order. */
  accept: (files: SpoolFile[]) => AcceptOutcome;
  onRejected?: (name: string, reason: string) => void;
  clock: Clock;
  logger: Logger;
}

const O_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Maildir spool intake: watches new/ (chokidar), rescans at start and every `rescanMs`, reads files safely
 * (no symlinks, no fifos, size-capped), commits them in batches and only then removes them.
 */
export class SpoolIntake {
  readonly dirs: SpoolDirs;
  private readonly opts: SpoolOptions;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly seen = new Map<string, number>();
  private draining: Promise<void> | undefined;
  private again = false;
  private full = false;
  private closed = false;

  constructor(opts: SpoolOptions) {
    this.opts = opts;
    this.dirs = prepareSpool(opts.dir);
  }

  async start(): Promise<void> {
    await this.scan();
    this.watcher = watch(this.dirs.new, { depth: 0, ignoreInitial: true, persistent: true, atomic: false });
    this.watcher.on('add', (path: string) => this.onAdd(path));
    this.watcher.on('error', (err: unknown) => this.opts.logger.warn('spool watcher error', { error: String(err) }));
    await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
    await this.scan(); // files renamed in between start and ready
    this.timer = setInterval(() => { void this.scan(); }, this.opts.rescanMs);
    this.timer.unref();
  }

  private onAdd(path: string): void {
    const name = path.slice(this.dirs.new.length + 1);
    if (!name || name.includes('/')) return;
    if (!this.seen.has(name)) this.seen.set(name, this.opts.clock.now());
    this.schedule();
  }

  /** Capacity freed: try the files that waited. */
  kick(): void {
    if (this.full) {
      this.full = false;
      void this.scan();
    }
  }

  /** Full rescan of new/ (safety net for missed events). */
  async scan(): Promise<void> {
    if (this.closed) return;
    let names: string[];
    try {
      names = await fsp.readdir(this.dirs.new);
    } catch (err) {
      this.opts.logger.error('spool rescan failed', { error: String(err) });
      return;
    }
    const now = this.opts.clock.now();
    for (const name of names) if (!this.seen.has(name)) this.seen.set(name, now);
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

  private async drain(): Promise<void> {
    while (!this.closed && !this.full && this.seen.size > 0) {
      const batch = [...this.seen.keys()].sort().slice(0, this.opts.batchSize);
      await this.processBatch(batch);
      // Yield so intake never starves delivery.
      await new Promise((r) => setImmediate(r));
    }
  }

  private async processBatch(names: string[]): Promise<void> {
    const files: SpoolFile[] = [];
    const rejected: Array<{ name: string; reason: string }> = [];
    for (const name of names) {
      const receivedAt = this.seen.get(name) ?? this.opts.clock.now();
      const read = await this.readOne(name);
      if (read === null) { this.seen.delete(name); continue; } // already gone
      if ('reason' in read) { rejected.push({ name, reason: read.reason }); continue; }
      const parsed = parseTrigger(read.bytes, 'spool', receivedAt);
      if (!parsed.ok) { rejected.push({ name, reason: `${parsed.code}: ${parsed.reason}` }); continue; }
      // The file name is the idempotency key unless the trigger names one: a crash between commit and unlink
      // re-reads the file at start and finds its task instead of typing it twice.
      files.push({ name, task: { ...parsed.task, idemKey: parsed.task.idemKey ?? `spool:${name}` } });
    }
    const outcome = files.length ? this.opts.accept(files) : { committed: [], rejected: [], full: false };
    for (const name of outcome.committed) {
      await fsp.unlink(join(this.dirs.new, name)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') this.opts.logger.error('cannot remove committed spool file', { name, error: err.message });
      });
      this.seen.delete(name);
    }
    for (const r of [...rejected, ...outcome.rejected]) {
      await this.reject(r.name, r.reason);
      this.seen.delete(r.name);
    }
    if (outcome.full) this.full = true;
  }

  private async readOne(name: string): Promise<{ bytes: Uint8Array } | { reason: string } | null> {
    const path = join(this.dirs.new, name);
    let st;
    try {
      st = await fsp.lstat(path);
    } catch {
      return null;
    }
    if (st.isSymbolicLink()) return { reason: 'WHT_ERR_BAD_TRIGGER: is a symlink (not followed)' };
    if (!st.isFile()) return { reason: 'WHT_ERR_BAD_TRIGGER: not a regular file' };
    if (st.size > this.opts.maxBytes) return { reason: `WHT_ERR_TOO_LARGE: ${st.size} bytes is over the limit of ${this.opts.maxBytes}` };
    let handle;
    try {
      handle = await fsp.open(path, O_READ);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      return { reason: `WHT_ERR_BAD_TRIGGER: cannot open (${code ?? String(err)})` };
    }
    try {
      const fst = await handle.stat();
      if (!fst.isFile()) return { reason: 'WHT_ERR_BAD_TRIGGER: not a regular file' };
      if (fst.size > this.opts.maxBytes) return { reason: `WHT_ERR_TOO_LARGE: ${fst.size} bytes is over the limit of ${this.opts.maxBytes}` };
      const buf = Buffer.alloc(this.opts.maxBytes + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      if (bytesRead > this.opts.maxBytes) return { reason: `WHT_ERR_TOO_LARGE: over the limit of ${this.opts.maxBytes} bytes` };
      return { bytes: buf.subarray(0, bytesRead) };
    } finally {
      await handle.close();
    }
  }

  private async reject(name: string, reason: string): Promise<void> {
    const from = join(this.dirs.new, name);
    const to = join(this.dirs.rejected, name);
    try {
      await fsp.rename(from, to);
      await fsp.writeFile(`${to}.reason`, `${reason}\n`, { mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.opts.logger.error('cannot move rejected spool file', { name, error: String(err) });
      return;
    }
    this.opts.logger.warn('spool file rejected', { name, reason });
    this.opts.onRejected?.(name, reason);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.watcher?.close();
    await this.draining;
  }
}
