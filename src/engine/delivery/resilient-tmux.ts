import { isWhtError } from '../errors.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import {
  settle,
  type Tmux,
  type TmuxResult,
  type TmuxRunOptions,
  type TmuxServer,
  type TmuxSettled,
} from '../ports/tmux.js';
import { ControlModeTmux, type ControlModeOptions } from './control-mode.js';
import { CONTROL_COMMANDS, IDEMPOTENT_COMMANDS } from './control-commands.js';
import { splitCommands } from './control-quote.js';
import { ExecTmux } from './exec-tmux.js';

/**
 * The Tmux port the engine uses: control mode when it is up, one tmux process per call otherwise.
 *
 * - Calls with `input` (stdin, e.g. `load-buffer -`) and commands outside CONTROL_COMMANDS always use ExecTmux.
 *   Commands that queue further commands (if-shell, run-shell, source-file), wait (wait-for) or move the control
 *   client (attach/switch/new-session) would break the one-reply-per-command matching, so they are not in the list.
 * - When control mode fails (client exit, %exit, reply timeout, protocol out of step) the call fails over to
 *   ExecTmux, and so do later calls, while reconnection is retried with backoff (`reconnectDelay`). This also
 *   brings control mode back after the tmux server restarts.
 * - A failure after the command line was written is ambiguous (it may have run). It fails over only for commands
 *   that are safe to repeat (IDEMPOTENT_COMMANDS); for send-keys / paste-buffer it is rethrown as a retryable
 *   WHT_ERR_TMUX_FAILED with `details.sent === true`, so the delivery layer confirms before typing again.
 * - `pipeline(calls)`: written to the control client together; when it fails, each call is judged as above on its
 *   own, and those that fail over run via exec one after another in their order (a later call never overtakes an
 *   earlier one). Calls not eligible for control mode make the whole pipeline run one call after another.
 */
export { CONTROL_COMMANDS, IDEMPOTENT_COMMANDS };

export interface ResilientTmuxOptions {
  logger?: Logger | undefined;
  /** @default 'tmux' */
  binary?: string | undefined;
  /** Use control mode at all. @default true */
  controlMode?: boolean | undefined;
  /** Session the control client attaches to when it exists (e.g. the engine's own). @default the first listed */
  preferSession?: string | undefined;
  /** Reply timeout for control-mode commands when the call gives none. @default 5000 */
  commandTimeoutMs?: number | undefined;
  /** Time allowed for the control client to attach and answer its probe. @default 3000 */
  startTimeoutMs?: number | undefined;
  /** First reconnect delay; doubles per failed attempt. @default 100 */
  reconnectMinMs?: number | undefined;
  /** @default 5000 */
  reconnectMaxMs?: number | undefined;
  /** Called when calls switch between 'control' and 'exec'. */
  onModeChange?: ((mode: TmuxMode) => void) | undefined;
  /** For tests: the per-call implementation and the control-client factory. */
  exec?: Tmux | undefined;
  createControl?: ((opts: ControlModeOptions) => ControlModeTmux) | undefined;
}

export type TmuxMode = 'control' | 'exec';

export interface TmuxClientStatus {
  mode: TmuxMode;
  controlCalls: number;
  execCalls: number;
  failovers: number;
  connects: number;
  lastError: string | undefined;
}

/** Backoff before reconnect attempt `attempt` (0-based): min * 2^attempt, capped at max. Pure. */
export function reconnectDelay(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
}

/** Whether argv may go through control mode (no stdin, every command in CONTROL_COMMANDS). Pure. */
export function controlEligible(args: readonly string[], hasInput: boolean): boolean {
  if (hasInput) return false;
  const commands = splitCommands(args);
  return commands.length > 0 && commands.every((c) => CONTROL_COMMANDS.has(c[0] ?? ''));
}

export class ResilientTmux implements Tmux {
  readonly server: TmuxServer;
  private readonly opts: ResilientTmuxOptions;
  private readonly log: Logger;
  private readonly exec: Tmux;
  private control: ControlModeTmux | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private lastKick = 0;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private mode: TmuxMode = 'exec';
  private readonly counts = { controlCalls: 0, execCalls: 0, failovers: 0, connects: 0 };
  private lastError: string | undefined;

  constructor(server: TmuxServer = {}, options: ResilientTmuxOptions = {}) {
    this.server = server;
    this.opts = options;
    this.log = options.logger ?? silentLogger;
    this.exec = options.exec ?? new ExecTmux(server, options.binary);
  }

