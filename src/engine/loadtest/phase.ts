/**
 * One phase of a load test, as the generator worker runs it.
 * - open model: request n leaves at its intended time (schedule.ts) whether or not earlier ones were answered;
 *   latency is measured from the intended time (wrk2), so a stall of the server or of this generator shows up;
 *   a send later than `lateMs` counts as late (k6 dropped/late iterations).
 * - closed model: N users, each sending its next request when the last one was answered (the old load-test.py);
 *   latency from the actual send.
 */
import { arrivals, expectedCount } from './schedule.js';
import { newHistogram, recordMs } from './histogram.js';
import { createTransport, type SendOutcome, type Transport } from './transport.js';
import type { LoadModel, PhaseJob, PhaseProgress, PhaseResult, TimelineSecond } from './types.js';

export interface PhaseHooks {
  stopped(): boolean;
  progress(p: PhaseProgress): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const immediate = (): Promise<void> => new Promise((r) => setImmediate(r));

function capacity(model: LoadModel, max: number): number {
  const n = model.kind === 'open' ? expectedCount(model.stages) : model.users * model.requestsPerUser;
  return Math.max(0, Math.min(max, n));
}

/** Counters and histograms of a phase; `record` is called once per answered request. */
class PhaseTally {
  readonly result: PhaseResult;
  private readonly seconds = new Map<number, TimelineSecond>();
  firstSend = Infinity;
  lastSend = -Infinity;
  inflight = 0;

  constructor(
    readonly cap: number,
    startedAt: number,
  ) {
    this.result = {
      type: 'result',
      startedAt,
      elapsedMs: 0,
      sendWindowMs: 0,
      sent: 0,
      ok: 0,
      failed: 0,
      skipped: 0,
      warmupSent: 0,
      statuses: {},
      errors: {},
      latency: newHistogram(),
      service: newHistogram(),
      lateness: newHistogram(),
      late: 0,
      acceptedAt: new Float64Array(cap).fill(NaN),
      sentAt: new Float64Array(cap).fill(NaN),
      timeline: [],
      stopped: false,
    };
  }

  sent(i: number, at: number, lateness: number, lateMs: number): void {
    const r = this.result;
    r.sent++;
    r.sentAt[i] = performance.timeOrigin + at;
    this.firstSend = Math.min(this.firstSend, at);
    this.lastSend = Math.max(this.lastSend, at);
    recordMs(r.lateness, Math.max(0, lateness));
    if (lateness > lateMs) r.late++;
  }

  record(i: number, o: SendOutcome, latencyMs: number, serviceMs: number, second: number, endEpoch: number): void {
    const r = this.result;
    const ok = o.status !== undefined && o.status >= 200 && o.status < 300;
    if (o.status !== undefined) r.statuses[String(o.status)] = (r.statuses[String(o.status)] ?? 0) + 1;
    if (o.error !== undefined) r.errors[o.error] = (r.errors[o.error] ?? 0) + 1;
    if (ok) r.ok++;
    else r.failed++;
    recordMs(r.latency, latencyMs);
    recordMs(r.service, serviceMs);
    if (ok) r.acceptedAt[i] = endEpoch;
    let s = this.seconds.get(second);
    if (!s) this.seconds.set(second, (s = { second, sent: 0, ok: 0, failed: 0, latency: newHistogram() }));
    s.sent++;
    if (ok) s.ok++;
    else s.failed++;
    recordMs(s.latency, latencyMs);
  }

