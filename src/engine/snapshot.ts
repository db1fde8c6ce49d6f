/** Snapshot assembly: the plain-data view every surface reads (engine and offline API alike). */
import type { LogStatus } from './logs/manager.js';
import type { MonitorSnapshot } from './monitor/types.js';
import type { QueueStore } from './queue/store.js';
import { buildStats } from './stats.js';
import type { ClusterStatus, TargetStatus, Task } from './task.js';
import type { EngineSnapshot } from './types.js';
import { VERSION } from './version.js';

/** Pending tasks in delivery order: those delivering, then queued, then retrying (each capped). */
export function pendingTasks(store: QueueStore): Task[] {
  return [
    ...store.list({ state: 'delivering', limit: 50 }),
    ...store.list({ state: 'queued', limit: 200 }),
    ...store.list({ state: 'retrying', limit: 50 }),
  ];
}

export interface SnapshotInput {
  store: QueueStore;
  capacity: number;
  paused: boolean;
  now: number;
  startedAt: number;
  /** 0 when no engine runs (offline API). */
  pid: number;
  targets: TargetStatus[];
  monitor?: MonitorSnapshot | undefined;
  logs?: LogStatus | undefined;
  /** Cluster mode: this node's view (inside `stats`, as in `stats()`). */
  cluster?: ClusterStatus | undefined;
}

export function buildSnapshot(i: SnapshotInput): EngineSnapshot {
  return {
    at: i.now,
    startedAt: i.startedAt,
    pid: i.pid,
    version: VERSION,
    paused: i.paused,
    stats: { ...buildStats(i.store, i.capacity, i.paused, i.now), ...(i.cluster ? { cluster: i.cluster } : {}) },
    targets: i.targets,
    pending: pendingTasks(i.store),
    dead: i.store.list({ state: 'dead', limit: 200 }),
    ...(i.monitor ? { monitor: i.monitor } : {}),
    ...(i.logs ? { logs: i.logs } : {}),
  };
}
