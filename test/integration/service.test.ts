import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { jsonLines, recorded, waitFor } from '../helpers/tmux.js';
import { useFixture } from '../helpers/fixture.js';

const STAND_IN = fileURLToPath(new URL('../fixtures/stand-in-systemctl.mjs', import.meta.url));

function hasSystemdAnalyze(): boolean {
  return spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;
}

describe('service: the systemd user unit', () => {
  let env: Record<string, string>;
  let log: string;
  const calls = () => jsonLines<string[]>(log);

  const fx = useFixture();
  beforeEach(() => {
    const bin = join(fx.dir, 'bin');
    const state = join(fx.dir, 'standin');
    mkdirSync(bin);
    mkdirSync(state);
    mkdirSync(join(fx.dir, 'run-systemd'));
    symlinkSync(STAND_IN, join(bin, 'systemctl'));
    symlinkSync(STAND_IN, join(bin, 'journalctl'));
    log = join(fx.dir, 'argv.jsonl');
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      XDG_CONFIG_HOME: join(fx.dir, 'config'),
      XDG_STATE_HOME: join(fx.dir, 'state'),
      XDG_RUNTIME_DIR: join(fx.dir, 'runtime'),
      WEBHOOK_TUI_SYSTEMD_PROBE: join(fx.dir, 'run-systemd'),
      STANDIN_LOG: log,
      STANDIN_STATE: state,
    };
    mkdirSync(env.XDG_RUNTIME_DIR!, { mode: 0o700 });
  });
  afterEach(() => {
    const pidFile = join(fx.dir, 'standin', 'main.pid');
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });

  const unitFile = () => join(env.XDG_CONFIG_HOME!, 'systemd', 'user', 'webhook-tui.service');

  it.skipIf(!hasSystemdAnalyze())(
    'install --print writes a unit that systemd-analyze verify accepts, and touches nothing',
    () => {
      const r = runCli(['service', 'install', '--print'], env);
      expect(r.code).toBe(0);
      expect(existsSync(unitFile())).toBe(false);
      expect(calls()).toEqual([]);
      const unit = r.out;
      expect(unit).toMatch(/^Type=exec$/m);
      expect(unit).toMatch(/^Restart=on-failure$/m);
      expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
      expect(unit).not.toMatch(/PrivateTmp|ProtectHome|MemoryDenyWriteExecute/);
      expect(unit).toContain(`ExecStart=${process.execPath} ${BIN} serve`);
      expect(Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1])).toBeGreaterThan(30);
      // The tmux server is started in its own scope, never in the service's cgroup.
      expect(unit).toMatch(/^ExecStartPre=-\S*systemd-run --user --scope .* new-session -d -s webhook-tui /m);
      const dir = join(fx.dir, 'verify');
      mkdirSync(dir);
      writeFileSync(join(dir, 'webhook-tui.service'), unit);
      const v = spawnSync('systemd-analyze', ['verify', '--user', join(dir, 'webhook-tui.service')], {
        encoding: 'utf8',
        env: { ...process.env, XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR },
      });
      expect(v.stderr).toBe('');
      expect(v.status).toBe(0);
      // A broken unit is reported: the check above can fail.
      writeFileSync(join(dir, 'webhook-tui.service'), unit.replace('Type=exec', 'Type=exek'));
      const bad = spawnSync('systemd-analyze', ['verify', '--user', join(dir, 'webhook-tui.service')], {
        encoding: 'utf8',
        env: { ...process.env, XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR },
      });
      expect(bad.stderr).toContain('exek');
    },
  );

  it('without systemd, install says so and exits 2; --print still works', () => {
    const r = runCli(['service', 'install'], { ...env, WEBHOOK_TUI_SYSTEMD_PROBE: join(fx.dir, 'absent') });
    expect(r.code).toBe(2);
    expect(r.err).toContain('systemd is not running here');
    expect(existsSync(unitFile())).toBe(false);
    expect(
      runCli(['service', 'install', '--print'], { ...env, WEBHOOK_TUI_SYSTEMD_PROBE: join(fx.dir, 'absent') }).code,
    ).toBe(0);
    expect(calls()).toEqual([]);
  });

  it(
    'install, status, stop, start, restart, logs and uninstall go through systemctl --user',
    { timeout: 90_000 },
    async () => {
      const { pane, file } = await fx.recorder('rec');
      const configFile = join(fx.dir, 'config.json');
      writeFileSync(
        configFile,
        JSON.stringify({ tmux: { socketName: fx.tmux.socket }, targets: { default: { pane } }, http: { port: 0 } }),
      );
      const cfg = ['--config', configFile];
      const install = runCli(['service', 'install', ...cfg], env);
      expect(install.err).toBe('');
      expect(install.code).toBe(0);
      expect(install.out).toContain('enabled and running');
      expect(readFileSync(unitFile(), 'utf8')).toContain(`serve --config ${configFile}`);
      expect(calls()).toEqual([
        ['systemctl', '--user', 'daemon-reload'],
        ['systemctl', '--user', 'enable', '--now', 'webhook-tui.service'],
      ]);

      // The engine the unit runs delivers.
      expect(runCli(['send', ...cfg, '--', 'echo via the unit'], env).code).toBe(0);
      await waitFor(() => recorded(file).includes('echo via the unit'), 30_000, 'delivery through the unit');

      const status = JSON.parse(runCli(['service', 'status', '--json', ...cfg], env).out) as Record<string, unknown>;
      expect(status).toMatchObject({
        installed: true,
        systemd: true,
        enabled: 'enabled',
        active: 'active',
        current: true,
      });
      // Another config makes the installed unit stale: status says so.
      expect(
        JSON.parse(runCli(['service', 'status', '--json', ...cfg, '--queue.capacity', '7'], env).out),
      ).toMatchObject({ current: false });

      const stop = runCli(['stop', ...cfg], env);
      expect(stop.code).toBe(0);
      expect(calls().at(-1)).toEqual(['systemctl', '--user', 'stop', 'webhook-tui.service']);
      expect(runCli(['status', ...cfg], env).out).toContain('database (no engine running)');
      expect(runCli(['start', ...cfg], env).out).toContain('through webhook-tui.service');
      expect(runCli(['restart', ...cfg], env).code).toBe(0);
      expect(calls().map((c) => c[2])).toEqual(expect.arrayContaining(['stop', 'start', 'restart']));

      const logs = runCli(['service', 'logs', '-n', '20'], env);
      expect(logs.code).toBe(0);
      expect(logs.out).toContain('journal of the stand-in');
      expect(calls().at(-1)).toEqual(['journalctl', '--user', '-u', 'webhook-tui.service', '-n', '20', '--no-pager']);

      const un = runCli(['service', 'uninstall', ...cfg], env);
      expect(un.code).toBe(0);
      expect(existsSync(unitFile())).toBe(false);
      expect(calls().slice(-2)).toEqual([
        ['systemctl', '--user', 'disable', '--now', 'webhook-tui.service'],
        ['systemctl', '--user', 'daemon-reload'],
      ]);
      expect(runCli(['service', 'status', ...cfg], env).out).toContain('not installed');
    },
  );

  it('a unit that cannot start is reported with exit 1 (the engine never answers)', { timeout: 60_000 }, () => {
    // The data dir is a file: serve fails at once.
    const bad = join(fx.dir, 'not-a-dir');
    writeFileSync(bad, '');
    chmodSync(bad, 0o600);
    const r = runCli(['service', 'install', '--dataDir', bad], env);
    expect(r.code).toBe(1);
    expect(r.err).toContain('does not answer after 10 s');
    expect(r.err).toContain('service logs');
  });
});
