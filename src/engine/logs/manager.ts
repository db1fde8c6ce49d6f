import { systemClock, type Clock } from '../ports/clock.js';
import { loggerFrom, type Logger } from '../ports/logger.js';
import type { LogEntry, LogLevel } from '../task.js';
import { Compressor, enforceRetention, recoverArchives } from './archive.js';
import { RepeatCollapser } from './collapse.js';
import type { LogConfig } from './config.js';
import { formatLine } from './format.js';
import { nextDailyBoundary } from './policy.js';
import { RotatingFile } from './rotating-file.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const RETENTION_EVERY_MS = 6 * 3_600_000;

export interface LogManagerOptions {
  /** The log directory (`<dataDir>/logs`). */
  dir: string;
  config: LogConfig;
  clock?: Clock;
  /** Every entry written (after level filter and repeat collapsing): the engine re-emits them as `log` events. */
  onEntry?: (entry: LogEntry) => void;
  /** Where a line goes while its file cannot be written (default: nowhere). */
  fallback?: ((line: string, level: LogLevel) => void) | null;
  /** One-line notices for the operator (a file stopped / started working again). @default stderr */
  notice?: (text: string) => void;
}

export const LEVEL_RANK = RANK;

export interface LogStatus {
  dir: string;
  level: LogConfig['level'];
  /** Lines that did not reach their file (disk full, read-only) since start. */
  dropped: number;
  /** A log file cannot be written right now. */
  failing: boolean;
  lastError: string | null;
  rotations: number;
}

/**
 * The engine's log: JSON lines (`time`, `level`, `msg`, fields) into `engine.log`, lines at `importantLevel` and
 * above also into `important.log`; both rotate themselves (size and daily), rotated files are gzipped off the event
 * loop, and retention (age, total size) runs at start, after each rotation and every 6 hours.
 * Writing never throws: a file that cannot be written is counted (`dropped`) and retried; lines go to `fallback`.
 */
export class LogManager {
  readonly logger: Logger;
  private readonly clock: Clock;
  private readonly files: RotatingFile[] = [];
  private readonly engine: RotatingFile;
  private readonly important: RotatingFile | null;
  private readonly collapser: RepeatCollapser;
  private readonly compressor: Compressor;
  private readonly minRank: number;
  private readonly importantRank: number;
  private readonly failingFiles = new Set<RotatingFile>();
  private dropped = 0;
  private rotations = 0;
  private timers: NodeJS.Timeout[] = [];
  private daily: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  /**
   * Entries logged in this turn of the event loop, formatted and written after it (setImmediate): a delivery's
   * log lines cost its latency nothing (they were a fifth of the synchronous enqueue: formatting and a write(2)
   * each), and the lines of one turn leave in one write per file.
   */
  private readonly pending: LogEntry[] = [];
  private drainSoon: NodeJS.Immediate | undefined;
  private readonly drainNow = () => this.drain();
  /** Lines formatted during a drain, per file, written once at its end. */
  private batch: Map<RotatingFile, Array<{ line: string; entry: LogEntry }>> | null = null;

  constructor(private readonly o: LogManagerOptions) {
    const c = o.config;
    this.clock = o.clock ?? systemClock;
    this.minRank = c.level === 'off' ? Infinity : RANK[c.level];
    this.importantRank = c.importantLevel === 'off' ? Infinity : RANK[c.importantLevel];
    const policy = { maxBytes: c.maxBytes, rotateAt: c.rotateAt };
    const onRotated = (path: string) => {
      this.rotations += 1;
      this.compressor.add(path);
    };
    this.compressor = new Compressor({
      level: c.gzipLevel,
      onError: (path, err) =>
        this.logger.warn('log archive: compression failed; the plain file is kept', { path, error: err.message }),
      after: () => this.retention(),
    });
    this.engine = new RotatingFile({ dir: o.dir, series: 'engine', policy, onRotated });
    this.files.push(this.engine);
    this.important =
      c.importantLevel === 'off' || c.level === 'off'
        ? null
        : new RotatingFile({ dir: o.dir, series: 'important', policy, onRotated });
    if (this.important) this.files.push(this.important);
    this.collapser = new RepeatCollapser(c.collapseWindowMs, (entry) => this.write(entry));
    this.logger = loggerFrom((level, msg, fields) => {
      if (RANK[level] < this.minRank || this.closing) return;
      this.pending.push({ ...fields, at: this.clock.now(), level, msg });
      // warn and error go out at once (a crash right after must not lose them), with what was logged before them
      if (RANK[level] >= RANK.warn) this.drain();
      else this.drainSoon ??= setImmediate(this.drainNow);
    });
    if (c.level !== 'off') for (const f of this.files) f.open(this.clock.now());
  }

