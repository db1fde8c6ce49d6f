/**
 * Issue 10 item 3: a start that is refused changes nothing. Every check that can refuse a start (hook secrets, the
 * HTTP bind address and port, a non-loopback bind with an unauthenticated hook, the spool, the lock) runs before the
 * engine touches tmux, the spool or the queue: the built CLI exits 2, says why on stderr and in the log file, and
 * leaves no tmux session, no database and the waiting trigger file where it was.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSpoolFile } from '../../src/engine/intake/spool-writer.js';
import { BIN } from '../helpers/cli.js';
import { useFixture } from '../helpers/fixture.js';

function serve(configFile: string): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TMUX_PANE: '', TMUX: '' },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, err });
    });
  });
}

describe('a refused start (exit 2) changes nothing', () => {
  let blocker: Server | undefined;

  const fx = useFixture({ tmpPrefix: 'wht-refused-' });
  afterEach(async () => {
    if (blocker) await new Promise((r) => blocker!.close(r));
    blocker = undefined;
  });

  /** Config with a trigger already waiting in the spool; `default` is unconfigured, so a start would create its session. */
  function setup(extra: Record<string, unknown>): { configFile: string; dataDir: string; spool: string } {
    const dataDir = join(fx.dir, 'data');
    const spool = join(fx.dir, 'spool');
    mkdirSync(join(spool, 'tmp'), { recursive: true, mode: 0o700 });
    mkdirSync(join(spool, 'new'), { recursive: true, mode: 0o700 });
    writeSpoolFile(spool, 'echo typed-before-refusal');
    const configFile = join(fx.dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({ dataDir, spool: { dir: spool }, tmux: { socketName: fx.tmux.socket }, ...extra }),
    );
    return { configFile, dataDir, spool };
  }

  function tmuxSessions(): string {
    try {
      return execFileSync('tmux', ['-L', fx.tmux.socket, 'list-sessions', '-F', '#{session_name}'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      return ''; // no server on this socket: nothing was started
    }
  }

  async function expectRefused(extra: Record<string, unknown>, reason: RegExp): Promise<void> {
    const { configFile, dataDir, spool } = setup(extra);
    const r = await serve(configFile);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(reason);
    expect(tmuxSessions()).toBe('');
    expect(readdirSync(join(spool, 'new'))).toHaveLength(1);
    expect(existsSync(join(dataDir, 'webhook-tui.db'))).toBe(false);
    const log = readFileSync(join(dataDir, 'logs', 'engine.log'), 'utf8');
    expect(log).toMatch(/engine refused to start/);
    expect(log).toMatch(reason);
  }

  async function busyPort(): Promise<number> {
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
    return (blocker.address() as { port: number }).port;
  }

  it('when the HTTP port is taken', async () => {
    const port = await busyPort();
    await expectRefused({ http: { host: '127.0.0.1', port } }, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
  });

  it('when a non-loopback bind would serve a hook without auth', async () => {
    await expectRefused(
      { http: { host: '0.0.0.0', port: 0 }, hooks: { open: {} } },
      /refusing to listen on 0\.0\.0\.0.*open/,
    );
  });

  it("when a hook's secret file cannot be read", async () => {
    await expectRefused(
      { http: { port: 0 }, hooks: { gh: { auth: { type: 'github', secretFile: join(fx.dir, 'missing-secret') } } } },
      /hooks\.gh/,
    );
  });

  it('when the spool dir is writable by other users', async () => {
    const { spool } = setup({});
    chmodSync(spool, 0o777);
    const configFile = join(fx.dir, 'config.json');
    const r = await serve(configFile);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/writable by other users/);
    expect(tmuxSessions()).toBe('');
    expect(existsSync(join(fx.dir, 'data', 'webhook-tui.db'))).toBe(false);
  });
});
