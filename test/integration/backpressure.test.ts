import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { writeSpoolFile } from '../../src/engine/intake/spool-writer.js';
import { loggerFrom } from '../../src/engine/ports/logger.js';
import { useFixture } from '../helpers/fixture.js';
import { recorded, waitFor } from '../helpers/tmux.js';

describe('spool backpressure at queue capacity', () => {
  let engine: Engine | undefined;

  const fx = useFixture();

  it('takes files strictly in name order as room appears, and logs the full queue once when it starts and once when it ends', async () => {
    const { pane, file } = await fx.recorder('rec');
    const logs: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
    const config = fx.config({
      targets: { default: { pane } },
      queue: { capacity: 40 },
      spool: { rescanMs: 200 },
    });
    engine = await fx.start(config, {
      logger: loggerFrom((level, msg, fields) => logs.push({ level, msg, fields })),
    });
    engine.pause();
    const n = 600;
    const texts = Array.from({ length: n }, (_, i) => `cap ${String(i).padStart(4, '0')}`);
    // Written while intake runs: it commits what fits and leaves the rest in new/.
    for (const t of texts) writeSpoolFile(config.spool.dir, t, '.txt');
    await waitFor(
      () => engine!.stats().pending === 40 && readdirSync(join(config.spool.dir, 'new')).length === n - 40,
      20_000,
      'the queue full, the rest waiting',
    );
    engine.resume();
    await waitFor(() => recorded(file).length >= n, 120_000, `all ${n} lines`);
    expect(recorded(file)).toEqual(texts);
    // The pane has the last line a moment before its task is recorded delivered.
    await waitFor(
      () => engine!.listTasks({ state: 'delivered', limit: n }).length >= n,
      10_000,
      'all recorded delivered',
    );
    // Ids are commit order: the same as name order.
    const delivered = engine
      .listTasks({ state: 'delivered', limit: n })
      .sort((a, b) => a.id - b.id)
      .map((t) => t.text);
    expect(delivered).toEqual(texts);
    expect(engine.stats().peakQueueSize).toBeLessThanOrEqual(40);
    await waitFor(() => logs.some((l) => /queue has room again/.test(l.msg)), 10_000, 'the end of backpressure logged');
    const about = logs.filter((l) => /queue (is )?full|room again/.test(l.msg));
    expect(about.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'queue full: spool files wait in new/'],
      ['info', 'queue has room again: spool intake caught up'],
    ]);
    expect(about[1]!.fields).toMatchObject({ waitedFiles: n - 40 });
  }, 180_000);
});
