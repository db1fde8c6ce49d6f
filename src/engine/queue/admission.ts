/**
 * The one admission path (engine, offline API, HTTP group commit, benches): validate each input (task-row.ts
 * toTaskRow: text safety, fields, target), then dedupe and capacity inside the store's insert transaction (one
 * idempotency-key lookup per trigger). Counters (received, deduplicated, peak) are kept by the store.
 */
import type { QueueConfig } from './config.js';
import { toWhtError, WhtError } from '../errors.js';
import { toTaskRow, type CallbackCheck, type TaskDefaults } from './task-row.js';
import type { EnqueueResult, NewTask } from '../task.js';
import type { QueueStore, TaskRow } from './store.js';

export interface AdmissionDeps {
  store: QueueStore;
  config: TaskDefaults & { queue: Pick<QueueConfig, 'capacity' | 'dedupeWindowMs'> };
  /** Checks a task's callback; without it a task with one is refused. */
  checkCallback?: CallbackCheck | undefined;
}

export function queueFull(capacity: number): WhtError {
  return new WhtError('WHT_ERR_QUEUE_FULL', `queue is full (${capacity} pending tasks)`, { capacity });
}

/**
 * Admit several inputs in one transaction. Per input, in order: its EnqueueResult (created, or the existing task for
 * a repeated idempotency key, even when the queue is full), or the WhtError that refused it (validation, or
 * WHT_ERR_QUEUE_FULL for a new input past capacity).
 */
export function admit(deps: AdmissionDeps, inputs: readonly NewTask[], now: number): Array<EnqueueResult | WhtError> {
  const { store, config } = deps;
  const out = new Array<EnqueueResult | WhtError>(inputs.length);
  const rows: TaskRow[] = [];
  const at: number[] = [];
  inputs.forEach((input, i) => {
    try {
      rows.push(toTaskRow(input, config, now, deps.checkCallback));
      at.push(i);
    } catch (err) {
      out[i] = toWhtError(err, 'WHT_ERR_BAD_TRIGGER');
    }
  });
  if (rows.length === 0) return out;
  const { capacity, dedupeWindowMs } = config.queue;
  store.admit(rows, now, { capacity, dedupeWindowMs }).forEach((r, k) => {
    out[at[k]!] = r ?? queueFull(capacity);
  });
  return out;
}

/** Admit one input; throws what refused it. */
export function admitOne(deps: AdmissionDeps, input: NewTask, now: number): EnqueueResult {
  const [result] = admit(deps, [input], now);
  if (result instanceof Error) throw result;
  return result!;
}
