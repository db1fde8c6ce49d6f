/**
 * State flows back: the owner of a forwarded task reports each change (queued here, delivering, delivered, working,
 * completed, stalled, retrying, dead, dropped) to Redis under the task's global id, batched and retried while Redis
 * is away (the latest state per task wins). The accepting node and `GET /v1/tasks/NODE.ID` on any node read it.
 */
import type { EventEmitter } from 'node:events';
import type { EngineEventMap } from '../events.js';
import { timersOf, type Clock, type ClockTimer } from '../ports/clock.js';
import type { Task } from '../task.js';
import type { ClusterBus, TaskMirror } from './bus.js';

const EVENTS = [
  'task:queued',
  'task:started',
  'task:delivered',
  'task:working',
  'task:completed',
  'task:stalled',
  'task:retrying',
  'task:dead',
  'task:dropped',
] as const;

export class StateReporter {
  readonly #pending = new Map<string, TaskMirror>();
  readonly #listener = (task: Task) => this.#note(task);
  #timer: ClockTimer | undefined;
  #flushing = false;

  constructor(
    private readonly d: {
      bus: ClusterBus;
      events: EventEmitter<EngineEventMap>;
      node: string;
      clock: Clock;
      ttlMs: number;
      flushMs?: number;
    },
  ) {}

  start(): void {
    for (const e of EVENTS) this.d.events.on(e, this.#listener);
    this.#timer = timersOf(this.d.clock).setInterval(() => void this.flush(), this.d.flushMs ?? 250);
  }

  #note(task: Task): void {
    if (task.source !== 'cluster' || !task.idemKey?.startsWith('cluster:')) return;
    const gid = task.idemKey.slice('cluster:'.length);
    const last = task.errors[task.errors.length - 1];
    this.#pending.set(gid, {
      gid,
      node: this.d.node,
      id: task.id,
      target: task.target,
      state: task.state,
      attempts: task.attempts,
      at: this.d.clock.now(),
      error: last ? `${last.code}: ${last.message}` : null,
    });
  }

  async flush(): Promise<void> {
    if (this.#flushing || this.#pending.size === 0) return;
    this.#flushing = true;
    const batch = [...this.#pending.values()];
    try {
      await this.d.bus.putStates(batch, this.d.ttlMs);
      for (const s of batch) if (this.#pending.get(s.gid) === s) this.#pending.delete(s.gid);
    } catch {
      /* Redis away: kept, sent with the next flush */
    } finally {
      this.#flushing = false;
    }
  }

  async close(): Promise<void> {
    for (const e of EVENTS) this.d.events.off(e, this.#listener);
    timersOf(this.d.clock).clearInterval(this.#timer);
    await this.flush();
  }
}
