import Database from 'better-sqlite3';
import { pruneInOrder } from './prune-in-order.js';
import { WhtError } from '../errors.js';
import {
  PENDING_STATES,
  TASK_STATES,
  type AttemptError,
  type ListTasksQuery,
  type Task,
  type TaskState,
} from '../types.js';
import { MIGRATIONS } from './migrations.js';
import { GroupCommit } from './group-commit.js';
import { insertedTask, TASK_COLUMNS, toTask } from './task-rows.js';
import { prepareStatements, type TaskStatements } from './task-statements.js';
import {
  FIXED_COUNTERS,
  type AdmitLimits,
  type AdmitResult,
  type CompletionResult,
  type CounterName,
  type InsertResult,
  type QueueStore,
  type TaskRow,
} from '../queue/store.js';

export interface SqliteStoreOptions {
  synchronous?: 'NORMAL' | 'FULL';
  /** `journal_size_limit`: the WAL is cut back to this size when it starts over. @default 8 MiB */
  walLimitBytes?: number;
  /** SQLite's page cache of this connection, in KiB (`cache_size = -N`). @default 2048 */
  cacheKiB?: number;
}

/**
 * The page cache a connection keeps, at most. better-sqlite3 builds SQLite with a 16,000 KiB default: the cache
 * filled as the database grew (about 300 bytes a delivered task) and the engine's RSS climbed ~1.5 MiB a minute at
 * 50 tasks/s for the first 20 minutes. The queue's hot pages (pending rows, the tails of the indexes) fit in far less.
 */
export const DEFAULT_CACHE_KIB = 2048;

/** Open (creating and migrating) a SQLite database for the queue. WAL; one writer: the engine. */
export function openDatabase(path: string, options: SqliteStoreOptions = {}): Database.Database {
  const db = new Database(path);
  // Space freed by pruning (tasks, monitor history) can be given back; only takes effect on a new file.
  if ((db.pragma('user_version', { simple: true }) as number) === 0) db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  db.pragma(`journal_size_limit = ${options.walLimitBytes ?? 8 * 1024 * 1024}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = -${options.cacheKiB ?? DEFAULT_CACHE_KIB}`);
  migrate(db);
  return db;
}

