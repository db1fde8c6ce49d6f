import { EventEmitter } from 'node:events';
import type { Config } from './config/schema.js';
import { WhtError } from './errors.js';
import type { EngineEventMap } from './events.js';
import type { HistoryRange, HistoryResult } from './monitor/index.js';
import { admit } from './queue/admission.js';
import { buildStats } from './stats.js';
import type { StorageDown, TargetStatus } from './task.js';
import type { EngineApi, EngineSnapshot, EnqueueResult, ListTasksQuery, NewTask, QueueStats, Task } from './types.js';

import { prepareEngine, type EngineCore, type EngineDeps } from './compose.js';

export type { EngineDeps } from './compose.js';
export { dataPaths } from './data-dir.js';

/**
 * Build an engine: every check that can refuse a start runs first (preflight; a refused start changes nothing and
 * throws the reason, exit 2), then the I/O (lock, log, database); `start()` then starts the parts in order.
 */
export async function createEngine(config: Config, deps: EngineDeps = {}): Promise<Engine> {
  const wire = await prepareEngine(config, deps);
  return new Engine(config, wire);
}

/**
 * The engine: a thin facade over the parts compose.ts builds (intake -> queue store -> delivery), with typed events
 * and a plain-data snapshot for the UI. Create with `createEngine`, then `start()`; `close()` drains in-flight
 * deliveries and closes the parts in reverse order. The CLI, dashboard, RPC socket and HTTP use only these methods.
 */
export class Engine extends EventEmitter<EngineEventMap> implements EngineApi {
  readonly config: Config;
  readonly startedAt: number;
  readonly #core: EngineCore;
  #paused: boolean;

  /** `wire` builds the parts; it gets the engine itself, which they emit events on and call back into. */
  constructor(config: Config, wire: (engine: Engine) => EngineCore) {
    super();
    this.config = config;
    this.#core = wire(this);
    this.startedAt = this.#core.clock.now();
    this.#paused = this.#core.store.getMeta('paused') === '1';
  }

  async start(): Promise<void> {
    try {
      await this.#core.lifecycle.start();
    } catch (err) {
      this.#core.logger.error('engine refused to start', {
        code: (err as { code?: string }).code ?? 'error',
        error: (err as Error).message,
      });
      throw err;
    }
  }

  /** Base URL of the HTTP server, when it runs. */
  httpUrl(): string | undefined {
    return this.#core.httpUrl();
  }

  enqueue(input: NewTask): EnqueueResult {
    const [result] = this.enqueueMany([input]);
    if (result instanceof Error) throw result;
    return result!;
  }

  /** Admit several tasks in one transaction (queue/admission.ts); per input its result or the error that refused it. */
  enqueueMany(inputs: readonly NewTask[]): Array<EnqueueResult | Error> {
    this.#assertOpen();
    const { store, dispatcher, storageGuard } = this.#core;
    // The database cannot be written (disk full, file deleted): refuse everything, acknowledge nothing.
    if (storageGuard.down) return inputs.map(() => storageGuard.error());
    let out: Array<EnqueueResult | Error>;
    try {
      out = admit(
        { store, config: this.config, checkCallback: this.#core.checkCallback },
        inputs,
        this.#core.clock.now(),
      );
    } catch (err) {
      const e = storageGuard.report(err);
      return inputs.map(() => e);
    }
    for (const r of out) {
      if (r instanceof Error) continue;
      this.emit(r.created ? 'task:queued' : 'task:deduplicated', r.task);
      if (r.created) dispatcher.markReady(r.task.target);
    }
    dispatcher.pump();
    return out;
  }

  getTask(id: number): Task | undefined {
    return this.#core.store.get(id);
  }

  listTasks(query?: ListTasksQuery): Task[] {
    return this.#core.store.list(query);
  }

  retry(id: number): Task {
    const { store, clock, dispatcher } = this.#core;
    const task = store.retry(id, clock.now());
    this.emit('task:queued', task);
    dispatcher.markReady(task.target);
    dispatcher.pump();
    return task;
  }

  retryAllDead(): number {
    const { store, clock, logger, dispatcher } = this.#core;
    const targets = new Set(store.list({ state: 'dead', limit: 10_000 }).map((t) => t.target));
    const n = store.retryAllDead(clock.now());
    logger.info('all dead tasks retried by operator', { count: n });
    for (const t of targets) dispatcher.markReady(t);
    for (const t of store.readyTargets()) dispatcher.markReady(t);
    dispatcher.pump();
    return n;
  }

  drop(id: number): Task {
    const { store, clock, dispatcher } = this.#core;
    const task = store.drop(id, clock.now());
    this.emit('task:dropped', task);
    this.#core.kickIntake();
    dispatcher.pump();
    return task;
  }

  pause(): void {
    this.#setPaused(true);
  }

  resume(): void {
    this.#setPaused(false);
  }

  /** Persisted (a restart keeps it), logged, emitted; resuming wakes the dispatcher. */
  #setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    this.#core.store.setMeta('paused', paused ? '1' : '0');
    this.#core.logger.info(paused ? 'queue paused' : 'queue resumed');
    this.emit(paused ? 'queue:paused' : 'queue:resumed');
    if (!paused) this.#core.dispatcher.pump();
  }

  isPaused(): boolean {
    return this.#paused;
  }

  stats(): QueueStats {
    const { store, clock } = this.#core;
    return { ...buildStats(store, this.config.queue.capacity, this.#paused, clock.now()), ...this.#core.extraStats() };
  }

  snapshot(): EngineSnapshot {
    return this.#core.snapshot(this.#paused, this.startedAt);
  }

  /** Ask tmux about every target pane (for the dashboard and health checks). */
  targetStatus(): Promise<TargetStatus[]> {
    return this.#core.probe.probe();
  }

  /** The monitor's stored history (dashboard history view, RPC `history`). */
  history(range: HistoryRange): HistoryResult {
    return this.#core.monitor.history(range);
  }

  /** Where the `default` target's commands go, in words (serve's start-up line). */
  describeDefaultTarget(): Promise<string> {
    return this.#core.targets.describeDefault();
  }

  /** Why the database cannot take commits now (disk full, its file deleted), or null when it can. */
  storageDown(): StorageDown | null {
    return this.#core.storageGuard.down;
  }

  /** Look at the spool's new/ now instead of at the next watch event or rescan; resolves when that pass is done. */
  scanSpool(): Promise<void> {
    return this.#core.scanIntake();
  }

  /** Resolves when every delivery in flight now has finished. */
  idle(): Promise<void> {
    return this.#core.deliveries.idle();
  }

  close(): Promise<void> {
    return this.#core.lifecycle.close();
  }

  #assertOpen(): void {
    if (this.#core.lifecycle.closed) throw new WhtError('WHT_ERR_CLOSED', 'the engine is shutting down');
  }
}
