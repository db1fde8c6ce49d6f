/**
 * Test types -> phases. Pure. A phase is one run of the generator (one worker); stress and scalability run one
 * phase per level, the others one phase (spike: base -> peak -> base in one schedule, so nothing pauses between).
 */
import type { LoadModel, RateStage } from './types.js';

export const TEST_TYPES = ['smoke', 'load', 'stress', 'spike', 'soak', 'scalability'] as const;
export type TestType = (typeof TEST_TYPES)[number];

export interface PlanOptions {
  type: TestType;
  model: 'open' | 'closed';
  /** Open model rate (req/s); stress: the first step; spike: the base rate. */
  rate: number;
  durationMs: number;
  /** Open model: a linear ramp from 0 to `rate` before `durationMs`; closed: users start spread over it. */
  rampUpMs: number;
  users: number;
  requestsPerUser: number;
  /** spike: peak rate. */
  peakRate: number;
  /** stress / scalability: length of one level. */
  stepDurationMs: number;
  /** stress: added to the rate at each step. */
  stepRate: number;
  /** stress: stop after this rate. */
  maxRate: number;
  /** scalability: users per level. */
  levels: number[];
}

export interface PhasePlan {
  label: string;
  model: LoadModel;
  /** The level this phase stands for in tables (users or rate). */
  level?: { users: number } | { rate: number } | undefined;
}

/** Defaults per type (used where a flag was not given). */
export const TYPE_DEFAULTS: Record<TestType, { rate: number; durationMs: number }> = {
  smoke: { rate: 10, durationMs: 5_000 },
  load: { rate: 50, durationMs: 30_000 },
  stress: { rate: 50, durationMs: 0 },
  spike: { rate: 20, durationMs: 30_000 },
  soak: { rate: 20, durationMs: 600_000 },
  scalability: { rate: 0, durationMs: 0 },
};

export const DEFAULT_LEVELS = [1, 5, 10, 15, 20];

function openStages(rate: number, durationMs: number, rampUpMs: number): RateStage[] {
  const main: RateStage = { durationMs, fromRate: rate, toRate: rate };
  return rampUpMs > 0 ? [{ durationMs: rampUpMs, fromRate: 0, toRate: rate }, main] : [main];
}

function single(o: PlanOptions): PhasePlan {
  if (o.model === 'closed') {
    return {
      label: `${o.users} users`,
      model: {
        kind: 'closed',
        users: o.users,
        requestsPerUser: o.requestsPerUser,
        rampUpMs: o.rampUpMs,
        durationMs: o.durationMs,
      },
      level: { users: o.users },
    };
  }
  return {
    label: `${o.rate}/s`,
    model: { kind: 'open', stages: openStages(o.rate, o.durationMs, o.rampUpMs) },
    level: { rate: o.rate },
  };
}

/** The spike schedule: base for a third, the peak at once for a third, base again for the last third. */
export function spikeStages(base: number, peak: number, durationMs: number): RateStage[] {
  const third = Math.round(durationMs / 3);
  return [
    { durationMs: third, fromRate: base, toRate: base },
    { durationMs: third, fromRate: peak, toRate: peak },
    { durationMs: durationMs - 2 * third, fromRate: base, toRate: base },
  ];
}

/** Stress rates: rate, rate + step, ... up to maxRate (at most 20 steps). */
export function stressRates(o: Pick<PlanOptions, 'rate' | 'stepRate' | 'maxRate'>): number[] {
  const out: number[] = [];
  for (let r = o.rate; r <= o.maxRate + 1e-9 && out.length < 20; r += o.stepRate) out.push(Math.round(r * 100) / 100);
  return out;
}

/** Every phase of a run, in order. Stress phases are run one by one until a threshold breaks. */
export function planPhases(o: PlanOptions): PhasePlan[] {
  switch (o.type) {
    case 'smoke':
    case 'load':
    case 'soak':
      return [single(o)];
    case 'spike':
      return [
        {
          label: `${o.rate}/s -> ${o.peakRate}/s -> ${o.rate}/s`,
          model: { kind: 'open', stages: spikeStages(o.rate, o.peakRate, o.durationMs) },
        },
      ];
    case 'stress':
      return stressRates(o).map((rate) => ({
        label: `${rate}/s`,
        model: { kind: 'open', stages: [{ durationMs: o.stepDurationMs, fromRate: rate, toRate: rate }] },
        level: { rate },
      }));
    case 'scalability':
      return o.levels.map((users) => ({
        label: `${users} users`,
        model: {
          kind: 'closed',
          users,
          requestsPerUser: o.requestsPerUser,
          rampUpMs: o.rampUpMs,
          durationMs: o.stepDurationMs,
        },
        level: { users },
      }));
  }
}
