import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../engine/config/schema.js';
import { connectRpc, remoteApi, type RpcClient } from '../engine/rpc/client.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { dataPaths } from '../engine/data-dir.js';
import { lockHolder } from '../engine/lock.js';
import { resolveConfig } from '../engine/config/resolve.js';
import { runDashboard, type DashboardSource } from '../tui/dashboard.js';
import { DASHBOARD_EVENTS } from '../tui/dashboard-data.js';
import { demoSchedule, playSchedule, DEMO_FAILING_TARGET } from '../tui/demo.js';
import { splitAndRun, splitSummary } from '../tui/split.js';
import type { SplitChild } from '../tui/split-handshake.js';
import type { Out } from './output.js';
import { WhtError } from '../engine/errors.js';
import { startEngineThread } from './engine-thread.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));

/** The dashboard draws on a terminal; without one (a pipe, systemd, CI) say what to run instead. */
function assertTerminal(): void {
  if (process.stdin.isTTY && process.stdout.isTTY) return;
  throw new WhtError(
    'WHT_ERR_USAGE',
    'the dashboard needs a terminal (stdin and stdout are not a TTY); for a headless engine run `webhook-tui serve`',
  );
}

function dashboardOptions(config: Config, source: DashboardSource) {
  return {
    source,
    exportDir: config.tui.exportDir ?? join(config.dataDir, 'exports'),
    refreshMs: config.tui.refreshMs,
    maxFps: config.tui.maxFps,
    targetsMs: config.tui.targetsMs,
    mouse: config.tui.mouse,
  };
}

/** Resolves once the dashboard runs (its screen is up); rejects when it failed at once. */
async function running(run: Promise<number>): Promise<void> {
  let failed = false;
  let error: unknown;
  run.catch((err: unknown) => {
    failed = true;
    error = err;
  });
  await new Promise((r) => setImmediate(r));
  if (failed) throw error;
}

/** The dashboard's source for an engine in this process. */
function engineSource(engine: Engine, close: () => Promise<void>): DashboardSource {
  return {
    api: engine,
    events: engine,
    mode: 'embedded',
    targets: () => engine.targetStatus(),
    history: (range) => engine.history(range),
    close,
  };
}

/** The dashboard's source for an engine behind its control socket (a `serve`, or the engine thread). */
function rpcSource(client: RpcClient, mode: DashboardSource['mode'], close: () => Promise<void>): DashboardSource {
  return {
    api: remoteApi(client),
    events: client.events,
    mode,
    targets: () => client.call('targetStatus'),
    history: (range) => client.call('history', { range }),
    close,
  };
}

/**
 * The dashboard. When a `serve` engine owns the data dir it attaches through the control socket; otherwise it runs
 * the engine embedded (nothing is printed: logs go to the log file and the log pane). `split`: started by `--split`,
 * tell the caller once the dashboard runs and where commands go.
 */
export async function runDashboardCommand(config: Config, split?: SplitChild | null): Promise<number> {
  assertTerminal();
  const paths = dataPaths(config.dataDir);
  const servePid = lockHolder(paths.lock);
  if (servePid !== null) {
    const client = await connectRpc(paths.socket);
    await client.subscribe(DASHBOARD_EVENTS);
    const run = runDashboard(
      dashboardOptions(
        config,
        rpcSource(client, 'attached', async () => client.close()),
      ),
    );
    await running(run);
    const target = (await client.call<string | null>('describeDefaultTarget').catch(() => null)) ?? 'unknown';
    split?.ready({ mode: 'attached', target, servePid });
    return run;
  }
  if (config.tui.engineThread) return runOnEngineThread(config, split);
  const engine = await createEngine(config);
  try {
    await engine.start();
  } catch (err) {
    await engine.close();
    throw err;
  }
  const run = runDashboard(
    dashboardOptions(
      config,
      engineSource(engine, () => engine.close()),
    ),
  );
  await running(run);
  split?.ready({ mode: 'embedded', target: await engine.describeDefaultTarget() });
  return run;
}

/**
 * Embedded, with the engine on its own thread (tui.engineThread: true): the dashboard draws on this one and talks to
 * the engine through its control socket, as when attached; quitting closes the engine (in-flight deliveries finish).
 */
async function runOnEngineThread(config: Config, split?: SplitChild | null): Promise<number> {
  const thread = await startEngineThread(config);
  let client: RpcClient;
  try {
    client = await connectRpc(dataPaths(config.dataDir).socket);
    await client.subscribe(DASHBOARD_EVENTS);
  } catch (err) {
    await thread.close();
    throw err;
  }
  const died = new AbortController();
  thread.onExit((reason) => died.abort(new Error(reason)));
  const run = runDashboard({
    ...dashboardOptions(
      config,
      rpcSource(client, 'embedded', async () => {
        client.close();
        await thread.close();
      }),
    ),
    stop: died.signal,
  });
  await running(run);
  split?.ready({ mode: 'embedded', target: thread.target });
  return run;
}

/** The hooks' secretEnv variables: the engine in the new pane needs them to start. */
function secretEnvNames(config: Config): string[] {
  const names: string[] = [];
  for (const hook of Object.values(config.hooks)) if (hook.auth?.secretEnv) names.push(hook.auth.secretEnv);
  return names;
}

/**
 * `--split`: from inside tmux, run the dashboard in a new pane of this window; the current pane is the target (or,
 * when a `serve` runs, the dashboard attaches and serve's target stays). Exit 1 with the reason when it fails to start.
 */
export async function runSplit(config: Config, argv: readonly string[], out: Out): Promise<number> {
  const rest = argv.filter((a) => a !== '--split');
  const result = await splitAndRun({
    env: process.env,
    command: [process.execPath, BIN, ...rest],
    direction: config.tui.split.direction,
    size: config.tui.split.size,
    cwd: process.cwd(),
    extraEnv: secretEnvNames(config),
  });
  out.out(splitSummary(result));
  return 0;
}

/**
 * `--demo`: a scratch engine (temp data dir, private tmux server `-L webhook-tui-demo`) with a shell as target, a
 * target that does not exist (retries, dead letters) and a trickle of sample triggers. Removed on quit.
 */
export async function runDemo(base: Config): Promise<number> {
  assertTerminal();
  const socket = `webhook-tui-demo-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'webhook-tui-demo-'));
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).trim();
  const pane = tmux('new-session', '-d', '-s', 'demo', '-x', '160', '-y', '40', '-P', '-F', '#{pane_id}');
  const config = resolveConfig(
    {
      dataDir: join(dir, 'data'),
      spool: { dir: join(dir, 'spool') },
      tmux: { socketName: socket },
      http: { enabled: false },
      queue: { retry: { attempts: 3, baseMs: 1500, maxMs: 6000 } },
      targets: { default: { pane }, [DEMO_FAILING_TARGET]: { pane: '%999999' } },
      tui: { ...base.tui, exportDir: join(dir, 'exports') },
    },
    {},
  );
  const engine = await createEngine(config);
  let stop: () => void = () => {};
  try {
    await engine.start();
    stop = playSchedule(
      demoSchedule({ meanGapMs: base.tui.demo.meanGapMs, failEvery: base.tui.demo.failEvery }),
      (t) => engine.enqueue(t),
      { loop: true },
    );
    return await runDashboard(
      dashboardOptions(
        config,
        engineSource(engine, async () => {
          stop();
          await engine.close();
        }),
      ),
    );
  } finally {
    stop();
    await engine.close();
    try {
      execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      /* gone */
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
