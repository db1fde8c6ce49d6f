import type { EventEmitter } from 'node:events';
import { printable } from '../text-safety.js';
import type { Logger } from '../ports/logger.js';
import type { DeliverySteps, EngineEventMap } from '../events.js';
import type { AttemptError, Task, TaskSource } from '../task.js';

/** How a task came in, as the log names it. */
const INTAKE: Record<TaskSource, string> = {
  spool: 'spool',
  http: 'http',
  api: 'http',
  cli: 'send',
  legacy: 'legacy',
  cluster: 'cluster',
};

const base = (t: Task): Record<string, unknown> => ({
  task: t.id,
  target: t.target,
  ...(t.idemKey === null ? {} : { key: t.idemKey }),
});
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * One `info` line per task event (warn for failed attempts, error for dead tasks), from the engine's typed events:
 * accepted, deduplicated, delivered, failed, dead, retried, dropped, and rejected spool files. `start()` subscribes,
 * `close()` unsubscribes (idempotent).
 */
export class TaskEventLog {
  private offs: Array<() => void> = [];

  constructor(
    private readonly events: EventEmitter<EngineEventMap>,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.offs.length) return;
    const log = this.log;
    this.on('task:queued', (t) => {
      if (t.attempts > 0 || t.errors.length > 0) log.info('task retried', { ...base(t), attempts: t.attempts });
      else
        log.info('task accepted', {
          ...base(t),
          intake: INTAKE[t.source],
          priority: t.priority,
          category: t.category,
          text: preview(t.text),
        });
    });
    this.on('task:deduplicated', (t) =>
      log.info('task already accepted (repeated key)', { ...base(t), state: t.state }),
    );
    this.on('task:delivered', (t, steps) =>
      log.info('task delivered', {
        ...base(t),
        attempt: t.attempts,
        latencyMs: round((t.deliveredAt ?? 0) - t.receivedAt),
        deliveryMs: round((t.deliveredAt ?? 0) - (t.startedAt ?? t.receivedAt)),
        ...(steps ? { stepsMs: stepFields(steps) } : {}),
      }),
    );
    this.on('task:retrying', (t, e) =>
      log.warn('task failed, will retry', {
        ...base(t),
        attempt: e.attempt,
        code: e.code,
        error: e.message,
        nextAttempt: iso(t.nextAttemptAt),
      }),
    );
    this.on('task:dead', (t, e) =>
      log.error('task dead', { ...base(t), attempts: t.attempts, ...errorFields(e), text: preview(t.text) }),
    );
    this.on('task:working', (t) => log.info('task working', { ...base(t), sinceDeliveredMs: since(t.workingAt, t) }));
    this.on('task:completed', (t) =>
      log.info('task completed', {
        ...base(t),
        durationMs: since(t.completedAt, t),
        outputBytes: t.outputBytes ?? 0,
        ...(t.exitCode === null || t.exitCode === undefined ? {} : { exitCode: t.exitCode }),
      }),
    );
    this.on('task:stalled', (t, e) => log.warn('task stalled', { ...base(t), ...errorFields(e) }));
    this.on('task:dropped', (t) => log.info('task dropped', { ...base(t), state: 'dropped' }));
    this.on('intake:rejected', (r) =>
      log.warn('trigger rejected', { intake: r.source, file: r.name, reason: r.reason }),
    );
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
  }

  private on<K extends keyof EngineEventMap>(name: K, fn: (...args: EngineEventMap[K]) => void): void {
    const listener = fn as (...args: unknown[]) => void;
    const events = this.events as unknown as EventEmitter;
    events.on(name, listener);
    this.offs.push(() => events.off(name, listener));
  }
}

function errorFields(e: AttemptError | null): Record<string, unknown> {
  return e ? { code: e.code, error: e.message } : {};
}

/** ms from delivery to `at`. */
function since(at: number | null | undefined, t: Task): number {
  return round((at ?? 0) - (t.deliveredAt ?? 0));
}

/** Each step to the µs: `{check, mark, commit, type, confirm, record}` (events.ts DeliverySteps). */
function stepFields(s: DeliverySteps): Record<keyof DeliverySteps, number> {
  const us = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    check: us(s.check),
    mark: us(s.mark),
    commit: us(s.commit),
    type: us(s.type),
    confirm: us(s.confirm),
    record: us(s.record),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** The first 80 characters of a command, control characters escaped (the log is for humans and grep). */
const preview = (text: string): string => printable(text, 80);
