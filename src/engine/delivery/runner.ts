import { performance } from 'node:perf_hooks';
import type { QueueConfig } from '../queue/config.js';
import type { TmuxConfig } from './tmux-config.js';
import { WhtError, toWhtError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Tmux } from '../ports/tmux.js';
import { backoffDelay } from '../queue/backoff.js';
import type { QueueStore } from '../queue/store.js';
import type { AttemptError, EngineEventMap, Task } from '../types.js';
import { deliver, recoverDelivering, type RecoveryVerdict } from './deliverer.js';
import type { ReadinessBook } from './readiness.js';
import type { Targets } from './targets.js';
import { isStorageError, type StorageGuard } from '../queue/storage-guard.js';

export interface RunnerDeps {
  store: QueueStore;
  tmux: Tmux;
  targets: Targets;
  config: { tmux: Pick<TmuxConfig, 'commandTimeoutMs'>; queue: Pick<QueueConfig, 'retry'> };
  clock: Clock;
  random: () => number;
  logger: Logger;
  emit: <K extends keyof EngineEventMap>(name: K, ...args: EngineEventMap[K]) => void;
  /** Aborted when the engine closes (ends readiness waits). */
  signal: AbortSignal;
  /** Told about store writes that fail for storage reasons (disk full); optional for tests of the runner alone. */
  storage?: Pick<StorageGuard, 'report' | 'down' | 'error'>;
  /** Each target's readiness memory, shared with the targets view. */
  book: ReadinessBook;
}

/**
 * One delivery attempt from start to its recorded outcome: delivered, retrying (with backoff) or dead; and the
 * pane check that decides what to do with a delivery that was interrupted (crash, control client cut off).
 */
export class DeliveryRunner {
  /** Outcomes typed but not yet recorded (the store could not be written): written first when it can again. */
  private readonly unrecorded: Array<() => void> = [];

  constructor(private readonly d: RunnerDeps) {}

  /** Resolves with the task as its delivery left it when it was typed (delivered or working), undefined otherwise. */
  async run(task: Task): Promise<Task | undefined> {
    const { store, clock, emit } = this.d;
    let started = false;
    let typed = false;
    let watched = false;
    const markStarted = (mark: string | null) => {
      // Storage went down while the pane was checked: type nothing that may not be recorded.
      if (this.d.storage?.down) throw this.d.storage.error();
      emit('task:started', store.markDelivering(task.id, clock.now(), mark));
      started = true;
    };
    try {
      const target = await this.d.targets.resolve(task.target);
      watched = target.trackCompletion;
      const onWaiting = (j: { state: string; reason: string | null }) =>
        this.d.logger.info('waiting for the target to become ready', {
          id: task.id,
          target: task.target,
          state: j.state,
          reason: j.reason,
        });
      const hooks = {
        beforeSend: markStarted,
        signal: this.d.signal,
        clock: this.d.clock,
        book: this.d.book,
        name: task.target,
        onWaiting,
      };
      const { busySeen, steps } = await deliver(this.d.tmux, task, target, hooks, this.d.config.tmux.commandTimeoutMs);
      typed = true;
      const t0 = performance.now();
      const delivered = store.markDelivered(task.id, clock.now(), watched);
      emit('task:delivered', delivered, { ...steps, record: performance.now() - t0 });
      // The confirmation saw the busy marker: it is working now (a short job may be idle again by the first look).
      return watched && busySeen ? (this.markWorking(task) ?? delivered) : delivered;
    } catch (err) {
      if (this.storageFailed(err, task, typed, watched)) return undefined;
      const e = toWhtError(err);
      if (!started && e.details?.cancelled === true) {
        // shutdown during a readiness wait: nothing typed, nothing charged; the task stays queued for the next start
        this.d.logger.info('readiness wait cancelled by shutdown; the task stays queued', {
          id: task.id,
          target: task.target,
        });
        return undefined;
      }
      if (e.code === 'WHT_ERR_TARGET_MISSING') this.d.targets.invalidate(task.target);
      try {
        if (!started) markStarted(null);
      } catch (err2) {
        if (this.storageFailed(err2, task, false)) return undefined; // still queued: nothing was typed
        throw err2;
      }
      // A keystroke command cut off after it was written may have run: look before typing again.
      const verdict = e.details?.sent === true ? await this.checkPane(task).catch(() => null) : null;
      // Recorded delivered by the pane check (rare): read back, as it may be watched until it completes.
      if (arrived(verdict)) return store.get(task.id);
      const failure = verdict?.kind === 'undecided' ? undecided(task, verdict.why) : e;
      try {
        this.fail(task, failure);
      } catch (err2) {
        // The attempt's outcome cannot be written now: record it once the store can be written again.
        if (!this.d.storage || !isStorageError(err2)) throw err2;
        this.d.storage.report(err2);
        this.unrecorded.push(() => this.fail(task, failure));
      }
      return undefined;
    }
  }

