/**
 * The Tmux port: every tmux interaction goes through `run(args)`, an argv vector (never a shell string).
 * Implementations: `ExecTmux` (one tmux process per call, src/engine/delivery/exec-tmux.ts) and the
 * persistent control-mode client (src/engine/delivery/control-mode.ts) that falls back to ExecTmux.
 */
export interface TmuxServer {
  /** `tmux -L NAME` */
  socketName?: string | undefined;
  /** `tmux -S PATH` (wins over socketName) */
  socketPath?: string | undefined;
}

export interface TmuxResult {
  /** Output lines of the command (without trailing newline). */
  stdout: string;
}

export interface Tmux {
  /**
   * Run one tmux command given as argv (e.g. ['send-keys', '-t', '%1', '-l', '--', text]).
   * Rejects with WhtError WHT_ERR_TMUX_FAILED (message = tmux's error text) when tmux reports an error.
   * The caller is responsible for argument safety (see delivery/tmux-args.ts).
   */
  run(
    args: readonly string[],
    options?: { input?: string | undefined; timeoutMs?: number | undefined },
  ): Promise<TmuxResult>;
  /** Optional: connect before first use (the control-mode client attaches here). The engine calls it at start. */
  start?(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** Global flags that select the server: ['-L', name] or ['-S', path] or []. */
export function serverArgs(server: TmuxServer): string[] {
  if (server.socketPath) return ['-S', server.socketPath];
  if (server.socketName) return ['-L', server.socketName];
  return [];
}
