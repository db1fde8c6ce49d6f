import { describe, expect, it, vi } from 'vitest';
import { isWhtError } from '../../src/engine/errors.js';
import { demoSchedule, DEMO_FAILING_TARGET, playSchedule } from '../../src/tui/demo.js';
import { sanitize } from '../../src/tui/format.js';
import { splitArgs, splitEnv, splitSummary } from '../../src/tui/split.js';

const inTmux = { TMUX: '/tmp/tmux-0/default,123,0', TMUX_PANE: '%4', XDG_STATE_HOME: '/s', HOME: '/root' };

const at = { window: '@2', active: '%4', handshakeDir: '/tmp/webhook-tui-split-x' };

describe('splitArgs (--split)', () => {
  it('splits beside the current pane, keeps a pane that dies at once, gives the focus back, makes it the default target', () => {
    const { args, targetPane } = splitArgs(
      { env: inTmux, command: ['/usr/bin/node', '/opt/bin/webhook-tui', '--config', '/c.json'] },
      at,
    );
    expect(targetPane).toBe('%4');
    expect(args).toEqual([
      'split-window',
      '-h',
      '-l',
      '40%',
      '-t',
      '%4',
      '-P',
      '-F',
      '#{pane_id}',
      '-e',
      'WEBHOOK_TUI_SPLIT=/tmp/webhook-tui-split-x',
      '--',
      '/usr/bin/node',
      '/opt/bin/webhook-tui',
      '--config',
      '/c.json',
      '--targets.default.pane=%4',
      ';',
      'set-option',
      '-p',
      '-t',
      '@2',
      'remain-on-exit',
      'on',
      ';',
      'select-pane',
      '-t',
      '%4',
    ]);
  });

  it('supports a stacked split, a size and a working directory; never puts the environment on the command line', () => {
    const { args } = splitArgs({ env: inTmux, command: ['wt'], direction: 'vertical', size: '15', cwd: '/w' }, at);
    expect(args.slice(0, 11)).toEqual([
      'split-window',
      '-v',
      '-l',
      '15',
      '-t',
      '%4',
      '-P',
      '-F',
      '#{pane_id}',
      '-c',
      '/w',
    ]);
    expect(args.join(' ')).not.toContain('XDG_STATE_HOME');
  });

  it("escapes an argument ending in ';' so tmux does not end the command there", () => {
    const { args } = splitArgs({ env: inTmux, command: ['wt', 'a;', 'b;c'] }, at);
    expect(args).toContain('a\\;');
    expect(args).toContain('b;c');
  });

  it('refuses outside tmux with a usage error', () => {
    try {
      splitArgs({ env: { HOME: '/root' }, command: ['wt'] }, at);
      expect.unreachable();
    } catch (err) {
      expect(isWhtError(err, 'WHT_ERR_USAGE')).toBe(true);
      expect((err as Error).message).toContain('inside tmux');
    }
  });
});

describe('splitEnv (--split)', () => {
  it("passes what config loading reads and the hooks' secretEnv variables, nothing else", () => {
    const env = {
      ...inTmux,
      WEBHOOK_TUI_CONFIG: '/c.json',
      GH_SECRET: 's3cret',
      UNRELATED: 'x',
      XDG_RUNTIME_DIR: '',
    };
    expect(splitEnv(env, ['GH_SECRET', 'MISSING'])).toEqual({
      WEBHOOK_TUI_CONFIG: '/c.json',
      HOME: '/root',
      XDG_STATE_HOME: '/s',
      GH_SECRET: 's3cret',
    });
  });
});

describe('splitSummary (--split)', () => {
  const base = { ok: true as const, dashboardPane: '%9', targetPane: '%4' };
  it('says the pane it ran from gets the commands when the engine runs in the new pane', () => {
    expect(splitSummary({ ...base, mode: 'embedded', target: '%4' })).toBe(
      'dashboard in pane %9 (its engine runs there); commands go to pane %4 (this pane)',
    );
  });
  it("says serve's target gets them when attached to a running serve", () => {
    expect(splitSummary({ ...base, mode: 'attached', target: '%1', servePid: 77 })).toBe(
      "dashboard in pane %9, attached to the running serve (PID 77); commands go to serve's default target: %1, not this pane",
    );
  });
});

describe('demoSchedule (--demo)', () => {
  it('is deterministic for a seed and ordered in time', () => {
    const a = demoSchedule({ count: 50, seed: 3 });
    expect(demoSchedule({ count: 50, seed: 3 })).toEqual(a);
    expect(demoSchedule({ count: 50, seed: 4 })).not.toEqual(a);
    for (let i = 1; i < a.length; i += 1) expect(a[i]!.atMs).toBeGreaterThanOrEqual(a[i - 1]!.atMs);
  });

  it('sends every n-th trigger to the failing target and mixes priorities and categories', () => {
    const s = demoSchedule({ count: 70, failEvery: 7 });
    expect(s.filter((t) => t.task.target === DEMO_FAILING_TARGET)).toHaveLength(10);
    expect(new Set(s.map((t) => t.task.priority)).size).toBeGreaterThan(1);
    expect(new Set(s.map((t) => t.task.category)).size).toBeGreaterThan(2);
    expect(s.every((t) => t.task.text === sanitize(t.task.text))).toBe(true);
  });

  it('averages about the mean gap', () => {
    const s = demoSchedule({ count: 400, meanGapMs: 500 });
    const mean = s.at(-1)!.atMs / (s.length - 1);
    expect(mean).toBeGreaterThan(300);
    expect(mean).toBeLessThan(800);
  });

  it('playSchedule enqueues each trigger at its offset and stops cleanly', async () => {
    vi.useFakeTimers();
    try {
      const seen: string[] = [];
      const stop = playSchedule(
        [
          { atMs: 0, task: { text: 'a', source: 'api' } },
          { atMs: 1000, task: { text: 'b', source: 'api' } },
          { atMs: 5000, task: { text: 'c', source: 'api' } },
        ],
        (t) => seen.push(t.text),
      );
      await vi.advanceTimersByTimeAsync(1500);
      expect(seen).toEqual(['a', 'b']);
      stop();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(seen).toEqual(['a', 'b']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('playSchedule reports enqueue failures instead of crashing', async () => {
    vi.useFakeTimers();
    try {
      const errors: unknown[] = [];
      const stop = playSchedule(
        [{ atMs: 0, task: { text: 'a', source: 'api' } }],
        () => {
          throw new Error('queue full');
        },
        { onError: (e) => errors.push(e) },
      );
      await vi.advanceTimersByTimeAsync(10);
      expect(errors).toHaveLength(1);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('tui config', () => {
  it('fills every default and names the key of a bad value', async () => {
    const { tuiConfigSchema } = await import('../../src/tui/config.js');
    expect(tuiConfigSchema.parse({})).toEqual({
      refreshMs: 1000,
      maxFps: 4,
      targetsMs: 5000,
      mouse: false,
      engineThread: false,
      exportDir: null,
      split: { direction: 'horizontal', size: '40%' },
      demo: { meanGapMs: 700, failEvery: 7 },
    });
    const bad = tuiConfigSchema.safeParse({ split: { size: 'big' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['split', 'size']);
  });
});
