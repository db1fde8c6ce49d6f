/**
 * A small in-memory engine for dashboard tests until/unless the real engine is used: real EngineApi semantics
 * (states, pause, retry, drop, dead letters), a delivery loop on a timer, tasks whose text contains "fail" fail.
 */
import { EventEmitter } from 'node:events';
import { TaskEventLog } from '../../src/engine/logs/task-events.js';
import { loggerFrom } from '../../src/engine/ports/logger.js';
import { WhtError } from '../../src/engine/errors.js';
import type {
  EngineApi,
  EngineEventMap,
  EngineSnapshot,
  NewTask,
  QueueStats,
  Task,
  TaskState,
} from '../../src/engine/types.js';
import { TASK_STATES } from '../../src/engine/types.js';
import type { DashboardSource } from '../../src/tui/dashboard.js';

export interface MemorySourceOptions {
  deliverEveryMs?: number;
  maxAttempts?: number;
  capacity?: number;
}

export function createMemorySource(
  opts: MemorySourceOptions = {},
): DashboardSource & { api: EngineApi; delivered: Task[] } {
  const events = new EventEmitter<EngineEventMap>();
  // Like the engine: every task event becomes one `log` entry (the dashboard shows those).
  new TaskEventLog(
    events,
    loggerFrom((level, msg, fields) => events.emit('log', { ...fields, at: Date.now(), level, msg })),
  ).start();
  const tasks = new Map<number, Task>();
  const delivered: Task[] = [];
  const startedAt = Date.now();
  const maxAttempts = opts.maxAttempts ?? 2;
  let nextId = 1;
  let paused = false;
  let closed = false;

  const get = (id: number): Task => {
    const t = tasks.get(id);
    if (!t) throw new WhtError('WHT_ERR_TASK_NOT_FOUND', `no task ${id}`);
    return t;
  };
  const inState = (...s: TaskState[]): Task[] => [...tasks.values()].filter((t) => s.includes(t.state));
  const stats = (): QueueStats => {
    const depth = Object.fromEntries(TASK_STATES.map((s) => [s, inState(s).length])) as Record<TaskState, number>;
    const pending = depth.queued + depth.delivering + depth.retrying;
    return {
      totalProcessed: depth.delivered + depth.dead,
      successful: depth.delivered,
      failed: depth.dead,
      failedAttempts: 0,
      retries: 0,
      rateLimited: 0,
      received: tasks.size,
      deduplicated: 0,
      avgProcessingMs: 0,
      avgEndToEndMs: 0,
      peakQueueSize: pending,
      depth,
      pending,
      capacity: opts.capacity ?? 1000,
      oldestPendingAgeMs: 0,
      paused,
    };
  };
  const api: EngineApi = {
    enqueue(input: NewTask) {
      const now = Date.now();
      const task: Task = {
        id: nextId++,
        text: input.text,
        target: input.target ?? 'default',
        priority: input.priority ?? 0,
        category: input.category ?? 'default',
        idemKey: input.idemKey ?? null,
        source: input.source,
        state: 'queued',
        attempts: 0,
        nextAttemptAt: now,
        errors: [],
        receivedAt: input.receivedAt ?? now,
        committedAt: now,
        startedAt: null,
        deliveredAt: null,
        finishedAt: null,
      };
      tasks.set(task.id, task);
      events.emit('task:queued', { ...task });
      return { task: { ...task }, created: true };
    },
    getTask: (id) => (tasks.has(id) ? { ...get(id) } : undefined),
    listTasks: (q) => [...tasks.values()].filter((t) => !q?.state || t.state === q.state),
    retry(id) {
      const t = get(id);
      if (t.state !== 'dead' && t.state !== 'retrying')
        throw new WhtError('WHT_ERR_TASK_STATE', `task ${id} is ${t.state}`);
      Object.assign(t, { state: 'queued', attempts: 0, finishedAt: null, nextAttemptAt: Date.now() });
      events.emit('task:queued', { ...t });
      return { ...t };
    },
    retryAllDead() {
      const dead = inState('dead');
      for (const t of dead) api.retry(t.id);
      return dead.length;
    },
    drop(id) {
      const t = get(id);
      Object.assign(t, { state: 'dropped', finishedAt: Date.now() });
      events.emit('task:dropped', { ...t });
      return { ...t };
    },
    pause() {
      paused = true;
      events.emit('queue:paused');
    },
    resume() {
      paused = false;
      events.emit('queue:resumed');
    },
    isPaused: () => paused,
    stats,
    snapshot(): EngineSnapshot {
      const order = (a: Task, b: Task): number => b.priority - a.priority || a.id - b.id;
      return {
        at: Date.now(),
        startedAt,
        pid: process.pid,
        version: '0.0.0-test',
        paused,
        stats: stats(),
        targets: [
          {
            name: 'default',
            pane: '%0',
            profile: 'shell',
            preset: null,
            state: 'ready',
            reason: null,
            present: true,
            activity: 'idle',
            inMode: false,
            currentCommand: 'bash',
          },
        ],
        pending: inState('queued', 'delivering', 'retrying')
          .sort(order)
          .slice(0, 200)
          .map((t) => ({ ...t })),
        dead: inState('dead')
          .sort((a, b) => b.id - a.id)
          .slice(0, 200)
          .map((t) => ({ ...t })),
      };
    },
  };

  const step = (): void => {
    if (paused || closed) return;
    const now = Date.now();
    const next = inState('queued', 'retrying')
      .filter((t) => t.nextAttemptAt <= now)
      .sort((a, b) => b.priority - a.priority || a.id - b.id)[0];
    if (!next) return;
    next.attempts += 1;
    next.startedAt = now;
    if (next.text.includes('fail')) {
      const err = { attempt: next.attempts, at: now, code: 'WHT_ERR_TARGET_MISSING', message: 'pane %9 not found' };
      next.errors.push(err);
      if (next.attempts >= maxAttempts) {
        Object.assign(next, { state: 'dead', finishedAt: now });
        events.emit('task:dead', { ...next }, err);
      } else {
        Object.assign(next, { state: 'retrying', nextAttemptAt: now + 200 });
        events.emit('task:retrying', { ...next }, err);
      }
      return;
    }
    Object.assign(next, { state: 'delivered', deliveredAt: now, finishedAt: now });
    delivered.push({ ...next });
    events.emit('task:delivered', { ...next });
  };
  const timer = setInterval(step, opts.deliverEveryMs ?? 100);

  return {
    api,
    events,
    mode: 'embedded',
    delivered,
    async close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
