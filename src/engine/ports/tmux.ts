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

/** One call's outcome in a pipeline: its output, or the error its `run` would have rejected with. */
export type TmuxSettled = { ok: true; stdout: string } | { ok: false; error: unknown };

export interface TmuxRunOptions {
  input?: string | undefined;
  timeoutMs?: number | undefined;
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
  /**
   * Optional: run several calls in order without waiting for one answer before sending the next (the control-mode
   * client writes them to tmux together). tmux runs them in the order given; each settles on its own (a failing call
   * does not stop the ones after it). Callers use `runPipeline`, which runs them one after another without it.
   */
  pipeline?(calls: ReadonlyArray<readonly string[]>, options?: TmuxRunOptions): Promise<TmuxSettled[]>;
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

/** A call's promise as a TmuxSettled (never rejects). */
export function settle(p: Promise<TmuxResult>): Promise<TmuxSettled> {
  return p.then(
    (r) => ({ ok: true, stdout: r.stdout }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/**
 * `calls` in order, each settled on its own: through `tmux.pipeline` when the port has it (one write to tmux, no wait
 * in between), else one call after another (each after the previous answered: the same order).
 */
export async function runPipeline(
  tmux: Tmux,
  calls: ReadonlyArray<readonly string[]>,
  options: TmuxRunOptions = {},
): Promise<TmuxSettled[]> {
  if (tmux.pipeline) return tmux.pipeline(calls, options);
  const out: TmuxSettled[] = [];
  for (const call of calls) out.push(await settle(tmux.run(call, options)));
  return out;
}
