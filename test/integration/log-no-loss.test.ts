import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.js';
import { listDir, manager, seriesLines } from '../helpers/logs.js';

const N = 200_000;

describe('log rotation under full-speed writes', () => {
  const tmp = tempDir('wht-logs-200k-');
  afterEach(() => tmp.cleanup());

  it(`loses and splits none of ${N.toLocaleString('en')} lines through many rotations (plain and gzip files counted)`, async () => {
    const dir = join(tmp.dir, 'logs');
    const { logs } = manager(dir, { maxBytes: 256 * 1024, collapseWindowMs: 0 });
    await logs.start();
    for (let i = 0; i < N; i++) {
      if (i % 100 === 0) logs.logger.warn('slow target', { seq: i });
      else logs.logger.info('task delivered', { task: i, target: 'default', seq: i });
      if (i % 2000 === 0) await new Promise((r) => setImmediate(r)); // let compressions of earlier archives run meanwhile
    }
    // Rotations happened while earlier archives were still being compressed; wait for all of them.
    await logs.close();
    const names = listDir(dir);
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(names.filter((n) => n.endsWith('.log.gz')).length).toBeGreaterThan(50);
    for (const [series, want] of [
      ['engine', N],
      ['important', N / 100],
    ] as const) {
      const seqs = seriesLines(dir, series).map((l) => (JSON.parse(l) as { seq: number }).seq); // a split line would not parse
      expect(seqs.length).toBe(want);
      const step = series === 'engine' ? 1 : 100;
      expect(seqs.every((s, k) => s === k * step)).toBe(true);
    }
  }, 60_000);
});
