/**
 * `webhook-tui --split`: from inside tmux, split the current window, run the dashboard in the new pane and make the
 * original pane the default target. `splitArgs` and `splitEnv` are pure; `splitAndRun` runs the split, passes the
 * caller's environment through the handshake (split-handshake.ts) and waits until the new pane reports that its
 * dashboard runs, or dies: then it fails with the reason (the pane's own report, else its exit status and output).
 */
import { execFile } from 'node:child_process';
import { WhtError } from '../engine/errors.js';
import { createHandshake, SPLIT_ENV_VAR, type SplitReady, type SplitStatus } from './split-handshake.js';

export interface SplitOptions {
  env: Record<string, string | undefined>;
  /** The dashboard command in the new pane, e.g. [process.execPath, '/path/bin/webhook-tui', ...flags without --split]. */
  command: readonly string[];
  /** Side by side (-h, default) or stacked (-v). */
  direction?: 'horizontal' | 'vertical' | undefined;
  /** Size of the new pane. @default "40%" */
  size?: string | undefined;
  /** Working directory of the new pane. */
  cwd?: string | undefined;
  /** Variables the config needs beyond PASSED_ENV (the hooks' `secretEnv`). */
  extraEnv?: readonly string[] | undefined;
  /** How long the new pane may take to report that its dashboard runs. @default 30000 */
  readyTimeoutMs?: number | undefined;
}

/**
 * Environment passed into the new pane (tmux gives new panes the server's environment, not ours): what config
 * loading reads (config path, HOME, XDG dirs), what tmux and the terminal need, and the hooks' secretEnv variables.
 */
export const PASSED_ENV = [
  'WEBHOOK_TUI_CONFIG',
  'HOME',
  'PATH',
  'XDG_CONFIG_HOME',
  'XDG_STATE_HOME',
  'XDG_RUNTIME_DIR',
  'TMUX_TMPDIR',
  'NO_COLOR',
  'LANG',
  'LC_ALL',
  'WEBHOOK_TUI_TERM',
] as const;

/** Pure: the variables (set and non-empty) from `env` that the new pane gets. */
export function splitEnv(
  env: Record<string, string | undefined>,
  extra: readonly string[] = [],
): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const name of [...PASSED_ENV, ...extra]) {
    const v = env[name];
    if (v !== undefined && v !== '') vars[name] = v;
  }
  return vars;
}

