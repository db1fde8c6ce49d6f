import { describe, expect, it, vi } from 'vitest';
import { isWhtError } from '../../src/engine/errors.js';
import { demoSchedule, DEMO_FAILING_TARGET, playSchedule } from '../../src/tui/demo.js';
import { sanitize } from '../../src/tui/format.js';
import { splitAndRun, splitArgs } from '../../src/tui/split.js';

const inTmux = { TMUX: '/tmp/tmux-0/default,123,0', TMUX_PANE: '%4', XDG_STATE_HOME: '/s', HOME: '/root' };

describe('splitArgs (--split)', () => {
  it('splits beside the current pane, keeps focus there and makes it the default target', () => {
    const { args, targetPane } = splitArgs({
      env: inTmux,
      command: ['/usr/bin/node', '/opt/bin/webhook-tui', '--config', '/c.json'],
    });
    expect(targetPane).toBe('%4');
    expect(args).toEqual([
      'split-window',
      '-h',
      '-d',
      '-l',
      '40%',
      '-t',
      '%4',
      '-P',
      '-F',
      '#{pane_id}',
      '-e',
      'XDG_STATE_HOME=/s',
      '--',
      '/usr/bin/node',
      '/opt/bin/webhook-tui',
      '--config',
      '/c.json',
      '--targets.default.pane=%4',
    ]);
  });

  it('supports a stacked split, a size and a working directory', () => {
    const { args } = splitArgs({ env: inTmux, command: ['wt'], direction: 'vertical', size: '15', cwd: '/w' });
    expect(args.slice(0, 12)).toEqual([
      'split-window',
      '-v',
      '-d',
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
  });

  it('refuses outside tmux with a usage error', () => {
    try {
      splitArgs({ env: { HOME: '/root' }, command: ['wt'] });
      expect.unreachable();
    } catch (err) {
      expect(isWhtError(err, 'WHT_ERR_USAGE')).toBe(true);
      expect((err as Error).message).toContain('inside tmux');
    }
  });

  it('splitAndRun runs tmux once with those args and returns the new pane', async () => {
    const exec = vi.fn(async (_args: readonly string[]) => '%9\n');
    await expect(splitAndRun({ env: inTmux, command: ['wt'] }, exec)).resolves.toEqual({
      dashboardPane: '%9',
      targetPane: '%4',
    });
    expect(exec).toHaveBeenCalledTimes(1);
    expect(exec.mock.calls[0]![0]).toContain('split-window');
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
      exportDir: null,
      split: { direction: 'horizontal', size: '40%' },
      demo: { meanGapMs: 700, failEvery: 7 },
    });
    const bad = tuiConfigSchema.safeParse({ split: { size: 'big' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['split', 'size']);
  });
});
