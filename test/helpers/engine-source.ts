/**
 * Dashboard sources over the real engine: embedded (createEngine in this process) and attached (control socket).
 * Test setup: a real tmux server on its own -L socket and a real SQLite data dir.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { resolveConfig } from '../../src/engine/config/resolve.js';
import type { Config } from '../../src/engine/config/schema.js';
import { connectRpc, remoteApi } from '../../src/engine/rpc/client.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { dataPaths } from '../../src/engine/data-dir.js';
import type { DashboardSource } from '../../src/tui/dashboard.js';
import { tempDir } from './engine.js';
import { TestTmux } from './tmux.js';

export interface TmuxWorld {
  socket: string;
  pane: string;
  dataDir: string;
  /** Text currently shown in the target pane (or another pane of this server). */
  capture(target?: string): string;
  tmux(...args: string[]): string;
  kill(): void;
}

/**
 * A tmux server on its own socket with one shell pane, plus a temp data dir: the same TestTmux and tempDir as the
 * integration tests (test/helpers/tmux.ts, engine.ts), so kill() has the same tmux 3.3a hang guard everywhere.
 */
export function createTmuxWorld(tag: string): TmuxWorld {
  const server = new TestTmux(`wht-tui-${tag}`, '/dev/null');
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', server.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const pane = server.session('work', ['sh'], { x: 120, y: 40 });
  const dir = tempDir('wht-tui-');
  return {
    socket: server.socket,
    pane,
    dataDir: dir.dir,
    capture: (target = pane) => tmux('capture-pane', '-p', '-t', target),
    tmux,
    kill: () => {
      server.kill();
      dir.cleanup();
    },
  };
}

/**
 * Engine config for tests: fast retries, a `ghost` target whose pane never exists (its tasks go dead) and a `later`
 * target whose session (`later`) a test may create after the fact.
 */
export function testConfig(
  world: { socket: string; pane: string; dataDir: string },
  queue: Record<string, unknown> = {},
): Config {
  return resolveConfig(
    {
      dataDir: world.dataDir,
      spool: { dir: path.join(world.dataDir, 'spool'), rescanMs: 500 },
      tmux: { socketName: world.socket },
      targets: { default: { pane: world.pane }, ghost: { pane: '%9999' }, later: { pane: '=later:0.0' } },
      queue: { retry: { attempts: 2, baseMs: 100, maxMs: 200, jitter: 0 }, rateLimit: { perSecond: 0 }, ...queue },
      // No HTTP: the default port 8787 would collide between tests running in parallel.
      http: { enabled: false },
    },
    { ...process.env, XDG_RUNTIME_DIR: undefined },
  );
}

export async function embeddedSource(config: Config): Promise<DashboardSource & { engine: Engine }> {
  const engine = await createEngine(config, {});
  await engine.start();
  return {
    api: engine,
    events: engine,
    mode: 'embedded',
    engine,
    targets: () => engine.targetStatus(),
    history: (range) => engine.history(range),
    close: () => engine.close(),
  };
}

export async function attachedSource(config: Config): Promise<DashboardSource> {
  const client = await connectRpc(dataPaths(config.dataDir).socket);
  await client.subscribe();
  return {
    api: remoteApi(client),
    events: client.events,
    mode: 'attached',
    close: async () => client.close(),
  };
}
