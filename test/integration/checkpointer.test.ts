import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Checkpointer } from '../../src/engine/queue/checkpointer.js';
import { openDatabase, SqliteStore } from '../../src/engine/queue/sqlite-store.js';
import { silentLogger } from '../../src/engine/ports/logger.js';
import { tempDir } from '../helpers/engine.js';
import { waitFor } from '../helpers/tmux.js';

describe('WAL checkpoints in a worker thread', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => { tmp = tempDir(); });
  afterEach(() => tmp.cleanup());

  const row = (i: number) => ({ text: `echo ${i} ${'x'.repeat(200)}`, target: 't', priority: 0, category: 'default', idemKey: null, source: 'api' as const, receivedAt: Date.now() });

  it('checkpoints the WAL that the main connection (autocheckpoint off) leaves, and truncates it on close', async () => {
    const path = join(tmp.dir, 'q.db');
    const store = new SqliteStore(openDatabase(path));
    store.db.pragma('wal_autocheckpoint = 0');
    for (let i = 0; i < 3000; i += 100) store.insertMany(Array.from({ length: 100 }, (_, k) => row(i + k)), Date.now(), 0);
    const walBefore = statSync(`${path}-wal`).size;
    expect(walBefore).toBeGreaterThan(500_000);
    // Nothing checkpointed yet: the database file holds none of the 3000 rows of 200+ bytes.
    expect(statSync(path).size).toBeLessThan(100_000);

    const checkpointer = new Checkpointer(path, silentLogger, 100);
    await waitFor(() => statSync(path).size > 3000 * 200, 10_000, 'rows checkpointed into the database file');
    await checkpointer.close();
    expect(statSync(`${path}-wal`).size).toBe(0);
    const reader = new Database(path, { readonly: true });
    expect((reader.prepare('SELECT COUNT(*) AS n FROM tasks').get() as { n: number }).n).toBe(3000);
    reader.close();
    store.close();
  });
});
