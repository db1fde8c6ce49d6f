import type { LogEntry } from '../task.js';

/**
 * Consecutive repeats: a line with the same level and msg as the line before, within `windowMs` of the first of the
 * run, is counted instead of written; the run ends with one line `repeated N times` (N = lines not written) with
 * the first and last time. Only consecutive lines: never de-duplicated across a file. Lines about one task or one
 * spool file (a `task` or `file` field) are each their own event and are never collapsed.
 */
export class RepeatCollapser {
  private run: { level: LogEntry['level']; msg: string; firstAt: number; lastAt: number; count: number } | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly emit: (entry: LogEntry) => void,
  ) {}

  push(entry: LogEntry): void {
    const run = this.run;
    if (
      run &&
      run.level === entry.level &&
      run.msg === entry.msg &&
      entry.at - run.firstAt <= this.windowMs &&
      collapsible(entry)
    ) {
      run.count += 1;
      run.lastAt = entry.at;
      this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.windowMs - (entry.at - run.firstAt))).unref();
      return;
    }
    this.flush();
    this.emit(entry);
    this.run =
      this.windowMs > 0 && collapsible(entry)
        ? { level: entry.level, msg: entry.msg, firstAt: entry.at, lastAt: entry.at, count: 0 }
        : null;
  }

  /** End the current run: write its `repeated N times` line if anything was held back. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.run;
    this.run = null;
    if (!run || run.count === 0) return;
    this.emit({
      at: run.lastAt,
      level: run.level,
      msg: `repeated ${run.count} ${run.count === 1 ? 'time' : 'times'}`,
      repeated: run.msg,
      count: run.count,
      first: new Date(run.firstAt).toISOString(),
      last: new Date(run.lastAt).toISOString(),
    });
  }
}

function collapsible(entry: LogEntry): boolean {
  return entry.task === undefined && entry.file === undefined;
}
