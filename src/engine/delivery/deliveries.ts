/**
 * Deliveries in flight: starts the runner for a task the dispatcher picked, tracks the promise, and tells the
 * engine when one settles. A delivery that fails in an unexpected way (the store, a bug) is reported, never left
 * as an unhandled rejection.
 */
import type { Task } from '../task.js';
import type { DeliveryRunner } from './runner.js';

export interface DeliveriesDeps {
  runner: DeliveryRunner;
  /**
   * After each delivery, whatever its outcome (free the target, pump the queue, kick the spool); `typed` is the task as
   * its delivery left it when it was typed (delivered or working), undefined otherwise.
   */
  settled: (task: Task, typed: Task | undefined) => void;
  /** A delivery or recovery threw past the runner's own handling. */
  onError: (err: unknown, task: Task) => void;
}

export class Deliveries {
  private readonly inflight = new Map<number, Promise<void>>();

  constructor(private readonly d: DeliveriesDeps) {}

  start(task: Task): void {
    let typed: Task | undefined;
    const run = this.d.runner
      .run(task)
      .then((t) => {
        typed = t;
      })
      .catch((err: unknown) => this.d.onError(err, task))
      .finally(() => {
        this.inflight.delete(task.id);
        this.d.settled(task, typed);
      });
    this.inflight.set(task.id, run);
  }

  /** Tasks left `delivering` by a crash: look at each pane before typing anything again; returns those to resend. */
  async recover(tasks: readonly Task[]): Promise<Task[]> {
    const again: Task[] = [];
    for (const task of tasks) {
      try {
        if (await this.d.runner.recover(task)) again.push(task);
      } catch (err) {
        this.d.onError(err, task);
      }
    }
    return again;
  }

  get size(): number {
    return this.inflight.size;
  }

  /** Resolves when every delivery in flight now (and any started meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight.values()]);
  }
}
