/**
 * Issue 10 item 10: `webhook-tui --split` from a tmux pane. A real tmux server on its own socket, the built CLI run as
 * if from a pane of it ($TMUX, $TMUX_PANE), a config found through WEBHOOK_TUI_CONFIG with a hook whose secret comes
 * from an environment variable that only the caller has (the tmux server never saw it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWhtError } from '../../src/engine/errors.js';
import { dataPaths } from '../../src/engine/data-dir.js';
import { splitAndRun } from '../../src/tui/split.js';
import { BIN, runCli, runCliAsync } from '../helpers/cli.js';
import { useFixture } from '../helpers/fixture.js';
import { recorded, waitFor } from '../helpers/tmux.js';

const SECRET = 'split-pane-secret-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('webhook-tui --split', { timeout: 90_000 }, () => {
  const fx = useFixture({ tmpPrefix: 'wht-split-', tmuxPrefix: 'wht-split', tmuxConfig: '/dev/null' });

  /** serve, stopped with SIGTERM after the test (then SIGKILL by the fixture if it hangs). */
  function startServe(env: NodeJS.ProcessEnv): ChildProcess {
    const child = fx.track(spawn(process.execPath, [BIN, 'serve'], { stdio: 'ignore', env }));
    fx.defer(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
    });
    return child;
  }

  /** The caller's environment: config path, state and runtime dirs and the secret exist only here, not in tmux. */
  async function setup(secretEnv: string, targets: Record<string, unknown> = {}) {
    const { pane, file } = await fx.recorder('work');
    const port = await freePort();
    const configFile = join(fx.dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        http: { port },
        targets,
        hooks: { ci: { auth: { type: 'token', secretEnv } } },
      }),
    );
    const runtime = join(fx.dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    const socketPath = fx.tmux.run('display-message', '-p', '#{socket_path}');
    const serverPid = fx.tmux.run('display-message', '-p', '#{pid}');
    const env = {
      WEBHOOK_TUI_CONFIG: configFile,
      XDG_STATE_HOME: join(fx.dir, 'state'),
      XDG_RUNTIME_DIR: runtime,
      XDG_CONFIG_HOME: join(fx.dir, 'config-home'),
      WHT_SPLIT_SECRET: SECRET,
    };
    const fromPane = { ...env, TMUX: `${socketPath},${serverPid},0`, TMUX_PANE: pane };
    const dataDir = join(fx.dir, 'state', 'webhook-tui');
    return { pane, file, port, env, fromPane, dataDir };
  }

  async function hook(port: number, text: string): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${port}/hooks/ci`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'text/plain' },
      body: text,
    });
    return res.status;
  }

  it("starts the engine in the new pane with the caller's config and secrets; the pane it ran from is the target", async () => {
    const s = await setup('WHT_SPLIT_SECRET');
    const r = await runCliAsync(['--split'], s.fromPane);
    expect(r.code, r.err + r.out).toBe(0);
    const panes = fx.tmux.run('list-panes', '-t', s.pane, '-F', '#{pane_id}').split('\n');
    expect(panes).toHaveLength(2);
    const dashboard = panes.find((p) => p !== s.pane)!;
    expect(r.out).toContain(`dashboard in pane ${dashboard}`);
    expect(r.out).toContain(`commands go to pane ${s.pane}`);
    // The engine in the new pane uses the caller's data dir and spool (XDG_*), and the hook secret from the caller.
    expect(existsSync(dataPaths(s.dataDir).lock)).toBe(true);
    expect(await hook(s.port, 'echo from-the-hook')).toBe(202);
    const sent = runCli(['send', '--', 'echo from-send'], s.env);
    expect(sent.code, sent.err).toBe(0);
    await waitFor(() => recorded(s.file).length >= 2, 20_000, 'both commands typed into the pane --split ran from');
    expect(recorded(s.file).sort()).toEqual(['echo from-send', 'echo from-the-hook']);
  });

  it('exits 1 with the reason when the engine in the new pane cannot start, and leaves no pane behind', async () => {
    const s = await setup('WHT_SPLIT_SECRET_NOT_SET');
    const r = await runCliAsync(['--split'], s.fromPane);
    expect(r.code, r.err + r.out).toBe(1);
    expect(r.err).toContain('WHT_SPLIT_SECRET_NOT_SET');
    expect(r.err).toContain('hooks.ci');
    expect(r.out).not.toContain('commands go to');
    expect(fx.tmux.run('list-panes', '-t', s.pane, '-F', '#{pane_id}').split('\n')).toEqual([s.pane]);
  });

  it("attached to a running serve, says that commands go to serve's target, not this pane", async () => {
    const other = await fx.recorder('other');
    const s = await setup('WHT_SPLIT_SECRET', { default: { pane: other.pane } });
    // serve runs inside the same tmux server (as from a pane of it), without a pane of its own.
    const serveProc = startServe({ ...process.env, ...s.env, TMUX: s.fromPane.TMUX, TMUX_PANE: '' });
    const up = async () =>
      runCli(['status', '--json'], s.env).code === 0 && (await hook(s.port, 'echo warm-up')) === 202;
    await waitFor(() => up().catch(() => false), 20_000, 'serve up');
    await waitFor(() => recorded(other.file).includes('echo warm-up'), 20_000, 'serve typing');
    const r = await runCliAsync(['--split'], s.fromPane);
    expect(r.code, r.err + r.out).toBe(0);
    expect(r.out).toContain(`attached to the running serve (PID ${serveProc.pid})`);
    expect(r.out).toContain(`commands go to serve's default target: ${other.pane}`);
    expect(r.out).not.toContain(`commands go to pane ${s.pane}`);
    expect(runCli(['send', '--', 'echo after-split'], s.env).code).toBe(0);
    await waitFor(() => recorded(other.file).includes('echo after-split'), 20_000, "typed into serve's target");
    expect(recorded(s.file)).toEqual([]);
  });

  it('reports a pane command that dies before it reports, with its exit status and output', async () => {
    const pane = fx.tmux.session('work', ['sleep', '600']);
    const socketPath = fx.tmux.run('display-message', '-p', '#{socket_path}');
    const env = { TMUX: `${socketPath},1,0`, TMUX_PANE: pane };
    const err = await splitAndRun({ env, command: ['sh', '-c', 'echo cannot-start-here >&2; exit 3'] }).catch(
      (e: unknown) => e,
    );
    expect(isWhtError(err, 'WHT_ERR_SPLIT_FAILED'), String(err)).toBe(true);
    expect((err as Error).message).toContain('status 3');
    expect((err as Error).message).toContain('cannot-start-here');
    expect(fx.tmux.run('list-panes', '-t', pane, '-F', '#{pane_id}').split('\n')).toEqual([pane]);
  });
});