  /** Compress what a crash left plain, enforce retention, arm the daily and 6-hourly timers. */
  async start(): Promise<void> {
    if (this.o.config.level === 'off') return;
    for (const path of await recoverArchives(this.o.dir)) this.compressor.add(path);
    await this.compressor.idle();
    await this.retention();
    const every = setInterval(() => void this.retention(), RETENTION_EVERY_MS);
    every.unref();
    this.timers.push(every);
    this.armDaily();
  }

  status(): LogStatus {
    this.drain(); // what was logged so far counts
    const failing = this.files.find((f) => f.failing);
    return {
      dir: this.o.dir,
      level: this.o.config.level,
      dropped: this.dropped,
      failing: failing !== undefined,
      lastError: failing?.lastError ? `${failing.lastError.code ?? 'error'}: ${failing.lastError.message}` : null,
      rotations: this.rotations,
    };
  }

  /** Resolves once what was logged so far is written, rotated files are compressed and retention ran. */
  idle(): Promise<void> {
    this.drain();
    return this.compressor.idle();
  }

  /** Write what was logged so far (also what a close does first). */
  drain(): void {
    if (this.drainSoon) clearImmediate(this.drainSoon);
    this.drainSoon = undefined;
    if (this.pending.length === 0) return;
    this.batch = new Map();
    try {
      for (const entry of this.pending.splice(0)) this.collapser.push(entry);
    } finally {
      const batch = this.batch;
      this.batch = null;
      for (const [file, lines] of batch) this.writeLines(file, lines);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.drain();
      this.collapser.flush();
      for (const t of this.timers) clearTimeout(t);
      clearTimeout(this.daily);
      await this.compressor.close();
      for (const f of this.files) f.close();
    })();
    return this.closing;
  }

  private write(entry: LogEntry): void {
    const line = formatLine(entry);
    this.writeTo(this.engine, line, entry);
    if (this.important && RANK[entry.level] >= this.importantRank) this.writeTo(this.important, line, entry);
    this.o.onEntry?.(entry);
  }

  private writeTo(file: RotatingFile, line: string, entry: LogEntry): void {
    const batch = this.batch;
    if (batch) {
      const lines = batch.get(file);
      if (lines) lines.push({ line, entry });
      else batch.set(file, [{ line, entry }]);
      return;
    }
    this.writeLines(file, [{ line, entry }]);
  }

  /** Lines into one file: in one write when they fit its rotation policy, line by line when not (or it fails). */
  private writeLines(file: RotatingFile, lines: ReadonlyArray<{ line: string; entry: LogEntry }>): void {
    const last = lines[lines.length - 1]!;
    const many =
      lines.length > 1
        ? file.writeMany(
            lines.map((l) => l.line),
            last.entry.at,
          )
        : 'skip';
    if (many === 'ok') return this.writable(file);
    if (many === 'failed') {
      for (const { line, entry } of lines) this.failed(file, line, entry);
      return;
    }
    for (const { line, entry } of lines) {
      if (file.write(line, entry.at)) this.writable(file);
      else this.failed(file, line, entry);
    }
  }

  private writable(file: RotatingFile): void {
    if (this.failingFiles.delete(file))
      this.notice(`webhook-tui: ${file.path} is writable again (${this.dropped} log lines dropped since start)`);
  }

  private failed(file: RotatingFile, line: string, entry: LogEntry): void {
    this.dropped += 1;
    if (!this.failingFiles.has(file)) {
      this.failingFiles.add(file);
      const why = file.lastError ? `${file.lastError.code ?? ''} ${file.lastError.message}`.trim() : 'unknown error';
      this.notice(
        `webhook-tui: cannot write ${file.path} (${why}); log lines go to stderr and are counted as dropped until it works again`,
      );
    }
    if (file === this.engine) this.o.fallback?.(line, entry.level);
  }

  private notice(text: string): void {
    (this.o.notice ?? ((t: string) => process.stderr.write(`${t}\n`)))(text);
    this.o.onEntry?.({ at: this.clock.now(), level: 'warn', msg: text });
  }

  private armDaily(): void {
    const now = this.clock.now();
    this.daily = setTimeout(
      () => {
        for (const f of this.files) f.rotateIfDue(this.clock.now());
        this.armDaily();
      },
      Math.max(1000, nextDailyBoundary(now, this.o.config.rotateAt) - now + 1),
    );
    this.daily.unref();
  }

  private async retention(): Promise<void> {
    const deleted = await enforceRetention(this.o.dir, this.clock.now(), {
      retainDays: this.o.config.retainDays,
      maxTotalBytes: this.o.config.maxTotalBytes,
    });
    if (deleted.length && !this.closing)
      this.logger.info('log retention deleted archives', { count: deleted.length, names: deleted.join(' ') });
  }
}
