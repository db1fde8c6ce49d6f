/**
 * The built CLI (`bin/webhook-tui`, default command) in a real pseudo-terminal: embedded and attached modes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockHolder } from '../../src/engine/lock.js';
import { writeSpoolFile } from '../../src/engine/intake/spool-writer.js';
import { PtyScreen } from '../helpers/pty.js';
import { recorded, waitFor } from '../helpers/tmux.js';
import { useFixture } from '../helpers/fixture.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));

describe('webhook-tui (the dashboard) from the built CLI in a pty', () => {
  let screen: PtyScreen | undefined;
  const children: ChildProcess[] = [];
  let configFile: string;

  const fx = useFixture();
  beforeEach(() => {
    configFile = join(fx.dir, 'config.json');
  });
  afterEach(() => {
    if (screen && !screen.exit) screen.proc.kill('SIGKILL');
    screen = undefined;
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  async function setup(): Promise<{ file: string; spool: string; dataDir: string }> {
    const { pane, file } = await fx.recorder('rec');
    const dataDir = join(fx.dir, 'data');
    const spool = join(fx.dir, 'spool');
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir,
        spool: { dir: spool },
        tmux: { socketName: fx.tmux.socket },
        targets: { default: { pane } },
        queue: { rateLimit: { perSecond: 0 } },
        http: { port: 0 },
      }),
    );
    return { file, spool, dataDir };
  }

  const dashboard = (cols: number, rows: number, extra: string[] = []) =>
    new PtyScreen({
      args: [BIN, '--config', configFile, ...extra],
      cols,
      rows,
      env: { TMUX: undefined, TMUX_PANE: undefined },
    });

  it.each([
    ['on the dashboard thread (the default)', []],
    ['on its own thread (--tui.engineThread true)', ['--tui.engineThread', 'true']],
  ])(
    'runs the engine embedded %s: delivers, p pauses, q quits, closes the engine and restores the terminal',
    async (_, extra) => {
      const { file, spool, dataDir } = await setup();
      screen = dashboard(80, 24, extra);
      await screen.waitFor((t) => t.includes('RUNNING') && t.includes('embedded') && t.includes('1 queue'), 30_000);
      writeSpoolFile(spool, JSON.stringify({ command: 'echo from-the-spool' }));
      await waitFor(() => recorded(file).length === 1, 30_000, 'delivery');
      expect(recorded(file)).toEqual(['echo from-the-spool']);
      await screen.waitFor('delivered #1', 10_000);

      screen.write('p');
      await screen.waitFor('PAUSED', 10_000);
      writeSpoolFile(spool, JSON.stringify({ command: 'echo held-while-paused' }));
      await screen.waitFor(/pend 1\//, 10_000);
      expect(recorded(file)).toEqual(['echo from-the-spool']);

      screen.write('q');
      const exit = await screen.exited;
      expect(exit.exitCode).toBe(0);
      expect(screen.raw).toContain('\u001b[?1049l'); // left the alternate screen
      expect(lockHolder(join(dataDir, 'engine.pid'))).toBeNull();
      expect(recorded(file)).toEqual(['echo from-the-spool']);
    },
    90_000,
  );

  it('an embedded engine that cannot start: exit 2 and the reason on the terminal, the dashboard never opens', async () => {
    await setup();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    fx.defer(() => new Promise((r) => blocker.close(r)));
    const port = (blocker.address() as AddressInfo).port;
    screen = dashboard(80, 24, ['--http.port', String(port)]);
    const exit = await screen.exited;
    expect(exit.exitCode).toBe(2);
    expect(screen.raw).toContain('cannot listen on 127.0.0.1');
    expect(screen.raw).toContain(String(port));
    expect(screen.raw).not.toContain('1 queue');
  }, 60_000);

  it('attaches to a running serve, acts on it, and leaves it running on quit', async () => {
    const { file, spool, dataDir } = await setup();
    const serve = spawn(process.execPath, [BIN, 'serve', '--config', configFile], {
      stdio: 'ignore',
      env: { ...process.env, TMUX_PANE: '' },
    });
    children.push(serve);
    await waitFor(() => lockHolder(join(dataDir, 'engine.pid')) === serve.pid, 30_000, 'serve');
    screen = dashboard(120, 40);
    await screen.waitFor((t) => t.includes('attached') && t.includes('default:ready'), 30_000);
    screen.write('p');
    await screen.waitFor('PAUSED', 10_000);
    const status = () =>
      JSON.parse(
        spawnSync(process.execPath, [BIN, '--config', configFile, 'status', '--json'], { encoding: 'utf8' }).stdout,
      ) as { paused: boolean };
    expect(status().paused).toBe(true);
    screen.write('p');
    await screen.waitFor('RUNNING', 10_000);
    writeSpoolFile(spool, JSON.stringify({ command: 'echo while-attached' }));
    await waitFor(() => recorded(file).length === 1, 30_000, 'delivery');
    await screen.waitFor('delivered #1', 10_000);
    screen.write('q');
    expect((await screen.exited).exitCode).toBe(0);
    expect(serve.exitCode).toBeNull();
    expect(status().paused).toBe(false);
  }, 90_000);
});
