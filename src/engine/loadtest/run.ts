/**
 * One load test: the phases of its type (plans.ts), each in a generator worker, then (end to end) a bounded wait for
 * the sink to see every acknowledged line, then the engine's own figures. Stops early on `signal` (Ctrl-C) and
 * still returns what ran.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { accountE2e, SinkLog, type Acks, type E2eOutcome } from './e2e.js';
import { engineView, fetchEngineSnapshot, type EngineView } from './engine-stats.js';
import { startPhase } from './generator.js';
import { SUMMARY_REFRESH_MS } from '../monitor/latency.js';
import { planPhases, type PhasePlan, type PlanOptions } from './plans.js';
import { phaseFigures } from './figures.js';
import type { ResolvedTarget } from './target.js';
import { evaluateThresholds, parseThreshold, type Threshold } from './thresholds.js';
import type { PhaseJob, PhaseProgress, PhaseResult } from './types.js';
import type { PhaseRun } from './phase-run.js';

export interface RunOptions extends PlanOptions {
  warmupMs: number;
  maxRequests: number;
  maxInflight: number;
  timeoutMs: number;
  lateMs: number;
  thresholds: Threshold[];
  /** Longest wait after the last send for the sink to see every acknowledged line. */
  drainMs: number;
}

export interface Progress {
  phase: string;
  phaseIndex: number;
  phases: number;
  p: PhaseProgress;
}

export interface RunDeps {
  target: ResolvedTarget;
  /** End to end: the sink's log. */
  sinkLog?: string | undefined;
  scratch: boolean;
  signal?: AbortSignal | undefined;
  onProgress?: (p: Progress) => void;
  onDrain?: (typed: number, expected: number) => void;
}

export type { PhaseRun } from './phase-run.js';

export interface RunData {
  options: RunOptions;
  target: ResolvedTarget;
  runId: string;
  startedAt: number;
  finishedAt: number;
  phases: PhaseRun[];
  /** Planned phases not run (stopped, or stress broke). */
  skippedPhases: number;
  e2e: E2eOutcome | null;
  sink: SinkLog | null;
  engine: EngineView | null;
  engineAtStart: EngineView | null;
  generator: { cpuPercent: number; cpuCount: number };
  loadAvg: { start: number[]; end: number[] };
  stopped: boolean;
}

/** The old bars, for stress when no --threshold was given. */
export const DEFAULT_STRESS_THRESHOLDS = ['p95<1000ms', 'errors<1%'];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function acksOf(phases: readonly PhaseRun[]): Acks {
  const acceptedAt = new Map<number, number>();
  const sentAt = new Map<number, number>();
  for (const ph of phases) {
    const { acceptedAt: acc, sentAt: sent } = ph.result;
    for (let i = 0; i < acc.length; i++) {
      if (!Number.isNaN(acc[i]!)) acceptedAt.set(ph.seqStart + i, acc[i]!);
      if (!Number.isNaN(sent[i]!)) sentAt.set(ph.seqStart + i, sent[i]!);
    }
  }
  return { acceptedAt, sentAt };
}

/** Wait until the sink saw `expected` lines of the run, nothing new came for quietMs, maxMs passed, or abort. */
async function drain(
  sink: SinkLog,
  runId: string,
  expected: number,
  maxMs: number,
  deps: RunDeps,
  quietMs = 3000,
): Promise<void> {
  const end = Date.now() + maxMs;
  sink.poll();
  let typed = sink.countRun(runId);
  let lastNew = Date.now();
  while (typed < expected && Date.now() < end && Date.now() - lastNew < quietMs) {
    await sleep(100);
    const before = sink.lines.length;
    if (sink.poll() > 0) {
      typed += sink.countRun(runId, before);
      lastNew = Date.now();
    }
    deps.onDrain?.(typed, expected);
  }
}

