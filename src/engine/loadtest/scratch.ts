/**
 * The scratch engine of `webhook-tui loadtest` without --url/--spool: a temp data dir, a private tmux server
 * (`-L webhook-tui-loadtest-PID`) whose one pane runs the sink, and `webhook-tui serve` as a child process on
 * 127.0.0.1 port 0 (its own process, so the generator's CPU and the engine's are measured apart). close() stops the
 * engine, kills that tmux server (by its socket name) and removes the temp dir.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WhtError } from '../errors.js';
import { SINK_READY } from './sink.js';

export interface ScratchEngine {
  url: string;
  token: string;
  pane: string;
  socket: string;
  sinkLog: string;
  dataDir: string;
  /** The temp dir holding everything (removed by close). */
  dir: string;
  close(): Promise<void>;
}

export interface ScratchOptions {
  /** argv that runs this webhook-tui (e.g. [process.execPath, BIN]). */
  cli: string[];
  /** Extra config for the scratch engine (merged over the loadtest defaults). */
  config?: Record<string, unknown> | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  ms: number,
  probe: () => T | undefined,
  failed: () => string | undefined,
): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = probe();
    if (v !== undefined) return v;
    const why = failed();
    if (why) throw new WhtError('WHT_ERR_ENGINE_UNREACHABLE', `scratch engine: ${what}: ${why}`);
    await sleep(50);
  }
  throw new WhtError('WHT_ERR_ENGINE_UNREACHABLE', `scratch engine: ${what} within ${ms / 1000} s`);
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startScratchEngine(opts: ScratchOptions): Promise<ScratchEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-tui-loadtest-'));
  const socket = `webhook-tui-loadtest-${process.pid}`;
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' }).trim();
  const sinkLog = join(dir, 'sink.jsonl');
  let child: ChildProcess | undefined;
  const cleanup = async (): Promise<void> => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 10_000))) {
        child.kill('SIGKILL');
        await waitExit(child, 2000);
      }
    }
    try {
      execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore', timeout: 5000 });
    } catch {
      /* not running */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pane = tmux(
      'new-session',
      '-d',
      '-s',
      'loadtest',
      '-x',
      '200',
      '-y',
      '50',
      '-P',
      '-F',
      '#{pane_id}',
      ...opts.cli,
      'sink',
      '--log',
      sinkLog,
    );
    await until(
      'the sink did not start',
      15_000,
      () => (tmux('capture-pane', '-p', '-t', pane).includes(SINK_READY) ? true : undefined),
      () => undefined,
    );
    const dataDir = join(dir, 'data');
    const config = {
      dataDir,
      spool: { dir: join(dir, 'spool') },
      tmux: { socketName: socket },
      targets: { default: { pane } },
      http: { host: '127.0.0.1', port: 0, rateLimit: { enabled: false } },
      queue: { rateLimit: { perSecond: 0 }, capacity: 1_000_000 },
      monitor: { sampleMs: 1000, notify: { tmuxDisplay: false } },
      ...opts.config,
    };
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const errPath = join(dir, 'engine.err');
    const errFd = openSync(errPath, 'w');
    child = spawn(opts.cli[0]!, [...opts.cli.slice(1), 'serve', '--config', configPath], {
      stdio: ['ignore', errFd, errFd],
      cwd: dir,
      env: { ...process.env, TMUX: '', TMUX_PANE: '' },
    });
    closeSync(errFd);
    const c = child;
    const urlFile = join(dataDir, 'http.url');
    const url = await until(
      'did not start',
      20_000,
      () => (existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim() || undefined : undefined),
      () => (c.exitCode !== null ? `exited ${c.exitCode}: ${readFileSync(errPath, 'utf8').slice(-2000)}` : undefined),
    );
    const token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
    let closing: Promise<void> | undefined;
    return { url, token, pane, socket, sinkLog, dataDir, dir, close: () => (closing ??= cleanup()) };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
