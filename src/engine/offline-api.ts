import type { Config } from './config/schema.js';
import { WhtError } from './errors.js';
import { toTaskRow } from './intake/trigger.js';
import { systemClock, type Clock } from './ports/clock.js';
import type { SqliteStore } from './queue/sqlite-store.js';
import { buildStats } from './stats.js';
import type { EngineApi, EngineSnapshot, StorageStats } from './types.js';
import { fileSize } from './queue/checkpointer.js';
import { join } from 'node:path';
import { VERSION } from './version.js';

function storageOf(config: Config): StorageStats {
  const db = join(config.dataDir, 'webhook-tui.db');
  return { databaseBytes: fileSize(db), walBytes: fileSize(`${db}-wal`), walLimitBytes: config.queue.walLimitBytes };
}

/**
 * EngineApi straight on the database, for CLI commands while no engine runs. Safe because only one process
 * (this one) writes: a starting engine takes the lock and picks the changes up.
 */
export function offlineApi(store: SqliteStore, config: Config, clock: Clock = systemClock): EngineApi {
  const paused = () => store.getMeta('paused') === '1';
  return {
    enqueue(input) {
      const now = clock.now();
      const row = toTaskRow(input, config, now);
      // As in the engine: a repeated idempotency key answers with its task even when the queue is full.
      const existing = row.idemKey === null ? undefined : store.findByIdemKey(row.idemKey, now - config.queue.dedupeWindowMs);
      if (existing) {
        store.bumpCounter('deduplicated');
        return { task: existing, created: false };
      }
      if (store.pendingCount() >= config.queue.capacity) throw new WhtError('WHT_ERR_QUEUE_FULL', `queue is full (${config.queue.capacity} pending tasks)`);
      return store.insertMany([row], now, config.queue.dedupeWindowMs)[0]!;
    },
    getTask: (id) => store.get(id),
    listTasks: (query) => store.list(query),
    retry: (id) => store.retry(id, clock.now()),
    retryAllDead: () => store.retryAllDead(clock.now()),
    drop: (id) => store.drop(id, clock.now()),
    pause: () => store.setMeta('paused', '1'),
    resume: () => store.setMeta('paused', '0'),
    isPaused: paused,
    stats: () => ({ ...buildStats(store, config.queue.capacity, paused(), clock.now()), storage: storageOf(config) }),
    snapshot(): EngineSnapshot {
      const now = clock.now();
      return {
        at: now, startedAt: now, pid: 0, version: VERSION, paused: paused(), stats: { ...buildStats(store, config.queue.capacity, paused(), now), storage: storageOf(config) },
        targets: [], pending: store.list({ state: 'queued', limit: 200 }), dead: store.list({ state: 'dead', limit: 200 }),
      };
    },
  };
}