export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new WhtError(
      'WHT_ERR_STORAGE',
      `database schema version ${version} is newer than this webhook-tui (${MIGRATIONS.length}); upgrade webhook-tui`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

export class SqliteStore implements QueueStore {
  readonly db: Database.Database;
  private readonly counts: Record<TaskState, number>;
  private readonly stmt: TaskStatements;
  private readonly group: GroupCommit;
  private peak: number;

  constructor(db: Database.Database) {
    this.db = db;
    this.stmt = prepareStatements(db);
    this.group = new GroupCommit(db);
    this.counts = this.loadCounts();
    db.transaction(() => {
      for (const c of FIXED_COUNTERS) this.stmt.seed.run(c);
    })();
    this.peak = this.counters().peak_pending;
  }

  /**
   * A commit at the end of an event-loop turn failed (disk full); its writes are applied again with the next
   * commit. The engine tells the storage guard.
   */
  set onCommitError(fn: (err: unknown) => void) {
    this.group.onError = fn;
  }

  commit(): void {
    this.group.commit();
  }

  private loadCounts(): Record<TaskState, number> {
    const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
    for (const { state, n } of this.stmt.countByState.all() as Array<{ state: TaskState; n: number }>)
      counts[state] = n;
    return counts;
  }

  private move(from: TaskState, to: TaskState, n = 1): void {
    this.counts[from] -= n;
    this.counts[to] += n;
  }

  private one(row: unknown, id: number, action: string): Task {
    if (row) return toTask(row);
    const existing = this.get(id);
    if (!existing) throw new WhtError('WHT_ERR_TASK_NOT_FOUND', `no task with id ${id}`, { id });
    throw new WhtError('WHT_ERR_TASK_STATE', `cannot ${action} task ${id}: it is ${existing.state}`, {
      id,
      state: existing.state,
    });
  }

  /** The row an UPDATE without RETURNING changed, read back (or why it did not change). */
  private changed(changes: number, id: number, action: string): Task {
    return this.one(changes ? this.stmt.get.get(id) : undefined, id, action);
  }

  /**
   * A state change that commits before it returns; the counts move once it has. The state it changes from is read
   * in the same transaction when not given (a read outside one takes and drops a WAL read lock: two fcntl calls).
   */
  private durable(id: number, to: TaskState, write: () => Task, from?: TaskState, multi = false): Task {
    let before = from;
    const task = this.group.durable(() => {
      before ??= this.stmt.state.get(id) as TaskState;
      return write();
    }, multi);
    this.move(before!, to);
    return task;
  }

  insertMany(rows: readonly TaskRow[], now: number, dedupeWindowMs: number): InsertResult[] {
    return this.admit(rows, now, { dedupeWindowMs, capacity: Infinity }) as InsertResult[];
  }

  /** The acknowledgement: committed, with every deferred write before it, before this returns. */
  admit(rows: readonly TaskRow[], now: number, limits: AdmitLimits): AdmitResult[] {
    const { results, created } = this.group.durable(() => this.insertManyTx(rows, now, limits), true);
    this.counts.queued += created;
    this.peak = Math.max(this.peak, this.pendingCount());
    return results;
  }

  private insertManyTx(rows: readonly TaskRow[], now: number, limits: AdmitLimits) {
    const results: AdmitResult[] = [];
    let created = 0;
    let deduplicated = 0;
    let room = limits.capacity - this.pendingCount();
    for (const row of rows) {
      if (row.idemKey !== null) {
        const existing = this.stmt.byIdem.get(row.idemKey, now - limits.dedupeWindowMs);
        if (existing) {
          results.push({ task: toTask(existing), created: false });
          deduplicated++;
          continue;
        }
      }
      if (room <= 0) {
        results.push(null);
        continue;
      }
      room--;
      const callback = row.callback ? JSON.stringify(row.callback) : null;
      const { text, target, priority, category, idemKey, source, receivedAt } = row;
      const inserted = this.stmt.insert.run(
        text,
        target,
        priority,
        category,
        idemKey,
        source,
        now,
        receivedAt,
        now,
        callback,
      );
      const id = Number(inserted.lastInsertRowid);
      results.push({ task: insertedTask(id, row, callback, now), created: true });
      created++;
    }
    // `received` is not counted here: it is the AUTOINCREMENT sequence (one id per created task).
    if (deduplicated) this.stmt.bump.run('deduplicated', deduplicated);
    const pending = this.pendingCount() + created;
    if (pending > this.peak) this.stmt.setMax.run('peak_pending', pending);
    return { results, created };
  }

  findByIdemKey(key: string, since: number): Task | undefined {
    const row = this.stmt.byIdem.get(key, since);
    return row ? toTask(row) : undefined;
  }

  get(id: number): Task | undefined {
    const row = this.stmt.get.get(id);
    return row ? toTask(row) : undefined;
  }

  list(query: ListTasksQuery = {}): Task[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.state) {
      where.push('state = ?');
      params.push(query.state);
    }
    if (query.target) {
      where.push('target = ?');
      params.push(query.target);
    }
    if (query.before !== undefined) {
      where.push('id < ?');
      params.push(query.before);
    }
    if (query.idemKey !== undefined) {
      where.push('idem_key = ?');
      params.push(query.idemKey);
    }
    const pending = query.state && (PENDING_STATES as string[]).includes(query.state);
    const order = pending ? 'priority DESC, id ASC' : 'id DESC';
    const asked = Number(query.limit ?? 100);
    // a bound parameter, never text in the SQL; callers validate (a bad --limit is a usage error in the CLI)
    const limit = Number.isInteger(asked) ? Math.max(1, Math.min(asked, 10_000)) : 100;
    const sql = `SELECT ${TASK_COLUMNS} FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
    return this.db
      .prepare(sql)
      .raw()
      .all(...params, limit)
      .map((r) => toTask(r, false));
  }

  head(target: string): Task | undefined {
    const row = this.stmt.head.get(target);
    return row ? toTask(row) : undefined;
  }

  /** The targets of the active index (a seek each), those with a queued or retrying task. */
  readyTargets(): string[] {
    const out: string[] = [];
    for (let t = this.stmt.firstTarget.get() as string | undefined; t !== undefined;) {
      if (this.stmt.hasReady.get(t) !== undefined) out.push(t);
      t = this.stmt.nextTarget.get(t) as string | undefined;
    }
    return out;
  }

  markDelivering(id: number, now: number, paneMark: string | null): Task {
    const task = this.durable(id, 'delivering', () =>
      this.changed(this.stmt.delivering.run({ id, now, mark: paneMark }).changes, id, 'start'),
    );
    this.started.set(id, task);
    return task;
  }

  /**
   * Tasks as markDelivering returned them, until their attempt ends: a `delivering` row changes only through this
   * store's markDelivered/markFailed/requeue (each drops it here), so markDelivered needs no read back.
   */
  private readonly started = new Map<number, Task>();

  /**
   * Deferred (group commit): `delivered` need not be durable before the next step; a crash before it is committed
   * leaves the task `delivering`, and the pane check at start finds it submitted (DeliveryRunner.recover).
   */
  markDelivered(id: number, now: number, watched = false): Task {
    const task = this.group.deferred(
      () => this.deliveredTx(id, now, watched),
      () => this.replayDelivered(id, now, watched),
      true,
    );
    this.move('delivering', 'delivered');
    return task;
  }

  /** A deferred `delivered` whose transaction was lost, written again (the task is still `delivering` there). */
  private replayDelivered(id: number, now: number, watched: boolean): void {
    if (this.stmt.state.get(id) === 'delivering') this.deliveredTx(id, now, watched);
  }

  private deliveredTx(id: number, now: number, watched: boolean): Task {
    const changes = this.stmt.delivered.run({ id, now, watched: watched ? 1 : 0 }).changes;
    const started = changes ? this.started.get(id) : undefined;
    const t = started
      ? {
          ...started,
          errors: [...started.errors],
          state: 'delivered' as const,
          deliveredAt: now,
          finishedAt: watched ? null : now,
        }
      : this.changed(changes, id, 'complete');
    this.started.delete(id);
    this.stmt.add.run(1, 'delivered');
    this.stmt.add.run(now - (t.startedAt ?? now), 'sum_processing_ms');
    this.stmt.add.run(now - t.receivedAt, 'sum_e2e_ms');
    return t;
  }

  markWorking(id: number, now: number): Task {
    return this.durable(id, 'working', () => this.one(this.stmt.working.get({ id, now }), id, 'mark working'));
  }

  markCompleted(id: number, now: number, result: CompletionResult): Task {
    return this.durable(id, 'completed', () =>
      this.one(this.stmt.completed.get({ id, now, ...result }), id, 'complete'),
    );
  }

  markStalled(id: number, now: number, error: AttemptError, output: string | null): Task {
    return this.durable(id, 'stalled', () =>
      this.one(this.stmt.stalled.get({ id, now, output, error: JSON.stringify(error) }), id, 'mark stalled'),
    );
  }

  watched(): Task[] {
    return this.stmt.watched.all().map((r) => toTask(r));
  }

  markFailed(id: number, error: AttemptError, retryAt: number | null, now: number): Task {
    const state: TaskState = retryAt === null ? 'dead' : 'retrying';
    return this.durable(id, state, () => this.failedTx(id, error, retryAt, now, state), 'delivering', true);
  }

  private failedTx(id: number, error: AttemptError, retryAt: number | null, now: number, state: TaskState): Task {
    this.started.delete(id);
    const t = this.one(
      this.stmt.failed.get({
        id,
        state,
        error: JSON.stringify(error),
        retryAt: retryAt ?? now,
        finished: retryAt === null ? now : null,
      }),
      id,
      'fail',
    );
    this.stmt.add.run(1, 'failed_attempts');
    this.stmt.add.run(1, state === 'dead' ? 'dead' : 'retries');
    return t;
  }

  requeue(id: number, note: AttemptError | null): Task {
    this.started.delete(id);
    return this.durable(
      id,
      'queued',
      () => this.one(this.stmt.requeue.get({ id, note: note ? JSON.stringify(note) : null }), id, 'requeue'),
      'delivering',
    );
  }

  retry(id: number, now: number): Task {
    const task = this.durable(id, 'queued', () => this.one(this.stmt.retry.get({ id, now }), id, 'retry'));
    this.keepPeak();
    return task;
  }

  retryAllDead(now: number): number {
    const n = this.group.durable(() => this.stmt.retryAllDead.run({ now }).changes);
    this.move('dead', 'queued', n);
    if (n) this.keepPeak();
    return n;
  }

  /** After a write that made tasks pending again: a new peak is recorded (deferred, a counter). */
  private keepPeak(): void {
    const pending = this.pendingCount();
    if (pending <= this.peak) return;
    this.peak = pending;
    this.group.deferred(
      () => this.stmt.setMax.run('peak_pending', pending),
      () => this.stmt.setMax.run('peak_pending', pending),
    );
  }

  drop(id: number, now: number): Task {
    return this.durable(id, 'dropped', () => this.one(this.stmt.drop.get({ id, now }), id, 'drop'));
  }

  paneMark(id: number): string | null {
    return (this.stmt.paneMark.get(id) as string | null | undefined) ?? null;
  }

  delivering(): Task[] {
    return this.stmt.listDelivering.all().map((r) => toTask(r));
  }

  queuedFor(targets: readonly string[], limit: number): Task[] {
    if (targets.length === 0) return [];
    return this.stmt.queuedFor.all(JSON.stringify(targets), limit).map((r) => toTask(r, false));
  }

  countQueuedFor(targets: readonly string[]): number {
    return targets.length === 0 ? 0 : (this.stmt.countQueuedFor.get(JSON.stringify(targets)) as number);
  }

  markForwarded(ids: readonly number[], now: number): Task[] {
    const moved = this.group.durable(
      () =>
        ids.flatMap((id) => {
          const row = this.stmt.forwarded.get({ id, now });
          return row ? [toTask(row)] : [];
        }),
      true,
    );
    this.move('queued', 'forwarded', moved.length);
    return moved;
  }

  countByState(): Record<TaskState, number> {
    return { ...this.counts };
  }

  pendingCount(): number {
    return this.counts.queued + this.counts.delivering + this.counts.retrying;
  }

  /**
   * The receivedAt of the oldest (lowest id) pending or delivering task: the first row of each (target, priority)
   * group of the active index, one seek per group.
   */
  oldestPendingReceivedAt(): number | null {
    if (this.pendingCount() === 0) return null;
    let oldest = Infinity;
    for (let t = this.stmt.firstTarget.get() as string | undefined; t !== undefined;) {
      for (let g = this.stmt.firstOfTarget.get(t) as [number, number] | undefined; g;) {
        oldest = Math.min(oldest, g[1]);
        g = this.stmt.nextOfTarget.get(t, g[0]) as [number, number] | undefined;
      }
      t = this.stmt.nextTarget.get(t) as string | undefined;
    }
    return oldest === Infinity ? null : ((this.stmt.receivedAt.get(oldest) as number | undefined) ?? null);
  }

  counters(): Record<CounterName, number> {
    const out = Object.fromEntries(FIXED_COUNTERS.map((c) => [c, 0])) as Record<CounterName, number>;
    for (const { name, value } of this.stmt.counters.all() as Array<{ name: CounterName; value: number }>)
      out[name] = value;
    out.received = (this.stmt.received.get() as number | undefined) ?? 0;
    return out;
  }

  /** Deferred: a counter need not be durable before the next step. */
  bumpCounter(name: CounterName, by = 1): void {
    this.group.deferred(
      () => this.stmt.bump.run(name, by),
      () => this.stmt.bump.run(name, by),
    );
  }

  getMeta(key: string): string | undefined {
    return (this.stmt.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.group.durable(() => this.stmt.setMeta.run(key, value));
  }

  /** In id order, a chunk per statement, up to the first chunk that reaches tasks committed after `before`. */
  prune(before: number): number {
    // in one transaction: all or nothing, like the one DELETE it replaces
    const n = this.group.durable(() => pruneInOrder(this.stmt.pruneScan, this.stmt.prune, before), true);
    if (n) Object.assign(this.counts, this.loadCounts());
    return n;
  }

  /** Commits what is open (group commit), then closes. Idempotent. */
  close(): void {
    if (!this.db.open) return;
    this.group.close();
    this.db.close();
  }
}
