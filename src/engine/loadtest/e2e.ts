/**
 * End-to-end accounting: what the sink recorded against what the engine acknowledged.
 * - delivered: acknowledged requests whose line the sink saw (first arrival); latency = typed - acknowledged;
 * - lost: acknowledged, never typed (`pending` of them were still queued in the engine when the wait ended);
 * - duplicated: extra arrivals of a line already seen;
 * - reordered: lines typed after a line that was sent only once they had been acknowledged (the engine had both
 *   committed in that order and typed them the other way round); requests in flight together may commit either way;
 * - unacknowledged: lines of this run typed although their request got no 2xx (e.g. it timed out at the client).
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { newHistogram, recordMs, type RecordableHistogram } from './histogram.js';
import { COMMAND_RE } from './types.js';

export interface SinkLine {
  t: number;
  line: string;
}

/** Reads a sink log incrementally (complete lines only). */
export class SinkLog {
  private offset = 0;
  private partial = '';
  readonly lines: SinkLine[] = [];

  constructor(readonly path: string) {}

  /** Reads what was appended since the last call; returns the number of new lines. */
  poll(): number {
    if (!existsSync(this.path)) return 0;
    const fd = openSync(this.path, 'r');
    const before = this.lines.length;
    try {
      const buf = Buffer.alloc(1 << 20);
      for (let n; (n = readSync(fd, buf, 0, buf.length, this.offset)) > 0;) {
        this.offset += n;
        this.partial += buf.subarray(0, n).toString('utf8');
      }
    } finally {
      closeSync(fd);
    }
    const parts = this.partial.split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) {
      try {
        const v = JSON.parse(p) as SinkLine;
        if (typeof v.t === 'number' && typeof v.line === 'string') this.lines.push(v);
      } catch {
        /* not a sink line */
      }
    }
    return this.lines.length - before;
  }

  /** Number of lines from index `from` that belong to run `runId`. */
  countRun(runId: string, from = 0): number {
    let n = 0;
    for (let i = from; i < this.lines.length; i++) if (COMMAND_RE.exec(this.lines[i]!.line)?.[1] === runId) n++;
    return n;
  }
}

/** Acknowledgement and send times by sequence number (epoch ms; NaN = none). */
export interface Acks {
  acceptedAt: ReadonlyMap<number, number>;
  sentAt: ReadonlyMap<number, number>;
}

export interface E2eOutcome {
  acknowledged: number;
  delivered: number;
  lost: number;
  pending: number;
  duplicated: number;
  reordered: number;
  unacknowledged: number;
  latency: RecordableHistogram;
  /** Per delivered seq: typed - acknowledged (ms). */
  perSeq: Map<number, number>;
}

export function accountE2e(runId: string, acks: Acks, lines: readonly SinkLine[], pendingInEngine = 0): E2eOutcome {
  const seen = new Set<number>();
  const perSeq = new Map<number, number>();
  const latency = newHistogram();
  let duplicated = 0;
  let reordered = 0;
  let unacknowledged = 0;
  let maxSentBefore = -Infinity;
  for (const { t, line } of lines) {
    const m = COMMAND_RE.exec(line);
    if (!m || m[1] !== runId) continue;
    const seq = Number(m[2]);
    const acc = acks.acceptedAt.get(seq);
    if (acc === undefined || Number.isNaN(acc)) {
      if (acks.sentAt.has(seq)) unacknowledged++;
      continue;
    }
    if (seen.has(seq)) {
      duplicated++;
      continue;
    }
    seen.add(seq);
    if (maxSentBefore > acc) reordered++;
    maxSentBefore = Math.max(maxSentBefore, acks.sentAt.get(seq) ?? -Infinity);
    perSeq.set(seq, t - acc);
    recordMs(latency, Math.max(0, t - acc));
  }
  const acknowledged = acks.acceptedAt.size;
  const lost = acknowledged - seen.size;
  return {
    acknowledged,
    delivered: seen.size,
    lost,
    pending: Math.min(lost, pendingInEngine),
    duplicated,
    reordered,
    unacknowledged,
    latency,
    perSeq,
  };
}
