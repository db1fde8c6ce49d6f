/**
 * The data dir's layout (`config.dataDir`): one place that names every file the engine keeps there.
 * Only paths and tiny reads; opening the database is sqlite/open-store.ts, the lock is lock.ts.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config/schema.js';

export interface DataPaths {
  /** The SQLite database (queue, counters, monitor history). */
  db: string;
  /** The engine's lock (pid file): one engine per data dir. */
  lock: string;
  /** The engine's RPC socket (CLI commands, an attached dashboard). */
  socket: string;
  /** The engine's log file. */
  log: string;
  /** The HTTP bearer token (0600), made on first start. */
  token: string;
  /** Written at start: the HTTP server's base URL (for `send --http` when the port is 0). */
  httpUrl: string;
}

export function dataPaths(dataDir: string): DataPaths {
  return {
    db: join(dataDir, 'webhook-tui.db'),
    lock: join(dataDir, 'engine.pid'),
    socket: join(dataDir, 'control.sock'),
    log: join(dataDir, 'logs', 'engine.log'),
    token: join(dataDir, 'token'),
    httpUrl: join(dataDir, 'http.url'),
  };
}

/** Create the data dir (private, 0700) if it is missing. */
export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

/** Base URL of the running engine's HTTP server (from `http.url`), else the configured host and port. */
export function engineHttpUrl(config: Config): string {
  try {
    return readFileSync(dataPaths(config.dataDir).httpUrl, 'utf8').trim();
  } catch {
    const { host, port } = config.http;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
}
