/**
 * Fallback figures computed in the dashboard from engine events, used when the snapshot has no monitor block,
 * plus the end-to-end latency series for the sparkline (the monitor keeps summaries, not a per-second series).
 * Bounded memory: fixed-size rings. Time is passed in.
 */
import { summariseMs } from '../engine/monitor/percentiles.js';
import type { Task } from '../engine/types.js';
import { STAGES, type LatencySummaryLike, type MonitorView, type Stage } from './monitor-view.js';

const SECONDS = 120;
const MINUTE_SAMPLES = 1000;
const START_SAMPLES = 2000;
const HISTORY_MINUTES = 60;

interface Sample {
  at: number;
  ms: Record<Stage, number>;
}

export interface MinutePoint {
  at: number;
  delivered: number;
  failed: number;
  p95Ms: number;
}

/** Percentiles of durations in ms, from the engine's one percentile implementation (HDR histogram, within 0.1%). */
export function percentileSummary(values: readonly number[]): LatencySummaryLike {
  const { count, p50Ms, p95Ms, p99Ms, maxMs } = summariseMs(values);
  return { count, p50Ms, p95Ms, p99Ms, maxMs };
}

export function stageDurations(task: Task): Record<Stage, number> | undefined {
  if (task.deliveredAt === null || task.startedAt === null) return undefined;
  return {
    intake: Math.max(0, task.committedAt - task.receivedAt),
    wait: Math.max(0, task.startedAt - task.committedAt),
    delivery: Math.max(0, task.deliveredAt - task.startedAt),
    endToEnd: Math.max(0, task.deliveredAt - task.receivedAt),
  };
}

export class LocalStats {
  private readonly startSec: number;
  private readonly counts = new Map<number, { received: number; delivered: number; failed: number; e2eMax: number }>();
  private minute: Sample[] = [];
  private sinceStart: Sample[] = [];
  private minutes: MinutePoint[] = [];
  private minuteBucket: { at: number; delivered: number; failed: number; e2e: number[] } | null = null;

  constructor(now: number) {
    this.startSec = Math.floor(now / 1000);
  }

  private bucket(now: number): { received: number; delivered: number; failed: number; e2eMax: number } {
    const sec = Math.floor(now / 1000);
    let b = this.counts.get(sec);
    if (!b) {
      b = { received: 0, delivered: 0, failed: 0, e2eMax: 0 };
      this.counts.set(sec, b);
      for (const k of this.counts.keys()) if (k <= sec - SECONDS) this.counts.delete(k);
    }
    return b;
  }

  private minuteOf(now: number): { at: number; delivered: number; failed: number; e2e: number[] } {
    const at = Math.floor(now / 60_000) * 60_000;
    if (this.minuteBucket && this.minuteBucket.at === at) return this.minuteBucket;
    if (this.minuteBucket) this.closeMinute(this.minuteBucket);
    this.minuteBucket = { at, delivered: 0, failed: 0, e2e: [] };
    return this.minuteBucket;
  }

  private closeMinute(b: { at: number; delivered: number; failed: number; e2e: number[] }): void {
    this.minutes.push({ at: b.at, delivered: b.delivered, failed: b.failed, p95Ms: percentileSummary(b.e2e).p95Ms });
    if (this.minutes.length > HISTORY_MINUTES) this.minutes.shift();
  }

  received(now: number): void {
    this.bucket(now).received += 1;
  }

  failed(now: number): void {
    this.bucket(now).failed += 1;
    this.minuteOf(now).failed += 1;
  }

  delivered(task: Task, now: number): void {
    const b = this.bucket(now);
    b.delivered += 1;
    const ms = stageDurations(task);
    if (!ms) return;
    b.e2eMax = Math.max(b.e2eMax, ms.endToEnd);
    const m = this.minuteOf(now);
    m.delivered += 1;
    if (m.e2e.length < MINUTE_SAMPLES) m.e2e.push(ms.endToEnd);
    // bounded; trimmed in batches so a busy stream does not shift an array per event
    this.minute.push({ at: now, ms });
    if (this.minute.length > MINUTE_SAMPLES * 1.5) this.minute = this.minute.slice(-MINUTE_SAMPLES);
    this.sinceStart.push({ at: now, ms });
    if (this.sinceStart.length > START_SAMPLES * 1.5) this.sinceStart = this.sinceStart.slice(-START_SAMPLES);
  }

  /** Whether the since-start window is a sample of the newest deliveries rather than all of them. */
  get sampled(): boolean {
    return this.sinceStart.length >= START_SAMPLES;
  }

  /** Per-second series over the last `n` seconds up to `now`, oldest first. */
  series(now: number, n = 60): { received: number[]; delivered: number[]; failed: number[]; e2eMaxMs: number[] } {
    const sec = Math.floor(now / 1000);
    const out = {
      received: [] as number[],
      delivered: [] as number[],
      failed: [] as number[],
      e2eMaxMs: [] as number[],
    };
    for (let s = Math.max(this.startSec, sec - n + 1); s <= sec; s += 1) {
      const b = this.counts.get(s);
      out.received.push(b?.received ?? 0);
      out.delivered.push(b?.delivered ?? 0);
      out.failed.push(b?.failed ?? 0);
      out.e2eMaxMs.push(b?.e2eMax ?? 0);
    }
    return out;
  }

  /** Per-minute points for the history chart (closed minutes plus the current one). */
  history(now: number): MinutePoint[] {
    const cur = this.minuteOf(now);
    return [
      ...this.minutes,
      { at: cur.at, delivered: cur.delivered, failed: cur.failed, p95Ms: percentileSummary(cur.e2e).p95Ms },
    ];
  }

  view(
    now: number,
    usage: { cpuPercent: number | null; rssBytes: number | null; totalMemBytes: number | null },
  ): MonitorView {
    this.minute = this.minute.filter((s) => s.at > now - 60_000).slice(-MINUTE_SAMPLES);
    const latency = {} as MonitorView['latency'];
    for (const st of STAGES) {
      latency[st] = {
        lastMinute: percentileSummary(this.minute.map((s) => s.ms[st])),
        sinceStart: percentileSummary(this.sinceStart.map((s) => s.ms[st])),
      };
    }
    const s = this.series(now, 60);
    const ok = s.delivered.reduce((a, b) => a + b, 0);
    const bad = s.failed.reduce((a, b) => a + b, 0);
    return {
      source: 'local',
      ...usage,
      successRate: ok + bad === 0 ? null : ok / (ok + bad),
      health: null,
      latency,
      received: s.received,
      delivered: s.delivered,
      failed: s.failed,
      alerts: { active: [], recent: [] },
    };
  }
}
