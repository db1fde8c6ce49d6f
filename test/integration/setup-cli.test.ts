import { createServer, type Server } from 'node:net';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runCli, runCliAsync } from '../helpers/cli.js';
import { PtyScreen } from '../helpers/pty.js';
import { recorded, waitFor } from '../helpers/tmux.js';
import { useFixture } from '../helpers/fixture.js';
import { lockHolder } from '../../src/engine/lock.js';

describe('init, config show/schema, start and stop (built CLI)', () => {
  let env: Record<string, string>;
  const started: string[] = [];

  const fx = useFixture();
  beforeEach(() => {
    env = {
      XDG_CONFIG_HOME: join(fx.dir, 'config'),
      XDG_STATE_HOME: join(fx.dir, 'state'),
      XDG_RUNTIME_DIR: join(fx.dir, 'run'),
      WEBHOOK_TUI_CONFIG: '',
    };
    delete (env as Record<string, string | undefined>).WEBHOOK_TUI_CONFIG;
    mkdirSync(env.XDG_RUNTIME_DIR!, { mode: 0o700 });
  });
  afterEach(() => {
    for (const dataDir of started.splice(0)) {
      const pid = lockHolder(join(dataDir, 'engine.pid'));
      if (pid) process.kill(pid, 'SIGKILL');
    }
  });

  const configPath = () => join(env.XDG_CONFIG_HOME!, 'webhook-tui', 'config.json');
  const dataDir = () => join(env.XDG_STATE_HOME!, 'webhook-tui');

  it('init --yes lists the panes, writes only what differs from the defaults, and creates data dir, spool and token', async () => {
    const { pane } = await fx.recorder('work');
    const r = runCli(
      [
        'init',
        '--yes',
        '--tmux.socketName',
        fx.tmux.socket,
        '--target',
        'work:0.0',
        '--preset',
        'claude-code',
        '--http.port',
        '8787',
        '--queue.capacity',
        '500',
      ],
      env,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`${pane}\\s+work:0\\.0`));
    expect(r.out).toContain('webhook-tui start');
    const file = JSON.parse(readFileSync(configPath(), 'utf8')) as Record<string, unknown>;
    // http.port 8787 is the default: not written.
    expect(file).toEqual({
      $schema: './config.schema.json',
      targets: { default: { pane: '=work:0.0', preset: 'claude-code' } },
      tmux: { socketName: fx.tmux.socket },
      queue: { capacity: 500 },
    });
    const schema = JSON.parse(
      readFileSync(join(env.XDG_CONFIG_HOME!, 'webhook-tui', 'config.schema.json'), 'utf8'),
    ) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toContain('queue');
    expect(statSync(configPath()).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir()).mode & 0o777).toBe(0o700);
    expect(statSync(join(env.XDG_RUNTIME_DIR!, 'webhook-tui', 'spool')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir(), 'token')).mode & 0o777).toBe(0o600);
    // The file it wrote is a valid config, $schema included.
    expect(runCli(['config', 'show'], env).code).toBe(0);
  });

  it(
    'init in a terminal asks for the pane by its number in the list, the agent preset and the port',
    { timeout: 60_000 },
    async () => {
      const { pane } = await fx.recorder('work');
      expect(pane).toMatch(/^%\d+$/);
      const screen = new PtyScreen({
        args: [BIN, 'init', '--tmux.socketName', fx.tmux.socket],
        cols: 160,
        rows: 40,
        env: { ...env, TMUX: '', TMUX_PANE: '' },
      });
      try {
        await screen.waitFor('Target pane for tasks that name none', 20_000);
        expect(screen.text()).toMatch(new RegExp(`1\\) ${pane}\\s+work:0\\.0`));
        screen.write('1\r');
        await screen.waitFor('Does an agent CLI run there?');
        screen.write('codex\r');
        await screen.waitFor('HTTP port on 127.0.0.1');
        screen.write('9010\r');
        expect((await screen.exited).exitCode).toBe(0);
      } finally {
        await screen.close();
      }
      expect(JSON.parse(readFileSync(configPath(), 'utf8'))).toEqual({
        $schema: './config.schema.json',
        targets: { default: { pane: '=work:0.0', preset: 'codex' } },
        tmux: { socketName: fx.tmux.socket },
        http: { port: 9010 },
      });
    },
  );

  it('init never overwrites a config without --force, and --force keeps a .bak', () => {
    mkdirSync(join(env.XDG_CONFIG_HOME!, 'webhook-tui'), { recursive: true });
    writeFileSync(configPath(), '{"queue":{"capacity":42}}\n');
    const refused = runCli(['init', '--yes'], env);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('already exists');
    expect(readFileSync(configPath(), 'utf8')).toBe('{"queue":{"capacity":42}}\n');
    expect(runCli(['init', '--yes', '--force'], env).code).toBe(0);
    expect(readFileSync(`${configPath()}.bak`, 'utf8')).toBe('{"queue":{"capacity":42}}\n');
    expect(JSON.parse(readFileSync(configPath(), 'utf8'))).toEqual({ $schema: './config.schema.json' });
  });

  it('init refuses bad flags before touching anything, and asks for --yes without a terminal', () => {
    const bad = runCli(['init', '--yes', '--queue.capacity', '0'], env);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('queue.capacity');
    const noPane = runCli(['init', '--yes', '--preset', 'codex'], env);
    expect(noPane.code).toBe(2);
    expect(noPane.err).toContain('--preset needs --target');
    const noTty = runCli(['init'], env, '');
    expect(noTty.code).toBe(2);
    expect(noTty.err).toContain('--yes');
    expect(existsSync(configPath())).toBe(false);
    expect(existsSync(dataDir())).toBe(false);
  });

  it('config show names where each value came from and masks secrets; config schema is the JSON Schema', () => {
    mkdirSync(join(env.XDG_CONFIG_HOME!, 'webhook-tui'), { recursive: true });
    writeFileSync(
      configPath(),
      JSON.stringify({
        queue: { capacity: 42 },
        hooks: { deploy: { auth: { type: 'token', secret: 'a-very-secret-token-value' } } },
      }),
    );
    const r = runCli(['config', 'show', '--json', '--queue.workers', '5'], env);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('a-very-secret-token-value');
    const { keys } = JSON.parse(r.out) as {
      keys: Array<{ key: string; value: unknown; source: string; from?: string }>;
    };
    const row = (k: string) => keys.find((x) => x.key === k);
    expect(row('queue.capacity')).toMatchObject({ value: 42, source: 'file' });
    expect(row('queue.workers')).toMatchObject({ value: 5, source: 'flag', from: '--queue.workers' });
    expect(row('queue.retry.attempts')).toMatchObject({ value: 3, source: 'default' });
    expect(row('dataDir')).toMatchObject({ value: dataDir(), source: 'env', from: 'XDG_STATE_HOME' });
    expect(row('hooks.deploy.auth.secret')).toMatchObject({ value: '***', source: 'file' });
    expect(runCli(['config', 'show'], env).out).toMatch(/queue\.capacity\s+42\s+file/);

    const schema = JSON.parse(runCli(['config', 'schema'], env).out) as Record<string, unknown> & {
      properties: Record<string, { properties?: Record<string, { default?: unknown }> }>;
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.queue!.properties!.capacity!.default).toBe(1000);
  });

  it(
    'start runs serve detached and returns once it answers; stop waits for it to close; both say when nothing runs',
    { timeout: 60_000 },
    async () => {
      const { pane, file } = await fx.recorder('rec');
      expect(
        runCli(['init', '--yes', '--tmux.socketName', fx.tmux.socket, '--target', pane, '--http.port', '0'], env).code,
      ).toBe(0);
      started.push(dataDir());
      const start = runCli(['start'], env);
      expect(start.err).toBe('');
      expect(start.code).toBe(0);
      const pid = Number(/PID (\d+)/.exec(start.out)?.[1]);
      expect(lockHolder(join(dataDir(), 'engine.pid'))).toBe(pid);
      // It answers right away: start returned only after the control socket did.
      expect(runCli(['status'], env).out).toContain('source:     running engine');
      expect(runCli(['start'], env).out).toContain(`already runs (PID ${pid}`);
      expect(runCli(['send', '--', 'echo started in the background'], env).code).toBe(0);
      await waitFor(() => recorded(file).includes('echo started in the background'), 30_000, 'delivery');
      const stop = await runCliAsync(['stop'], env);
      expect(stop.code).toBe(0);
      expect(stop.out).toContain(`engine stopped (PID ${pid})`);
      expect(lockHolder(join(dataDir(), 'engine.pid'))).toBeNull();
      expect(() => process.kill(pid, 0)).toThrow();
      expect(runCli(['stop'], env).out).toContain('not running');
      expect(readFileSync(join(dataDir(), 'logs', 'serve.out'), 'utf8')).toContain('received SIGTERM');
    },
  );

  it(
    'start refuses what doctor fails before it spawns anything (exit 2), and exits 1 with the reason when serve fails',
    { timeout: 30_000 },
    async () => {
      const blocker: Server = createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
      const port = (blocker.address() as { port: number }).port;
      try {
        const init = runCli(['init', '--yes', '--tmux.socketName', fx.tmux.socket, '--http.port', String(port)], env);
        expect(init.code).toBe(1);
        expect(init.out).toContain(`✗ http.port: cannot listen on 127.0.0.1:${port}`);
        const refused = await runCliAsync(['start'], env);
        expect(refused.code).toBe(2);
        expect(refused.err).toContain(`not started:\n  http.port: cannot listen on 127.0.0.1:${port}`);
        expect(existsSync(join(dataDir(), 'logs', 'serve.out'))).toBe(false);
      } finally {
        blocker.close();
      }
      // A database that is not SQLite passes the start checks (doctor flags it) and makes serve exit.
      writeFileSync(
        join(dataDir(), 'webhook-tui.db'),
        'not a database, just text that is long enough to be read as a header',
      );
      const r = await runCliAsync(['start'], env);
      expect(r.code).toBe(1);
      expect(r.err).toContain('the engine did not start: serve exited (code 1)');
      expect(r.err).toContain('file is not a database');
    },
  );

  it(
    'stop --timeout exits 1 while a delivery is still in flight, and a later stop finishes it',
    { timeout: 60_000 },
    async () => {
      const { pane, file } = await fx.recorder('slow');
      writeFileSync(
        join(fx.dir, 'c.json'),
        JSON.stringify({
          dataDir: dataDir(),
          tmux: { socketName: fx.tmux.socket },
          http: { enabled: false },
          // Delivering for 10 s: long enough that a status poll on a loaded machine (one CLI process each) sees it.
          targets: { default: { pane, enterDelayMs: 10_000 } },
        }),
      );
      const cfg = ['--config', join(fx.dir, 'c.json')];
      started.push(dataDir());
      expect(runCli(['start', ...cfg], env).code).toBe(0);
      expect(runCli(['send', ...cfg, '--', 'echo slow enter'], env).code).toBe(0);
      await waitFor(
        async () =>
          (
            JSON.parse((await runCliAsync(['status', '--json', ...cfg], env)).out) as {
              stats: { depth: { delivering: number } };
            }
          ).stats.depth.delivering === 1,
        20_000,
        'delivering',
      );
      const early = await runCliAsync(['stop', '--timeout', '0.5', ...cfg], env);
      expect(early.code).toBe(1);
      expect(early.err).toContain('still runs after 0.5 s');
      const late = await runCliAsync(['stop', ...cfg], env);
      expect(late.code).toBe(0);
      expect(recorded(file)).toEqual(['echo slow enter']);
    },
  );
});
