import { mkdirSync, statSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { WhtError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';

import type { StorageDown } from '../types.js';

export type { StorageDown };

export interface StorageGuardOptions {
  db: Database.Database;
  path: string;
  clock: Clock;
  logger: Logger;
  /** While down, a probe commit this often; the file's identity is checked as often. @default 1000 */
  probeMs?: number;
  /**
   * Free space the data dir's file system needs before the guard calls the database writable again (SQLite can go on
   * rewriting pages it already has on a full disk, so a small probe commit alone proves little); below a
   * sixteenth of it the database counts as full before any commit fails. @default 1 MiB
   */
  minFreeBytes?: number;
  /** Storage went down (intake, delivery stop) or came back (they resume). */
  onChange: (down: StorageDown | null) => void;
  /** Commit the queue's deferred writes (group commit) before the probe, so the probe is a real commit. */
  commit?: () => void;
}

const STORAGE_CODES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PROTOCOL)/;

/** SQLite (or the file system under it) cannot write: not a fault of the task or trigger at hand. */
export function isStorageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return (
    STORAGE_CODES.test(code) || code === 'ENOSPC' || code === 'EROFS' || code === 'EIO' || code === 'WHT_ERR_STORAGE'
  );
}

interface Identity {
  dev: number;
  ino: number;
}

function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

function identity(path: string): Identity | null {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? { dev: st.dev, ino: st.ino } : null;
}

/**
 * Knows whether a commit can succeed now. Store writes that fail for storage reasons (disk full, I/O error,
 * read-only) report here: the guard goes down, intake stops acknowledging and delivery stops typing, and a probe
 * commit every `probeMs` brings everything back when it succeeds. It also watches the database file itself: when
 * it is deleted or replaced the open connection keeps writing to a file no one will see again, so the guard goes
 * down for good, writes what the connection holds back to the path (when nothing is there) and asks for a restart.
 */
export class StorageGuard {
  private readonly o: StorageGuardOptions;
  private readonly files: Array<{ path: string; id: Identity | null }>;
  private state: StorageDown | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly probeStmt;

  constructor(o: StorageGuardOptions) {
    this.o = o;
    this.files = [o.path, `${o.path}-wal`].map((path) => ({ path, id: identity(path) }));
    this.minFree = o.minFreeBytes ?? 1024 * 1024;
    this.probeStmt = o.db.prepare(
      `INSERT INTO meta (key, value) VALUES ('storage_probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    );
  }

  start(): void {
    this.timer = setInterval(() => this.check(), this.o.probeMs ?? 1000);
    this.timer.unref();
  }

  get down(): StorageDown | null {
    return this.state;
  }

  /** A store write failed: go down when it was for storage reasons. Returns the error to pass on. */
  report(err: unknown): Error {
    if (!isStorageError(err)) return err instanceof Error ? err : new Error(String(err));
    this.sqliteMessage = err instanceof Error ? err.message : String(err);
    this.goDown(`the database cannot be written: ${this.sqliteMessage}`, false);
    return this.error();
  }

  /** The error intake answers while down (HTTP 503 with Retry-After; spool files stay in new/). No paths in it. */
  error(): WhtError {
    if (this.state?.lost)
      return new WhtError(
        'WHT_ERR_STORAGE',
        'the database file was deleted or replaced while the engine ran; nothing is accepted until the engine is restarted',
      );
    return new WhtError(
      'WHT_ERR_STORAGE',
      `the database cannot be written now${this.sqliteMessage ? ` (${this.sqliteMessage})` : ''}; nothing is accepted until it can`,
    );
  }

  private sqliteMessage = '';

  /** Identity, free space, then (while down, or when asked) a probe commit. Returns the state after the check. */
  check(probe = false): StorageDown | null {
    const moved = this.files.find((f) => {
      const now = identity(f.path);
      return f.id !== null && (now === null || now.ino !== f.id.ino || now.dev !== f.id.dev);
    });
    if (moved && !this.state?.lost) this.lost(moved.path);
    if (this.state?.lost) return this.state;
    if (!this.state && !probe) return null;
    const now = this.o.clock.now();
    // Down: look again once per probe interval, however often asked (no flapping on every write that fails).
    if (this.state && now - this.state.since < (this.o.probeMs ?? 1000)) return this.state;
    const free = freeBytes(dirname(this.o.path));
    const need = this.state ? this.minFree : this.minFree / 16;
    if (free !== null && free < need) {
      if (this.state) this.state.since = now;
      else this.goDown(`the database's file system is full (${Math.round(free / 1024)} KiB free)`, false);
      return this.state;
    }
    try {
      this.o.commit?.();
      this.probeStmt.run(String(this.o.clock.now()));
      if (this.state) this.goUp();
    } catch (err) {
      if (!isStorageError(err)) throw err;
      this.sqliteMessage = err instanceof Error ? err.message : String(err);
      if (this.state) this.state.since = now;
      else this.goDown(`the database cannot be written: ${this.sqliteMessage}`, false);
    }
    return this.state;
  }

  /** For health and /readyz: whether a commit succeeds right now, and why not. */
  status(): { ok: boolean; message: string } {
    const down = this.check(true);
    return down ? { ok: false, message: down.reason } : { ok: true, message: 'writable' };
  }

  private lost(path: string): void {
    const what = identity(path) ? 'replaced by another file' : 'deleted';
    this.restorePath =
      identity(this.o.path) === null ? this.o.path : `${this.o.path}.rescued-${Math.round(this.o.clock.now())}`;
    this.goDown(
      `${path} was ${what} while the engine ran: commits would be lost; the open database will be written to ${this.restorePath}; restart the engine`,
      true,
    );
  }

  private restorePath: string | undefined;

  /**
   * After a loss: write what the open connection holds to the path (or beside it) once deliveries in flight have
   * recorded their outcome, so a restart continues exactly where this engine stopped. Once.
   */
  writeBack(): Promise<void> {
    const restore = this.restorePath;
    if (!restore || this.rescue) return this.rescue ?? Promise.resolve();
    mkdirSync(dirname(restore), { recursive: true, mode: 0o700 });
    this.rescue = this.o.db.backup(restore).then(
      () =>
        this.o.logger.error('database written back from the open connection; restart the engine to continue', {
          path: restore,
        }),
      (err: unknown) =>
        this.o.logger.error('could not write the open database back', { path: restore, error: String(err) }),
    );
    return this.rescue;
  }

  private goDown(reason: string, lost: boolean): void {
    if (this.state && (this.state.lost || !lost)) return;
    const now = this.o.clock.now();
    this.state = { reason, since: now, lost };
    // A fault that comes back right after each recovery is logged once a minute, not once a second.
    const loud = lost || now - this.loggedAt >= 60_000;
    if (loud) this.loggedAt = now;
    this.o.logger[loud ? 'error' : 'debug'](
      lost
        ? 'database file lost: intake and delivery stopped'
        : 'database not writable: intake and delivery paused until it is',
      { reason },
    );
    this.o.onChange(this.state);
  }

  private loggedAt = -Infinity;
  private readonly minFree: number;

  private goUp(): void {
    this.state = null;
    this.o.logger.info('database writable again: intake and delivery resume');
    this.o.onChange(null);
  }

  /** Idempotent; waits for a write-back of a lost database file that is under way. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.rescue;
  }

  private rescue: Promise<void> | undefined;
}
