/** Open the queue store of a data dir (the engine at start, CLI commands while no engine runs). */
import type { QueueConfig } from '../queue/config.js';

/** What of the config opening the store needs. */
type StoreConfig = { dataDir: string; queue: Pick<QueueConfig, 'synchronous' | 'walLimitBytes'> };
import { dataPaths, ensureDataDir } from '../data-dir.js';
import { openDatabase, SqliteStore } from './queue-store.js';

export function openStore(config: StoreConfig): SqliteStore {
  ensureDataDir(config.dataDir);
  return new SqliteStore(
    openDatabase(dataPaths(config.dataDir).db, {
      synchronous: config.queue.synchronous,
      walLimitBytes: config.queue.walLimitBytes,
    }),
  );
}

/**
 * The engine's own store: as openStore, with SQLite's automatic checkpoints off, because checkpoints run in a worker
 * thread (sqlite/checkpointer.ts), never inside a commit on the event loop.
 */
export function openEngineStore(config: StoreConfig): SqliteStore {
  const store = openStore(config);
  store.db.pragma('wal_autocheckpoint = 0');
  return store;
}