  finish(t0: number, stopped: boolean, issued: number): PhaseResult {
    const r = this.result;
    r.elapsedMs = performance.now() - t0;
    r.sendWindowMs = r.sent > 1 ? this.lastSend - this.firstSend : 0;
    r.skipped = Math.max(0, this.cap - issued);
    r.timeline = [...this.seconds.values()].sort((a, b) => a.second - b.second);
    r.stopped = stopped;
    return r;
  }
}

async function runOpen(
  job: PhaseJob,
  model: Extract<LoadModel, { kind: 'open' }>,
  t: Transport,
  tally: PhaseTally,
  t0: number,
  hooks: PhaseHooks,
): Promise<number> {
  let i = 0;
  let slot: (() => void) | null = null;
  const pending = new Set<Promise<void>>();
  let burst = 0;
  outer: for (const offset of arrivals(model.stages, tally.cap)) {
    const due = t0 + offset;
    for (;;) {
      if (hooks.stopped()) break outer;
      const wait = due - performance.now();
      if (wait >= 1) {
        burst = 0;
        await sleep(Math.min(wait, 50));
        continue;
      }
      if (tally.inflight < job.maxInflight) break;
      await new Promise<void>((r) => {
        slot = r;
      });
    }
    // A send may leave up to 1 ms before its time (timer granularity, as in wrk2); latency then counts from the send.
    // Catching up after a stall: let answers be read now and then, or their times would include our own backlog.
    if (++burst % 16 === 0) await immediate();
    const seq = i++;
    const sentAt = performance.now();
    const warm = offset < job.warmupMs;
    if (warm) tally.result.warmupSent++;
    else tally.sent(seq, sentAt, sentAt - due, job.lateMs);
    tally.inflight++;
    const p = t.send(job.seqStart + seq).then((o) => {
      const end = performance.now();
      tally.inflight--;
      if (!warm)
        tally.record(
          seq,
          o,
          end - Math.min(due, sentAt),
          end - sentAt,
          Math.floor(offset / 1000),
          performance.timeOrigin + end,
        );
      const s = slot;
      slot = null;
      s?.();
    });
    pending.add(p);
    void p.then(() => pending.delete(p));
  }
  await Promise.all(pending);
  return i;
}

async function runClosed(
  job: PhaseJob,
  model: Extract<LoadModel, { kind: 'closed' }>,
  t: Transport,
  tally: PhaseTally,
  t0: number,
  hooks: PhaseHooks,
): Promise<number> {
  let next = 0;
  const endAt = t0 + model.durationMs;
  const user = async (k: number): Promise<void> => {
    await sleep(model.users > 1 ? (k * model.rampUpMs) / (model.users - 1 || 1) : 0);
    for (let m = 0; m < model.requestsPerUser; m++) {
      if (hooks.stopped() || performance.now() >= endAt || next >= tally.cap) return;
      const seq = next++;
      const sentAt = performance.now();
      // Timers may fire up to 1 ms before t0: with no warm-up, no request counts as one.
      const warm = job.warmupMs > 0 && sentAt - t0 < job.warmupMs;
      if (warm) tally.result.warmupSent++;
      else tally.sent(seq, sentAt, 0, job.lateMs);
      const o = await t.send(job.seqStart + seq);
      const end = performance.now();
      if (!warm)
        tally.record(
          seq,
          o,
          end - sentAt,
          end - sentAt,
          Math.floor((sentAt - t0) / 1000),
          performance.timeOrigin + end,
        );
    }
  };
  await Promise.all(Array.from({ length: model.users }, (_, k) => user(k)));
  return next;
}

export async function runPhase(job: PhaseJob, hooks: PhaseHooks): Promise<PhaseResult> {
  const transport = createTransport(job.target, job.runId, job.timeoutMs);
  const t0 = performance.now() + 10;
  const tally = new PhaseTally(capacity(job.model, job.maxRequests), performance.timeOrigin + t0);
  let lastSent = 0;
  const timer = setInterval(() => {
    const r = tally.result;
    hooks.progress({
      type: 'progress',
      elapsedMs: performance.now() - t0,
      sent: r.sent,
      ok: r.ok,
      failed: r.failed,
      late: r.late,
      p99: r.latency.count ? r.latency.percentile(99) / 1000 : 0,
      rate: ((r.sent - lastSent) * 1000) / job.progressMs,
    });
    lastSent = r.sent;
  }, job.progressMs);
  try {
    await sleep(t0 - performance.now());
    const issued =
      job.model.kind === 'open'
        ? await runOpen(job, job.model, transport, tally, t0, hooks)
        : await runClosed(job, job.model, transport, tally, t0, hooks);
    return tally.finish(t0, hooks.stopped(), issued);
  } finally {
    clearInterval(timer);
    transport.close();
  }
}
