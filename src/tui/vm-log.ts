/** The log pane: a fixed-size ring of one-line entries, filtered and windowed at render time only. */
import type { LogEntry } from '../engine/types.js';
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

/** A logger entry -> one line: message plus its scalar fields; task events (a `task` field) in short form. */
export function fromLogEntry(e: LogEntry): LogLine {
  const { at, level, msg, ...fields } = e;
  if (typeof fields.task === 'number') return { at, level, text: sanitize(taskEventText(msg, fields)) };
  const extra = Object.entries(fields)
    .filter(([, v]) => v !== undefined && (typeof v !== 'object' || v === null))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return { at, level, text: sanitize(extra ? `${msg} ${extra}` : msg) };
}

/** `task delivered` {task: 9, target, latencyMs} -> `delivered #9 -> default in 1.5s`. */
function taskEventText(msg: string, f: Record<string, unknown>): string {
  const head = `${msg.replace(/^task /, '')} #${String(f.task)} -> ${String(f.target)}`;
  if (msg === 'task delivered' && typeof f.latencyMs === 'number') return `${head} in ${formatMs(f.latencyMs)}`;
  if (msg === 'task accepted') return `${head} via ${String(f.intake)}: ${truncate(String(f.text ?? ''), 60)}`;
  const rest = Object.entries(f)
    .filter(
      ([k, v]) => !['task', 'target', 'text'].includes(k) && v !== undefined && (typeof v !== 'object' || v === null),
    )
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return rest ? `${head} ${rest}` : head;
}

const LEVEL_TONE: Record<LogLine['level'], Tone> = { debug: 'dim', info: 'info', warn: 'warn', error: 'bad' };

export interface LogView {
  lines: StyledLine[];
  /** Matching lines in the ring. */
  count: number;
  /** Clamped scroll offset from the bottom (0 = following). */
  scroll: number;
}

export function logView(
  all: readonly LogLine[],
  filter: string,
  scroll: number,
  height: number,
  width: number,
): LogView {
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
