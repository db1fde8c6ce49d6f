/** Pure text helpers for the dashboard: every cell is one column wide, untrusted text is made inert. */

// C0/C1 control characters and DEL; wide (East Asian, emoji) and astral characters.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const NEWLINES = /\r\n|\r|\n|\t/g;
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{10000}-\u{10ffff}]|[\ud800-\udfff]/gu;

/** Make untrusted text safe for one terminal row: no control sequences, no wide glyphs, newlines shown as ⏎. */
export function sanitize(text: string): string {
  return text.replace(NEWLINES, (m) => (m === '\t' ? ' ' : '⏎')).replace(CONTROL, '·').replace(WIDE, '?');
}

/** Cut to `width` columns, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  if (width === 1) return '…';
  return `${text.slice(0, width - 1)}…`;
}

export function padEnd(text: string, width: number): string {
  const t = truncate(text, width);
  return t + ' '.repeat(Math.max(0, width - t.length));
}

export function padStart(text: string, width: number): string {
  const t = truncate(text, width);
  return ' '.repeat(Math.max(0, width - t.length)) + t;
}

/** 950 -> "950ms", 1500 -> "1.5s", 184000 -> "3m04s", 7500000 -> "2h05m", 200000000 -> "2d07h". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)}ms`;
  if (v < 10_000) return `${(v / 1000).toFixed(1)}s`;
  if (v < 60_000) return `${Math.round(v / 1000)}s`;
  const s = Math.floor(v / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

/** 1536 -> "1.5K", 52428800 -> "50M" (binary units, compact). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = Math.max(0, n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}

/** Rates: 0.25 -> "0.25", 3.14 -> "3.1", 512 -> "512", 12345 -> "12k". */
export function formatRate(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  if (n >= 100) return String(Math.round(n));
  if (n >= 10) return n.toFixed(0);
  if (n >= 1) return n.toFixed(1);
  return n === 0 ? '0' : n.toFixed(2);
}

/** Epoch ms -> "HH:MM:SS" in UTC (stable across machines; the status line says UTC). */
export function formatClock(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

const SPARK = '▁▂▃▄▅▆▇█';

/** The newest `width` values as a one-row sparkline (zero as the lowest bar). */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0) return '';
  const tail = values.slice(-width);
  const max = Math.max(0, ...tail);
  const bars = tail.map((v) => {
    if (max <= 0 || v <= 0) return SPARK[0];
    return SPARK[Math.min(SPARK.length - 1, Math.round((v / max) * (SPARK.length - 1)))];
  });
  return ' '.repeat(width - tail.length) + bars.join('');
}

/** A text gauge `[####    ]` for a fraction in 0..1 (clamped); `width` includes the brackets. */
export function bar(fraction: number | null, width: number): string {
  const inner = Math.max(0, width - 2);
  if (fraction === null || !Number.isFinite(fraction)) return `[${' '.repeat(inner)}]`;
  const f = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(f * inner);
  return `[${'#'.repeat(filled)}${' '.repeat(inner - filled)}]`;
}

/** Word-wrap to `width` columns; words longer than a line are cut hard. Continuation lines get `indent`. */
export function wordWrap(text: string, width: number, indent = ''): string[] {
  if (width <= indent.length) return [truncate(text, width)];
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (candidate.length <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') out.push(line);
    let rest = (out.length > 0 ? indent : '') + word;
    while (rest.length > width) {
      out.push(rest.slice(0, width));
      rest = indent + rest.slice(width);
    }
    line = rest;
  }
  out.push(line);
  return out.map((l, i) => (i > 0 && !l.startsWith(indent) ? indent + l : l));
}
