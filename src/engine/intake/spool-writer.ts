import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { spoolDirs } from './spool-dirs.js';

let seq = 0;

/** A unique name that sorts in creation order for one writer: <epoch ms>.<pid>.<seq>.<random>. */
export function spoolName(now = Date.now()): string {
  seq = (seq + 1) % 1_000_000;
  return `${String(now).padStart(13, '0')}.${process.pid}.${String(seq).padStart(6, '0')}.${randomBytes(3).toString('hex')}`;
}

/**
 * Deliver a trigger the maildir way: write tmp/<name>, fsync, rename into new/<name>. The engine never sees a
 * half-written file. Returns the final path.
 */
export function writeSpoolFile(root: string, content: string, ext: '.json' | '.txt' = '.json'): string {
  const dirs = spoolDirs(root);
  const name = spoolName() + ext;
  const tmpPath = join(dirs.tmp, name);
  const fd = openSync(tmpPath, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const finalPath = join(dirs.new, name);
  renameSync(tmpPath, finalPath);
  return finalPath;
}
