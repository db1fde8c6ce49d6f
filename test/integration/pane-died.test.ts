import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { ExecTmux } from '../../src/engine/delivery/exec-tmux.js';
import type { Tmux } from '../../src/engine/ports/tmux.js';
import { RECORDER, recorded, waitFor } from '../helpers/tmux.js';
import { useFixture } from '../helpers/fixture.js';

/** A program that exits as soon as it reads its first keystroke (raw mode): it dies while a command is typed. */
const DIES_ON_INPUT =
  "process.stdin.setRawMode(true); process.stdout.write('WAITING\\r\\n'); process.stdin.once('data', () => process.exit(0));";

/** The first outcome of an attempt at task `id`: delivered, retrying or dead. */
function outcome(engine: Engine, id: number): Promise<'delivered' | 'retrying' | 'dead'> {
  return new Promise((resolve) => {
    for (const kind of ['delivered', 'retrying', 'dead'] as const) {
      engine.on(`task:${kind}`, (t: { id: number }) => {
        if (t.id === id) resolve(kind);
      });
    }
  });
}

describe('a pane that dies while a command is typed', () => {
  let engine: Engine | undefined;

  const fx = useFixture();

  it('is not recorded delivered (remain-on-exit: tmux takes the Enter without an error); the retry reaches the respawned pane', async () => {
    fx.tmux.session('keep', ['sleep', '600']);
    fx.tmux.run('set-option', '-g', 'remain-on-exit', 'on');
    const pane = fx.tmux.session('dies', [process.execPath, '-e', DIES_ON_INPUT]);
    await waitFor(() => fx.tmux.capture(pane).includes('WAITING'), 10_000, 'the program to wait for input');
    engine = await fx.start(
      fx.config({
        targets: { default: { pane, enterDelayMs: 300 } },
        queue: { retry: { attempts: 50, baseMs: 100, maxMs: 200, jitter: 0 } },
      }),
    );
    const { task } = engine.enqueue({ text: 'echo into-a-dying-pane', source: 'api' });
    expect(await outcome(engine, task.id)).toBe('retrying');
    expect(engine.getTask(task.id)).toMatchObject({
      state: 'retrying',
      errors: [
        { code: 'WHT_ERR_TARGET_MISSING', message: expect.stringContaining('died while the command was typed') },
      ],
    });
    const file = `${fx.dir}/rec.rec`;
    fx.tmux.run('respawn-pane', '-k', '-t', pane, process.execPath, RECORDER, file);
    await waitFor(() => engine!.getTask(task.id)?.state === 'delivered', 20_000, 'delivery to the respawned pane');
    await waitFor(() => recorded(file).length > 0, 10_000, 'the recorded line');
    expect(recorded(file)).toEqual(['echo into-a-dying-pane']);
  }, 40_000);

  it('is not recorded delivered when the pane is closed right after Enter', async () => {
    fx.tmux.session('keep', ['sleep', '600']); // the server outlives the killed pane
    const { pane, file } = await fx.recorder('rec');
    const real = new ExecTmux({ socketName: fx.tmux.socket });
    // The real tmux, with kill-pane run the moment the Enter for this pane has been accepted.
    const killsAfterEnter: Tmux = {
      run: async (args, options) => {
        const result = await real.run(args, options);
        if (args[0] === 'send-keys' && args.at(-1) === 'C-m') await real.run(['kill-pane', '-t', pane]);
        return result;
      },
      close: () => real.close(),
    };
    engine = await fx.start(
      fx.config({
        targets: { default: { pane } },
        queue: { retry: { attempts: 2, baseMs: 20, maxMs: 50, jitter: 0 } },
      }),
      { tmux: killsAfterEnter },
    );
    const { task } = engine.enqueue({ text: 'echo closed-after-enter', source: 'api' });
    expect(await outcome(engine, task.id)).toBe('retrying');
    await waitFor(() => engine!.getTask(task.id)?.state === 'dead', 10_000, 'the last attempt');
    const after = engine.getTask(task.id)!;
    expect(after.state).toBe('dead');
    expect(after.deliveredAt).toBeNull();
    expect(after.errors[0]).toMatchObject({
      code: 'WHT_ERR_TARGET_MISSING',
      message: expect.stringContaining('died while the command was typed'),
    });
    expect(recorded(file).length).toBeLessThanOrEqual(1);
  }, 30_000);
});
