import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { formatStats } from '../../src/cli/output.js';
import { useFixture } from '../helpers/fixture.js';
import { recorded, waitFor } from '../helpers/tmux.js';

describe('the SQLite WAL of a running engine', () => {
  let engine: Engine | undefined;

  const fx = useFixture();

  it('stays bounded through a burst, shrinks when idle, and is reported in stats, status and /metrics', async () => {
    const { pane, file } = await fx.recorder('rec');
    const limit = 512 * 1024;
    engine = await fx.start(
      fx.config({
        targets: { default: { pane } },
        queue: { capacity: 5000, walLimitBytes: limit },
        http: { enabled: true, port: 0 },
      }),
    );
    const wal = join(fx.dir, 'data', 'webhook-tui.db-wal');
    const n = 1000;
    let maxWal = 0;
    const sampler = setInterval(() => {
      maxWal = Math.max(maxWal, statSync(wal, { throwIfNoEntry: false })?.size ?? 0);
    }, 5);
    for (let i = 0; i < n; i += 100)
      engine.enqueueMany(Array.from({ length: 100 }, (_, k) => ({ text: `burst ${i + k}`, source: 'api' as const })));
    await waitFor(() => recorded(file).length >= n, 120_000, `${n} lines`);
    clearInterval(sampler);
    // Without the bound, about 20-40 KB a task: 30+ MB for this burst.
    expect(maxWal).toBeLessThan(16 * limit);
    await waitFor(() => engine!.stats().storage!.walBytes <= limit, 10_000, 'the WAL back under its limit when idle');
    const storage = engine.stats().storage!;
    expect(storage).toEqual({
      databaseBytes: statSync(join(fx.dir, 'data', 'webhook-tui.db')).size,
      walBytes: expect.any(Number),
      walLimitBytes: limit,
    });
    expect(formatStats(engine.stats())).toMatch(
      /storage: +database [\d.]+ MiB, WAL [\d.]+ MiB \(checkpointed past 0\.50 MiB\)/,
    );
    const metrics = await (await fetch(`${engine.httpUrl()}/metrics`)).text();
    expect(metrics).toMatch(/^webhook_tui_wal_bytes \d+$/m);
    expect(metrics).toContain(`webhook_tui_wal_limit_bytes ${limit}`);
  }, 180_000);
});
