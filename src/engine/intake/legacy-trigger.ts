import { promises as fsp, constants } from 'node:fs';
import { basename, dirname } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { toWhtError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import type { EnqueueResult, NewTask } from '../types.js';
import { parseTrigger } from './trigger.js';

const RECHECK_MS = 150;

export interface LegacyOptions {
  path: string;
  maxBytes: number;
  logger: Logger;
  enqueue: (task: NewTask) => EnqueueResult;
  onRejected: (name: string, reason: string) => void;
}

/**
 * The old single-file protocol (`echo CMD > FILE`): read the file, remove it, enqueue its content as one command.
 * Lossy by nature: writers that overwrite the file before it is read lose their trigger. Kept for migrations only;
 * use the spool.
 */
export class LegacyTriggerFile {
  private readonly opts: LegacyOptions;
  private watcher: FSWatcher | undefined;
  private busy: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(opts: LegacyOptions) {
    this.opts = opts;
  }

  async start(): Promise<void> {
    await fsp.mkdir(dirname(this.opts.path), { recursive: true, mode: 0o700 });
    this.watcher = watch(dirname(this.opts.path), { depth: 0, ignoreInitial: false, atomic: false });
    const onEvent = (path: string) => {
      if (basename(path) === basename(this.opts.path)) this.schedule();
    };
    this.watcher.on('add', onEvent).on('change', onEvent);
    this.watcher.on('error', (err: unknown) =>
      this.opts.logger.warn('legacy trigger watcher error', { error: String(err) }),
    );
    await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
  }

  private schedule(): void {
    this.busy = this.busy
      .then(() => this.consume())
      .catch((err: unknown) => this.opts.logger.error('legacy trigger failed', { error: String(err) }));
  }

  /**
   * The watcher misses a file written within about 50 ms after the previous one was removed (measured: 13 of 40
   * lost with chokidar), so every consumed trigger is followed by one more look a little later.
   */
  private lookAgain(): void {
    if (this.closed) return;
    const timer = setTimeout(() => this.schedule(), RECHECK_MS);
    timer.unref();
  }

  private async consume(): Promise<void> {
    if (this.closed) return;
    const receivedAt = Date.now();
    let bytes: Buffer;
    try {
      const handle = await fsp.open(this.opts.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      try {
        const st = await handle.stat();
        if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
        bytes = Buffer.alloc(Math.min(st.size, this.opts.maxBytes + 1));
        await handle.read(bytes, 0, bytes.length, 0);
      } finally {
        await handle.close();
      }
      await fsp.unlink(this.opts.path);
      this.lookAgain();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      await fsp.unlink(this.opts.path).catch(() => {});
      this.reject(`cannot read trigger file: ${code ?? String(err)}`);
      return;
    }
    if (bytes.length > this.opts.maxBytes) return this.reject(`WHT_ERR_TOO_LARGE: over ${this.opts.maxBytes} bytes`);
    if (bytes.length === 0) return;
    const parsed = parseTrigger(bytes, 'legacy', receivedAt);
    if (!parsed.ok) return this.reject(`${parsed.code}: ${parsed.reason}`);
    try {
      this.opts.enqueue(parsed.task);
    } catch (err) {
      const e = toWhtError(err, 'WHT_ERR_BAD_TRIGGER');
      this.reject(`${e.code}: ${e.message}`);
    }
  }

  private reject(reason: string): void {
    this.opts.logger.warn('legacy trigger rejected', { reason });
    this.opts.onRejected(basename(this.opts.path), reason);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.watcher?.close();
    await this.busy;
  }
}
