import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/engine/sqlite/migrations.js';
import { openDatabase, SqliteStore } from '../../src/engine/sqlite/queue-store.js';
import { EventStore } from '../../src/engine/sqlite/event-store.js';
import type { TaskRow } from '../../src/engine/queue/store.js';
import type { TaskState } from '../../src/engine/types.js';
import { tempDir } from '../helpers/engine.js';

const events: TaskState[] = ['queued', 'delivering', 'retrying', 'delivered'];
const callback = { url: 'http://127.0.0.1:9/cb', secret: 'callbacks', events };
const row = (text: string, withCallback = true): TaskRow => ({
  text,
  target: 'default',
  priority: 0,
  category: 'default',
  idemKey: null,
  source: 'api',
  receivedAt: 1000,
  callback: withCallback ? callback : null,
});
const err = (attempt: number, at: number) => ({
  attempt,
  at,
  code: 'WHT_ERR_TMUX_FAILED',
  message: `attempt ${attempt}`,
});

/** The outbox in seq order: which webhook id each state change got. */
const outbox = (db: Database.Database) =>
  db.prepare('SELECT webhook_id AS id, state FROM callbacks ORDER BY seq').all() as Array<{
    id: string;
    state: string;
  }>;

describe('the event log and the outbox (migration 3)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let path: string;
  beforeEach(() => {
    tmp = tempDir();
    path = join(tmp.dir, 'queue.db');
  });
  afterEach(() => tmp.cleanup());

  it('upgrades a schema-2 database with rows: its events and callbacks stay, and webhook ids keep counting', () => {
    // A database as webhook-tui wrote it before migration 3, through its own triggers.
    const v2 = new Database(path);
    v2.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS.slice(0, 2)) v2.exec(m);
    v2.pragma('user_version = 2');
    const old = new SqliteStore(v2);
    const { task } = old.insertMany([row('echo old')], 2000, 0)[0]!;
    old.markDelivering(task.id, 2100, null);
    old.markFailed(task.id, err(1, 2200), 2300, 2200);
    old.markDelivering(task.id, 2400, null);
    old.markFailed(task.id, err(2, 2500), 2600, 2500);
    old.insertMany([row('echo no callback', false)], 2700, 0);
    const events = new EventStore(v2);
    const sent = events.heads()[0]!;
    events.markSent(sent.seq, 2800, 200);
    const before = { events: events.since(0), outbox: outbox(v2) };
    old.close();
    expect(before.outbox.map((c) => c.id)).toEqual([
      `wht_${task.id}_queued`,
      `wht_${task.id}_delivering`,
      `wht_${task.id}_retrying`,
      `wht_${task.id}_delivering_2`,
      `wht_${task.id}_retrying_2`,
    ]);

    const db = openDatabase(path);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      const store = new SqliteStore(db);
      const log = new EventStore(db);
      expect(log.since(0)).toEqual(before.events);
      expect(outbox(db)).toEqual(before.outbox);
      // The next changes count on from what the old triggers wrote.
      store.markDelivering(task.id, 3000, null);
      store.markDelivered(task.id, 3100);
      store.commit();
      expect(
        outbox(db)
          .slice(5)
          .map((c) => c.id),
      ).toEqual([`wht_${task.id}_delivering_3`, `wht_${task.id}_delivered`]);
      const after = log.since(before.events.at(-1)!.seq);
      expect(after.map((e) => [e.taskId, e.state])).toEqual([
        [task.id, 'delivering'],
        [task.id, 'delivered'],
      ]);
      expect(after[1]!.data).toMatchObject({ id: task.id, state: 'delivered', previous: 'delivering', attempts: 3 });
      // The oldest pending callback still comes with its event's data.
      const head = log.heads()[0]!;
      expect(head.webhookId).toBe(`wht_${task.id}_delivering`);
      expect(JSON.parse(head.data)).toMatchObject({ id: task.id, state: 'delivering', previous: 'queued' });
      store.close();
    } finally {
      if (db.open) db.close();
    }
  });

  it('event ids never go back: after an upgrade of a log whose newest events were pruned, and after a prune', () => {
    const v2 = new Database(path);
    v2.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS.slice(0, 2)) v2.exec(m);
    v2.pragma('user_version = 2');
    const old = new SqliteStore(v2);
    old.insertMany([row('a', false), row('b', false)], 1000, 0);
    const last = v2.prepare('SELECT max(seq) FROM events').pluck().get() as number;
    v2.exec('DELETE FROM events'); // all pruned (an engine idle for longer than retainDays)
    old.close();

    const store = new SqliteStore(openDatabase(path));
    const log = new EventStore(store.db);
    expect(log.since(0)).toEqual([]);
    expect(log.lastSeq()).toBe(last);
    const { task } = store.insertMany([row('c', false)], 9000, 0)[0]!;
    expect(log.since(0).map((e) => [e.seq, e.taskId])).toEqual([[last + 1, task.id]]);
    // Everything is old now (the row holding the last id too): the prune keeps the newest event, so the next one
    // still gets a higher id.
    const later = Date.now() + 60_000;
    expect(log.prune(later)).toBe(1);
    expect(log.lastSeq()).toBe(last + 1);
    store.insertMany([row('d', false)], later + 1, 0);
    expect(log.since(last + 1).map((e) => e.seq)).toEqual([last + 2]);
    store.close();
  });

  it('a task without a callback writes its events and no outbox row; one with a callback, both', () => {
    const store = new SqliteStore(openDatabase(path));
    const log = new EventStore(store.db);
    const [plain, called] = store.insertMany([row('plain', false), row('called')], 2000, 0).map((r) => r.task);
    for (const t of [plain!, called!]) {
      store.markDelivering(t.id, 2100, null);
      store.markFailed(t.id, err(1, 2200), null, 2200);
      store.retry(t.id, 2300);
    }
    expect(log.since(0).map((e) => `${e.taskId}:${e.state}`)).toEqual([
      `${plain!.id}:queued`,
      `${called!.id}:queued`,
      `${plain!.id}:delivering`,
      `${plain!.id}:dead`,
      `${plain!.id}:queued`,
      `${called!.id}:delivering`,
      `${called!.id}:dead`,
      `${called!.id}:queued`,
    ]);
    // `dead` is not among the callback's events; queued twice gets _2.
    expect(outbox(store.db).map((c) => c.id)).toEqual([
      `wht_${called!.id}_queued`,
      `wht_${called!.id}_delivering`,
      `wht_${called!.id}_queued_2`,
    ]);
    store.close();
  });

  it('prunes old events in seq order, keeping pending callbacks’ events and everything newer', () => {
    const store = new SqliteStore(openDatabase(path));
    const log = new EventStore(store.db);
    const tasks = store.insertMany([row('a', false), row('b'), row('c', false)], 1000, 0).map((r) => r.task);
    log.addAlert(1500, { rule: 'old alert' });
    for (const t of tasks) store.markDelivering(t.id, 5000, null);
    log.addAlert(6000, { rule: 'new alert' });
    // Old: the three `queued` events (at 1000) and the alert at 1500; b's queued callback is still pending.
    expect(log.prune(2000)).toBe(3);
    expect(log.since(0).map((e) => (e.kind === 'alert' ? 'alert' : `${e.taskId}:${e.state}`))).toEqual([
      `${tasks[1]!.id}:queued`,
      ...tasks.map((t) => `${t.id}:delivering`),
      'alert',
    ]);
    expect(log.heads()[0]!.webhookId).toBe(`wht_${tasks[1]!.id}_queued`);
    expect(log.prune(2000)).toBe(0);
    store.close();
  });
});
