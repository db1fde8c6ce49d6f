import { callbackChecker } from './callbacks/policy.js';
import type { Config } from './config/schema.js';
import { admit, admitOne } from './queue/admission.js';
import type { QueueStore } from './queue/store.js';
import { buildSnapshot } from './snapshot.js';
import { systemClock, type Clock } from './ports/clock.js';
import { buildStats } from './stats.js';
import type { EngineApi, EngineSnapshot, StorageStats } from './types.js';
import { fileSize } from './sqlite/checkpointer.js';
import { dataPaths } from './data-dir.js';
import { openStore } from './sqlite/open-store.js';
import { exportHistory, type ExportOptions } from './monitor/export.js';

export interface OfflineHandle {
  api: EngineApi;
  close(): void;
}

/** Open the data dir's database and act on it as `offlineApi` does; close() closes the database. */
export function openOfflineApi(config: Config, clock: Clock = systemClock): OfflineHandle {
  const store = openStore(config);
  return { api: offlineApi(store, config, clock), close: () => store.close() };
}

/** The monitor history stored in the data dir's database, as CSV or JSON (`metrics export`). */
export function exportStoredHistory(config: Config, opts: ExportOptions): string {
  const store = openStore(config);
  try {
    return exportHistory(store.db, opts);
  } finally {
    store.close();
  }
}

function storageOf(config: Config): StorageStats {
  const db = dataPaths(config.dataDir).db;
  return { databaseBytes: fileSize(db), walBytes: fileSize(`${db}-wal`), walLimitBytes: config.queue.walLimitBytes };
}

/**
 * EngineApi straight on the database, for CLI commands while no engine runs. Safe because only one process
 * (this one) writes: a starting engine takes the lock and picks the changes up. Admission and the snapshot are the
 * engine's own (queue/admission.ts, snapshot.ts), so both paths count and answer alike.
 */
export function offlineApi(store: QueueStore, config: Config, clock: Clock = systemClock): EngineApi {
  const paused = () => store.getMeta('paused') === '1';
  const checkCallback = callbackChecker({ callbacks: config.callbacks, hooks: config.hooks });
  const stats = (now: number) => ({
    ...buildStats(store, config.queue.capacity, paused(), now),
    storage: storageOf(config),
  });
  return {
    enqueue: (input) => admitOne({ store, config, checkCallback }, input, clock.now()),
    enqueueMany: (inputs) => admit({ store, config, checkCallback }, inputs, clock.now()),
    getTask: (id) => store.get(id),
    listTasks: (query) => store.list(query),
    retry: (id) => store.retry(id, clock.now()),
    retryAllDead: () => store.retryAllDead(clock.now()),
    drop: (id) => store.drop(id, clock.now()),
    pause: () => store.setMeta('paused', '1'),
    resume: () => store.setMeta('paused', '0'),
    isPaused: paused,
    stats: () => stats(clock.now()),
    snapshot(): EngineSnapshot {
      const now = clock.now();
      return {
        ...buildSnapshot({
          store,
          capacity: config.queue.capacity,
          paused: paused(),
          now,
          startedAt: now,
          pid: 0,
          targets: [],
        }),
        stats: stats(now),
      };
    },
  };
}
