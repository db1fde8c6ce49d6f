import Database from 'better-sqlite3';
import { WhtError } from '../errors.js';
import {
  PENDING_STATES,
  TASK_STATES,
  type AttemptError,
  type ListTasksQuery,
  type Task,
  type TaskCallback,
  type TaskState,
} from '../types.js';
import { MIGRATIONS } from './migrations.js';
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

interface Row {
  id: number;
  text: string;
  target: string;
  priority: number;
  category: string;
  idem_key: string | null;
  source: Task['source'];
  state: TaskState;
  attempts: number;
  next_attempt_at: number;
  errors: string;
  received_at: number;
  committed_at: number;
  started_at: number | null;
  delivered_at: number | null;
  finished_at: number | null;
  pane_mark: string | null;
  working_at?: number | null;
  completed_at?: number | null;
  output?: string | null;
  exit_code?: number | null;
  callback?: string | null;
}

/** A row as a Task; lists leave the output out (its length stays, as outputBytes). */
function toTask(r: Row, withOutput = true): Task {
  const output = r.output ?? null;
  return {
    id: r.id,
    text: r.text,
    target: r.target,
    priority: r.priority,
    category: r.category,
    idemKey: r.idem_key,
    source: r.source,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    errors: JSON.parse(r.errors) as AttemptError[],
    receivedAt: r.received_at,
    committedAt: r.committed_at,
    startedAt: r.started_at,
    deliveredAt: r.delivered_at,
    finishedAt: r.finished_at,
    workingAt: r.working_at ?? null,
    completedAt: r.completed_at ?? null,
    ...(withOutput ? { output } : {}),
    outputBytes: output === null ? 0 : Buffer.byteLength(output),
    exitCode: r.exit_code ?? null,
    callback: r.callback ? (JSON.parse(r.callback) as TaskCallback) : null,
  };
}

