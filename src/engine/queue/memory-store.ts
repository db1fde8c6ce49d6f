/**
 * QueueStore in memory: the same contract as the SQLite store (test/contract runs one suite against both), for unit
 * tests of the dispatcher and delivery that need no disk. Nothing survives the process; not for production use.
 * Every method is atomic (synchronous, and a batch is validated before any row is applied).
 */
import { WhtError } from '../errors.js';
import {
  PENDING_STATES,
  TASK_STATES,
  type AttemptError,
  type ListTasksQuery,
  type Task,
  type TaskState,
} from '../task.js';
import {
  FIXED_COUNTERS,
  type AdmitLimits,
  type AdmitResult,
  type CompletionResult,
  type CounterName,
  type InsertResult,
  type QueueStore,
  type TaskRow,
} from './store.js';

const READY: readonly TaskState[] = ['queued', 'retrying'];

interface Stored extends Task {
  paneMark: string | null;
}

const copy = ({ paneMark: _mark, ...t }: Stored): Task => ({
  ...t,
  errors: t.errors.map((e) => ({ ...e })),
  outputBytes: t.output ? Buffer.byteLength(t.output) : 0,
});
const WATCHED: readonly TaskState[] = ['delivered', 'working'];
const deliveryOrder = (a: Task, b: Task): number => b.priority - a.priority || a.id - b.id;

function assertRow(row: TaskRow): void {
  const strings = [row.text, row.target, row.category, row.source];
  const ok =
    strings.every((v) => typeof v === 'string') &&
    Number.isFinite(row.priority) &&
    Number.isFinite(row.receivedAt) &&
    (row.idemKey === null || typeof row.idemKey === 'string');
  if (!ok) throw new WhtError('WHT_ERR_STORAGE', 'memory store: a row has a missing or wrongly typed field');
}

export class MemoryStore implements QueueStore {
  private readonly tasks = new Map<number, Stored>();
  private readonly counts = Object.fromEntries(FIXED_COUNTERS.map((c) => [c, 0])) as Record<CounterName, number>;
  private readonly meta = new Map<string, string>();
  private seq = 0;

  insertMany(rows: readonly TaskRow[], now: number, dedupeWindowMs: number): InsertResult[] {
    return this.admit(rows, now, { dedupeWindowMs, capacity: Infinity }) as InsertResult[];
  }

  admit(rows: readonly TaskRow[], now: number, limits: AdmitLimits): AdmitResult[] {
    rows.forEach(assertRow);
    let room = limits.capacity - this.pendingCount();
    const out = rows.map((row): AdmitResult => {
      const existing = row.idemKey === null ? undefined : this.byIdem(row.idemKey, now - limits.dedupeWindowMs);
      if (existing) {
        this.counts.deduplicated++;
        return { task: copy(existing), created: false };
      }
      if (room <= 0) return null;
      room--;
      const task: Stored = {
        ...row,
        id: ++this.seq,
        state: 'queued',
        attempts: 0,
        nextAttemptAt: now,
        errors: [],
        committedAt: now,
        startedAt: null,
        deliveredAt: null,
        finishedAt: null,
        workingAt: null,
        completedAt: null,
        output: null,
        exitCode: null,
        callback: row.callback ?? null,
        paneMark: null,
      };
      this.tasks.set(task.id, task);
      return { task: copy(task), created: true };
    });
    this.notePeak();
    return out;
  }

  get(id: number): Task | undefined {
    const t = this.tasks.get(id);
    return t ? copy(t) : undefined;
  }

  findByIdemKey(key: string, since: number): Task | undefined {
    const t = this.byIdem(key, since);
    return t ? copy(t) : undefined;
  }