  /** Try to bring control mode up; resolves after the first attempt whatever its outcome (exec works meanwhile). */
  async start(): Promise<void> {
    if (this.closed || this.opts.controlMode === false || this.control || this.timer) return;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    await this.connecting;
  }

  status(): TmuxClientStatus {
    return { mode: this.mode, ...this.counts, lastError: this.lastError };
  }

  async run(args: readonly string[], options: TmuxRunOptions = {}): Promise<TmuxResult> {
    const control = this.control;
    if (!control?.up || !controlEligible(args, options.input !== undefined)) return this.viaExec(args, options);
    try {
      const result = await control.run(args, options);
      this.counts.controlCalls++;
      return result;
    } catch (err) {
      if (!this.mayFailOver(args, err)) throw err;
      return this.viaExec(args, options);
    }
  }

  async pipeline(calls: ReadonlyArray<readonly string[]>, options: TmuxRunOptions = {}): Promise<TmuxSettled[]> {
    const control = this.control;
    const out: TmuxSettled[] = [];
    if (!control?.up || !calls.every((c) => controlEligible(c, options.input !== undefined))) {
      for (const call of calls) out.push(await settle(this.run(call, options)));
      return out;
    }
    const results = await control.pipeline(calls, options);
    for (const [i, r] of results.entries()) {
      if (r.ok) this.counts.controlCalls++;
      if (r.ok || !this.mayFailOver(calls[i]!, r.error)) out.push(r);
      else out.push(await settle(this.viaExec(calls[i]!, options)));
    }
    return out;
  }

  /** A control-mode failure that the exec path may repeat: the transport failed, and the call was not written or is safe to run twice. */
  private mayFailOver(args: readonly string[], err: unknown): boolean {
    if (!isWhtError(err) || !err.details?.transport) return false;
    if (err.details.sent === true && !splitCommands(args).every((c) => IDEMPOTENT_COMMANDS.has(c[0] ?? '')))
      return false;
    this.counts.failovers++;
    this.log.warn('tmux control mode failed; using one process per call', { error: err.message });
    return true;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async viaExec(args: readonly string[], options: TmuxRunOptions): Promise<TmuxResult> {
    this.counts.execCalls++;
    const result = await this.exec.run(args, options);
    this.kick();
    return result;
  }

  /**
   * tmux answered on the exec path while control mode is down (e.g. the engine just created its session): try to
   * attach now instead of waiting out the backoff. At most once per second.
   */
  private kick(): void {
    const now = Date.now();
    if (this.closed || this.opts.controlMode === false || this.control || this.connecting || now - this.lastKick < 1000)
      return;
    this.lastKick = now;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.connecting = this.connect().finally(() => {
      this.connecting = undefined;
    });
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const opts: ControlModeOptions = {
      binary: this.opts.binary,
      preferSession: this.opts.preferSession,
      logger: this.log,
      commandTimeoutMs: this.opts.commandTimeoutMs,
      startTimeoutMs: this.opts.startTimeoutMs,
      onDown: (reason) => this.onDown(control, reason),
    };
    const control = this.opts.createControl?.(opts) ?? new ControlModeTmux(this.server, opts);
    try {
      await control.start();
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.log.debug('tmux control mode unavailable', { error: this.lastError, attempt: this.attempt });
      await control.close();
      this.schedule();
      return;
    }
    if (this.closed) {
      await control.close();
      return;
    }
    this.control = control;
    this.attempt = 0;
    this.counts.connects++;
    this.setMode('control');
  }

  private onDown(control: ControlModeTmux, reason: string): void {
    if (this.control !== control) return;
    this.control = undefined;
    this.lastError = reason;
    this.setMode('exec');
    void control.close();
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    const delay = reconnectDelay(this.attempt++, this.opts.reconnectMinMs ?? 100, this.opts.reconnectMaxMs ?? 5000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connecting ??= this.connect().finally(() => {
        this.connecting = undefined;
      });
    }, delay);
    this.timer.unref();
  }

  private setMode(mode: TmuxMode): void {
    if (this.mode === mode) return;
    this.mode = mode;
    this.log.info('tmux delivery path', { mode });
    this.opts.onModeChange?.(mode);
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const control = this.control;
    this.control = undefined;
    await control?.close();
    await this.exec.close();
  }
}
