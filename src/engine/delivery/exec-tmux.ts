import { execFile } from 'node:child_process';
import { WhtError } from '../errors.js';
import { serverArgs, type Tmux, type TmuxResult, type TmuxServer } from '../ports/tmux.js';

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * One tmux process per call (`execFile`, argv only). Slow (3-5 ms and an event-loop block per fork) but has no
 * state to go wrong: it is the fallback for the control-mode client. Argv is limited to about 16 KB in total
 * (tmux's MAX_IMSGSIZE); callers chunk long text.
 */
export class ExecTmux implements Tmux {
  readonly server: TmuxServer;
  readonly binary: string;

  constructor(server: TmuxServer = {}, binary = 'tmux') {
    this.server = server;
    this.binary = binary;
  }

  run(
    args: readonly string[],
    options: { input?: string | undefined; timeoutMs?: number | undefined } = {},
  ): Promise<TmuxResult> {
    const argv = [...serverArgs(this.server), ...args];
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.binary,
        argv,
        { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (err) {
            const text = (stderr || err.message).trim();
            reject(
              new WhtError(
                'WHT_ERR_TMUX_FAILED',
                `tmux ${args[0] ?? ''}: ${text}`,
                { args: args.slice(0, 1) },
                { cause: err },
              ),
            );
            return;
          }
          resolve({ stdout: stdout.replace(/\n$/, '') });
        },
      );
      if (options.input !== undefined) child.stdin?.end(options.input);
      else child.stdin?.end();
    });
  }

  async close(): Promise<void> {
    // Nothing held open.
  }
}