  list(query: ListTasksQuery = {}): Task[] {
    const pending = query.state !== undefined && PENDING_STATES.includes(query.state);
    const limit = Math.max(1, Math.min(query.limit ?? 100, 10_000));
    return [...this.tasks.values()]
      .filter(
        (t) =>
          (!query.state || t.state === query.state) &&
          (!query.target || t.target === query.target) &&
          (query.before === undefined || t.id < query.before) &&
          (query.idemKey === undefined || t.idemKey === query.idemKey),
      )
      .sort(pending ? deliveryOrder : (a, b) => b.id - a.id)
      .slice(0, limit)
      .map((t) => {
        const { output: _output, ...rest } = copy(t);
        return rest;
      });
  }

  head(target: string): Task | undefined {
    const ready = this.all((t) => t.target === target && READY.includes(t.state)).sort(deliveryOrder);
    return ready[0] ? copy(ready[0]) : undefined;
  }

  readyTargets(): string[] {
    return [...new Set(this.all((t) => READY.includes(t.state)).map((t) => t.target))];
  }

  markDelivering(id: number, now: number, paneMark: string | null): Task {
    const t = this.from(id, READY, 'start');
    Object.assign(t, { state: 'delivering', attempts: t.attempts + 1, startedAt: now, paneMark });
    return copy(t);
  }

  markDelivered(id: number, now: number, watched = false): Task {
    const t = this.from(id, ['delivering'], 'complete');
    Object.assign(t, { state: 'delivered', deliveredAt: now, finishedAt: watched ? null : now });
    this.counts.delivered++;
    this.counts.sum_processing_ms += now - (t.startedAt ?? now);
    this.counts.sum_e2e_ms += now - t.receivedAt;
    return copy(t);
  }

  markWorking(id: number, now: number): Task {
    const t = this.watchedTask(id, ['delivered'], 'mark working');
    Object.assign(t, { state: 'working', workingAt: now });
    return copy(t);
  }

  markCompleted(id: number, now: number, result: CompletionResult): Task {
    const t = this.watchedTask(id, WATCHED, 'complete');
    Object.assign(t, { state: 'completed', completedAt: now, finishedAt: now, ...result });
    return copy(t);
  }

  markStalled(id: number, now: number, error: AttemptError, output: string | null): Task {
    const t = this.watchedTask(id, WATCHED, 'mark stalled');
    Object.assign(t, { state: 'stalled', finishedAt: now, output });
    t.errors.push({ ...error });
    return copy(t);
  }

  watched(): Task[] {
    return this.all((t) => WATCHED.includes(t.state) && t.finishedAt === null)
      .sort((a, b) => a.id - b.id)
      .map(copy);
  }

  private watchedTask(id: number, states: readonly TaskState[], action: string): Stored {
    const t = this.from(id, states, action);
    if (t.finishedAt !== null)
      throw new WhtError('WHT_ERR_TASK_STATE', `cannot ${action} task ${id}: its target is not watched`, { id });
    return t;
  }

  markFailed(id: number, error: AttemptError, retryAt: number | null, now: number): Task {
    const t = this.from(id, ['delivering'], 'fail');
    const dead = retryAt === null;
    Object.assign(t, {
      state: dead ? 'dead' : 'retrying',
      nextAttemptAt: retryAt ?? now,
      finishedAt: dead ? now : null,
    });
    t.errors.push({ ...error });
    this.counts.failed_attempts++;
    this.counts[dead ? 'dead' : 'retries']++;
    return copy(t);
  }

  requeue(id: number, note: AttemptError | null): Task {
    const t = this.from(id, ['delivering'], 'requeue');
    Object.assign(t, { state: 'queued', attempts: Math.max(0, t.attempts - 1) });
    if (note) t.errors.push({ ...note });
    return copy(t);
  }

  retry(id: number, now: number): Task {
    const t = this.from(id, ['dead', 'retrying', 'stalled'], 'retry');
    Object.assign(t, { state: 'queued', attempts: 0, nextAttemptAt: now, finishedAt: null });
    this.notePeak();
    return copy(t);
  }

