import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { useFixture } from '../helpers/fixture.js';
import { recorded, waitFor } from '../helpers/tmux.js';

describe('legacy trigger file and the default target', () => {
  let engine: Engine | undefined;

  const fx = useFixture();

  it('reads the old single trigger file, removes it and types its command', async () => {
    const { pane, file } = await fx.recorder('rec');
    const trigger = join(fx.dir, 'legacy', 'webhook-trigger');
    engine = await fx.start(fx.config({ targets: { default: { pane } }, spool: { legacyTriggerFile: trigger } }));
    writeFileSync(trigger, 'echo from the old protocol\n');
    await waitFor(() => recorded(file).length >= 1, 15_000, 'legacy line');
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(trigger, 'echo second one\n');
    await waitFor(() => recorded(file).length >= 2, 15_000, 'second legacy line');
    expect(recorded(file)).toEqual(['echo from the old protocol', 'echo second one']);
    const { existsSync } = await import('node:fs');
    await waitFor(() => !existsSync(trigger), 5000, 'trigger removed');
    expect(engine.getTask(1)?.source).toBe('legacy');
  });

  it('takes a trigger written right after the previous one was consumed (the watcher alone missed about a third)', async () => {
    const trigger = join(fx.dir, 'legacy', 'webhook-trigger');
    engine = await fx.start(fx.config({ spool: { legacyTriggerFile: trigger } }));
    engine.pause();
    const { existsSync } = await import('node:fs');
    for (let i = 0; i < 20; i++) {
      writeFileSync(trigger, `echo back-to-back ${i}\n`);
      await waitFor(() => engine!.stats().received === i + 1, 5_000, `trigger ${i} queued`);
      await waitFor(() => !existsSync(trigger), 5_000, `trigger ${i} removed`);
    }
    expect(
      engine
        .listTasks({ limit: 100 })
        .map((t) => t.text)
        .sort(),
    ).toEqual(Array.from({ length: 20 }, (_, i) => `echo back-to-back ${i}`).sort());
  });

  it('creates a detached session for the default target outside tmux and types into it', async () => {
    fx.tmux.session('other');
    engine = await fx.start(fx.config());
    engine.enqueue({ text: 'echo into-the-created-session', source: 'api' });
    await waitFor(() => engine!.stats().successful === 1, 15_000, 'delivered');
    const sessions = fx.tmux.run('list-sessions', '-F', '#{session_name}').split('\n').sort();
    expect(sessions).toEqual(['other', 'webhook-tui']);
    await waitFor(
      () => fx.tmux.capture('=webhook-tui:').includes('into-the-created-session'),
      5000,
      'text in the pane',
    );
  });

  it('serves the other, last active pane of its own window when it runs inside tmux', async () => {
    const left = fx.tmux.session('work', ['bash', '--norc', '--noprofile']);
    const right = fx.tmux.run(
      'split-window',
      '-t',
      left,
      '-h',
      '-P',
      '-F',
      '#{pane_id}',
      'bash',
      '--norc',
      '--noprofile',
    );
    fx.tmux.run('select-pane', '-t', left);
    // The engine runs "in" the right pane; the left one was active last.
    fx.tmux.run('select-pane', '-t', right);
    const config = fx.config();
    engine = await fx.start(
      { ...config, tmux: { ...config.tmux, socketName: null } },
      {
        tmuxPane: right,
        tmux: new (await import('../../src/engine/delivery/exec-tmux.js')).ExecTmux({ socketName: fx.tmux.socket }),
      },
    );
    engine.enqueue({ text: 'echo to-the-left-pane', source: 'api' });
    await waitFor(() => fx.tmux.capture(left).includes('to-the-left-pane'), 15_000, 'text in the left pane');
    expect(fx.tmux.capture(right)).not.toContain('to-the-left-pane');
  });
});
