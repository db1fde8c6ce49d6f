/**
 * Task rows as read from SQLite. Statements that return tasks name these columns and run in raw mode (arrays):
 * better-sqlite3 builds an object of 22 properties for each `SELECT *` row, which cost 7-11 µs a row here against
 * 3-4 µs for the same row as an array (issue 18), on every head(), get() and state change.
 */
import type { AttemptError, Task, TaskCallback, TaskState } from '../types.js';
import type { TaskRow } from '../queue/store.js';

export const TASK_COLUMNS =
  'id, text, target, priority, category, idem_key, source, state, attempts, next_attempt_at, errors, received_at, ' +
  'committed_at, started_at, delivered_at, finished_at, working_at, completed_at, output, exit_code, callback';

type Raw = [
  id: number,
  text: string,
  target: string,
  priority: number,
  category: string,
  idemKey: string | null,
  source: Task['source'],
  state: TaskState,
  attempts: number,
  nextAttemptAt: number,
  errors: string,
  receivedAt: number,
  committedAt: number,
  startedAt: number | null,
  deliveredAt: number | null,
  finishedAt: number | null,
  workingAt: number | null,
  completedAt: number | null,
  output: string | null,
  exitCode: number | null,
  callback: string | null,
];

/** A raw row (TASK_COLUMNS order) as a Task; lists leave the output out (its length stays, as outputBytes). */
export function toTask(row: unknown, withOutput = true): Task {
  const r = row as Raw;
  const output = r[18];
  return {
    id: r[0],
    text: r[1],
    target: r[2],
    priority: r[3],
    category: r[4],
    idemKey: r[5],
    source: r[6],
    state: r[7],
    attempts: r[8],
    nextAttemptAt: r[9],
    errors: r[10] === '[]' ? [] : (JSON.parse(r[10]) as AttemptError[]),
    receivedAt: r[11],
    committedAt: r[12],
    startedAt: r[13],
    deliveredAt: r[14],
    finishedAt: r[15],
    workingAt: r[16],
    completedAt: r[17],
    ...(withOutput ? { output } : {}),
    outputBytes: output === null ? 0 : Buffer.byteLength(output),
    exitCode: r[19],
    callback: r[20] ? (JSON.parse(r[20]) as TaskCallback) : null,
  };
}

/** The task a fresh insert wrote (no read back: every column is known). */
export function insertedTask(id: number, row: TaskRow, callback: string | null, now: number): Task {
  return toTask([
    id,
    row.text,
    row.target,
    row.priority,
    row.category,
    row.idemKey,
    row.source,
    'queued',
    0,
    now,
    '[]',
    row.receivedAt,
    now,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    callback,
  ] satisfies Raw);
}
