import type Database from 'better-sqlite3';

/** Rows a prune looks at per statement (in id order). */
export const PRUNE_CHUNK = 5000;

/**
 * Delete old rows in id order, a chunk per statement, up to the first chunk that reaches a row at or after the cutoff:
 * the work is bounded by what is deleted (plus the old rows kept), and no index on the time column is needed.
 * `scan` reads `{last, reached}` (the chunk's last id; whether it reached the cutoff) and `del` deletes in the chunk,
 * both over the parameters `before`, `after`, `chunk`. Returns the rows deleted.
 */
export function pruneInOrder(scan: Database.Statement, del: Database.Statement, before: number): number {
  let deleted = 0;
  for (let after = 0; ;) {
    const s = scan.get({ before, after, chunk: PRUNE_CHUNK }) as { last: number | null; reached: number | null };
    if (s.last === null) return deleted;
    deleted += del.run({ before, after, chunk: PRUNE_CHUNK }).changes;
    if (s.reached) return deleted;
    after = s.last;
  }
}
