/**
 * Live latency windows per stage, on the shared HDR histogram module (percentiles.ts, integer microseconds).
 * - last minute: a ring of SLOTS histograms of SLOT_MS each, merged with `add` on read;
 * - since start: one histogram;
 * - current rollup interval: a LogSketch (serialisable) taken and reset by the sampler;
 * - Prometheus: cumulative bucket counts since start.
 * All time comes in as `now`; nothing here owns a timer.
 */
import { HIGHEST_US, newLatencyHistogram, recordUs, summariseHistogram, type LatencyHistogram } from './percentiles.js';
import { LogSketch } from './sketch.js';
import { STAGES, type LatencySummary, type Stage, type StageLatency } from './types.js';

export const SLOT_MS = 5_000;
export const WINDOW_MS = 60_000;
const SLOTS = WINDOW_MS / SLOT_MS;
export { HIGHEST_US, summariseHistogram };
/** Prometheus bucket upper bounds in seconds (+Inf implied). */
export const PROM_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The one latency histogram of the project (monitor, load tester, bench): percentiles.ts; kept under this name too. */
export { newLatencyHistogram as newHistogram };

class StageWindow {
  private readonly slots: LatencyHistogram[] = Array.from({ length: SLOTS }, newLatencyHistogram);
  private readonly slotStart: number[] = new Array<number>(SLOTS).fill(-1);
  private readonly total = newLatencyHistogram();
  private readonly scratch = newLatencyHistogram();
  readonly rollup = new LogSketch();
  /** Non-cumulative counts per PROM_BUCKETS_S bound, plus one for +Inf. */
  readonly promCounts: number[] = new Array<number>(PROM_BUCKETS_S.length + 1).fill(0);
  promSumSeconds = 0;

  record(us: number, now: number): void {
    const start = now - (now % SLOT_MS);
    const i = Math.floor(now / SLOT_MS) % SLOTS;
    const slot = this.slots[i];
    if (!slot) return;
    if (this.slotStart[i] !== start) {
      slot.reset();
      this.slotStart[i] = start;
    }
    const v = recordUs(slot, us);
    this.total.record(v);
    this.rollup.record(v);
    const seconds = v / 1e6;
    this.promSumSeconds += seconds;
    let b = PROM_BUCKETS_S.findIndex((le) => seconds <= le);
    if (b < 0) b = PROM_BUCKETS_S.length;
    this.promCounts[b] = (this.promCounts[b] ?? 0) + 1;
  }

  lastMinute(now: number): LatencySummary {
    this.scratch.reset();
    const oldest = now - (now % SLOT_MS) - (SLOTS - 1) * SLOT_MS;
    this.slots.forEach((slot, i) => {
      const start = this.slotStart[i] ?? -1;
      if (start >= oldest && start <= now && slot.count > 0) this.scratch.add(slot);
    });
    return summariseHistogram(this.scratch);
  }

  sinceStart(): LatencySummary {
    return summariseHistogram(this.total);
  }
}

/** `summary()` is recomputed at most this often (merging 4 × 12 HDR histograms costs ~5 ms under load, measured). */
export const SUMMARY_REFRESH_MS = 1000;

export class LatencyRecorder {
  private readonly stages = new Map<Stage, StageWindow>(STAGES.map((s) => [s, new StageWindow()]));
  private cached: { at: number; value: Record<Stage, StageLatency> } | null = null;

  /** Records a duration given in ms (fractions kept: stored as integer µs). Negative durations are ignored. */
  recordMs(stage: Stage, ms: number, now: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.window(stage).record(ms * 1000, now);
  }

  /**
   * Percentiles per stage. Rate-limited: a result is reused while `now` is within SUMMARY_REFRESH_MS of its
   * computation (so a dashboard polling at 4 Hz under load merges histograms once a second, not four times).
   */
  summary(now: number): Record<Stage, StageLatency> {
    const c = this.cached;
    if (c && now >= c.at) {
      const age = now - c.at;
      if (age < SUMMARY_REFRESH_MS) return c.value;
    }
    const out = {} as Record<Stage, StageLatency>;
    for (const s of STAGES)
      out[s] = { lastMinute: this.window(s).lastMinute(now), sinceStart: this.window(s).sinceStart() };
    this.cached = { at: now, value: out };
    return out;
  }

  lastMinute(stage: Stage, now: number): LatencySummary {
    return this.window(stage).lastMinute(now);
  }

  /** Returns the sketches of the current rollup interval and starts new ones. */
  takeRollup(): Record<Stage, LogSketch> {
    const out = {} as Record<Stage, LogSketch>;
    for (const s of STAGES) {
      const w = this.window(s);
      out[s] = new LogSketch().merge(w.rollup);
      w.rollup.reset();
    }
    return out;
  }

  /** Cumulative Prometheus buckets (le seconds → count), sum in seconds, count. */
  promHistogram(stage: Stage): { buckets: Array<[number, number]>; sum: number; count: number } {
    const w = this.window(stage);
    let cum = 0;
    const buckets: Array<[number, number]> = PROM_BUCKETS_S.map((le, i) => [le, (cum += w.promCounts[i] ?? 0)]);
    const count = cum + (w.promCounts[PROM_BUCKETS_S.length] ?? 0);
    buckets.push([Infinity, count]);
    return { buckets, sum: w.promSumSeconds, count };
  }

  private window(stage: Stage): StageWindow {
    const w = this.stages.get(stage);
    if (!w) throw new Error(`unknown stage ${stage}`);
    return w;
  }
}
