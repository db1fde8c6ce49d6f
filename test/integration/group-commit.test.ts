import Database from 'better-sqlite3';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, SqliteStore } from '../../src/engine/sqlite/queue-store.js';
import { EventStore } from '../../src/engine/sqlite/event-store.js';
import type { TaskRow } from '../../src/engine/queue/store.js';
import { tempDir } from '../helpers/engine.js';
import { sqliteCounts } from '../contract/store.contract.js';

const row = (text: string): TaskRow => ({
  text,
  target: 'default',
  priority: 0,
  category: 'default',
  idemKey: null,
  source: 'api',
  receivedAt: 1000,
});

/** What another connection (another process after a crash) reads: only what was committed. */
function committedState(path: string, id: number): string {
  const reader = new Database(path, { readonly: true });
  try {
    return (reader.prepare('SELECT state FROM tasks WHERE id = ?').pluck().get(id) as string) ?? 'missing';
  } finally {
    reader.close();
  }
}

/**
 * The real database, with COMMIT failing on demand like a full disk (SQLITE_FULL): a fault-injecting port around
 * the connection, as test/integration/storage-faults.test.ts does around the store.
 */
function failingCommits(db: Database.Database): { db: Database.Database; fail: (on: boolean) => void } {
  let failing = false;
  const proxy = new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'prepare')
        return (sql: string) => {
          const stmt = target.prepare(sql);
          if (sql !== 'COMMIT') return stmt;
          return new Proxy(stmt, {
            get(s, p) {
              const v = Reflect.get(s, p, s) as unknown;
              if (p !== 'run') return typeof v === 'function' ? (v as () => unknown).bind(s) : v;
              return () => {
                if (failing) throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
                return stmt.run();
              };
            },
          });
        };
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return { db: proxy, fail: (on) => (failing = on) };
}

describe('group commit (deferred writes)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let path: string;
  beforeEach(() => {
    tmp = tempDir();
    path = join(tmp.dir, 'queue.db');
  });
  afterEach(() => tmp.cleanup());

  it('delivered is read at once on the connection and committed at the end of the event-loop turn', async () => {
    const store = new SqliteStore(openDatabase(path));
    const { task } = store.insertMany([row('a')], 2000, 0)[0]!;
    store.markDelivering(task.id, 2100, null);
    // The acknowledgement and `delivering` are committed when they return.
    expect(committedState(path, task.id)).toBe('delivering');
    store.markDelivered(task.id, 2200);
    expect(store.get(task.id)?.state).toBe('delivered');
    expect(committedState(path, task.id)).toBe('delivering');
    await nextTurn();
    expect(committedState(path, task.id)).toBe('delivered');
    store.close();
  });

  it('the next durable write commits what was deferred with it; close commits what is open', () => {
    const store = new SqliteStore(openDatabase(path));
    const [a, b] = store.insertMany([row('a'), row('b')], 2000, 0).map((r) => r.task);
    store.markDelivering(a!.id, 2100, null);
    store.markDelivered(a!.id, 2200);
    store.markDelivering(b!.id, 2300, null);
    expect(committedState(path, a!.id)).toBe('delivered');
    store.markDelivered(b!.id, 2400);
    store.bumpCounter('rate_limited');
    store.close();
    expect(committedState(path, b!.id)).toBe('delivered');
    const again = new SqliteStore(openDatabase(path));
    expect(again.counters()).toMatchObject({ delivered: 2, rate_limited: 1 });
    again.close();
  });

  it('a commit that fails (disk full) loses nothing: the deferred writes go in with the next commit, once', async () => {
    const { db, fail } = failingCommits(openDatabase(path));
    const store = new SqliteStore(db);
    const errors: unknown[] = [];
    store.onCommitError = (err) => errors.push(err);
    const [a, b] = store.insertMany([row('a'), row('b')], 2000, 0).map((r) => r.task);
    store.markDelivering(a!.id, 2100, null);
    store.markDelivered(a!.id, 2200);
    fail(true);
    await nextTurn();
    expect(errors).toHaveLength(1);
    expect((errors[0] as { code: string }).code).toBe('SQLITE_FULL');
    expect(committedState(path, a!.id)).toBe('delivering');
    // A durable write while the disk is full fails (not acknowledged) and commits nothing.
    expect(() => store.markDelivering(b!.id, 2300, null)).toThrow(/full/);
    expect(committedState(path, b!.id)).toBe('queued');
    fail(false);
    store.markDelivering(b!.id, 2400, null);
    expect(committedState(path, a!.id)).toBe('delivered');
    expect(committedState(path, b!.id)).toBe('delivering');
    expect(store.counters().delivered).toBe(1);
    expect(store.countByState()).toMatchObject(sqliteCounts(store.db));
    const delivered = new EventStore(store.db).since(0).filter((e) => e.state === 'delivered');
    expect(delivered.map((e) => e.taskId)).toEqual([a!.id]);
    store.close();
  });
});
