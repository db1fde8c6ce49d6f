/**
 * `rejected/` keeps refused spool files for an operator to look at; it is pruned with the queue's retention
 * (`queue.retainDays`), so a spool on tmpfs cannot fill up with them.
 */
import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../ports/logger.js';
import { spoolDirs } from './spool-dirs.js';

/** Remove files in `<spool>/rejected` last modified before `before` (epoch ms); returns how many. */
export function pruneRejected(root: string, before: number, logger: Logger): number {
  const dir = spoolDirs(root).rejected;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      if (st.isDirectory() || st.mtimeMs >= before) continue;
      unlinkSync(path);
      removed++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        logger.warn('cannot prune a rejected spool file', { name, error: String(err) });
    }
  }
  return removed;
}
