import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/engine/sqlite/migrations.js';
import { openDatabase, SqliteStore } from '../../src/engine/sqlite/queue-store.js';
import { describeStoreContract, err, row, sqliteCounts, thrown } from './store.contract.js';

describeStoreContract(
  'SqliteStore (file in a temp dir)',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'wht-store-'));
    const store = new SqliteStore(openDatabase(join(dir, 'queue.db')));
    return {
      store,
      cleanup: () => {
        store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  (store) => sqliteCounts((store as SqliteStore).db),
);

describe('SqliteStore on disk', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wht-store-'));
    path = join(dir, 'queue.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps tasks, states, error history, counters and meta across close and reopen', () => {
    const s1 = new SqliteStore(openDatabase(path));
    const [a, b, c] = s1
      .insertMany([row('a', { idemKey: 'k' }), row('b', { priority: 3 }), row('c')], 2000, 60_000)
      .map((r) => r.task);
    s1.markDelivering(a!.id, 3000, '5');
    s1.markFailed(a!.id, err(1, 3001), null, 3001);
    s1.markDelivering(b!.id, 3000, '9');
    s1.setMeta('paused', '1');
    const before = { tasks: s1.list({ limit: 100 }), counts: s1.countByState(), counters: s1.counters() };
    s1.close();

    const s2 = new SqliteStore(openDatabase(path));
    try {
      expect(s2.list({ limit: 100 })).toEqual(before.tasks);
      expect(s2.countByState()).toEqual(before.counts);
      expect(s2.counters()).toEqual(before.counters);
      expect(s2.getMeta('paused')).toBe('1');
      expect(s2.delivering().map((t) => t.id)).toEqual([b!.id]);
      expect(s2.paneMark(b!.id)).toBe('9');
      expect(s2.head('default')?.id).toBe(c!.id);
      expect(s2.get(a!.id)?.errors).toEqual([err(1, 3001)]);
      // The idempotency key survives too.
      expect(s2.insertMany([row('again', { idemKey: 'k' })], 4000, 60_000)[0]!.created).toBe(false);
    } finally {
      s2.close();
    }
  });

  it('sets user_version to the number of migrations and does not re-run them on reopen', () => {
    openDatabase(path).close();
    const raw = new Database(path);
    expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    raw.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('marker', 'kept');
    raw.close();
    // Re-running migration 1 would fail (CREATE TABLE tasks exists) or wipe data; reopening must do neither.
    const db = openDatabase(path);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(new SqliteStore(db).getMeta('marker')).toBe('kept');
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer webhook-tui, naming both versions', () => {
    openDatabase(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    const e = thrown(() => openDatabase(path));
    expect(e.code).toBe('WHT_ERR_STORAGE');
    expect(e.message).toContain(String(MIGRATIONS.length + 1));
    expect(e.message).toMatch(/newer/);
    // Nothing was changed by the refused open.
    const check = new Database(path);
    expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    check.close();
  });

  it('runs in WAL mode', () => {
    const db = openDatabase(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});
