/** doctor, group "tmux": the server, every configured target pane, the default target. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Config } from '../config/schema.js';
import { ExecTmux } from '../delivery/exec-tmux.js';
import { assertWritable, inspectPane, type PaneState } from '../delivery/pane.js';
import { judgeTarget } from '../delivery/agent-wait.js';
import type { ResolvedTarget } from '../delivery/profiles.js';
import { ReadinessBook } from '../delivery/readiness.js';
import { isWhtError } from '../errors.js';
import { tmuxServerArgs } from '../service/spec.js';
import { fail, ok, warn, type CheckResult } from './check.js';

const run = promisify(execFile);

async function tmux(config: Config, args: string[]): Promise<string> {
  const { stdout } = await run('tmux', [...tmuxServerArgs(config), ...args], {
    timeout: config.tmux.commandTimeoutMs,
    encoding: 'utf8',
  });
  return stdout.replace(/\n$/, '');
}

export interface TmuxServerInfo {
  socket: string;
  pid: number;
}

/** The server answers; its socket path and pid (null when none answers). */
export async function tmuxServer(config: Config): Promise<TmuxServerInfo | null> {
  try {
    const [socket = '', pid = ''] = (await tmux(config, ['display-message', '-p', '#{socket_path}\t#{pid}'])).split(
      '\t',
    );
    return { socket, pid: Number(pid) };
  } catch {
    try {
      // display-message needs a session; list-sessions works on an empty server too.
      await tmux(config, ['list-sessions']);
      return { socket: '(no sessions)', pid: 0 };
    } catch {
      return null;
    }
  }
}

function serverName(config: Config): string {
  return config.tmux.socketPath
    ? `-S ${config.tmux.socketPath}`
    : config.tmux.socketName
      ? `-L ${config.tmux.socketName}`
      : 'the default server';
}

export function checkTmuxServer(config: Config, server: TmuxServerInfo | null, needed: boolean): CheckResult {
  if (server) return ok('tmux.server', `answers on ${server.socket}`);
  const what = `no tmux server answers (${serverName(config)})`;
  if (!needed)
    return ok(
      'tmux.server',
      `${what}: the engine starts one for session ${config.tmux.defaultSession} when it needs it`,
    );
  return fail(
    'tmux.server',
    'WHT_ERR_TMUX_FAILED',
    what,
    `start tmux (tmux new -d -s work), or set tmux.socketName / tmux.socketPath to the server your panes are on`,
  );
}

/** The tmux server runs inside webhook-tui.service's cgroup: stopping the service would kill it and every pane. */
export function checkTmuxCgroup(
  server: TmuxServerInfo | null,
  readCgroup = (pid: number) => readFileSync(`/proc/${pid}/cgroup`, 'utf8'),
): CheckResult {
  if (!server?.pid) return ok('tmux.cgroup', 'no tmux server to look at');
  try {
    if (readCgroup(server.pid).includes('/webhook-tui.service')) {
      return warn(
        'tmux.cgroup',
        `the tmux server (PID ${server.pid}) runs inside webhook-tui.service: stopping the service kills it and every pane`,
        'start tmux outside the service (tmux new -d in a login shell, or systemd-run --user --scope tmux new -d), then restart the service',
      );
    }
    return ok('tmux.cgroup', `the tmux server (PID ${server.pid}) runs outside the service`);
  } catch {
    return ok('tmux.cgroup', 'not on Linux /proc: not checked');
  }
}

/** The same judgement delivery makes before typing (delivery/pane.ts), plus agent readiness. */
export async function checkTarget(
  config: Config,
  name: string,
  target: ResolvedTarget,
  server: TmuxServerInfo | null,
): Promise<CheckResult> {
  const id = `target:${name}`;
  if (!server)
    return fail(
      id,
      'WHT_ERR_TARGET_MISSING',
      `pane ${target.pane}: no tmux server answers`,
      `start tmux with that pane, or fix targets.${name}.pane`,
    );
  const port = new ExecTmux({
    socketName: config.tmux.socketName ?? undefined,
    socketPath: config.tmux.socketPath ?? undefined,
  });
  let pane: PaneState | null;
  try {
    pane = await inspectPane(port, target.pane);
    assertWritable(target.pane, pane);
  } catch (err) {
    const busy = isWhtError(err, 'WHT_ERR_TARGET_BUSY');
    const why = err instanceof Error ? err.message : String(err);
    if (busy)
      return warn(
        id,
        why,
        `leave the mode (q in the pane) or enable input (tmux select-pane -e -t ${target.pane}); deliveries wait and retry meanwhile`,
      );
    return fail(
      id,
      isWhtError(err) ? err.code : 'WHT_ERR_TARGET_MISSING',
      why,
      `set targets.${name}.pane to a pane \`tmux list-panes -a\` shows (%id or =session:window.pane)`,
    );
  }
  const what = `pane ${pane.id} (${pane.currentCommand})`;
  if (target.profile === 'agent') {
    // The state machine delivery uses (delivery/readiness.ts), on a fresh memory.
    const { judgement: j } = await judgeTarget(port, name, target, new ReadinessBook());
    if (j.state !== 'ready')
      return warn(
        id,
        `${what} does not look ready (${j.state}): ${j.reason}`,
        `start the agent CLI there, or check targets.${name}.readyPattern / busyPattern / inputPattern (webhook-tui targets shows the same)`,
      );
    return ok(id, `${what} exists and looks ready for an agent`);
  }
  return ok(id, `${what} exists and takes input`);
}

/** Where tasks without a target go. */
export function checkDefaultTarget(config: Config, env: Record<string, string | undefined>): CheckResult {
  if (config.targets.default) return ok('target.default', `targets.default: ${config.targets.default.pane}`);
  if (env.TMUX_PANE && !config.tmux.socketName && !config.tmux.socketPath) {
    return ok(
      'target.default',
      `not configured: inside tmux, the other pane of this window (this one is ${env.TMUX_PANE})`,
    );
  }
  return ok(
    'target.default',
    `not configured: the engine types into session ${config.tmux.defaultSession} (created when missing)`,
  );
}

export async function tmuxChecks(config: Config, env: Record<string, string | undefined>): Promise<CheckResult[]> {
  const server = await tmuxServer(config);
  const targets = Object.entries(config.targets);
  const results = [
    checkTmuxServer(config, server, targets.length > 0),
    checkTmuxCgroup(server),
    checkDefaultTarget(config, env),
  ];
  for (const [name, target] of targets) results.push(await checkTarget(config, name, target, server));
  return results;
}
