/** The queue store's prepared statements. Those that return tasks run in raw mode (task-rows.ts). */
import type Database from 'better-sqlite3';
import { TASK_COLUMNS as C } from './task-rows.js';

const WATCHED_SQL = `state IN ('delivered', 'working') AND finished_at IS NULL`;
/**
 * The condition of the index tasks_active (migration 3): a query names it to use that index. (No IN list of three
 * constants: SQLite builds a temporary b-tree to evaluate one.)
 */
export const ACTIVE = `(state IN ('queued', 'retrying') OR state = 'delivering')`;
const READY = `${ACTIVE} AND state IN ('queued', 'retrying')`;
const FINISHED = `(state IN ('delivered', 'completed') OR state IN ('stalled', 'dropped') OR state = 'forwarded')`;

export function prepareStatements(db: Database.Database) {
  const raw = (sql: string) => db.prepare(sql).raw();
  return {
    insert:
      db.prepare(`INSERT INTO tasks (text, target, priority, category, idem_key, source, state, next_attempt_at, received_at, committed_at, callback)
        VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)`),
    byIdem: raw(`SELECT ${C} FROM tasks WHERE idem_key = ? AND committed_at >= ? ORDER BY id DESC LIMIT 1`),
    get: raw(`SELECT ${C} FROM tasks WHERE id = ?`),
    head: raw(`SELECT ${C} FROM tasks WHERE target = ? AND ${READY} ORDER BY priority DESC, id LIMIT 1`),
    // Distinct targets and (target, priority) groups of the active index, one index seek each (a skip scan).
    firstTarget: db.prepare(`SELECT target FROM tasks WHERE ${ACTIVE} ORDER BY target LIMIT 1`).pluck(),
    nextTarget: db.prepare(`SELECT target FROM tasks WHERE ${ACTIVE} AND target > ? ORDER BY target LIMIT 1`).pluck(),
    hasReady: db.prepare(`SELECT 1 FROM tasks WHERE target = ? AND ${READY} LIMIT 1`).pluck(),
    firstOfTarget: raw(
      `SELECT priority, id FROM tasks WHERE target = ? AND ${ACTIVE} ORDER BY priority DESC, id LIMIT 1`,
    ),
    nextOfTarget: raw(
      `SELECT priority, id FROM tasks WHERE target = ? AND ${ACTIVE} AND priority < ? ORDER BY priority DESC, id LIMIT 1`,
    ),
    receivedAt: db.prepare('SELECT received_at FROM tasks WHERE id = ?').pluck(),
    state: db.prepare('SELECT state FROM tasks WHERE id = ?').pluck(),
    // The hot path's two changes read the row back with \`get\`: RETURNING builds a temporary b-tree per run.
    delivering:
      db.prepare(`UPDATE tasks SET state = 'delivering', attempts = attempts + 1, started_at = @now, pane_mark = @mark
        WHERE id = @id AND state IN ('queued', 'retrying')`),
    delivered: db.prepare(
      `UPDATE tasks SET state = 'delivered', delivered_at = @now, finished_at = CASE WHEN @watched THEN NULL ELSE @now END
        WHERE id = @id AND state = 'delivering'`,
    ),
    working: raw(
      `UPDATE tasks SET state = 'working', working_at = @now WHERE id = @id AND state = 'delivered' AND finished_at IS NULL RETURNING ${C}`,
    ),
    completed: raw(
      `UPDATE tasks SET state = 'completed', completed_at = @now, finished_at = @now, output = @output, exit_code = @exitCode
        WHERE id = @id AND ${WATCHED_SQL} RETURNING ${C}`,
    ),
    stalled: raw(
      `UPDATE tasks SET state = 'stalled', finished_at = @now, output = @output, errors = json_insert(errors, '$[#]', json(@error))
        WHERE id = @id AND ${WATCHED_SQL} RETURNING ${C}`,
    ),
    watched: raw(`SELECT ${C} FROM tasks WHERE ${WATCHED_SQL} ORDER BY id`),
    failed:
      raw(`UPDATE tasks SET state = @state, errors = json_insert(errors, '$[#]', json(@error)), next_attempt_at = @retryAt, finished_at = @finished
        WHERE id = @id AND state = 'delivering' RETURNING ${C}`),
    requeue: raw(`UPDATE tasks SET state = 'queued', attempts = max(0, attempts - 1),
        errors = CASE WHEN @note IS NULL THEN errors ELSE json_insert(errors, '$[#]', json(@note)) END
        WHERE id = @id AND state = 'delivering' RETURNING ${C}`),
    retry: raw(`UPDATE tasks SET state = 'queued', attempts = 0, next_attempt_at = @now, finished_at = NULL
        WHERE id = @id AND (state IN ('dead', 'retrying') OR state = 'stalled') RETURNING ${C}`),
    retryAllDead: db.prepare(
      `UPDATE tasks SET state = 'queued', attempts = 0, next_attempt_at = @now, finished_at = NULL WHERE state = 'dead'`,
    ),
    drop: raw(
      `UPDATE tasks SET state = 'dropped', finished_at = @now WHERE id = @id AND (state IN ('queued', 'retrying') OR state = 'dead') RETURNING ${C}`,
    ),
    paneMark: db.prepare('SELECT pane_mark FROM tasks WHERE id = ?').pluck(),
    // `+id`: ordered after the index scan (ORDER BY id alone makes the planner scan the whole table in rowid order).
    listDelivering: raw(`SELECT ${C} FROM tasks WHERE ${ACTIVE} AND state = 'delivering' ORDER BY +id`),
    countByState: db.prepare('SELECT state, COUNT(*) AS n FROM tasks GROUP BY state'),
    counters: db.prepare('SELECT name, value FROM counters'),
    received: db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'tasks'`).pluck(),
    // One statement per counter: \`name IN (a, b, c)\` would build a temporary b-tree per run (see ACTIVE).
    add: db.prepare('UPDATE counters SET value = value + ? WHERE name = ?'),
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
    // Prune in id order, a chunk at a time: no index on finished_at for every delivered task to update. A task is
    // committed before it finishes, so the scan stops at the first chunk reaching tasks committed after the cutoff.
    pruneScan: db.prepare(`SELECT max(id) AS last, max(committed_at >= @before) AS reached
        FROM (SELECT id, committed_at FROM tasks WHERE id > @after ORDER BY id LIMIT @chunk)`),
    prune: db.prepare(`DELETE FROM tasks WHERE id IN (SELECT id FROM tasks WHERE id > @after ORDER BY id LIMIT @chunk)
        AND ${FINISHED} AND finished_at < @before`),
    queuedFor: raw(
      `SELECT ${C} FROM tasks WHERE ${ACTIVE} AND state = 'queued' AND target IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?`,
    ),
    countQueuedFor: db
      .prepare(
        `SELECT COUNT(*) FROM tasks WHERE ${ACTIVE} AND state = 'queued' AND target IN (SELECT value FROM json_each(?))`,
      )
      .pluck(),
    forwarded: raw(
      `UPDATE tasks SET state = 'forwarded', finished_at = @now WHERE id = @id AND state = 'queued' RETURNING ${C}`,
    ),
  };
}

export type TaskStatements = ReturnType<typeof prepareStatements>;
