/** What the user unit runs, from this process (its Node, its CLI, its config and environment). */
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { Env } from '../config/resolve.js';
import type { Config } from '../config/schema.js';
import { serverArgs } from '../ports/tmux.js';
import { VERSION } from '../version.js';
import type { UnitSpec } from './unit.js';

/** First `name` on PATH, or undefined. */
export function which(name: string, env: Env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * The longest an engine may take to close after SIGTERM: deliveries in flight finish their current tmux calls
 * (a few, each bounded by tmux.commandTimeoutMs) and the pause before Enter; readiness waits are cut short.
 */
export function drainBoundMs(config: Config): number {
  const enterDelay = Math.max(0, ...Object.values(config.targets).map((t) => t.enterDelayMs));
  return 4 * config.tmux.commandTimeoutMs + enterDelay + 5000;
}

export function tmuxServerArgs(config: Config): string[] {
  return serverArgs({
    socketName: config.tmux.socketName ?? undefined,
    socketPath: config.tmux.socketPath ?? undefined,
  });
}

export interface SpecInput {
  config: Config;
  node: string;
  cli: string;
  /** `--config FILE` and dotted overrides to pass on to serve. */
  serveArgs: readonly string[];
  env: Env;
}

const PASSED_ENV = ['XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'TMUX_TMPDIR'] as const;

export function unitSpec({ config, node, cli, serveArgs, env }: SpecInput): UnitSpec {
  const tmux = which('tmux', env);
  const path = [
    ...new Set([dirname(node), ...(tmux ? [dirname(tmux)] : []), '/usr/local/bin', '/usr/bin', '/bin']),
  ].join(':');
  const passed: Record<string, string> = { PATH: path };
  for (const k of PASSED_ENV) if (env[k]) passed[k] = env[k];
  const needsSession = config.targets.default === undefined;
  return {
    node,
    cli,
    serveArgs,
    env: passed,
    drainMs: drainBoundMs(config),
    version: VERSION,
    tmuxSessionPre: needsSession
      ? {
          systemdRun: which('systemd-run', env) ?? '/usr/bin/systemd-run',
          tmux: tmux ?? '/usr/bin/tmux',
          tmuxArgs: tmuxServerArgs(config),
          session: config.tmux.defaultSession,
        }
      : undefined,
  };
}