const WATCHED_SQL = `state IN ('delivered', 'working') AND finished_at IS NULL`;

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
  private readonly stmt;
  private readonly tx;

  constructor(db: Database.Database) {
    this.db = db;
    this.stmt = {
      insert:
        db.prepare(`INSERT INTO tasks (text, target, priority, category, idem_key, source, state, next_attempt_at, received_at, committed_at, callback)
        VALUES (@text, @target, @priority, @category, @idemKey, @source, 'queued', @now, @receivedAt, @now, @callback) RETURNING *`),
      byIdem: db.prepare('SELECT * FROM tasks WHERE idem_key = ? AND committed_at >= ? ORDER BY id DESC LIMIT 1'),
      get: db.prepare('SELECT * FROM tasks WHERE id = ?'),
      head: db.prepare(
        `SELECT * FROM tasks WHERE target = ? AND state IN ('queued', 'retrying') ORDER BY priority DESC, id LIMIT 1`,
      ),
      readyTargets: db.prepare(`SELECT DISTINCT target FROM tasks WHERE state IN ('queued', 'retrying')`),
      setState: db.prepare('UPDATE tasks SET state = @state WHERE id = @id AND state = @from RETURNING *'),
      state: db.prepare('SELECT state FROM tasks WHERE id = ?').pluck(),
      delivering:
        db.prepare(`UPDATE tasks SET state = 'delivering', attempts = attempts + 1, started_at = @now, pane_mark = @mark
        WHERE id = @id AND state IN ('queued', 'retrying') RETURNING *`),
      delivered: db.prepare(
        `UPDATE tasks SET state = 'delivered', delivered_at = @now, finished_at = CASE WHEN @watched THEN NULL ELSE @now END
        WHERE id = @id AND state = 'delivering' RETURNING *`,
      ),
      working: db.prepare(
        `UPDATE tasks SET state = 'working', working_at = @now WHERE id = @id AND state = 'delivered' AND finished_at IS NULL RETURNING *`,
      ),
      completed: db.prepare(
        `UPDATE tasks SET state = 'completed', completed_at = @now, finished_at = @now, output = @output, exit_code = @exitCode
        WHERE id = @id AND ${WATCHED_SQL} RETURNING *`,
      ),
      stalled: db.prepare(
        `UPDATE tasks SET state = 'stalled', finished_at = @now, output = @output, errors = json_insert(errors, '$[#]', json(@error))
        WHERE id = @id AND ${WATCHED_SQL} RETURNING *`,
      ),
      watched: db.prepare(`SELECT * FROM tasks WHERE ${WATCHED_SQL} ORDER BY id`),
      failed:
        db.prepare(`UPDATE tasks SET state = @state, errors = json_insert(errors, '$[#]', json(@error)), next_attempt_at = @retryAt, finished_at = @finished
        WHERE id = @id AND state = 'delivering' RETURNING *`),
      requeue: db.prepare(`UPDATE tasks SET state = 'queued', attempts = max(0, attempts - 1),
        errors = CASE WHEN @note IS NULL THEN errors ELSE json_insert(errors, '$[#]', json(@note)) END
        WHERE id = @id AND state = 'delivering' RETURNING *`),
      retry: db.prepare(`UPDATE tasks SET state = 'queued', attempts = 0, next_attempt_at = @now, finished_at = NULL
        WHERE id = @id AND state IN ('dead', 'retrying', 'stalled') RETURNING *`),
      retryAllDead: db.prepare(
        `UPDATE tasks SET state = 'queued', attempts = 0, next_attempt_at = @now, finished_at = NULL WHERE state = 'dead'`,
      ),
      drop: db.prepare(
        `UPDATE tasks SET state = 'dropped', finished_at = @now WHERE id = @id AND state IN ('queued', 'retrying', 'dead') RETURNING *`,
      ),
      paneMark: db.prepare('SELECT pane_mark FROM tasks WHERE id = ?').pluck(),
      listDelivering: db.prepare(`SELECT * FROM tasks WHERE state = 'delivering' ORDER BY id`),
      countByState: db.prepare('SELECT state, COUNT(*) AS n FROM tasks GROUP BY state'),
      oldest: db.prepare(`SELECT received_at FROM tasks WHERE state IN ('queued', 'retrying') ORDER BY id LIMIT 1`),
      oldestDelivering: db.prepare(`SELECT min(received_at) AS received_at FROM tasks WHERE state = 'delivering'`),
      counters: db.prepare('SELECT name, value FROM counters'),
      received: db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'tasks'`).pluck(),
      bump3:
        db.prepare(`UPDATE counters SET value = value + CASE name WHEN @a THEN @av WHEN @b THEN @bv WHEN @c THEN @cv ELSE 0 END
        WHERE name IN (@a, @b, @c)`),
      seed: db.prepare('INSERT OR IGNORE INTO counters (name, value) VALUES (?, 0)'),
      bump: db.prepare(
        'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value',
      ),
      setMax: db.prepare(
        'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)',
      ),
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      prune: db.prepare(
        `DELETE FROM tasks WHERE state IN ('delivered', 'completed', 'stalled', 'dropped', 'forwarded') AND finished_at < ?`,
      ),
      queuedFor: db.prepare(
        `SELECT * FROM tasks WHERE state = 'queued' AND target IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?`,
      ),
      countQueuedFor: db
        .prepare(`SELECT COUNT(*) FROM tasks WHERE state = 'queued' AND target IN (SELECT value FROM json_each(?))`)
        .pluck(),
      forwarded: db.prepare(
        `UPDATE tasks SET state = 'forwarded', finished_at = @now WHERE id = @id AND state = 'queued' RETURNING *`,
      ),
    };
    // Transaction functions are made once (better-sqlite3 wraps each in BEGIN/COMMIT, nested ones in savepoints).
    this.tx = {
      insertMany: db.transaction(this.insertManyTx.bind(this)),
      delivered: db.transaction(this.deliveredTx.bind(this)),
      failed: db.transaction(this.failedTx.bind(this)),
      forwarded: db.transaction((ids: readonly number[], now: number) =>
        ids.flatMap((id) => {
          const row = this.stmt.forwarded.get({ id, now }) as Row | undefined;
          return row ? [toTask(row)] : [];
        }),
      ),
    };
    this.counts = this.loadCounts();
    db.transaction(() => {
      for (const c of FIXED_COUNTERS) this.stmt.seed.run(c);
    })();
    this.peak = this.counters().peak_pending;
  }

  private peak: number;

  /** Record a new peak of pending tasks (written only when it grows). */
  private notePeak(): void {
    const pending = this.pendingCount();
    if (pending > this.peak) {
      this.peak = pending;
      this.stmt.setMax.run('peak_pending', pending);
    }
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
    if (row) return toTask(row as Row);
    const existing = this.get(id);
    if (!existing) throw new WhtError('WHT_ERR_TASK_NOT_FOUND', `no task with id ${id}`, { id });
    throw new WhtError('WHT_ERR_TASK_STATE', `cannot ${action} task ${id}: it is ${existing.state}`, {
      id,
      state: existing.state,
    });
  }

  insertMany(rows: readonly TaskRow[], now: number, dedupeWindowMs: number): InsertResult[] {
    return this.admit(rows, now, { dedupeWindowMs, capacity: Infinity }) as InsertResult[];
  }

  admit(rows: readonly TaskRow[], now: number, limits: AdmitLimits): AdmitResult[] {
    return this.tx.insertMany.immediate(rows, now, limits);
  }

  private insertManyTx(rows: readonly TaskRow[], now: number, limits: AdmitLimits): AdmitResult[] {
    const results: AdmitResult[] = [];
    let created = 0;
    let deduplicated = 0;
    let room = limits.capacity - this.pendingCount();
    for (const row of rows) {
      if (row.idemKey !== null) {
        const existing = this.stmt.byIdem.get(row.idemKey, now - limits.dedupeWindowMs) as Row | undefined;
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
      results.push({ task: toTask(this.stmt.insert.get({ ...row, callback, now }) as Row), created: true });
      created++;
    }
    // `received` is not counted here: it is the AUTOINCREMENT sequence (one id per created task).
    if (deduplicated) this.stmt.bump.run('deduplicated', deduplicated);
    this.counts.queued += created;
    try {
      this.notePeak();
    } catch (err) {
      this.counts.queued -= created;
      throw err;
    }
    return results;
  }

  findByIdemKey(key: string, since: number): Task | undefined {
    const row = this.stmt.byIdem.get(key, since) as Row | undefined;
    return row ? toTask(row) : undefined;
  }

  get(id: number): Task | undefined {
    const row = this.stmt.get.get(id) as Row | undefined;
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
    const sql = `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
    return (this.db.prepare(sql).all(...params, limit) as Row[]).map((r) => toTask(r, false));
  }

  head(target: string): Task | undefined {
    const row = this.stmt.head.get(target) as Row | undefined;
    return row ? toTask(row) : undefined;
  }

  readyTargets(): string[] {
    return (this.stmt.readyTargets.all() as Array<{ target: string }>).map((r) => r.target);
  }

  markDelivering(id: number, now: number, paneMark: string | null): Task {
    const before = this.stmt.state.get(id) as TaskState | undefined;
    const task = this.one(this.stmt.delivering.get({ id, now, mark: paneMark }), id, 'start');
    this.move(before!, 'delivering');
    return task;
  }

  markDelivered(id: number, now: number, watched = false): Task {
    const task = this.tx.delivered.immediate(id, now, watched);
    this.move('delivering', 'delivered');
    return task;
  }

  markWorking(id: number, now: number): Task {
    const task = this.one(this.stmt.working.get({ id, now }), id, 'mark working');
    this.move('delivered', 'working');
    return task;
  }

  markCompleted(id: number, now: number, result: CompletionResult): Task {
    const before = this.stmt.state.get(id) as TaskState | undefined;
    const task = this.one(this.stmt.completed.get({ id, now, ...result }), id, 'complete');
    this.move(before!, 'completed');
    return task;
  }

  markStalled(id: number, now: number, error: AttemptError, output: string | null): Task {
    const before = this.stmt.state.get(id) as TaskState | undefined;
    const task = this.one(this.stmt.stalled.get({ id, now, output, error: JSON.stringify(error) }), id, 'mark stalled');
    this.move(before!, 'stalled');
    return task;
  }

  watched(): Task[] {
    return (this.stmt.watched.all() as Row[]).map((r) => toTask(r));
  }

  private deliveredTx(id: number, now: number, watched: boolean): Task {
    const t = this.one(this.stmt.delivered.get({ id, now, watched: watched ? 1 : 0 }), id, 'complete');
    this.stmt.bump3.run({
      a: 'delivered',
      av: 1,
      b: 'sum_processing_ms',
      bv: now - (t.startedAt ?? now),
      c: 'sum_e2e_ms',
      cv: now - t.receivedAt,
    });
    return t;
  }

  markFailed(id: number, error: AttemptError, retryAt: number | null, now: number): Task {
    const state: TaskState = retryAt === null ? 'dead' : 'retrying';
    const task = this.tx.failed.immediate(id, error, retryAt, now, state);
    this.move('delivering', state);
    return task;
  }

  private failedTx(id: number, error: AttemptError, retryAt: number | null, now: number, state: TaskState): Task {
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
    this.stmt.bump3.run({ a: 'failed_attempts', av: 1, b: state === 'dead' ? 'dead' : 'retries', bv: 1, c: '', cv: 0 });
    return t;
  }

  requeue(id: number, note: AttemptError | null): Task {
    const task = this.one(this.stmt.requeue.get({ id, note: note ? JSON.stringify(note) : null }), id, 'requeue');
    this.move('delivering', 'queued');
    return task;
  }

  retry(id: number, now: number): Task {
    const before = this.get(id);
    const task = this.one(this.stmt.retry.get({ id, now }), id, 'retry');
    this.move(before!.state, 'queued');
    this.notePeak();
    return task;
  }

  retryAllDead(now: number): number {
    const n = this.stmt.retryAllDead.run({ now }).changes;
    this.move('dead', 'queued', n);
    if (n) this.notePeak();
    return n;
  }

  drop(id: number, now: number): Task {
    const before = this.get(id);
    const task = this.one(this.stmt.drop.get({ id, now }), id, 'drop');
    this.move(before!.state, 'dropped');
    return task;
  }

  paneMark(id: number): string | null {
    return (this.stmt.paneMark.get(id) as string | null | undefined) ?? null;
  }

  delivering(): Task[] {
    return (this.stmt.listDelivering.all() as Row[]).map((r) => toTask(r));
  }

  queuedFor(targets: readonly string[], limit: number): Task[] {
    if (targets.length === 0) return [];
    return (this.stmt.queuedFor.all(JSON.stringify(targets), limit) as Row[]).map((r) => toTask(r, false));
  }

  countQueuedFor(targets: readonly string[]): number {
    return targets.length === 0 ? 0 : (this.stmt.countQueuedFor.get(JSON.stringify(targets)) as number);
  }

  markForwarded(ids: readonly number[], now: number): Task[] {
    const moved = this.tx.forwarded.immediate(ids, now);
    this.move('queued', 'forwarded', moved.length);
    return moved;
  }

  countByState(): Record<TaskState, number> {
    return { ...this.counts };
  }

  pendingCount(): number {
    return this.counts.queued + this.counts.delivering + this.counts.retrying;
  }

  oldestPendingReceivedAt(): number | null {
    const ready = (this.stmt.oldest.get() as { received_at: number } | undefined)?.received_at ?? null;
    const delivering =
      this.counts.delivering > 0
        ? (this.stmt.oldestDelivering.get() as { received_at: number | null }).received_at
        : null;
    if (ready === null) return delivering;
    return delivering === null ? ready : Math.min(ready, delivering);
  }

  counters(): Record<CounterName, number> {
    const out = Object.fromEntries(FIXED_COUNTERS.map((c) => [c, 0])) as Record<CounterName, number>;
    for (const { name, value } of this.stmt.counters.all() as Array<{ name: CounterName; value: number }>)
      out[name] = value;
    out.received = (this.stmt.received.get() as number | undefined) ?? 0;
    return out;
  }

  bumpCounter(name: CounterName, by = 1): void {
    this.stmt.bump.run(name, by);
  }

  getMeta(key: string): string | undefined {
    return (this.stmt.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmt.setMeta.run(key, value);
  }

  prune(before: number): number {
    const n = this.stmt.prune.run(before).changes;
    if (n) Object.assign(this.counts, this.loadCounts());
    return n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
