import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { WhtError } from './errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The PID recorded in the PID file, if that process is alive (informational: the lock itself is `<path>.lock`). */
export function lockHolder(pidPath: string): number | null {
  try {
    const pid = Number(readFileSync(pidPath, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/**
 * One engine per data dir. The lock is an exclusive SQLite lock (POSIX advisory locks underneath) on
 * `<pidPath>.lock`, held by an open connection: atomic, and released by the kernel when the process dies, so a
 * kill -9 never leaves a stale lock and two engines can never both win a race. The PID file beside it only names
 * the holder in messages. Returns an idempotent release function.
 */
export function acquireLock(pidPath: string): () => void {
  const db = new Database(`${pidPath}.lock`, { timeout: 0 });
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY' || /locked|busy/i.test((err as Error).message)) {
      const holder = lockHolder(pidPath);
      throw new WhtError(
        'WHT_ERR_ENGINE_RUNNING',
        `another engine${holder ? ` (PID ${holder})` : ''} already runs on this data dir`,
        { pid: holder },
      );
    }
    throw err;
  }
  writeFileSync(pidPath, `${process.pid}\n`, { mode: 0o600 });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      if (readFileSync(pidPath, 'utf8').trim() === String(process.pid)) unlinkSync(pidPath);
    } catch {
      /* already gone */
    }
    db.close();
  };
}
