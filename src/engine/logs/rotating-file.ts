import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { archiveName, shouldRotate, type LogSeries, type RotateReason, type RotationPolicy } from './policy.js';

export interface RotatingFileOptions {
  dir: string;
  series: LogSeries;
  policy: RotationPolicy;
  /** Called with the path of each rotated (renamed, still plain) file. */
  onRotated: (path: string, reason: RotateReason) => void;
  /** After a failed write, the file is tried again at most this often. @default 2000 */
  retryMs?: number;
}

/**
 * One log file that rotates itself: every line is one synchronous append (whole, so a line is never split across
 * files and a crash loses nothing already logged); before a line that would pass `maxBytes`, or the first line after
 * the daily boundary, the file is closed, renamed `<series>-YYYYMMDD-HHMMSS.log` and a new one opened, all in the
 * same call, so no line can land between them. Never copy-then-truncate.
 * A failed write (disk full, read-only) closes the file; `write` returns false until a retry succeeds.
 */
export class RotatingFile {
  readonly path: string;
  private fd: number | null = null;
  private size = 0;
  private openedAt = 0;
  private lastTry = -Infinity;
  /** The last write stopped mid-line: start the next one on a new line. */
  private partial = false;
  lastError: NodeJS.ErrnoException | null = null;

  constructor(private readonly o: RotatingFileOptions) {
    this.path = join(o.dir, `${o.series}.log`);
  }

  get failing(): boolean {
    return this.fd === null && this.lastError !== null;
  }

  /** Open (or reopen) the current file. Returns false (and keeps the error) when it cannot. */
  open(now: number): boolean {
    this.lastTry = now;
    try {
      mkdirSync(this.o.dir, { recursive: true, mode: 0o700 });
      const fd = openSync(this.path, 'a', 0o600);
      this.fd = fd;
      this.size = fstatSync(fd).size;
      this.openedAt = this.size > 0 ? (firstEntryTime(this.path) ?? fstatSync(fd).mtimeMs) : now;
      return true;
    } catch (err) {
      this.lastError = err as NodeJS.ErrnoException;
      return false;
    }
  }

  /** Append one line (ending in "\n"). False when it was not written (the file is failing). */
  write(line: string, now: number): boolean {
    if (this.fd === null && (now - this.lastTry < (this.o.retryMs ?? 2000) || !this.open(now))) return false;
    const buf = Buffer.from(this.partial ? `\n${line}` : line);
    const reason = shouldRotate({ size: this.size, openedAt: this.openedAt }, buf.length, now, this.o.policy);
    if (reason) this.rotate(now, reason);
    return this.append(buf, now);
  }

  /**
   * Append several lines in one write: `skip` (nothing written) when the file is not open or they would cross a
   * rotation (write them one by one then), `failed` when the write failed (the file is closed, as `write` does).
   */
  writeMany(lines: readonly string[], now: number): 'ok' | 'skip' | 'failed' {
    if (this.fd === null) return 'skip';
    const buf = Buffer.from(this.partial ? `\n${lines.join('')}` : lines.join(''));
    // An empty file takes any one line, never several that together would pass the size limit.
    if (this.size + buf.length > this.o.policy.maxBytes) return 'skip';
    if (shouldRotate({ size: this.size, openedAt: this.openedAt }, buf.length, now, this.o.policy)) return 'skip';
    return this.append(buf, now) ? 'ok' : 'failed';
  }

  /** Rotate now when the daily boundary has passed (for a timer at the boundary; a quiet file rotates too). */
  rotateIfDue(now: number): void {
    if (
      this.fd !== null &&
      shouldRotate({ size: this.size, openedAt: this.openedAt }, 0, now, this.o.policy) === 'daily'
    )
      this.rotate(now, 'daily');
  }

  close(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already gone */
    }
    this.fd = null;
  }

  private append(buf: Buffer, now: number): boolean {
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd!, buf, off);
      if (this.size === 0) this.openedAt = now;
      this.size += buf.length;
      this.partial = false;
      this.lastError = null;
      return true;
    } catch (err) {
      this.size += off;
      this.partial = off > 0 || this.partial;
      this.lastError = err as NodeJS.ErrnoException;
      this.lastTry = now;
      this.close();
      return false;
    }
  }

  private rotate(now: number, reason: RotateReason): void {
    const target = this.freeName(now);
    this.close();
    try {
      renameSync(this.path, target);
    } catch (err) {
      // Cannot rename (read-only dir...): keep appending to the same file rather than lose lines.
      this.lastError = err as NodeJS.ErrnoException;
      this.open(now);
      return;
    }
    this.partial = false;
    if (this.open(now)) this.openedAt = now;
    this.o.onRotated(target, reason);
  }

  private freeName(now: number): string {
    for (let seq = 0; ; seq++) {
      const name = join(this.o.dir, archiveName(this.o.series, now, seq));
      if (!existsSync(name) && !existsSync(`${name}.gz`)) return name;
    }
  }
}

/** The `time` of the first line of a log file (epoch ms), if it has one. */
export function firstEntryTime(path: string): number | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(8192);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const first = buf.subarray(0, n).toString('utf8').split('\n', 1)[0] ?? '';
    const entry = JSON.parse(first) as { time?: unknown; at?: unknown };
    const t = typeof entry.time === 'string' ? Date.parse(entry.time) : typeof entry.at === 'number' ? entry.at : NaN;
    return Number.isFinite(t) ? t : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
