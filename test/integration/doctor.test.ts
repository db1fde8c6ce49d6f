import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { useFixture } from '../helpers/fixture.js';
import { lockHolder } from '../../src/engine/lock.js';

interface Check {
  group: string;
  id: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix: string;
}

describe('doctor (built CLI, real fx.tmux, real files)', () => {
  let env: Record<string, string>;
  let pane: string;
  let config: Record<string, unknown>;
  const configFile = () => join(fx.dir, 'config.json');
  const dataDir = () => join(fx.dir, 'data');
  const spool = () => join(fx.dir, 'spool');

  const fx = useFixture();
  beforeEach(async () => {
    pane = fx.tmux.session('work', ['sh', '-c', 'printf "READY> "; exec cat']);
    env = { XDG_CONFIG_HOME: join(fx.dir, 'xdg'), WEBHOOK_TUI_SYSTEMD_PROBE: join(fx.dir, 'no-systemd') };
    config = {
      dataDir: dataDir(),
      spool: { dir: spool() },
      tmux: { socketName: fx.tmux.socket },
      targets: { default: { pane } },
      http: { port: 0 },
    };
    const init = runCli(
      [
        'init',
        '--yes',
        '--config',
        configFile(),
        '--dataDir',
        dataDir(),
        '--spool.dir',
        spool(),
        '--tmux.socketName',
        fx.tmux.socket,
        '--target',
        pane,
        '--http.port',
        '0',
      ],
      env,
    );
    expect(init.code).toBe(0);
    expect(JSON.parse(readFileSync(configFile(), 'utf8'))).toEqual({ $schema: './config.schema.json', ...config });
  });
  afterEach(() => {
    const pid = lockHolder(join(dataDir(), 'engine.pid'));
    if (pid && pid !== process.pid) process.kill(pid, 'SIGKILL');
  });

  const doctor = (extra: Record<string, unknown> = {}, args: string[] = []) => {
    writeFileSync(configFile(), JSON.stringify({ ...config, ...extra }));
    const r = runCli(['doctor', '--json', '--config', configFile(), ...args], env);
    const parsed = JSON.parse(r.out) as { ok: boolean; checks: Check[] };
    const check = (id: string) => parsed.checks.find((c) => c.id === id)!;
    return { code: r.code, ...parsed, check, bad: parsed.checks.filter((c) => c.status !== 'ok').map((c) => c.id) };
  };

  it('passes everything on a fresh init, in readable form too', () => {
    const d = doctor();
    expect(d.bad).toEqual([]);
    expect(d.code).toBe(0);
    expect(d.ok).toBe(true);
    expect(d.checks.map((c) => c.group)).toEqual(
      expect.arrayContaining(['system', 'tmux', 'data', 'spool', 'http', 'engine', 'service']),
    );
    const text = runCli(['doctor', '--config', configFile()], env);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/✓ target:default\s+pane %\d+ \(cat\) exists and takes input/);
    expect(text.out).toContain('all checks passed');
  });

  it('names a missing pane, a pane in copy mode, an agent pane that does not look ready, and no tmux server', () => {
    const missing = doctor({ targets: { default: { pane }, gone: { pane: '=nosuch:0.0' } } });
    expect(missing.bad).toEqual(['target:gone']);
    expect(missing.check('target:gone')).toMatchObject({ status: 'fail', message: 'pane =nosuch:0.0 does not exist' });
    expect(missing.code).toBe(1);

    fx.tmux.run('copy-mode', '-t', pane);
    expect(doctor().check('target:default')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('in a mode'),
    });
    fx.tmux.run('send-keys', '-t', pane, '-X', 'cancel');

    const agent = doctor({ targets: { default: { pane, preset: 'claude-code' } } });
    expect(agent.check('target:default')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('does not look ready'),
    });
    expect(doctor({ targets: { default: { pane, profile: 'agent', readyPattern: 'READY>' } } }).bad).toEqual([]);

    fx.tmux.kill();
    const down = doctor();
    expect(down.check('tmux.server')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining(`-L ${fx.tmux.socket}`),
    });
    expect(down.check('target:default').status).toBe('fail');
  });

  it('flags an invalid config, a data dir that is a file, a broken database and a log dir that is a file', () => {
    writeFileSync(configFile(), JSON.stringify({ queue: { capacity: -1 } }));
    const bad = runCli(['doctor', '--json', '--config', configFile()], env);
    expect(bad.code).toBe(1);
    expect((JSON.parse(bad.out) as { checks: Check[] }).checks).toEqual([
      expect.objectContaining({ id: 'config', status: 'fail', message: expect.stringContaining('queue.capacity') }),
    ]);

    const file = join(fx.dir, 'a-file');
    writeFileSync(file, '');
    expect(doctor({ dataDir: file }).check('data-dir')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('not a directory'),
    });

    writeFileSync(
      join(dataDir(), 'webhook-tui.db'),
      'garbage that is not an SQLite database file, long enough for a header',
    );
    rmSync(join(dataDir(), 'webhook-tui.db-wal'), { force: true });
    expect(doctor().check('database').status).toBe('fail');
    rmSync(join(dataDir(), 'webhook-tui.db'));
    expect(doctor().check('database').status).toBe('ok');

    mkdirSync(join(dataDir(), 'logs'), { recursive: true });
    writeFileSync(join(dataDir(), 'logs', 'engine-20260101-020000.log.gz'), Buffer.alloc(4096));
    expect(doctor({ log: { maxTotalBytes: 1000 } }).check('logs')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('over log.maxTotalBytes'),
    });
    expect(doctor({ log: { maxTotalBytes: 0 } }).check('logs').status).toBe('ok');
    rmSync(join(dataDir(), 'logs'), { recursive: true, force: true });
    writeFileSync(join(dataDir(), 'logs'), '');
    expect(doctor().check('logs')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('not a directory'),
    });
  });

  it('flags a spool others can write, a spool that is a symlink, and a rejected/ that grows', () => {
    chmodSync(spool(), 0o777);
    expect(doctor().check('spool')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('writable by other users'),
    });
    chmodSync(spool(), 0o700);
    writeFileSync(join(spool(), 'rejected', 'big'), Buffer.alloc(11 * 1024 * 1024));
    expect(doctor().check('spool.rejected').status).toBe('warn');
    const link = join(fx.dir, 'spool-link');
    symlinkSync(spool(), link);
    expect(doctor({ spool: { dir: link } }).check('spool')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('symlink'),
    });
  });

  it('flags a taken port, an unsafe bind, a readable token, hooks without auth or with an unset secret', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      expect(doctor({ http: { port } }).check('http.port')).toMatchObject({
        status: 'fail',
        message: expect.stringContaining(`127.0.0.1:${port}`),
      });
    } finally {
      blocker.close();
    }
    const open = doctor({ hooks: { deploy: {} } });
    expect(open.check('hooks.auth')).toMatchObject({ status: 'warn', message: expect.stringContaining('deploy') });
    expect(doctor({ hooks: { deploy: {} }, http: { port: 0, host: '0.0.0.0' } }).check('http.bind').status).toBe(
      'fail',
    );
    expect(
      doctor({ hooks: { deploy: { auth: { type: 'token', secretEnv: 'WHT_TEST_UNSET_SECRET' } } } }).check('hooks'),
    ).toMatchObject({ status: 'fail', message: expect.stringContaining('WHT_TEST_UNSET_SECRET') });
    chmodSync(join(dataDir(), 'token'), 0o644);
    expect(doctor().check('http.token')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('readable by other users'),
    });
  });

  it(
    'reports the running engine (and that it holds its port and lock), and a lock holder that does not answer',
    { timeout: 60_000 },
    async () => {
      const start = await runCliAsync(['start', '--config', configFile()], env);
      expect(start.code).toBe(0);
      const running = doctor();
      expect(running.bad).toEqual([]);
      expect(running.check('engine').message).toMatch(/^running: PID \d+, version \d+\.\d+\.\d+, up \d+s/);
      expect(running.check('lock').message).toContain('held by our engine');
      expect(running.check('http.port').message).toContain('held by our engine');
      expect((await runCliAsync(['stop', '--config', configFile()], env)).code).toBe(0);
      // A live process named in the PID file, with no control socket: this test process.
      writeFileSync(join(dataDir(), 'engine.pid'), `${process.pid}\n`);
      const hung = doctor();
      expect(hung.check('engine')).toMatchObject({
        status: 'fail',
        message: expect.stringContaining(`PID ${process.pid} holds the engine lock`),
      });
      rmSync(join(dataDir(), 'engine.pid'));
    },
  );

  it('flags an installed unit that runs another binary', () => {
    const units = join(env.XDG_CONFIG_HOME!, 'systemd', 'user');
    mkdirSync(units, { recursive: true });
    writeFileSync(join(units, 'webhook-tui.service'), '[Service]\nExecStart=/old/node /old/webhook-tui serve\n');
    expect(doctor().check('service')).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('service install'),
    });
    const print = runCli(['service', 'install', '--print', '--config', configFile()], env);
    writeFileSync(join(units, 'webhook-tui.service'), print.out);
    // Current, but systemd does not run here.
    expect(doctor().check('service')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('systemd is not running'),
    });
  });

  it('flags low free disk against monitor.diskFreePercent', () => {
    expect(doctor({ monitor: { diskFreePercent: 100 } }).check('disk').status).not.toBe('ok');
  });
});
