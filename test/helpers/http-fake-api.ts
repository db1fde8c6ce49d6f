/**
 * In-memory EngineApi for HTTP tests until the real engine is wired: capacity, idempotency keys, unknown targets,
 * a text check, and switches to make storage fail. Same contract as src/engine/types.ts.
 */
import { WhtError } from '../../src/engine/errors.js';
import {
  TASK_STATES,
  type EngineApi,
  type EngineSnapshot,
  type NewTask,
  type QueueStats,
  type Task,
} from '../../src/engine/types.js';

export interface FakeApi extends EngineApi {
  tasks: Task[];
  capacity: number;
  failStorage: boolean;
  /** Group commits made through enqueueMany (when created with groupCommit). */
  commits?: number;
}

export function createFakeApi(opts: { capacity?: number; targets?: string[]; groupCommit?: boolean } = {}): FakeApi {
  const targets = new Set(opts.targets ?? ['default']);
  const byKey = new Map<string, Task>();
  let paused = false;
  let nextId = 1;
  const api: FakeApi = {
    tasks: [],
    capacity: opts.capacity ?? 1000,
    failStorage: false,
    enqueue(input: NewTask) {
      if (api.failStorage) throw new WhtError('WHT_ERR_STORAGE', 'disk I/O error');
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(input.text))
        throw new WhtError('WHT_ERR_TEXT_UNSAFE', 'text holds a control character');
      const target = input.target ?? 'default';
      if (!targets.has(target)) throw new WhtError('WHT_ERR_TARGET_UNKNOWN', `no target named ${target}`);
      if (input.idemKey !== undefined) {
        const hit = byKey.get(input.idemKey);
        if (hit) return { task: hit, created: false };
      }
      if (api.tasks.filter((t) => t.state === 'queued').length >= api.capacity) {
        throw new WhtError('WHT_ERR_QUEUE_FULL', `queue is at capacity (${api.capacity})`);
      }
      const now = Date.now();
      const task: Task = {
        id: nextId++,
        text: input.text,
        target,
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
      api.tasks.push(task);
      if (input.idemKey !== undefined) byKey.set(input.idemKey, task);
      return { task, created: true };
    },
    getTask: (id) => api.tasks.find((t) => t.id === id),
    listTasks: (q = {}) =>
      api.tasks.filter((t) => q.state === undefined || t.state === q.state).slice(0, q.limit ?? 100),
    retry(id) {
      const t = api.getTask(id);
      if (!t) throw new WhtError('WHT_ERR_TASK_NOT_FOUND', `no task ${id}`);
      if (t.state !== 'dead') throw new WhtError('WHT_ERR_TASK_STATE', `task ${id} is ${t.state}, not dead`);
      t.state = 'queued';
      return t;
    },
    retryAllDead: () => 0,
    drop(id) {
      const t = api.getTask(id);
      if (!t) throw new WhtError('WHT_ERR_TASK_NOT_FOUND', `no task ${id}`);
      t.state = 'dropped';
      return t;
    },
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
    },
    isPaused: () => paused,
    stats(): QueueStats {
      const depth = Object.fromEntries(
        TASK_STATES.map((s) => [s, api.tasks.filter((t) => t.state === s).length]),
      ) as QueueStats['depth'];
      return {
        totalProcessed: 0,
        successful: 0,
        failed: 0,
        failedAttempts: 0,
        retries: 0,
        rateLimited: 0,
        received: api.tasks.length,
        deduplicated: 0,
        avgProcessingMs: 0,
        avgEndToEndMs: 0,
        peakQueueSize: 0,
        depth,
        pending: depth.queued,
        capacity: api.capacity,
        oldestPendingAgeMs: 0,
        paused,
      };
    },
    snapshot(): EngineSnapshot {
      return {
        at: Date.now(),
        startedAt: 0,
        pid: process.pid,
        version: 'test',
        paused,
        stats: api.stats(),
        targets: [],
        pending: [],
        dead: [],
      };
    },
  };
  if (opts.groupCommit) {
    api.commits = 0;
    api.enqueueMany = (inputs) => {
      if (api.failStorage) throw new WhtError('WHT_ERR_STORAGE', 'disk I/O error');
      api.commits = (api.commits ?? 0) + 1;
      return inputs.map((input) => {
        try {
          return api.enqueue(input);
        } catch (err) {
          return err as Error;
        }
      });
    };
  }
  return api;
}
