/** Open the queue store of a data dir (the engine at start, CLI commands while no engine runs). */
import type { Config } from '../config/schema.js';
import { dataPaths, ensureDataDir } from '../data-dir.js';
import { openDatabase, SqliteStore } from './sqlite-store.js';

export function openStore(config: Config): SqliteStore {
  ensureDataDir(config.dataDir);
  return new SqliteStore(openDatabase(dataPaths(config.dataDir).db, { synchronous: config.queue.synchronous, walLimitBytes: config.queue.walLimitBytes }));
}
