/**
 * Helpers for bench/e2e-latency: the recorder's log, paced writers, arrival accounting and percentiles (through the
 * shipped histogram module).
 * Times are epoch ms with µs precision (performance.timeOrigin + performance.now()), the same clock the recorder
 * (test/fixtures/recorder.mjs) and the engine (systemClock) use.
 */
import { closeSync, openSync, readSync, existsSync } from 'node:fs';
import { percentileOf } from '../src/engine/loadtest/histogram.js';

export const epochNow = (): number => performance.timeOrigin + performance.now();
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Reads the recorder's JSON lines ({"t", "line"}) incrementally, in arrival order. */
export class RecorderLog {
  readonly lines: Array<{ t: number; line: string }> = [];
  private offset = 0;
  private partial = '';

  constructor(readonly path: string) {}

  poll(): number {
    if (!existsSync(this.path)) return 0;
    const fd = openSync(this.path, 'r');
    const before = this.lines.length;
    try {
      const buf = Buffer.alloc(1 << 20);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        this.partial += buf.subarray(0, n).toString('utf8');
      }
    } finally {
      closeSync(fd);
    }
    const parts = this.partial.split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) if (p) this.lines.push(JSON.parse(p) as { t: number; line: string });
    return this.lines.length - before;
  }
}

/**
 * Call write(i) for i in [0, n) at `rate` per second, catching up when the event loop was late.
 * Returns the achieved rate (writes/s from first to last).
 */
export async function paced(n: number, rate: number, write: (i: number) => void): Promise<number> {
  const t0 = performance.now();
  let i = 0;
  while (i < n) {
    const due = Math.min(n, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
    while (i < due) write(i++);
    if (i < n) await sleep(Math.max(0, t0 + (i * 1000) / rate - performance.now()));
  }
  const secs = (performance.now() - t0) / 1000;
  return secs > 0 ? (n - 1) / secs : n;
}

/** Texts `e2e-TAG-00042`: unique per trigger, never a tmux key name, no leading `-`, no trailing `;`. */
export const cmdText = (tag: string, i: number): string => `e2e-${tag}-${String(i).padStart(5, '0')}`;
const TEXT_RE = /^e2e-([a-z0-9]+)-(\d{5})$/;

export interface Outcome {
  sent: number;
  arrived: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** For each out-of-order line: its text and the text of the later trigger that arrived before it. */
  oooPairs: Array<[string, string]>;
  /** Lines of this pane that match no trigger text of this run (e.g. the baseline typing an empty file). */
  other: number;
  /** Latency per arrived trigger (first arrival), ms. */
  latency: number[];
  /** Epoch ms the line of trigger i was first seen, by text. */
  arrivalAt: Map<string, number>;
  firstArrival: number;
  lastArrival: number;
}

/**
 * Account for one scenario: `sentAt` maps each text to when it was written (rename / echo). `lines` are the pane's
 * lines in arrival order; only lines from index `from` on belong to this scenario.
 */
export function account(
  tag: string,
  sentAt: Map<string, number>,
  lines: ReadonlyArray<{ t: number; line: string }>,
  from: number,
): Outcome {
  const seen = new Map<string, number>();
  let duplicated = 0;
  let outOfOrder = 0;
  let other = 0;
  let maxSeq = -1;
  let maxText = '';
  const oooPairs: Array<[string, string]> = [];
  let firstArrival = Infinity;
  let lastArrival = -Infinity;
  for (const { t, line } of lines.slice(from)) {
    const m = TEXT_RE.exec(line);
    if (!m || m[1] !== tag || !sentAt.has(line)) {
      if (!m || m[1] !== 'warm') other++;
      continue;
    }
    if (seen.has(line)) {
      duplicated++;
      continue;
    }
    seen.set(line, t);
    const seq = Number(m[2]);
    if (seq < maxSeq) {
      outOfOrder++;
      oooPairs.push([line, maxText]);
    } else {
      maxSeq = seq;
      maxText = line;
    }
    firstArrival = Math.min(firstArrival, t);
    lastArrival = Math.max(lastArrival, t);
  }
  const latency = [...seen].map(([text, t]) => t - sentAt.get(text)!);
  return {
    sent: sentAt.size,
    arrived: seen.size,
    lost: sentAt.size - seen.size,
    duplicated,
    outOfOrder,
    oooPairs,
    other,
    latency,
    arrivalAt: seen,
    firstArrival,
    lastArrival,
  };
}

/** Percentile of samples in ms: the shipped HDR histogram (src/engine/loadtest/histogram.ts), not a copy. */
export const pct = (samples: readonly number[], p: number): number => percentileOf(samples, p);

export function fmtMs(x: number): string {
  if (!Number.isFinite(x)) return '-';
  return Math.abs(x) < 10 ? x.toFixed(2) : Math.abs(x) < 100 ? x.toFixed(1) : x.toFixed(0);
}

/** Print rows as a fixed-width table; the first column left-aligned. */
export function table(head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}
