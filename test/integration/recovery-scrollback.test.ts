import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { openStore } from '../../src/engine/sqlite/open-store.js';
import { writeSpoolFile } from '../../src/engine/intake/spool-writer.js';
import { prepareSpool } from '../../src/engine/intake/spool-dirs.js';
import { useFixture } from '../helpers/fixture.js';
import { recorded, waitFor } from '../helpers/tmux.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));

/**
 * Crash recovery in panes whose history is full: tmux trims the oldest tenth of the history (at least a line) each
 * time it reaches history-limit, so a line number taken before typing points elsewhere afterwards.
 */
describe('crash recovery when the pane history is trimmed', () => {
  let engine: Engine | undefined;
  let child: ChildProcess | undefined;

  const fx = useFixture();
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  /** A recorder pane with a small history-limit that has already scrolled `prefill` lines. */
  async function fullPane(limit: number, prefill: number) {
    fx.tmux.session('keep', ['sleep', '600']);
    fx.tmux.run('set-option', '-g', 'history-limit', String(limit));
    const rec = await fx.recorder('rec');
    typeLines(
      rec.pane,
      Array.from({ length: prefill }, (_, i) => `before ${i}`),
    );
    await waitFor(() => recorded(rec.file).length === prefill, 10_000, 'prefill recorded');
    expect(Number(fx.tmux.run('display-message', '-p', '-t', rec.pane, '#{history_size}'))).toBeGreaterThanOrEqual(
      limit - Math.max(1, limit / 10),
    );
    return rec;
  }

  /** Lines typed into the recorder (CR ends each), in as few tmux calls as the argv limit allows. */
  function typeLines(pane: string, lines: string[]) {
    for (let i = 0; i < lines.length; i += 200)
      fx.tmux.run('send-keys', '-t', pane, '-l', '--', `${lines.slice(i, i + 200).join('\r')}\r`);
  }

  /**
   * `serve` types `text` and is killed with SIGKILL during the pause before Enter: the task stays `delivering` with
   * the mark the engine took, the text sits on the pane's input line.
   */
  async function killedWhileTyping(pane: string, text: string) {
    const configFile = join(fx.dir, 'config.json');
    const dataDir = join(fx.dir, 'data');
    const spoolDir = join(fx.dir, 'spool');
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir,
        spool: { dir: spoolDir, rescanMs: 500 },
        tmux: { socketName: fx.tmux.socket },
        targets: { default: { pane, enterDelayMs: 30_000 } },
        queue: { rateLimit: { perSecond: 0 } },
        http: { enabled: false },
      }),
    );
    mkdirSync(dataDir, { recursive: true });
    prepareSpool(spoolDir);
    writeSpoolFile(spoolDir, JSON.stringify({ command: text }));
    child = spawn(process.execPath, [BIN, 'serve', '--config', configFile], {
      stdio: 'ignore',
      env: { ...process.env, TMUX_PANE: '' },
    });
    await waitFor(() => fx.tmux.capture(pane).includes(text), 20_000, 'the text typed into the pane');
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const config = fx.config({ targets: { default: { pane } } });
    const store = openStore(config);
    const [task] = store.delivering();
    store.close();
    expect(task?.text).toBe(text);
    return { config, id: task!.id };
  }

  it.each([
    ['history-limit 10', 10, 100],
    ['history-limit 100, a pane past 1,000 lines', 100, 1000],
  ])(
    'does not type a submitted command again (%s)',
    async (_name, limit, prefill) => {
      const { pane, file } = await fullPane(limit, prefill);
      const text = 'echo submitted-before-crash';
      const { config, id } = await killedWhileTyping(pane, text);
      // Enter got through before the crash; then the pane kept scrolling, so tmux trimmed its history.
      fx.tmux.run('send-keys', '-t', pane, 'C-m');
      typeLines(
        pane,
        Array.from({ length: 25 }, (_, i) => `after ${i}`),
      );
      await waitFor(() => recorded(file).includes('after 24'), 10_000, 'lines after the crash');
      engine = await fx.start(config);
      await waitFor(() => engine!.getTask(id)?.state !== 'delivering', 10_000, 'recovery verdict');
      expect(engine.getTask(id)?.state).toBe('delivered');
      engine.enqueue({ text: 'next', source: 'api' });
      await waitFor(() => recorded(file).includes('next'), 10_000, 'the next task');
      expect(recorded(file).filter((l) => l === text)).toHaveLength(1);
    },
    60_000,
  );

  it('presses only Enter for a command typed but not submitted, although the history was trimmed', async () => {
    const { pane, file } = await fullPane(10, 100);
    const text = 'echo typed-not-submitted';
    const { config, id } = await killedWhileTyping(pane, text);
    engine = await fx.start(config);
    await waitFor(() => engine!.getTask(id)?.state !== 'delivering', 10_000, 'recovery verdict');
    expect(engine.getTask(id)?.state).toBe('delivered');
    await waitFor(() => recorded(file).includes(text), 10_000, 'the Enter');
    engine.enqueue({ text: 'next', source: 'api' });
    await waitFor(() => recorded(file).includes('next'), 10_000, 'the next task');
    expect(recorded(file).slice(-2)).toEqual([text, 'next']);
  }, 60_000);

  it('sends the task to the dead-letter queue, typing nothing, when the pane scrolled past where it was typed', async () => {
    const { pane, file } = await fullPane(10, 100);
    const text = 'echo lost-in-scrollback';
    const { config, id } = await killedWhileTyping(pane, text);
    fx.tmux.run('send-keys', '-t', pane, 'C-m');
    // More lines than the screen (50 rows) and the history (10) hold together.
    typeLines(
      pane,
      Array.from({ length: 120 }, (_, i) => `after ${i}`),
    );
    await waitFor(() => recorded(file).includes('after 119'), 10_000, 'lines after the crash');
    engine = await fx.start(config);
    await waitFor(() => engine!.getTask(id)?.state !== 'delivering', 10_000, 'recovery verdict');
    const task = engine.getTask(id)!;
    expect(task.state).toBe('dead');
    expect(task.errors.at(-1)).toMatchObject({
      code: 'WHT_ERR_RECOVERY_UNKNOWN',
      message: expect.stringContaining('could not tell whether it was typed'),
    });
    engine.enqueue({ text: 'next', source: 'api' });
    await waitFor(() => recorded(file).includes('next'), 10_000, 'the next task');
    expect(recorded(file).filter((l) => l === text)).toHaveLength(1);
  }, 60_000);
});
