import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { WhtError } from './errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The PID that holds the lock, if that process is alive. */
export function lockHolder(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/**
 * One engine per data dir: a PID file created with O_EXCL. A file left by a dead process (kill -9) is taken over.
 * Returns a release function.
 */
export function acquireLock(path: string): () => void {
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch { /* already gone */ }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolder(path);
      if (holder !== null && holder !== process.pid) {
        throw new WhtError('WHT_ERR_ENGINE_RUNNING', `another engine (PID ${holder}) already runs on this data dir`, { pid: holder });
      }
      try { unlinkSync(path); } catch { /* raced */ }
    }
  }
  throw new WhtError('WHT_ERR_ENGINE_RUNNING', `cannot take the engine lock ${path}`);
}
