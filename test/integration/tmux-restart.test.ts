import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { useFixture } from '../helpers/fixture.js';
import { holdsFor, RECORDER, recorded, waitFor } from '../helpers/tmux.js';

describe('tmux server killed and restarted mid-burst', () => {
  let engine: Engine | undefined;

  const fx = useFixture();

  it('loses nothing and types nothing twice', async () => {
    const file = join(fx.dir, 'rec.jsonl');
    const startRecorder = async (append: boolean) => {
      const pane = fx.tmux.session('rec', [process.execPath, RECORDER, file, ...(append ? ['append'] : [])]);
      await waitFor(() => fx.tmux.capture(pane).includes('RECORDER READY'), 10_000, 'recorder');
    };
    await startRecorder(false);
    engine = await fx.start(
      fx.config({
        targets: { default: { pane: '=rec:0.0' } },
        queue: { retry: { attempts: 50, baseMs: 50, maxMs: 200, jitter: 0 } },
      }),
    );
    const texts = Array.from({ length: 300 }, (_, i) => `restart ${String(i).padStart(3, '0')}`);
    for (const text of texts) engine.enqueue({ text, source: 'api' });
    await waitFor(() => recorded(file).length >= 40, 30_000, 'first deliveries');
    fx.tmux.kill();
    await new Promise((r) => setTimeout(r, 500));
    await startRecorder(true);
    await waitFor(() => recorded(file).length >= texts.length, 60_000, 'all lines');
    await holdsFor(() => recorded(file).length === texts.length, 500, 'no line typed twice');
    expect(recorded(file)).toEqual(texts);
    await waitFor(() => engine!.stats().successful === texts.length, 10_000, 'all recorded as delivered');
    expect(engine.stats().failedAttempts).toBeGreaterThan(0);
  }, 120_000);
});
