/**
 * Open-model arrival schedule (wrk2 / k6 arrival-rate): intended send offsets, in ms from the phase start, for a list
 * of rate stages. Request n is due when the integral of the rate reaches n, so a ramp spaces requests evenly in
 * rate, and no request waits for an earlier answer. Pure.
 */
import type { RateStage } from './types.js';

/** Time (s) into a stage at which `count` arrivals have accumulated; rate goes linearly r0 -> r1 over d seconds. */
function timeForCount(count: number, r0: number, r1: number, d: number): number {
  if (count <= 0) return 0;
  const a = (r1 - r0) / (2 * d);
  if (Math.abs(a) < 1e-12) return r0 > 0 ? count / r0 : Infinity;
  const disc = r0 * r0 + 4 * a * count;
  if (disc < 0) return Infinity;
  return (-r0 + Math.sqrt(disc)) / (2 * a);
}

/** Arrivals in a whole stage. */
export function stageCount(s: RateStage): number {
  return ((s.fromRate + s.toRate) / 2) * (s.durationMs / 1000);
}

export function totalDurationMs(stages: readonly RateStage[]): number {
  return stages.reduce((a, s) => a + s.durationMs, 0);
}

/** Expected number of requests of a schedule (rounded down). */
export function expectedCount(stages: readonly RateStage[]): number {
  return Math.floor(stages.reduce((a, s) => a + stageCount(s), 0) + 1e-9);
}

/** Offsets (ms) of every request, in order, at most `max`. Request 0 is due at offset 0 when the first rate > 0. */
export function* arrivals(stages: readonly RateStage[], max = Infinity): Generator<number> {
  let before = 0; // arrivals accumulated before this stage (fractional)
  let startMs = 0;
  let n = 0;
  for (const s of stages) {
    const d = s.durationMs / 1000;
    const inStage = stageCount(s);
    while (n < max && n < before + inStage - 1e-9) {
      const t = timeForCount(n - before, s.fromRate, s.toRate, d);
      if (!Number.isFinite(t) || t > d) break;
      yield startMs + t * 1000;
      n++;
    }
    before += inStage;
    startMs += s.durationMs;
    if (n >= max) return;
  }
}
