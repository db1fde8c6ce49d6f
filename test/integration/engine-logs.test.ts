import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/engine/config/resolve.js';
import { createEngine, dataPaths, type Engine } from '../../src/engine/engine.js';
import { writeSpoolFile } from '../../src/engine/intake/spool-writer.js';
import type { LogEntry } from '../../src/engine/types.js';
import { useFixture } from '../helpers/fixture.js';
import { fileLines } from '../helpers/logs.js';
import { recorded, waitFor } from '../helpers/tmux.js';

type Line = Record<string, unknown> & { msg: string; level: string; time: string };

describe('engine log: one line per task event', () => {
  let engine: Engine | undefined;

  const fx = useFixture();

  it('logs accepted, delivered, failed, dead, retried, dropped and rejected at info/warn/error, each once, and the engine lifecycle', async () => {
    const { pane, file } = await fx.recorder('rec');
    const config = resolveConfig(
      {
        dataDir: join(fx.dir, 'data'),
        spool: { dir: join(fx.dir, 'spool'), rescanMs: 500 },
        tmux: { socketName: fx.tmux.socket },
        queue: { rateLimit: { perSecond: 0 }, retry: { attempts: 2, baseMs: 20, maxMs: 50, jitter: 0 } },
        targets: { default: { pane }, ghost: { pane: '%9999' } },
        http: { enabled: true, port: 0 },
      },
      {},
    );
    engine = await createEngine(config, { tmuxPane: undefined });
    const events: LogEntry[] = [];
    engine.on('log', (e) => events.push(e));
    await engine.start();

    writeSpoolFile(config.spool.dir, JSON.stringify({ command: 'echo logged', id: 'order-17' }));
    writeSpoolFile(config.spool.dir, '{"command": ');
    await waitFor(() => recorded(file).includes('echo logged'), 15_000, 'delivered');
    const ghost = engine.enqueue({ text: 'echo nowhere', target: 'ghost', source: 'http' }).task;
    await waitFor(() => engine!.getTask(ghost.id)?.state === 'dead', 15_000, 'dead');
    engine.pause();
    const dropped = engine.enqueue({ text: 'echo never', source: 'cli' }).task;
    engine.drop(dropped.id);
    engine.retry(ghost.id);
    const metrics = await (await fetch(`${engine.httpUrl()}/metrics`)).text();
    expect(metrics).toMatch(/^webhook_tui_log_dropped_total 0$/m);
    expect(engine.snapshot().logs).toMatchObject({ dropped: 0, failing: false, level: 'info' });
    await waitFor(() => events.some((e) => e.msg === 'trigger rejected'), 10_000, 'rejected');
    await engine.close();
    engine = undefined;

    const lines = fileLines(dataPaths(config.dataDir).log).map((l) => JSON.parse(l) as Line);
    const about = (id: number) => lines.filter((l) => l.task === id).map((l) => `${l.level} ${l.msg}`);
    const delivered = lines.find((l) => l.msg === 'task delivered')!;
    const first = delivered.task as number;
    expect(about(first)).toEqual(['info task accepted', 'info task delivered']);
    expect(lines.find((l) => l.task === first && l.msg === 'task accepted')).toMatchObject({
      intake: 'spool',
      key: 'order-17',
      target: 'default',
      text: 'echo logged',
    });
    expect(delivered).toMatchObject({ target: 'default', key: 'order-17', attempt: 1 });
    expect(delivered.latencyMs).toBeGreaterThan(0);
    expect(about(ghost.id)).toEqual([
      'info task accepted',
      'warn task failed, will retry',
      'error task dead',
      'info task retried',
    ]);
    expect(lines.find((l) => l.task === ghost.id && l.msg === 'task failed, will retry')).toMatchObject({
      code: 'WHT_ERR_TARGET_MISSING',
      attempt: 1,
      nextAttempt: expect.stringMatching(/Z$/),
    });
    expect(lines.find((l) => l.task === ghost.id && l.msg === 'task accepted')).toMatchObject({ intake: 'http' });
    expect(about(dropped.id)).toEqual(['info task accepted', 'info task dropped']);
    expect(lines.find((l) => l.msg === 'trigger rejected')).toMatchObject({
      level: 'warn',
      intake: 'spool',
      file: expect.any(String),
      reason: expect.stringContaining('WHT_ERR_BAD_TRIGGER'),
    });
    expect(lines.find((l) => l.msg === 'engine started')).toMatchObject({
      workers: 3,
      capacity: 1000,
      http: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(lines.at(-1)?.msg).toBe('engine stopped');
    // The dashboard's log pane gets each event once: one `log` event per line in the file.
    expect(events.filter((e) => e.task === first).map((e) => e.msg)).toEqual(['task accepted', 'task delivered']);
  });
});
