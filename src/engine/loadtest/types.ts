/** Load tester contract: what a phase asks of the generator worker and what it answers. Plain, cloneable data. */
import type { RecordableHistogram } from 'node:perf_hooks';

/** One piece of an open-model schedule: the arrival rate goes linearly from `fromRate` to `toRate` (per second). */
export interface RateStage {
  durationMs: number;
  fromRate: number;
  toRate: number;
}

/** How a request is built and sent. */
export type SendTarget =
  | { kind: 'v1'; url: string; token: string; target?: string | undefined }
  | { kind: 'hook'; url: string; hook: string; auth: HookSigning }
  | { kind: 'spool'; dir: string; target?: string | undefined };

export type HookSigning =
  | { type: 'none' }
  | { type: 'token'; secret: string }
  | { type: 'standard'; secret: string }
  | { type: 'github'; secret: string };

export type LoadModel =
  | { kind: 'open'; stages: RateStage[] }
  | { kind: 'closed'; users: number; requestsPerUser: number; rampUpMs: number; durationMs: number };

export interface PhaseJob {
  model: LoadModel;
  target: SendTarget;
  /** Run id: every command text is `lt-<runId>-<seq>`. */
  runId: string;
  /** First sequence number of this phase (phases of one run never reuse a number). */
  seqStart: number;
  /** Requests whose intended time falls in the first warmupMs are sent but not counted. */
  warmupMs: number;
  /** Hard cap on requests in this phase. */
  maxRequests: number;
  /** Open model: requests in flight at most; a due request waits for a free slot (and counts as late). */
  maxInflight: number;
  timeoutMs: number;
  /** A send later than this after its intended time counts as late. */
  lateMs: number;
  /** Progress message interval. */
  progressMs: number;
}

export interface PhaseProgress {
  type: 'progress';
  elapsedMs: number;
  sent: number;
  ok: number;
  failed: number;
  late: number;
  /** p99 so far (ms). */
  p99: number;
  /** Sends per second over the last progress interval. */
  rate: number;
}

/** One second of the phase (by intended send time; closed model: by send time). */
export interface TimelineSecond {
  /** Seconds since the phase started. */
  second: number;
  sent: number;
  ok: number;
  failed: number;
  latency: RecordableHistogram;
}

export interface PhaseResult {
  type: 'result';
  /** Epoch ms the schedule started (intended time of offset 0). */
  startedAt: number;
  /** From the start to the last answer. */
  elapsedMs: number;
  /** From the start to the last send (the window over which the achieved rate is computed). */
  sendWindowMs: number;
  sent: number;
  ok: number;
  failed: number;
  /** Requests not sent because the phase was stopped or its cap reached. */
  skipped: number;
  warmupSent: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  /** Open: from intended send time to the answer. Closed: from the send to the answer. */
  latency: RecordableHistogram;
  /** From the actual send to the answer (the uncorrected figure, for comparison). */
  service: RecordableHistogram;
  /** How late each send left (actual - intended). */
  lateness: RecordableHistogram;
  late: number;
  /** Per seq - seqStart: epoch ms the request was accepted (2xx), NaN otherwise or during warmup. */
  acceptedAt: Float64Array;
  /** Per seq - seqStart: epoch ms the request left (NaN if not sent or during warmup). */
  sentAt: Float64Array;
  timeline: TimelineSecond[];
  stopped: boolean;
}

export type WorkerMessage = PhaseProgress | PhaseResult | { type: 'error'; message: string };

export const commandText = (runId: string, seq: number): string => `lt-${runId}-${seq}`;
export const COMMAND_RE = /^lt-([a-z0-9]+)-(\d+)$/;
