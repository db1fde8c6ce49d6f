/** The log pane: a fixed-size ring of one-line entries, filtered and windowed at render time only. */
import type { AttemptError, LogEntry, Task } from '../engine/types.js';
import type { StyledLine, Tone } from '../widgets/styled.js';
import { formatClock, formatMs, padEnd, sanitize, truncate } from './format.js';

export interface LogLine {
  at: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  text: string;
}

export class LogRing {
  private readonly buf: (LogLine | undefined)[];
  private next = 0;
  private size = 0;
  /** Bumped on every push; lets the render loop skip work when nothing changed. */
  version = 0;

  constructor(readonly capacity = 1000) {
    this.buf = new Array<LogLine | undefined>(capacity);
  }

  push(line: LogLine): void {
    this.buf[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.capacity, this.size + 1);
    this.version += 1;
  }

  /** Oldest first. */
  lines(): LogLine[] {
    const out: LogLine[] = [];
    const first = (this.next - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i += 1) {
      const l = this.buf[(first + i) % this.capacity];
      if (l) out.push(l);
    }
    return out;
  }
}

/** A logger entry -> one line: message plus its scalar fields. */
export function fromLogEntry(e: LogEntry): LogLine {
  const { at, level, msg, ...fields } = e;
  const extra = Object.entries(fields)
    .filter(([, v]) => v !== undefined && (typeof v !== 'object' || v === null))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return { at, level, text: sanitize(extra ? `${msg} ${extra}` : msg) };
}

const short = (t: Task): string => `#${t.id} -> ${t.target}`;

/** Task lifecycle events as log lines. */
export function fromTaskEvent(kind: 'queued' | 'delivered' | 'retrying' | 'dead' | 'dropped', task: Task, now: number, err?: AttemptError | null): LogLine {
  switch (kind) {
    case 'queued':
      return { at: now, level: 'debug', text: sanitize(`queued ${short(task)} p${task.priority}: ${truncate(task.text, 60)}`) };
    case 'delivered':
      return { at: now, level: 'info', text: `delivered ${short(task)} in ${formatMs((task.deliveredAt ?? now) - task.receivedAt)}` };
    case 'retrying':
      return { at: now, level: 'warn', text: sanitize(`retry ${short(task)} attempt ${task.attempts}: ${err?.code ?? ''} ${err?.message ?? ''}`) };
    case 'dead':
      return { at: now, level: 'error', text: sanitize(`dead ${short(task)} after ${task.attempts} attempts: ${err?.code ?? ''} ${err?.message ?? ''}`) };
    case 'dropped':
      return { at: now, level: 'warn', text: `dropped ${short(task)}` };
  }
}

const LEVEL_TONE: Record<LogLine['level'], Tone> = { debug: 'dim', info: 'info', warn: 'warn', error: 'bad' };

export interface LogView {
  lines: StyledLine[];
  /** Matching lines in the ring. */
  count: number;
  /** Clamped scroll offset from the bottom (0 = following). */
  scroll: number;
}

export function logView(all: readonly LogLine[], filter: string, scroll: number, height: number, width: number): LogView {
  const f = filter.trim().toLowerCase();
  const rows = f === '' ? all : all.filter((l) => `${l.level} ${l.text}`.toLowerCase().includes(f));
  const maxScroll = Math.max(0, rows.length - height);
  const s = Math.min(Math.max(0, scroll), maxScroll);
  const end = rows.length - s;
  const visible = rows.slice(Math.max(0, end - height), end);
  const lines = visible.map((l): StyledLine => [
    { text: `${formatClock(l.at)} `, tone: 'dim' },
    { text: padEnd(l.level, 5) + ' ', tone: LEVEL_TONE[l.level] },
    { text: truncate(l.text, Math.max(0, width - 15)) },
  ]);
  return { lines, count: rows.length, scroll: s };
}