  /**
   * A store write failed because the database cannot be written (disk full): nothing more is written or typed for
   * this task now. Not started: it stays queued. Typed: `delivered` is recorded as soon as the store can be written
   * (until then it stays `delivering`, and a crash leaves it to the pane check at start, which finds it submitted).
   */
  private storageFailed(err: unknown, task: Task, typed: boolean, watched = false): boolean {
    if (!this.d.storage || !isStorageError(err)) return false;
    this.d.storage.report(err);
    this.d.logger.warn(
      typed ? 'delivered, but the database cannot record it yet' : 'delivery held: the database cannot be written',
      { id: task.id },
    );
    if (typed)
      this.unrecorded.push(() =>
        this.d.emit('task:delivered', this.d.store.markDelivered(task.id, this.d.clock.now(), watched)),
      );
    return true;
  }

  /** delivered -> working; if it cannot be written now, the completion watch records it on its next look. */
  private markWorking(task: Task): Task | undefined {
    try {
      const working = this.d.store.markWorking(task.id, this.d.clock.now());
      this.d.emit('task:working', working);
      return working;
    } catch (err) {
      this.d.logger.debug('working not recorded at delivery; the completion watch will', {
        id: task.id,
        error: String(err),
      });
    }
  }

  /** Write the outcomes that could not be written (the store is writable again); stops at the first failure. */
  flush(): void {
    while (this.unrecorded.length) {
      try {
        this.unrecorded[0]!();
      } catch (err) {
        if (isStorageError(err)) {
          this.d.storage?.report(err);
          return;
        }
        this.d.logger.error('could not record a delivery outcome', { error: String(err) });
      }
      this.unrecorded.shift();
    }
  }

  /**
   * A task found `delivering` at start (the engine died mid-delivery). Returns true when it must be sent again
   * (it was requeued); otherwise it is now delivered or dead.
   */
  async recover(task: Task): Promise<boolean> {
    const { store, clock } = this.d;
    let verdict: RecoveryVerdict;
    try {
      verdict = await this.checkPane(task);
    } catch (err) {
      const e = toWhtError(err);
      this.d.logger.warn('cannot check an interrupted delivery; requeued', { id: task.id, error: e.message });
      store.requeue(task.id, {
        attempt: task.attempts,
        at: clock.now(),
        code: e.code,
        message: `interrupted by a crash; pane not checked: ${e.message}`,
      });
      return true;
    }
    if (arrived(verdict)) return false;
    if (verdict.kind === 'undecided') {
      this.fail(task, undecided(task, verdict.why));
      return false;
    }
    if (verdict.kind === 'partly-typed') {
      this.fail(
        task,
        new WhtError(
          'WHT_ERR_PARTLY_TYPED',
          `a crash cut this command off after ${verdict.typed} of ${task.text.length} characters; the pane's input line holds them: clear it, then retry the task`,
        ),
      );
      return false;
    }
    store.requeue(task.id, {
      attempt: task.attempts,
      at: clock.now(),
      code: 'WHT_ERR_CLOSED',
      message: `interrupted by a crash (${verdict.kind}); sent again`,
    });
    return true;
  }

  /**
   * Look at the pane from the task's mark. When the text arrived (Enter is pressed now if it was missing), the task
   * is recorded delivered.
   */
  private async checkPane(task: Task): Promise<RecoveryVerdict> {
    const target = await this.d.targets.resolve(task.target);
    const verdict = await recoverDelivering(
      this.d.tmux,
      task,
      target,
      this.d.store.paneMark(task.id),
      this.d.config.tmux.commandTimeoutMs,
    );
    this.d.logger.warn('checked an interrupted delivery against the pane', { id: task.id, verdict: verdict.kind });
    if (arrived(verdict))
      this.d.emit('task:delivered', this.d.store.markDelivered(task.id, this.d.clock.now(), target.trackCompletion));
    return verdict;
  }

  /** Record a failed attempt: retry with backoff, or dead when it cannot be retried or attempts are used up (the
   * task-event log writes the line: logs/task-events.ts). */
  fail(task: Task, e: WhtError): void {
    const { store, clock, config, emit } = this.d;
    const now = clock.now();
    const attempt = store.get(task.id)?.attempts ?? task.attempts + 1;
    const error: AttemptError = { attempt, at: now, code: e.code, message: e.message };
    const last = !e.retryable || attempt >= config.queue.retry.attempts;
    const retryAt = last ? null : now + backoffDelay(attempt, config.queue.retry, this.d.random);
    const failed = store.markFailed(task.id, error, retryAt, now);
    if (last) {
      emit('task:dead', failed, error);
    } else {
      emit('task:retrying', failed, error);
    }
  }
}

/** Typing it again could double it: the dead-letter queue, for the operator to look at the pane. */
function undecided(task: Task, why: string): WhtError {
  return new WhtError(
    'WHT_ERR_RECOVERY_UNKNOWN',
    `could not tell whether it was typed into ${task.target} before the interruption: ${why}; look at the pane, then retry or drop the task`,
  );
}

function arrived(verdict: RecoveryVerdict | null): boolean {
  return verdict?.kind === 'submitted' || verdict?.kind === 'typed-not-submitted';
}
