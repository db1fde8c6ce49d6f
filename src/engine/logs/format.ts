import type { LogEntry, LogLevel } from '../task.js';

/**
 * One JSON line: `time` (ISO 8601, ms), `level`, `msg`, then the entry's fields (a field named `time` is written
 * `field_time`). Built key by key: about 4x faster than spreading the entry into a new object (the engine writes
 * two of these per task). Never throws.
 */
export function formatLine(entry: LogEntry): string {
  const head = `{"time":"${new Date(entry.at).toISOString()}","level":"${entry.level}","msg":${JSON.stringify(entry.msg)}`;
  try {
    let out = head;
    for (const k in entry) {
      if (k === 'at' || k === 'level' || k === 'msg') continue;
      const v = entry[k];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      out += `,${JSON.stringify(k === 'time' ? 'field_time' : k)}:${JSON.stringify(v)}`;
    }
    return `${out}}\n`;
  } catch {
    // A field JSON cannot encode (BigInt, a cycle): keep the line, say so.
    return `${head},"fields":"unserialisable"}\n`;
  }
}

export const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const RANK: Record<string, number> = { debug: 10, info: 20, warn: 30, error: 40, fatal: 50 };

export function levelRank(level: string): number {
  return RANK[level] ?? 0;
}

/** A parsed log line: our JSON, the old `at` form, or (for foreign files) anything else as text. */
export interface ParsedLine {
  /** Epoch ms, when the line has a time. */
  at: number | null;
  level: string | null;
  msg: string;
  fields: Record<string, unknown>;
  raw: string;
  json: boolean;
}

export function parseLine(raw: string): ParsedLine {
  if (raw.startsWith('{')) {
    try {
      const obj = JSON.parse(raw) as Record<string, unknown>;
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
        const { time, at, level, msg, ...fields } = obj;
        const t =
          typeof time === 'string'
            ? Date.parse(time)
            : typeof time === 'number'
              ? time
              : typeof at === 'number'
                ? at
                : NaN;
        return {
          at: Number.isFinite(t) ? t : null,
          level: typeof level === 'string' ? level : null,
          msg: typeof msg === 'string' ? msg : '',
          fields,
          raw,
          json: true,
        };
      }
    } catch {
      /* not JSON: text */
    }
  }
  return { at: null, level: null, msg: raw, fields: {}, raw, json: false };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Local time `YYYY-MM-DD HH:MM:SS.mmm`. */
export function localStamp(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Control characters (ESC, CR, ...) shown escaped, so a log line cannot drive the terminal. */
export function printableText(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** One readable line (local time): `2026-01-02 03:04:05.678 info  task delivered task=42 target=default`. */
export function readableLine(p: ParsedLine): string {
  if (!p.json) return printableText(p.raw);
  const time = p.at === null ? '-' : localStamp(p.at);
  const extra = Object.entries(p.fields)
    .map(
      ([k, v]) => `${k}=${typeof v === 'string' ? (/^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)) : JSON.stringify(v)}`,
    )
    .join(' ');
  return printableText(`${time} ${(p.level ?? '-').padEnd(5)} ${p.msg}${extra ? ` ${extra}` : ''}`);
}
