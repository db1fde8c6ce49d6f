/** `loadtest` flags -> RunOptions, with a clear error naming the flag for every bad value. */
import type { Argv } from 'yargs';
import { WhtError } from '../../engine/errors.js';
import { DEFAULT_LEVELS, TEST_TYPES, TYPE_DEFAULTS, type TestType } from '../../engine/loadtest/plans.js';
import type { RunOptions } from '../../engine/loadtest/run.js';
import { parseThreshold } from '../../engine/loadtest/thresholds.js';

const DAY_S = 86_400;

export function loadtestOptions(y: Argv): Argv {
  return y
    .option('url', {
      type: 'string',
      describe: 'a running webhook-tui: http://127.0.0.1:8787/v1/tasks or .../hooks/NAME (default: a scratch engine)',
    })
    .option('spool', { type: 'string', describe: 'write trigger files into this spool dir instead' })
    .option('allow-remote', {
      type: 'boolean',
      default: false,
      describe: 'allow a --url that is not a loopback address',
    })
    .option('target', { type: 'string', describe: 'task target (targets.NAME) for /v1/tasks and the spool' })
    .option('e2e', { type: 'string', describe: 'end to end: the pane (%N) of that target, running `webhook-tui sink`' })
    .option('sink-log', {
      type: 'string',
      describe: "with --e2e: the sink's log (default: where `webhook-tui sink` in that pane writes)",
    })
    .option('type', {
      choices: TEST_TYPES as unknown as string[],
      default: 'load',
      describe: 'smoke | load | stress | spike | soak | scalability',
    })
    .option('rate', { type: 'number', describe: 'open model: requests per second (stress: first step; spike: base)' })
    .option('users', { type: 'number', describe: 'closed model: concurrent users, each waiting for its answer' })
    .option('requests', { type: 'number', default: 20, describe: 'closed model: requests per user' })
    .option('ramp-up', {
      type: 'number',
      default: 0,
      describe: 'seconds: open: rate ramps from 0; closed: users start spread over it',
    })
    .option('duration', {
      type: 'number',
      describe: 'seconds (default per type: smoke 5, load 30, spike 30, soak 600)',
    })
    .option('warmup', { type: 'number', default: 0, describe: 'seconds sent first and not counted' })
    .option('peak', { type: 'number', describe: 'spike: peak rate (default 10x --rate)' })
    .option('step', { type: 'number', describe: 'stress: rate added per step (default --rate)' })
    .option('step-duration', { type: 'number', default: 10, describe: 'stress / scalability: seconds per level' })
    .option('max-rate', { type: 'number', default: 5000, describe: 'stress: highest step' })
    .option('levels', { type: 'string', default: DEFAULT_LEVELS.join(','), describe: 'scalability: users per level' })
    .option('threshold', {
      type: 'string',
      array: true,
      default: [],
      describe: "pass/fail, k6-style: 'p95<500ms', 'errors<1%', 'e2e.p99<50ms' (exit 1 when one breaks)",
    })
    .option('html', {
      type: 'string',
      describe: 'also write a self-contained HTML report (inline SVG charts) to this file',
    })
    .option('max-requests', { type: 'number', default: 1_000_000, describe: 'hard cap on requests in the run' })
    .option('max-inflight', {
      type: 'number',
      default: 1000,
      describe: 'open model: requests in flight at most (a due request waits and counts as late)',
    })
    .option('timeout', { type: 'number', default: 10, describe: 'seconds per request' })
    .option('late-ms', {
      type: 'number',
      default: 5,
      describe: 'a send this many ms after its intended time counts as late',
    })
    .option('drain', {
      type: 'number',
      default: 60,
      describe: 'end to end: seconds to wait at most for the pane to receive every line',
    });
}

function positive(name: string, v: unknown, max: number, integer = false): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n))) {
    throw new WhtError(
      'WHT_ERR_CONFIG_INVALID',
      `--${name}: expected a${integer ? ' whole' : ''} number above 0 and at most ${max} (got ${String(v)})`,
    );
  }
  return n;
}

function nonNegative(name: string, v: unknown, max: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > max)
    throw new WhtError('WHT_ERR_CONFIG_INVALID', `--${name}: expected a number from 0 to ${max} (got ${String(v)})`);
  return n;
}

function levelsOf(raw: unknown): number[] {
  const parts = String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const levels = parts.map((p) => positive('levels', p, 10_000, true));
  if (levels.length === 0)
    throw new WhtError('WHT_ERR_CONFIG_INVALID', '--levels: give users per level, e.g. 1,5,10,15,20');
  return levels;
}

export function runOptionsFrom(a: Record<string, unknown>): RunOptions {
  const type = a.type as TestType;
  const defaults = TYPE_DEFAULTS[type];
  const closed = type === 'scalability' || (a.users !== undefined && type !== 'stress' && type !== 'spike');
  if (a.users !== undefined && (type === 'stress' || type === 'spike')) {
    throw new WhtError(
      'WHT_ERR_CONFIG_INVALID',
      `--users: ${type} tests use the open model (--rate); use --type scalability or load for users`,
    );
  }
  const rate = positive('rate', a.rate ?? (defaults.rate || 50), 100_000);
  return {
    type,
    model: closed ? 'closed' : 'open',
    rate,
    durationMs: positive('duration', a.duration ?? (defaults.durationMs || 30_000) / 1000, DAY_S) * 1000,
    rampUpMs: nonNegative('ramp-up', a['ramp-up'], DAY_S) * 1000,
    warmupMs: nonNegative('warmup', a.warmup, DAY_S) * 1000,
    users: positive('users', a.users ?? 10, 10_000, true),
    requestsPerUser: positive('requests', a.requests, 10_000_000, true),
    peakRate: positive('peak', a.peak ?? rate * 10, 100_000),
    stepDurationMs: positive('step-duration', a['step-duration'], DAY_S) * 1000,
    stepRate: positive('step', a.step ?? rate, 100_000),
    maxRate: positive('max-rate', a['max-rate'], 100_000),
    levels: levelsOf(a.levels),
    maxRequests: positive('max-requests', a['max-requests'], 100_000_000, true),
    maxInflight: positive('max-inflight', a['max-inflight'], 100_000, true),
    timeoutMs: positive('timeout', a.timeout, 3600) * 1000,
    lateMs: nonNegative('late-ms', a['late-ms'], 60_000),
    drainMs: nonNegative('drain', a.drain, 3600) * 1000,
    thresholds: ((a.threshold as string[] | undefined) ?? []).map(String).map(parseThreshold),
  };
}
