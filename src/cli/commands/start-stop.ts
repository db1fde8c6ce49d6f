import { existsSync } from 'node:fs';
import type { Config } from '../../engine/config/schema.js';
import { WhtError } from '../../engine/errors.js';
import { runPreflight as startChecks } from '../../engine/preflight/index.js';
import { lastLines, probeEngine, startDetached, stopEngine, waitForEngine } from '../../engine/service/process.js';
import { systemctl, systemdRunning, unitPath } from '../../engine/service/systemd.js';
import { UNIT_NAME } from '../../engine/service/unit.js';
import { loadConfigSources } from '../config-sources.js';
import { configArgs, selfCli } from '../self.js';
import { defineCommand, type CliContext as Ctx } from './command.js';

const START_TIMEOUT_MS = 10_000;

/** The checks that refuse a start (the same `doctor` lists), before anything is spawned. */
async function refuseOnFailedChecks(config: Config): Promise<void> {
  const failed = (await startChecks(config)).filter((r) => r.status === 'fail');
  const first = failed[0];
  if (!first) return;
  const lines = failed.map((r) => `${r.id}: ${r.message}; ${r.fix}`);
  throw new WhtError(first.code ?? 'WHT_ERR_CONFIG_INVALID', `not started:\n  ${lines.join('\n  ')}`, {
    failed: failed.map((r) => r.id),
  });
}

/** The user unit is installed and systemd runs: start/stop/restart go through it. */
function viaUnit(): boolean {
  return systemdRunning(process.env) && existsSync(unitPath(process.env));
}

function systemctlOrThrow(action: string): void {
  const r = systemctl(action, UNIT_NAME);
  if (r.error || r.code !== 0) {
    throw new Error(
      `systemctl --user ${action} ${UNIT_NAME} failed (${r.error ?? `exit ${r.code}`}): ${r.stderr.trim()}; see \`webhook-tui service logs\``,
    );
  }
}

async function start(ctx: Ctx): Promise<void> {
  const src = loadConfigSources(ctx.global);
  const dataDir = src.config.dataDir;
  const running = await probeEngine(dataDir);
  if (running) return ctx.out.out(`the engine already runs (PID ${running.pid}, version ${running.version})`);
  if (viaUnit()) {
    systemctlOrThrow('start');
    const info = await waitForEngine(dataDir, START_TIMEOUT_MS);
    if (!info)
      throw new Error(
        `${UNIT_NAME} started but the engine does not answer after 10 s: see \`webhook-tui service logs\``,
      );
    return ctx.out.out(`engine started through ${UNIT_NAME} (PID ${info.pid})`);
  }
  await refuseOnFailedChecks(src.config);
  const child = startDetached(process.execPath, selfCli(), ['--quiet', ...configArgs(src)], dataDir);
  // Answering on the control socket comes before HTTP is up: wait for serve's "started" line too.
  const startedLine = `webhook-tui engine ${child.pid}:`;
  const info = await waitForEngine(
    dataDir,
    START_TIMEOUT_MS,
    () => child.exited() !== null,
    () => lastLines(child.output, 50).includes(startedLine),
  );
  if (!info) {
    const exit = child.exited();
    const why = exit
      ? `serve exited (${exit.signal ?? `code ${exit.code}`})`
      : 'the engine does not answer on its control socket after 10 s';
    const tail = lastLines(child.output, 5);
    throw new Error(`the engine did not start: ${why}${tail ? `:\n${tail}` : ''}\n(output: ${child.output})`);
  }
  ctx.out.out(`engine started (PID ${info.pid}); log ${dataDir}/logs/engine.log; stop it with \`webhook-tui stop\``);
}

async function stop(ctx: Ctx, timeoutSec: number): Promise<void> {
  const src = loadConfigSources(ctx.global);
  if (viaUnit()) {
    systemctlOrThrow('stop');
    ctx.out.out(`${UNIT_NAME} stopped`);
  }
  // Also an engine started without the unit (or one the unit did not own).
  const r = await stopEngine(src.config.dataDir, timeoutSec * 1000);
  if (r.state === 'not-running') return viaUnit() ? undefined : ctx.out.out('the engine is not running');
  if (r.state === 'stopped')
    return ctx.out.out(`engine stopped (PID ${r.pid}): deliveries in flight finished, lock released`);
  throw new Error(
    `the engine (PID ${r.pid}) still runs after ${timeoutSec} s; \`webhook-tui status\` shows what it delivers. ` +
      `kill -9 ${r.pid} is safe: accepted triggers are durable and a cut-off delivery is checked at the next start`,
  );
}

const timeoutOption = {
  type: 'number',
  default: 30,
  describe: 'seconds to wait for deliveries in flight to finish',
} as const;

function positiveTimeout(t: number): number {
  if (!Number.isFinite(t) || t <= 0)
    throw new WhtError('WHT_ERR_CONFIG_INVALID', `--timeout must be a positive number of seconds (got ${t})`);
  return t;
}

export const startCommand = defineCommand({
  command: 'start',
  describe: 'start the engine in the background (through the user unit when installed); returns once it answers',
  builder: (y) => y,
  handler: async (_args, ctx) => start(ctx),
});

export const stopCommand = defineCommand({
  command: 'stop',
  describe: 'stop the engine: deliveries in flight finish first (through the user unit when installed)',
  builder: (y) => y.option('timeout', timeoutOption),
  handler: async (args, ctx) => stop(ctx, positiveTimeout(args.timeout)),
});

export const restartCommand = defineCommand({
  command: 'restart',
  describe: 'stop, then start the engine',
  builder: (y) => y.option('timeout', timeoutOption),
  handler: async (args, ctx) => {
    if (viaUnit()) {
      systemctlOrThrow('restart');
      const info = await waitForEngine(loadConfigSources(ctx.global).config.dataDir, START_TIMEOUT_MS);
      if (!info)
        throw new Error(
          `${UNIT_NAME} restarted but the engine does not answer after 10 s: see \`webhook-tui service logs\``,
        );
      return ctx.out.out(`engine restarted through ${UNIT_NAME} (PID ${info.pid})`);
    }
    await stop(ctx, positiveTimeout(args.timeout));
    await start(ctx);
  },
});
