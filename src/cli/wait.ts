/**
 * `send --wait`: poll the task (through the running engine, else the database) until it ends. Completed (or
 * delivered on a target that is not watched) resolves with the task; dead, stalled and dropped reject with the
 * reason (exit 1); so does the timeout. The engine may start, stop or restart meanwhile: each poll reconnects.
 */
import { isWhtError, WhtError } from '../engine/errors.js';
import type { Task } from '../engine/types.js';
import { withApi, type GlobalArgs } from './context.js';

export type WaitVerdict = { done: false } | { done: true; task: Task } | { done: true; error: WhtError };

/** What a task's state means for a waiting sender. Pure. */
export function judgeWait(task: Task | undefined): WaitVerdict {
  if (!task) return { done: false };
  if (task.state === 'completed' || (task.state === 'delivered' && task.finishedAt !== null))
    return { done: true, task };
  if (task.state === 'dead' || task.state === 'stalled' || task.state === 'dropped') {
    const last = task.errors.at(-1);
    const why =
      task.state === 'dropped'
        ? 'dropped by an operator'
        : last
          ? `${last.code}: ${last.message}`
          : 'no reason recorded';
    return {
      done: true,
      error: new WhtError('WHT_ERR_TASK_FAILED', `task ${task.id} is ${task.state}: ${why}`, {
        id: task.id,
        state: task.state,
      }),
    };
  }
  return { done: false };
}

export interface WaitTarget {
  /** The task id when known (HTTP answered it), else it is found by its idempotency key. */
  id?: number | undefined;
  key: string;
}

async function look(global: GlobalArgs, want: WaitTarget): Promise<Task | undefined> {
  try {
    return await withApi(global, async ({ api }) => {
      const id = want.id ?? (await api.listTasks({ idemKey: want.key, limit: 1 }))[0]?.id;
      return id === undefined ? undefined : api.getTask(id);
    });
  } catch (err) {
    if (isWhtError(err, 'WHT_ERR_ENGINE_UNREACHABLE')) return undefined; // starting, or restarting
    throw err;
  }
}

export async function waitForTask(
  global: GlobalArgs,
  want: WaitTarget,
  timeoutMs: number,
  pollMs = 250,
): Promise<Task> {
  const until = Date.now() + timeoutMs;
  let last: Task | undefined;
  for (;;) {
    last = (await look(global, want)) ?? last;
    const verdict = judgeWait(last);
    if (verdict.done) {
      if ('error' in verdict) throw verdict.error;
      return verdict.task;
    }
    if (Date.now() >= until) {
      const where = last ? `task ${last.id} is still ${last.state}` : 'the task was not picked up by an engine';
      throw new WhtError('WHT_ERR_STALLED', `timed out after ${timeoutMs} ms: ${where}`, { id: last?.id });
    }
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(1, until - Date.now()))));
  }
}
