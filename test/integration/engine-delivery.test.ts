import { describe, expect, it } from 'vitest';
import { writeSpoolFile } from '../../src/engine/intake/spool-writer.js';
import type { Engine } from '../../src/engine/engine.js';
import { useFixture } from '../helpers/fixture.js';
import { holdsFor, recorded, waitFor } from '../helpers/tmux.js';

describe('engine delivery into a real tmux pane', () => {
  let engine: Engine | undefined;

  const fx = useFixture();

  it('types spool triggers into the pane in order, each once, and removes the files', async () => {
    const { pane, file } = await fx.recorder('rec');
    const config = fx.config({ targets: { default: { pane } } });
    engine = await fx.start(config);
    const texts = Array.from({ length: 30 }, (_, i) => `echo trigger ${i}`);
    for (const t of texts) writeSpoolFile(config.spool.dir, JSON.stringify({ command: t }));
    await waitFor(() => recorded(file).length >= texts.length, 20_000, '30 lines');
    expect(recorded(file)).toEqual(texts);
    await waitFor(() => engine!.stats().successful === 30, 10_000, 'all recorded as delivered');
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(`${config.spool.dir}/new`)).toEqual([]);
  });

  it('serves the highest priority first and FIFO within a priority', async () => {
    const { pane, file } = await fx.recorder('rec');
    engine = await fx.start(fx.config({ targets: { default: { pane } } }));
    engine.pause();
    const order = [
      ['low-1', -5],
      ['mid-1', 0],
      ['high-1', 10],
      ['mid-2', 0],
      ['high-2', 10],
      ['low-2', -5],
    ] as const;
    for (const [text, priority] of order) engine.enqueue({ text, priority, source: 'api' });
    engine.resume();
    await waitFor(() => recorded(file).length >= 6, 15_000, 'six lines');
    expect(recorded(file)).toEqual(['high-1', 'high-2', 'mid-1', 'mid-2', 'low-1', 'low-2']);
  });

  it('sends every target its own tasks, one delivery per target at a time', async () => {
    const a = await fx.recorder('a');
    const b = await fx.recorder('b');
    engine = await fx.start(fx.config({ targets: { a: { pane: a.pane }, b: { pane: b.pane } } }));
    for (let i = 0; i < 10; i++) {
      engine.enqueue({ text: `to a ${i}`, target: 'a', source: 'api' });
      engine.enqueue({ text: `to b ${i}`, target: 'b', source: 'api' });
    }
    await waitFor(() => recorded(a.file).length >= 10 && recorded(b.file).length >= 10, 15_000, 'both panes');
    expect(recorded(a.file)).toEqual(Array.from({ length: 10 }, (_, i) => `to a ${i}`));
    expect(recorded(b.file)).toEqual(Array.from({ length: 10 }, (_, i) => `to b ${i}`));
  });

  it('rate-limits a category without counting it as a failure', async () => {
    const { pane, file } = await fx.recorder('rec');
    engine = await fx.start(
      fx.config({
        targets: { default: { pane } },
        queue: { categories: { slow: { perSecond: 4, burst: 1 } } },
      }),
    );
    for (let i = 0; i < 3; i++) engine.enqueue({ text: `slow ${i}`, category: 'slow', source: 'api' });
    await waitFor(() => recorded(file).length >= 3, 15_000, 'three lines');
    const stats = engine.stats();
    expect(recorded(file)).toEqual(['slow 0', 'slow 1', 'slow 2']);
    // A 250 ms refill is far longer than one delivery: the 2nd and 3rd task each wait once.
    expect(stats.rateLimited).toBe(2);
    expect(stats.failedAttempts).toBe(0);
  });

  it('retries a missing pane, then dead-letters it; dlq retry delivers once the pane exists', async () => {
    const config = fx.config({ targets: { later: { pane: '=later:0.0' } } });
    fx.tmux.session('keepalive');
    engine = await fx.start(config);
    const { task } = engine.enqueue({ text: 'echo when ready', target: 'later', source: 'api' });
    await waitFor(() => engine!.getTask(task.id)?.state === 'dead', 10_000, 'dead');
    const dead = engine.getTask(task.id)!;
    expect(dead.attempts).toBe(3);
    expect(dead.errors.map((e) => e.code)).toEqual([
      'WHT_ERR_TARGET_MISSING',
      'WHT_ERR_TARGET_MISSING',
      'WHT_ERR_TARGET_MISSING',
    ]);
    expect(engine.stats().failed).toBe(1);

    const { file } = await fx.recorder('later');
    engine.retry(task.id);
    await waitFor(() => recorded(file).length >= 1, 10_000, 'delivery after retry');
    expect(recorded(file)).toEqual(['echo when ready']);
    await waitFor(() => engine!.getTask(task.id)?.state === 'delivered', 10_000, 'delivered state');
  });

  it('sends an unknown target to the dead-letter queue at once', async () => {
    engine = await fx.start(fx.config());
    const { task } = engine.enqueue({ text: 'x', target: 'nosuch', source: 'api' });
    await waitFor(() => engine!.getTask(task.id)?.state === 'dead', 10_000, 'dead');
    expect(engine.getTask(task.id)?.attempts).toBe(1);
    expect(engine.getTask(task.id)?.errors[0]?.code).toBe('WHT_ERR_TARGET_UNKNOWN');
  });

  it('waits while the pane is in copy mode instead of typing into nothing', async () => {
    const { pane, file } = await fx.recorder('rec');
    fx.tmux.run('copy-mode', '-t', pane);
    engine = await fx.start(
      fx.config({
        targets: { default: { pane } },
        queue: { retry: { attempts: 20, baseMs: 50, maxMs: 100, jitter: 0 } },
      }),
    );
    const { task } = engine.enqueue({ text: 'after copy mode', source: 'api' });
    await waitFor(() => (engine!.getTask(task.id)?.errors.length ?? 0) >= 1, 10_000, 'a busy failure');
    expect(engine.getTask(task.id)?.errors[0]?.code).toBe('WHT_ERR_TARGET_BUSY');
    expect(recorded(file)).toEqual([]);
    fx.tmux.run('send-keys', '-t', pane, '-X', 'cancel');
    await waitFor(() => recorded(file).length >= 1, 10_000, 'delivery after copy mode');
    expect(recorded(file)).toEqual(['after copy mode']);
  });

  it('returns the existing task for a repeated idempotency key and types it once', async () => {
    const { pane, file } = await fx.recorder('rec');
    engine = await fx.start(fx.config({ targets: { default: { pane } } }));
    const first = engine.enqueue({ text: 'deploy 42', idemKey: 'deploy-42', source: 'api' });
    const again = engine.enqueue({ text: 'deploy 42', idemKey: 'deploy-42', source: 'api' });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.task.id).toBe(first.task.id);
    writeSpoolFile(engine.config.spool.dir, JSON.stringify({ command: 'deploy 42', id: 'deploy-42' }));
    engine.enqueue({ text: 'marker', source: 'api' });
    await waitFor(() => recorded(file).includes('marker'), 10_000, 'marker');
    await waitFor(() => engine!.stats().deduplicated >= 2, 10_000, 'spool duplicate seen');
    expect(recorded(file)).toEqual(['deploy 42', 'marker']);
  });

  it('keeps pause across a restart and delivers after resume', async () => {
    const { pane, file } = await fx.recorder('rec');
    const config = fx.config({ targets: { default: { pane } } });
    engine = await fx.start(config);
    engine.pause();
    engine.enqueue({ text: 'held', source: 'api' });
    await engine.close();
    engine = await fx.start(config);
    expect(engine.isPaused()).toBe(true);
    await holdsFor(() => recorded(file).length === 0, 300, 'nothing typed while paused');
    expect(recorded(file)).toEqual([]);
    expect(engine.stats().depth.queued).toBe(1);
    engine.resume();
    await waitFor(() => recorded(file).length >= 1, 10_000, 'delivery after resume');
    expect(recorded(file)).toEqual(['held']);
  });

  it('applies backpressure at capacity: spool files wait in new/, nothing is dropped', async () => {
    const { pane, file } = await fx.recorder('rec');
    const config = fx.config({ targets: { default: { pane } }, queue: { capacity: 5 } });
    engine = await fx.start(config);
    engine.pause();
    const texts = Array.from({ length: 20 }, (_, i) => `cap ${String(i).padStart(2, '0')}`);
    for (const t of texts) writeSpoolFile(config.spool.dir, t, '.txt');
    await waitFor(() => engine!.stats().pending === 5, 10_000, 'five committed');
    const { readdirSync } = await import('node:fs');
    await waitFor(() => readdirSync(`${config.spool.dir}/new`).length === 15, 10_000, 'fifteen waiting');
    expect(() => engine!.enqueue({ text: 'over', source: 'api' })).toThrow(/queue is full/);
    engine.resume();
    await waitFor(() => recorded(file).length >= 20, 20_000, 'all twenty');
    expect(recorded(file)).toEqual(texts);
    expect(engine.stats().peakQueueSize).toBeLessThanOrEqual(5);
  });
});
