/**
 * Watches delivered tasks on targets with trackCompletion until they are `completed` (with their output) or
 * `stalled`: one loop per task, one look per readyPollMs, judged by the pure machine in completion.ts. The target
 * is held (no next task typed) while its task is watched. Closing aborts the loops; the tasks stay `delivered` /
 * `working` in the database and are watched again after the next start.
 */
import { toWhtError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Tmux } from '../ports/tmux.js';
import type { QueueStore } from '../queue/store.js';
import { isStorageError, type StorageGuard } from '../queue/storage-guard.js';
import type { EngineEventMap, Task } from '../types.js';
import { observe, sleep } from './agent-wait.js';
import { startWatch, stepCompletion, type CompletionMemory, type CompletionStep } from './completion.js';
import { extractOutput } from './output.js';
import { captureAll, inspectPane, textsSinceMark } from './pane.js';
import type { ResolvedTarget } from './profiles.js';
import type { Targets } from './targets.js';

export interface CompletionWatchDeps {
  store: QueueStore;
  tmux: Tmux;
  targets: Pick<Targets, 'resolve'>;
  clock: Clock;
  logger: Logger;
  emit: <K extends keyof EngineEventMap>(name: K, ...args: EngineEventMap[K]) => void;
  /** output.maxBytes */
  maxOutputBytes: number;
  storage?: Pick<StorageGuard, 'report'>;
  /** Told when a target's watched task ended (the dispatcher may type the next one). */
  released: (target: string) => void;
}

export class CompletionWatch {
  private readonly loops = new Map<number, Promise<void>>();
  private readonly aborter = new AbortController();

  constructor(private readonly d: CompletionWatchDeps) {}

  /** Watch a delivered task (idempotent per task). */
  watch(task: Task): void {
    if (this.loops.has(task.id) || this.aborter.signal.aborted) return;
    const loop = this.loop(task)
      .catch((err: unknown) => this.d.logger.error('completion watch failed', { id: task.id, error: String(err) }))
      .finally(() => {
        this.loops.delete(task.id);
        if (!this.aborter.signal.aborted) this.d.released(task.target);
      });
    this.loops.set(task.id, loop);
  }

  /** Targets that have a task being watched. */
  heldTargets(): string[] {
    return [...new Set([...this.loops.keys()].map((id) => this.d.store.get(id)?.target ?? ''))].filter(Boolean);
  }

  get size(): number {
    return this.loops.size;
  }

  private async loop(task: Task): Promise<void> {
    const target = await this.d.targets.resolve(task.target);
    let memory = startWatch(task.deliveredAt ?? this.d.clock.now(), task.state === 'working', task.text);
    const signal = this.aborter.signal;
    while (!signal.aborted) {
      await sleep(target.readyPollMs, signal, this.d.clock);
      if (signal.aborted) return;
      const r = await this.look(target, memory);
      if (r === null) continue;
      memory = r.memory;
      if (await this.record(task, target, r.step)) return;
    }
  }

  /** One look and its step; null when tmux could not be asked (the next look tries again). */
  private async look(
    target: ResolvedTarget,
    memory: CompletionMemory,
  ): Promise<{ step: CompletionStep; memory: CompletionMemory } | null> {
    try {
      return stepCompletion(target, memory, await observe(this.d.tmux, target, this.d.clock));
    } catch (err) {
      this.d.logger.debug('completion watch: cannot look at the pane', { pane: target.pane, error: String(err) });
      const now = this.d.clock.now();
      if (now - memory.deliveredAt < target.completionTimeoutMs) return null;
      return stepCompletion(target, memory, { pane: null, screen: null, now });
    }
  }

  /** Write what the step says; true once the task ended (completed or stalled). */
  private async record(task: Task, target: ResolvedTarget, step: CompletionStep): Promise<boolean> {
    const { store, clock, emit } = this.d;
    try {
      if (step.kind === 'working') emit('task:working', store.markWorking(task.id, clock.now()));
      if (step.kind === 'completed') {
        const { output, exitCode } = await this.output(task, target);
        emit('task:completed', store.markCompleted(task.id, clock.now(), { output, exitCode }));
        return true;
      }
      if (step.kind === 'stalled') {
        const output = step.code === 'WHT_ERR_STALLED' ? (await this.output(task, target)).output : null;
        const now = clock.now();
        const error = { attempt: task.attempts, at: now, code: step.code, message: step.reason };
        emit('task:stalled', store.markStalled(task.id, now, error, output), error);
        return true;
      }
      return false;
    } catch (err) {
      if (this.d.storage && isStorageError(err)) {
        this.d.storage.report(err); // written on a later look, once the database takes writes again
        return false;
      }
      const e = toWhtError(err);
      if (e.code === 'WHT_ERR_TASK_STATE' || e.code === 'WHT_ERR_TASK_NOT_FOUND') return true; // someone else moved it
      throw err;
    }
  }

  /**
   * The task's output from the pane's lines. Agents: the whole history (an agent may redraw its transcript above
   * where the prompt was typed; output.ts takes the last transcript line with the prompt). Shells: from the mark.
   */
  private async output(
    task: Task,
    target: ResolvedTarget,
  ): Promise<{ output: string | null; exitCode: number | null }> {
    try {
      const pane = await inspectPane(this.d.tmux, target.pane);
      if (!pane) return { output: null, exitCode: null };
      const texts =
        target.profile === 'agent'
          ? []
          : await textsSinceMark(this.d.tmux, target.pane, this.d.store.paneMark(task.id), pane);
      const captured = texts[0] ?? (await captureAll(this.d.tmux, target.pane)).join('\n');
      return extractOutput(captured, task.text, target, this.d.maxOutputBytes);
    } catch (err) {
      this.d.logger.warn('cannot capture the output of a task', { id: task.id, error: String(err) });
      return { output: null, exitCode: null };
    }
  }

  /** Stop watching (the tasks stay as they are in the database); resolves when every loop has ended. */
  async close(): Promise<void> {
    this.aborter.abort();
    await Promise.allSettled([...this.loops.values()]);
  }
}