/** tmux ends a command at an argument that ends with `;`; `\;` there is a literal `;`. */
function tmuxArg(arg: string): string {
  return arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

/** The pane --split runs from; throws WHT_ERR_USAGE outside tmux. */
export function callerPane(env: Record<string, string | undefined>): string {
  const pane = env.TMUX_PANE;
  if (!env.TMUX || !pane) {
    throw new WhtError(
      'WHT_ERR_USAGE',
      '--split must run inside tmux ($TMUX/$TMUX_PANE are not set); start tmux first or run webhook-tui without --split',
    );
  }
  return pane;
}

/**
 * Pure: one tmux command list that splits beside `pane`, sets remain-on-exit on the new pane (it is the window's
 * active pane right then, so a pane that dies at once keeps its output and exit status) and gives the focus back to
 * `active`. Nothing runs between these commands, so even a command that exits at once cannot slip through.
 */
export function splitArgs(
  opts: SplitOptions,
  at: { window: string; active: string; handshakeDir: string },
): { args: string[]; targetPane: string } {
  const pane = callerPane(opts.env);
  if (opts.command.length === 0) throw new WhtError('WHT_ERR_USAGE', '--split needs a command to run in the new pane');
  const args = ['split-window', opts.direction === 'vertical' ? '-v' : '-h', '-l', opts.size ?? '40%', '-t', pane];
  args.push('-P', '-F', '#{pane_id}');
  if (opts.cwd) args.push('-c', opts.cwd);
  args.push('-e', `${SPLIT_ENV_VAR}=${at.handshakeDir}`);
  // Several arguments after the options: tmux runs them directly, without a shell (no quoting issues).
  args.push('--', ...[...opts.command, `--targets.default.pane=${pane}`].map(tmuxArg));
  args.push(';', 'set-option', '-p', '-t', at.window, 'remain-on-exit', 'on', ';', 'select-pane', '-t', at.active);
  return { args, targetPane: pane };
}

export type ExecTmux = (args: readonly string[]) => Promise<string>;

/** tmux as a client of the server `env.TMUX` names (the one --split runs in). */
const execTmux =
  (env: Record<string, string | undefined>): ExecTmux =>
  (args) =>
    new Promise((resolve, reject) => {
      execFile('tmux', [...args], { timeout: 5000, env }, (err, stdout, stderr) => {
        if (err)
          reject(
            new WhtError('WHT_ERR_TMUX_FAILED', `tmux ${args[0]} failed: ${stderr.trim() || err.message}`, undefined, {
              cause: err,
            }),
          );
        else resolve(stdout);
      });
    });

export interface SplitResult extends SplitReady {
  dashboardPane: string;
  targetPane: string;
}

/** Pure: what `--split` prints: the new pane, and truthfully where commands go (serve's target when attached). */
export function splitSummary(r: SplitResult): string {
  const here = (t: string) => (t === r.targetPane ? `${t} (this pane)` : `${t}, not this pane`);
  if (r.mode === 'attached')
    return `dashboard in pane ${r.dashboardPane}, attached to the running serve (PID ${r.servePid ?? '?'}); commands go to serve's default target: ${here(r.target)}`;
  return `dashboard in pane ${r.dashboardPane} (its engine runs there); commands go to pane ${here(r.target)}`;
}

/**
 * Split the current tmux window and start the dashboard there; resolves once it reports that it runs, with where
 * commands go. Rejects with WHT_ERR_SPLIT_FAILED (and removes the pane) when it fails or dies first.
 */
export async function splitAndRun(opts: SplitOptions, exec: ExecTmux = execTmux(opts.env)): Promise<SplitResult> {
  const pane = callerPane(opts.env);
  const window = (await exec(['display-message', '-p', '-t', pane, '#{window_id}'])).trim();
  const active = (await exec(['list-panes', '-t', window, '-F', '#{pane_active} #{pane_id}']))
    .split('\n')
    .find((l) => l.startsWith('1 '))
    ?.slice(2);
  const handshake = createHandshake(splitEnv(opts.env, opts.extraEnv));
  try {
    const { args, targetPane } = splitArgs(opts, { window, active: active ?? pane, handshakeDir: handshake.dir });
    const dashboardPane = (await exec(args)).trim();
    const status = await waitForStatus(exec, dashboardPane, handshake.readStatus, opts.readyTimeoutMs ?? 30_000);
    if (status === 'timeout') {
      await exec(['set-option', '-p', '-u', '-t', dashboardPane, 'remain-on-exit']).catch(() => '');
      throw new WhtError(
        'WHT_ERR_SPLIT_FAILED',
        `the dashboard in pane ${dashboardPane} did not report that it runs within ${opts.readyTimeoutMs ?? 30_000} ms; look at that pane`,
      );
    }
    if (!status.ok) {
      await exec(['kill-pane', '-t', dashboardPane]).catch(() => '');
      throw new WhtError('WHT_ERR_SPLIT_FAILED', `the dashboard in the new pane did not start: ${status.message}`);
    }
    await exec(['set-option', '-p', '-u', '-t', dashboardPane, 'remain-on-exit']).catch(() => '');
    return { ...status, dashboardPane, targetPane };
  } finally {
    handshake.cleanup();
  }
}

/** Poll until the pane reports (status.json) or dies (then its exit status and last lines are the reason). */
async function waitForStatus(
  exec: ExecTmux,
  pane: string,
  read: () => SplitStatus | null,
  timeoutMs: number,
): Promise<SplitStatus | 'timeout'> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = read();
    if (status) return status;
    const state = await exec(['display-message', '-p', '-t', pane, '#{pane_dead} #{pane_dead_status}']).catch(
      () => null,
    );
    if (state === null || state.startsWith('1')) {
      const last = read(); // it may have reported just before it exited
      if (last) return last;
      return { ok: false, message: await deathReason(exec, pane, state) };
    }
    if (Date.now() >= until) return 'timeout';
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function deathReason(exec: ExecTmux, pane: string, state: string | null): Promise<string> {
  if (state === null) return `pane ${pane} closed before it reported`;
  const code = state.trim().split(' ')[1] ?? '?';
  const text = await exec(['capture-pane', '-p', '-J', '-S', '-', '-t', pane]).catch(() => '');
  const lines = text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l && !l.startsWith('Pane is dead'));
  return `it exited at once (status ${code})${lines.length ? `: ${lines.slice(-10).join('\n')}` : ''}`;
}