  retryAllDead(now: number): number {
    const dead = this.all((t) => t.state === 'dead');
    for (const t of dead) Object.assign(t, { state: 'queued', attempts: 0, nextAttemptAt: now, finishedAt: null });
    if (dead.length) this.notePeak();
    return dead.length;
  }

  drop(id: number, now: number): Task {
    const t = this.from(id, ['queued', 'retrying', 'dead'], 'drop');
    Object.assign(t, { state: 'dropped', finishedAt: now });
    return copy(t);
  }

  paneMark(id: number): string | null {
    return this.tasks.get(id)?.paneMark ?? null;
  }

  delivering(): Task[] {
    return this.all((t) => t.state === 'delivering')
      .sort((a, b) => a.id - b.id)
      .map(copy);
  }

  queuedFor(targets: readonly string[], limit: number): Task[] {
    return this.all((t) => t.state === 'queued' && targets.includes(t.target))
      .sort((a, b) => a.id - b.id)
      .slice(0, limit)
      .map(copy);
  }

  countQueuedFor(targets: readonly string[]): number {
    return this.all((t) => t.state === 'queued' && targets.includes(t.target)).length;
  }

  markForwarded(ids: readonly number[], now: number): Task[] {
    const moved = ids.map((id) => this.tasks.get(id)).filter((t): t is Stored => t?.state === 'queued');
    for (const t of moved) Object.assign(t, { state: 'forwarded', finishedAt: now });
    return moved.map(copy);
  }

  countByState(): Record<TaskState, number> {
    const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
    for (const t of this.tasks.values()) counts[t.state]++;
    return counts;
  }

  pendingCount(): number {
    return this.all((t) => PENDING_STATES.includes(t.state)).length;
  }

  oldestPendingReceivedAt(): number | null {
    // As the SQLite store: the first ready task by id, and the earliest delivering one.
    const ready = this.all((t) => READY.includes(t.state)).sort((a, b) => a.id - b.id)[0]?.receivedAt ?? null;
    const delivering = this.all((t) => t.state === 'delivering').map((t) => t.receivedAt);
    const d = delivering.length ? Math.min(...delivering) : null;
    if (ready === null) return d;
    return d === null ? ready : Math.min(ready, d);
  }

  counters(): Record<CounterName, number> {
    return { ...this.counts, received: this.seq };
  }

  bumpCounter(name: CounterName, by = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + by;
  }

  getMeta(key: string): string | undefined {
    return this.meta.get(key);
  }

  setMeta(key: string, value: string): void {
    this.meta.set(key, value);
  }

  prune(before: number): number {
    const old = this.all(
      (t) =>
        ['delivered', 'completed', 'stalled', 'dropped', 'forwarded'].includes(t.state) &&
        t.finishedAt !== null &&
        t.finishedAt < before,
    );
    for (const t of old) this.tasks.delete(t.id);
    return old.length;
  }

  /** Nothing to commit: every write is applied when it returns. */
  commit(): void {}

  close(): void {
    /* nothing to release */
  }

  private all(pred: (t: Stored) => boolean): Stored[] {
    return [...this.tasks.values()].filter(pred);
  }

  private byIdem(key: string, since: number): Stored | undefined {
    let found: Stored | undefined;
    for (const t of this.tasks.values())
      if (t.idemKey === key && t.committedAt >= since && (!found || t.id > found.id)) found = t;
    return found;
  }

  private from(id: number, states: readonly TaskState[], action: string): Stored {
    const t = this.tasks.get(id);
    if (!t) throw new WhtError('WHT_ERR_TASK_NOT_FOUND', `no task with id ${id}`, { id });
    if (!states.includes(t.state)) {
      throw new WhtError('WHT_ERR_TASK_STATE', `cannot ${action} task ${id}: it is ${t.state}`, { id, state: t.state });
    }
    return t;
  }

  private notePeak(): void {
    this.counts.peak_pending = Math.max(this.counts.peak_pending, this.pendingCount());
  }
}
