/**
 * The package as a user gets it: `npm pack`, then `npm install -g` of the tarball into a fresh prefix, then the
 * README's walk-through with the installed `webhook-tui` (nothing from this checkout on PATH or in the module path),
 * serve, the load tester (its sink and report come from the package) and the dashboard.
 * Slow (npm fetches the dependencies, better-sqlite3 may compile): `npm run test:package`, run by .ci/run.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.js';
import { PtyScreen, ROOT } from '../helpers/pty.js';
import { recorded, TestTmux, waitFor } from '../helpers/tmux.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('the packed tarball, installed with npm install -g into a fresh prefix', () => {
  const tmp = tempDir('wht-pkg-');
  const prefix = join(tmp.dir, 'prefix');
  const bin = join(prefix, 'bin', 'webhook-tui');
  const tmux = new TestTmux();
  const home = join(tmp.dir, 'home');
  let env: Record<string, string>;

  beforeAll(() => {
    const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', tmp.dir], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .at(-1)!;
    const install = spawnSync(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--allow-scripts=better-sqlite3',
        join(tmp.dir, tgz),
      ],
      {
        cwd: tmp.dir,
        encoding: 'utf8',
        timeout: 900_000,
      },
    );
    if (install.status !== 0) throw new Error(`npm install -g failed (${install.status}):\n${install.stderr}`);
    mkdirSync(join(home, 'run'), { recursive: true, mode: 0o700 });
    env = {
      PATH: `${join(prefix, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_STATE_HOME: join(home, '.local', 'state'),
      XDG_RUNTIME_DIR: join(home, 'run'),
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      TMUX: '',
      TMUX_PANE: '',
      NODE_PATH: '',
    };
  }, 900_000);
  afterAll(() => {
    spawnSync(bin, ['stop', '--timeout', '10'], { env, timeout: 20_000 });
    tmux.kill();
    tmp.cleanup();
  });

  const run = (...args: string[]) => {
    const r = spawnSync(bin, args, { env, encoding: 'utf8', cwd: home, timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('is the installed copy, not this checkout', () => {
    expect(realpathSync(bin)).toBe(join(prefix, 'lib', 'node_modules', 'webhook-tui', 'bin', 'webhook-tui'));
    expect(run('--version').out.trim()).toBe(VERSION);
  });

  it(
    'walks the README: init --yes, doctor all ✓, start, send, status, send --http, stop',
    { timeout: 120_000 },
    async () => {
      const { pane, file } = await tmux.recorderPane('rec', tmp.dir);
      const init = run('init', '--yes', '--tmux.socketName', tmux.socket, '--target', pane, '--http.port', '0');
      expect(init.err).toBe('');
      expect(init.code).toBe(0);
      const doctor = run('doctor');
      expect(doctor.out).toContain('all checks passed');
      expect(doctor.code).toBe(0);
      expect(run('start').code).toBe(0);
      expect(run('send', '--', 'echo from the installed package').code).toBe(0);
      await waitFor(() => recorded(file).includes('echo from the installed package'), 30_000, 'delivery');
      expect(run('send', '--http', '--', 'echo over http').code).toBe(0);
      await waitFor(() => recorded(file).includes('echo over http'), 30_000, 'http delivery');
      const status = JSON.parse(run('status', '--json').out) as { stats: { depth: { delivered: number } } };
      expect(status.stats.depth.delivered).toBe(2);
      expect(run('stop').out).toContain('engine stopped');
      expect(run('config', 'schema').code).toBe(0);
      expect(run('service', 'install', '--print').out).toContain(
        `ExecStart=${process.execPath} ${realpathSync(bin)} serve`,
      );
    },
  );

  it('runs serve in the foreground and closes on SIGTERM with exit 0', { timeout: 60_000 }, async () => {
    const child = spawn(bin, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    await waitFor(() => err.includes(`webhook-tui engine ${child.pid}:`), 30_000, 'serve start');
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(0);
  });

  it(
    'runs the load tester against its scratch engine (sink and report inside the package)',
    { timeout: 120_000 },
    () => {
      const html = join(tmp.dir, 'report.html');
      const r = run('loadtest', '--rate', '20', '--duration', '2', '--json', '--html', html);
      expect(r.err).not.toMatch(/Error|Cannot find/);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out) as { tool: { name: string; version: string }; stopped: boolean };
      expect(report.tool).toEqual({ name: 'webhook-tui loadtest', version: VERSION });
      expect(readFileSync(html, 'utf8')).toContain('<html');
    },
  );

  it('opens the dashboard in a terminal and quits with q', { timeout: 60_000 }, async () => {
    const screen = new PtyScreen({ args: [realpathSync(bin)], cols: 120, rows: 40, env, cwd: home });
    try {
      await screen.waitFor((t) => t.includes('RUNNING') && t.includes('embedded'), 30_000);
      screen.write('q');
      expect((await screen.exited).exitCode).toBe(0);
    } finally {
      await screen.close();
    }
    expect(existsSync(join(env.XDG_STATE_HOME!, 'webhook-tui', 'webhook-tui.db'))).toBe(true);
  });
});
