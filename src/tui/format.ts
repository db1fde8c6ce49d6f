/**
 * Pure text helpers for the dashboard: untrusted text is made inert and every helper counts terminal columns (wide
 * characters take two, combining marks none), matching what the screen draws (widgets/screen.ts: fullUnicode).
 */
import { isRefusedChar } from '../engine/text-safety.js';

// BMP wide ranges (East Asian Wide/Fullwidth, as blessed's table), CJK extension planes, emoji blocks.
const WIDE_BMP =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;
/** Emoji blocks drawn two columns wide (widgets/screen.ts tells blessed the same). */
export const EMOJI_FIRST = 0x1f000;
export const EMOJI_LAST = 0x1faff;
const MARK = /^[\p{Mn}\p{Me}]$/u;
/** Invisible characters shown as `<U+XXXX>` besides the ones the text policy refuses. */
const SHOWN_INVISIBLE = new Set([
  0x00ad, 0x180e, 0x200b, 0x200c, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xfff9, 0xfffa, 0xfffb,
]);

/** Columns one code point takes on the screen. */
export function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) || MARK.test(ch)) return 0; // ZWJ, variation selectors, marks
  if (cp >= 0x20000 && cp <= 0x3fffd) return 2;
  if (cp >= EMOJI_FIRST && cp <= EMOJI_LAST) return 2;
  return WIDE_BMP.test(ch) ? 2 : 1;
}

/** Columns a (sanitized) string takes. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += charWidth(ch);
  return w;
}

const codePoint = (cp: number): string => `<U+${cp.toString(16).toUpperCase().padStart(4, '0')}>`;

/**
 * Make untrusted text safe for one terminal row: newlines as ⏎, tab as a space, and every character that is
 * invisible or acts on the terminal or the text direction (controls, bidi controls, zero-width and separator
 * characters) shown as `<U+XXXX>`, so an operator sees exactly what a task holds. Lone surrogates become `?`.
 */
export function sanitize(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) continue;
    if (c === 0x0a || c === 0x0d) out += '⏎';
    else if (c === 0x09) out += ' ';
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00)
      out += text[i]! + text[++i]!;
    else if (c >= 0xd800 && c <= 0xdfff) out += '?';
    else if (isRefusedChar(c) || SHOWN_INVISIBLE.has(c)) out += codePoint(c);
    else out += text[i]!;
  }
  return out;
}

/** The longest start of `text` that fits in `width` columns (combining marks stay with their base). */
function fit(text: string, width: number): string {
  let w = 0;
  let end = 0;
  for (const ch of text) {
    const cw = charWidth(ch);
    if (w + cw > width) break;
    w += cw;
    end += ch.length;
  }
  return text.slice(0, end);
}

/** Cut to `width` columns, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  if (width === 1) return '…';
  return `${fit(text, width - 1)}…`;
}

export function padEnd(text: string, width: number): string {
  const t = truncate(text, width);
  return t + ' '.repeat(Math.max(0, width - displayWidth(t)));
}

export function padStart(text: string, width: number): string {
  const t = truncate(text, width);
  return ' '.repeat(Math.max(0, width - displayWidth(t))) + t;
}

/** Hard-wrap to rows of `width` columns. */
export function hardWrap(text: string, width: number): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  let rest = text;
  while (displayWidth(rest) > width) {
    const head = fit(rest, width) || [...rest][0]!;
    out.push(head);
    rest = rest.slice(head.length);
  }
  out.push(rest);
  return out;
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
  if (width <= displayWidth(indent)) return [truncate(text, width)];
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (displayWidth(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') out.push(line);
    let rest = (out.length > 0 ? indent : '') + word;
    while (displayWidth(rest) > width) {
      const head = fit(rest, width) || [...rest][0]!;
      out.push(head);
      rest = indent + rest.slice(head.length);
    }
    line = rest;
  }
  out.push(line);
  return out.map((l, i) => (i > 0 && !l.startsWith(indent) ? indent + l : l));
}
