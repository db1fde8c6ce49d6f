/** One phase of a load test as run: its plan, its result, where its sequence numbers start. */
import type { PhasePlan } from './plans.js';
import type { PhaseResult } from './types.js';

export interface PhaseRun {
  plan: PhasePlan;
  result: PhaseResult;
  seqStart: number;
  /** Stress: every threshold held at this level. */
  held?: boolean | undefined;
}
