import { describe, expect, it } from 'vitest';
import type { ControlModeOptions, ControlModeTmux } from '../../src/engine/delivery/control-mode.js';
import { controlEligible, reconnectDelay, ResilientTmux } from '../../src/engine/delivery/resilient-tmux.js';
import { WhtError } from '../../src/engine/errors.js';
import type { Tmux, TmuxResult, TmuxSettled } from '../../src/engine/ports/tmux.js';

class FakeExec implements Tmux {
  readonly calls: string[][] = [];
  async run(args: readonly string[]): Promise<TmuxResult> {
    // Calls in the order they finished: send-keys takes longer, so a call started before it had answered would
    // finish first and show up out of order.
    await new Promise((r) => setTimeout(r, args[0] === 'send-keys' ? 20 : 0));
    this.calls.push([...args]);
    return { stdout: 'exec' };
  }
  async close(): Promise<void> {}
}

/** A control client whose commands fail as the real one does when it dies after writing the line. */
function fakeControl(failure: 'ok' | 'sent' | 'unsent', seen: ControlModeOptions[]) {
  return (opts: ControlModeOptions): ControlModeTmux => {
    seen.push(opts);
    const fake = {
      up: true,
      start: async () => {},
      close: async () => {},
      run: async (): Promise<TmuxResult> => {
        if (failure === 'ok') return { stdout: 'control' };
        fake.up = false;
        queueMicrotask(() => opts.onDown?.('killed'));
        throw new WhtError('WHT_ERR_TMUX_FAILED', 'control client exited', {
          transport: 'down',
          sent: failure === 'sent',
        });
      },
    };
    return fake as unknown as ControlModeTmux;
  };
}

describe('reconnectDelay', () => {
  it.each([
    [0, 100],
    [1, 200],
    [3, 800],
    [10, 5000],
    [1000, 5000],
  ])('attempt %i waits %i ms', (attempt, ms) => {
    expect(reconnectDelay(attempt, 100, 5000)).toBe(ms);
  });
});

describe('controlEligible', () => {
  it.each([
    [['send-keys', '-t', '%1', '-l', '--', 'x'], false, true],
    [['load-buffer', '-'], true, false],
    [['send-keys', '-t', '%1', 'x'], true, false],
    [['run-shell', 'true'], false, false],
    [['send-keys', 'x', ';', 'if-shell', 'true', 'x'], false, false],
    [['display-message', '-p', 'a;b'], false, true],
  ])('%j (stdin %s) -> %s', (args, input, expected) => {
    expect(controlEligible(args, input)).toBe(expected);
  });
});

describe('ResilientTmux failover', () => {
  it('uses control mode when up and exec for stdin calls', async () => {
    const exec = new FakeExec();
    const t = new ResilientTmux({}, { exec, createControl: fakeControl('ok', []) });
    await t.start();
    expect((await t.run(['send-keys', '-t', '%1', 'x'])).stdout).toBe('control');
    expect((await t.run(['load-buffer', '-'], { input: 'x' })).stdout).toBe('exec');
    await t.close();
  });

  it('repeats a command via exec when control mode failed before writing it', async () => {
    const exec = new FakeExec();
    const t = new ResilientTmux({}, { exec, reconnectMinMs: 60_000, createControl: fakeControl('unsent', []) });
    await t.start();
    expect((await t.run(['send-keys', '-t', '%1', '-l', '--', 'x'])).stdout).toBe('exec');
    expect(t.status().failovers).toBe(1);
    expect(exec.calls).toEqual([['send-keys', '-t', '%1', '-l', '--', 'x']]);
    await t.close();
  });

  it('does not type twice: a send-keys that may have run is rethrown, a display-message is repeated', async () => {
    const exec = new FakeExec();
    const t = new ResilientTmux({}, { exec, reconnectMinMs: 60_000, createControl: fakeControl('sent', []) });
    await t.start();
    await expect(t.run(['send-keys', '-t', '%1', '-l', '--', 'x'])).rejects.toMatchObject({
      code: 'WHT_ERR_TMUX_FAILED',
      details: { sent: true },
    });
    expect(exec.calls).toEqual([]);
    await t.close();

    const t2 = new ResilientTmux({}, { exec, reconnectMinMs: 60_000, createControl: fakeControl('sent', []) });
    await t2.start();
    expect((await t2.run(['display-message', '-p', 'x'])).stdout).toBe('exec');
    await t2.close();
  });

  it('never connects when control mode is disabled', async () => {
    const seen: ControlModeOptions[] = [];
    const t = new ResilientTmux(
      {},
      { exec: new FakeExec(), controlMode: false, createControl: fakeControl('ok', seen) },
    );
    await t.start();
    expect(seen).toEqual([]);
    expect(t.status().mode).toBe('exec');
    await t.close();
  });
});

/** A control client whose pipelined calls all fail as when it dies with them in flight (written or not). */
function dyingPipeline(sent: boolean, seen: string[][][]) {
  return (opts: ControlModeOptions): ControlModeTmux => {
    const fake = {
      up: true,
      start: async () => {},
      close: async () => {},
      run: async (): Promise<TmuxResult> => ({ stdout: 'control' }),
      pipeline: async (calls: ReadonlyArray<readonly string[]>): Promise<TmuxSettled[]> => {
        seen.push(calls.map((c) => [...c]));
        fake.up = false;
        queueMicrotask(() => opts.onDown?.('killed'));
        return calls.map(() => ({
          ok: false,
          error: new WhtError('WHT_ERR_TMUX_FAILED', 'control client exited', { transport: 'down', sent }),
        }));
      },
    };
    return fake as unknown as ControlModeTmux;
  };
}

describe('ResilientTmux pipelines', () => {
  const keys = ['send-keys', '-t', '%1', '-l', '--', 'x', ';', 'send-keys', '-t', '%1', 'C-m'];
  const check = ['display-message', '-p', '-t', '%1', '#{pane_id}'];

  it('when the client died after writing them: keeps the keys failed (maybe sent), repeats the check via exec', async () => {
    const exec = new FakeExec();
    const seen: string[][][] = [];
    const t = new ResilientTmux({}, { exec, reconnectMinMs: 60_000, createControl: dyingPipeline(true, seen) });
    await t.start();
    const [typed, shown] = await t.pipeline([keys, check]);
    expect(seen).toEqual([[keys, check]]);
    expect(typed).toMatchObject({ ok: false, error: { details: { transport: 'down', sent: true } } });
    expect(shown).toEqual({ ok: true, stdout: 'exec' });
    expect(exec.calls).toEqual([check]);
    await t.close();
  });

  it('when the client died before writing them: runs all via exec, one after another in their order', async () => {
    const exec = new FakeExec();
    const t = new ResilientTmux({}, { exec, reconnectMinMs: 60_000, createControl: dyingPipeline(false, []) });
    await t.start();
    const results = await t.pipeline([keys, check]);
    expect(results).toEqual([
      { ok: true, stdout: 'exec' },
      { ok: true, stdout: 'exec' },
    ]);
    expect(exec.calls).toEqual([keys, check]);
    expect(t.status().failovers).toBe(2);
    await t.close();
  });

  it('without control mode runs them one after another in their order, each settled on its own', async () => {
    const exec = new FakeExec();
    const t = new ResilientTmux({}, { exec, controlMode: false });
    await t.start();
    const results = await t.pipeline([keys, ['load-buffer', '-'], check]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(exec.calls).toEqual([keys, ['load-buffer', '-'], check]);
    await t.close();
  });
});
