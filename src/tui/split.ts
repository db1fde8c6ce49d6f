/**
 * `webhook-tui --split`: from inside tmux, split the current window, run the dashboard in the new pane and make the
 * original pane the default target. `splitArgs` is pure (argv for `tmux split-window`); `splitAndRun` runs it.
 */
import { execFile } from 'node:child_process';
import { WhtError } from '../engine/errors.js';

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
}

/** Environment passed into the new pane (tmux gives new panes the server's environment, not ours). */
export const PASSED_ENV = [
  'XDG_CONFIG_HOME',
  'XDG_STATE_HOME',
  'XDG_RUNTIME_DIR',
  'NO_COLOR',
  'LANG',
  'LC_ALL',
  'WEBHOOK_TUI_TERM',
] as const;

/** Pure: the argv for `tmux` and the pane that becomes the target. Throws WHT_ERR_USAGE outside tmux. */
export function splitArgs(opts: SplitOptions): { args: string[]; targetPane: string } {
  const pane = opts.env.TMUX_PANE;
  if (!opts.env.TMUX || !pane) {
    throw new WhtError(
      'WHT_ERR_USAGE',
      '--split must run inside tmux ($TMUX/$TMUX_PANE are not set); start tmux first or run webhook-tui without --split',
    );
  }
  if (opts.command.length === 0) throw new WhtError('WHT_ERR_USAGE', '--split needs a command to run in the new pane');
  const args = [
    'split-window',
    opts.direction === 'vertical' ? '-v' : '-h',
    '-d',
    '-l',
    opts.size ?? '40%',
    '-t',
    pane,
    '-P',
    '-F',
    '#{pane_id}',
  ];
  if (opts.cwd) args.push('-c', opts.cwd);
  for (const name of PASSED_ENV) {
    const v = opts.env[name];
    if (v !== undefined && v !== '') args.push('-e', `${name}=${v}`);
  }
  // Several arguments after the options: tmux runs them directly, without a shell (no quoting issues).
  args.push('--', ...opts.command, `--targets.default.pane=${pane}`);
  return { args, targetPane: pane };
}

export type ExecTmux = (args: readonly string[]) => Promise<string>;

const execTmux: ExecTmux = (args) =>
  new Promise((resolve, reject) => {
    execFile('tmux', [...args], { timeout: 5000 }, (err, stdout, stderr) => {
      if (err)
        reject(
          new WhtError('WHT_ERR_TMUX_FAILED', `tmux split-window failed: ${stderr.trim() || err.message}`, undefined, {
            cause: err,
          }),
        );
      else resolve(stdout);
    });
  });

/** Split the current tmux window and start the dashboard there; resolves with the new pane id and the target pane. */
export async function splitAndRun(
  opts: SplitOptions,
  exec: ExecTmux = execTmux,
): Promise<{ dashboardPane: string; targetPane: string }> {
  const { args, targetPane } = splitArgs(opts);
  const out = await exec(args);
  return { dashboardPane: out.trim(), targetPane };
}
