import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { recorded, waitFor } from '../helpers/tmux.js';
import { useFixture } from '../helpers/fixture.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));

describe('the built CLI', () => {
  let configFile: string;

  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, '--config', configFile, ...args], {
      encoding: 'utf8',
      env: { ...process.env, TMUX_PANE: '' },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const serve = () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TMUX_PANE: '' },
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    fx.track(child);
    return { child, stderr: () => err };
  };

  const fx = useFixture();
  beforeEach(() => {
    configFile = join(fx.dir, 'config.json');
  });

  async function setup(extra: Record<string, unknown> = {}) {
    const { pane, file } = await fx.recorder('rec');
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir: join(fx.dir, 'data'),
        spool: { dir: join(fx.dir, 'spool') },
        tmux: { socketName: fx.tmux.socket },
        targets: { default: { pane } },
        queue: { rateLimit: { perSecond: 0 }, retry: { attempts: 1 } },
        http: { port: 0 },
        ...extra,
      }),
    );
    return { pane, file };
  }

  it('send works while the engine is down; serve picks it up; a second serve exits 2 naming the PID; SIGTERM exits 0', async () => {
    const { file } = await setup();
    expect(cli('send', '--priority', '5', '--', '-n', 'queued while down;').code).toBe(0);
    const first = serve();
    await waitFor(() => recorded(file).length >= 1, 30_000, 'delivery');
    expect(recorded(file)).toEqual(['-n queued while down;']);
    // Over HTTP to the running engine (its URL and token are in the data dir); a repeated id is the same task.
    const viaHttp = cli('send', '--http', '--id', 'k1', '--json', '--', 'echo over http');
    expect(viaHttp.code).toBe(0);
    const again = JSON.parse(cli('send', '--http', '--id', 'k1', '--json', '--', 'echo over http').out) as {
      id: number;
      duplicate: boolean;
    };
    expect(again).toMatchObject({ id: (JSON.parse(viaHttp.out) as { id: number }).id, duplicate: true });
    await waitFor(() => recorded(file).length >= 2, 30_000, 'http delivery');
    expect(recorded(file)).toEqual(['-n queued while down;', 'echo over http']);
    const second = cli('serve');
    expect(second.code).toBe(2);
    expect(second.err).toContain(`PID ${first.child.pid}`);
    first.child.kill('SIGTERM');
    await new Promise((r) => first.child.once('exit', r));
    expect(first.child.exitCode).toBe(0);
    // No engine: --http cannot reach it and says so (exit 3).
    const down = cli('send', '--http', '--', 'echo nobody home');
    expect(down.code).toBe(3);
  });

  it(
    'status, tasks, pause, resume and dlq work against a running engine and without one',
    { timeout: 120_000 },
    async () => {
      const { file } = await setup({ targets: { default: { pane: '%0' }, gone: { pane: '=nosuch:0.0' } } });
      const engine = serve();
      await waitFor(() => engine.stderr().includes('webhook-tui engine'), 30_000, 'engine start');
      expect(cli('pause').out).toContain('queue paused');
      expect(cli('send', '--target', 'gone', '--', 'echo lost pane').code).toBe(0);
      const json = () =>
        JSON.parse(cli('status', '--json').out) as {
          paused: boolean;
          stats: { pending: number; depth: Record<string, number> };
        };
      await waitFor(() => json().stats.pending === 1, 30_000, 'task committed');
      expect(json().paused).toBe(true);
      expect(cli('resume').out).toContain('queue resumed');
      await waitFor(() => json().stats.depth.dead === 1, 30_000, 'task dead');
      const dead = cli('dlq', 'list');
      expect(dead.out).toMatch(/#1 target=gone/);
      expect(dead.out).toContain('WHT_ERR_TARGET_MISSING');
      expect(cli('tasks', '--state', 'dead').out).toContain('echo lost pane');

      engine.child.kill('SIGTERM');
      await new Promise((r) => engine.child.once('exit', r));
      // Without an engine: the same commands work on the database.
      const status = cli('status');
      expect(status.out).toContain('database (no engine running)');
      expect(status.out).toMatch(/dead 1/);
      expect(cli('dlq', 'drop', '1').out).toContain('task 1 is dropped');
      expect(cli('dlq', 'retry', '1').code).toBe(1);
      expect(cli('dlq', 'retry', '1').err).toContain('cannot retry task 1: it is dropped');
      expect(recorded(file)).toEqual([]);
    },
  );

  it('names the config key and exits 2 on a bad value; refuses unsafe text with exit 2', async () => {
    await setup();
    const bad = cli('--queue.capacity', '-5', 'status');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('queue.capacity');
    const unknown = cli('--queue.capcity', '5', 'status');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('queue.capcity: unknown key');
    const unsafe = cli('send', '--', 'echo \u001b[2J');
    expect(unsafe.code).toBe(2);
    expect(unsafe.err).toContain('escape (ESC)');
    expect(cli('dlq', 'retry', 'abc').code).toBe(2);
    // The dashboard without a terminal says what to run instead.
    const noTty = cli();
    expect(noTty.code).toBe(2);
    expect(noTty.err).toContain('needs a terminal');
    expect(noTty.err).toContain('webhook-tui serve');
  });
});