async function runOne(
  job: PhaseJob,
  plan: PhasePlan,
  index: number,
  count: number,
  deps: RunDeps,
): Promise<PhaseResult> {
  const running = startPhase(job, (p) => deps.onProgress?.({ phase: plan.label, phaseIndex: index, phases: count, p }));
  const onAbort = (): void => running.stop();
  deps.signal?.addEventListener('abort', onAbort);
  if (deps.signal?.aborted) running.stop();
  try {
    return await running.result;
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
  }
}

/** Stress: did this level hold? (end to end figures after a short wait for its lines). */
async function levelHeld(
  all: readonly PhaseRun[],
  o: RunOptions,
  runId: string,
  sink: SinkLog | null,
  deps: RunDeps,
): Promise<boolean> {
  const run = all[all.length - 1]!;
  const list = o.thresholds.length ? o.thresholds : DEFAULT_STRESS_THRESHOLDS.map(parseThreshold);
  let e2e: E2eOutcome | null = null;
  if (sink && list.some((t) => t.metric.startsWith('e2e.'))) {
    await drain(sink, runId, acksOf(all).acceptedAt.size, Math.min(o.drainMs, 10_000), deps, 2000);
    e2e = accountE2e(runId, acksOf([run]), sink.lines);
  }
  return evaluateThresholds(list, phaseFigures([run.result], e2e)).every((r) => r.ok);
}

export async function runLoadTest(o: RunOptions, deps: RunDeps): Promise<RunData> {
  const runId = randomBytes(4).toString('hex');
  const startedAt = Date.now();
  const loadStart = loadavg();
  const sink = deps.sinkLog ? new SinkLog(deps.sinkLog) : null;
  sink?.poll();
  const sinkFrom = sink?.lines.length ?? 0;
  const engineAtStart = deps.target.stats
    ? engineView(await fetchEngineSnapshot(deps.target.stats), deps.scratch)
    : null;
  const plans = planPhases(o);
  const phases: PhaseRun[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let seq = 0;
  for (const [i, plan] of plans.entries()) {
    if (deps.signal?.aborted) break;
    const job: PhaseJob = {
      model: plan.model,
      target: deps.target.send,
      runId,
      seqStart: seq,
      warmupMs: i === 0 ? o.warmupMs : 0,
      maxRequests: Math.max(0, o.maxRequests - seq),
      maxInflight: o.maxInflight,
      timeoutMs: o.timeoutMs,
      lateMs: o.lateMs,
      progressMs: 250,
    };
    const result = await runOne(job, plan, i, plans.length, deps);
    const run: PhaseRun = { plan, result, seqStart: seq };
    seq += result.acceptedAt.length;
    phases.push(run);
    if (o.type === 'stress') {
      run.held = await levelHeld(phases, o, runId, sink, deps);
      if (!run.held) break;
    }
    if (seq >= o.maxRequests) break;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  let e2e: E2eOutcome | null = null;
  const acks = acksOf(phases);
  if (sink) {
    await drain(sink, runId, acks.acceptedAt.size, deps.signal?.aborted ? Math.min(o.drainMs, 5000) : o.drainMs, deps);
  }
  // The monitor recomputes its percentiles at most once a second (SUMMARY_REFRESH_MS): let the last deliveries in.
  if (deps.target.stats) await sleep(SUMMARY_REFRESH_MS + 100);
  const engine = deps.target.stats ? engineView(await fetchEngineSnapshot(deps.target.stats), deps.scratch) : null;
  if (sink) e2e = accountE2e(runId, acks, sink.lines.slice(sinkFrom), engine?.pending ?? 0);
  return {
    options: o,
    target: deps.target,
    runId,
    startedAt,
    finishedAt: Date.now(),
    phases,
    skippedPhases: plans.length - phases.length,
    e2e,
    sink,
    engine,
    engineAtStart,
    generator: {
      cpuPercent: wallMs > 0 ? ((cpu.user + cpu.system) / 1000 / wallMs) * 100 : 0,
      cpuCount: cpus().length,
    },
    loadAvg: { start: loadStart, end: loadavg() },
    stopped: deps.signal?.aborted ?? false,
  };
}
