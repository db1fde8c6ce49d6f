import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { WhtError } from '../errors.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import {
  serverArgs,
  settle,
  type Tmux,
  type TmuxResult,
  type TmuxRunOptions,
  type TmuxServer,
  type TmuxSettled,
} from '../ports/tmux.js';
import { ControlParser, type ControlEvent, type ControlNotification } from './control-parser.js';
import { quoteCommand, splitCommands } from './control-quote.js';
import { pickSession, resolveServer, transportError, type TransportFailure } from './control-attach.js';

/**
 * A persistent tmux control-mode client (`tmux -C attach-session -f no-output,ignore-size -t SESSION`): one child
 * process, one command line per call, replies matched first-in first-out by their `%begin/%end/%error` blocks.
 *
 * Pipelining: calls do not wait for each other. The lines of calls made in the same tick (synchronous code and the
 * promise jobs it starts) are written to tmux in one write at the end of the tick (process.nextTick), and tmux runs
 * them in that order. A call whose argv holds several commands (`a ; b`) is one line, one tmux command list: tmux
 * answers one block per command and, at the first command that fails, drops the rest of the list and answers no more
 * blocks for it (cmdq_remove_group), so a failure stops the call as on the exec path.
 *
 * Which session: the one named `options.preferSession` if it exists (the engine's own session is the natural
 * choice: no user session then counts the client), else the first session the server lists. tmux requires a
 * control client to be attached to some session; commands still reach any pane by `-t %ID`. It never creates a session: with no session there is no pane to type into, and creating one
 * would start or keep alive a server the user did not ask for. `no-output` keeps pane output off the pipe,
 * `ignore-size` keeps the client from resizing the user's windows. It does count as an attached client
 * (list-clients, #{session_attached}) and fires client-attached/client-detached hooks.
 *
 * Relative targets (`-t 1`, no `-t`) resolve against the attached session here but against the most recently used
 * session on the exec path: callers should use explicit targets (`%ID`, `=session:window.pane`).
 *
 * Failures reject with WhtError WHT_ERR_TMUX_FAILED. `details.transport` is set when the client itself failed
 * (`down`, `timeout`, `closed`) rather than tmux answering `%error`; `details.sent` says whether the command line
 * had been written (then it may have run; a line still waiting for the end of its tick is not sent). On a timeout the client kills itself: a late reply would otherwise be
 * matched to the wrong command. Use ResilientTmux for fallback and reconnect.
 */
export interface ControlModeOptions {
  /** @default 'tmux' */
  binary?: string | undefined;
  /** Name of the session to attach to when it exists. @default the first session listed */
  preferSession?: string | undefined;
  /** Exact attach-session target, skipping the lookup (tests). */
  session?: string | undefined;
  logger?: Logger | undefined;
  /** Time allowed for the client to attach. @default 3000 */
  startTimeoutMs?: number | undefined;
  /** Per-command timeout when `run` is given none. @default 5000 */
  commandTimeoutMs?: number | undefined;
  /** Called once when a running client goes away (exit, %exit, timeout, desync); not on close(). */
  onDown?: ((reason: string) => void) | undefined;
  /** Notifications other than %exit (e.g. %session-changed, %subscription-changed). */
  onNotification?: ((n: ControlNotification) => void) | undefined;
}

export type { TransportFailure };

interface Pending {
  resolve: (lines: string[]) => void;
  reject: (err: WhtError) => void;
  timer: NodeJS.Timeout;
  /** The names of the line's commands, in order: tmux answers one block per command until the first failure. */
  names: string[];
  /** Blocks answered so far. */
  done: number;
  out: string[];
  /** The line was handed to the pipe: it may have run. */
  written: boolean;
}

type State = 'idle' | 'starting' | 'up' | 'down' | 'closed';

export class ControlModeTmux implements Tmux {
  readonly server: TmuxServer;
  private readonly opts: ControlModeOptions;
  private readonly log: Logger;
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly parser = new ControlParser();
  private readonly pending: Pending[] = [];
  /** Lines not written yet (the last `outbox.length` entries of `pending`); written together at the end of the tick. */
  private outbox: string[] = [];
  private flushQueued = false;
  private state: State = 'idle';
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private ready: ((err?: Error) => void) | undefined;

  constructor(server: TmuxServer = {}, options: ControlModeOptions = {}) {
    this.server = resolveServer(server);
    this.opts = options;
    this.log = options.logger ?? silentLogger;
  }

  /** True once attached and until the client goes away. */
  get up(): boolean {
    return this.state === 'up';
  }

  /** PID of the tmux -C child, if running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Attach and probe with one command. Rejects (WHT_ERR_TMUX_FAILED) if no session exists or the client does not answer. Once only. */
  start(): Promise<void> {
    this.starting ??= this.attach();
    return this.starting;
  }

  async run(args: readonly string[], options: TmuxRunOptions = {}): Promise<TmuxResult> {
    if (options.input !== undefined) {
      throw new WhtError('WHT_ERR_TMUX_FAILED', 'control mode cannot pass stdin; use ExecTmux', {
        transport: 'down',
        sent: false,
      });
    }
    const commands = splitCommands(args);
    if (commands.length === 0) return { stdout: '' };
    const line = commands.map(quoteCommand).join(' ; ');
    const names = commands.map((c) => c[0] ?? '');
    const out = await this.send(line, names, options.timeoutMs ?? this.opts.commandTimeoutMs ?? 5000);
    return { stdout: out.join('\n') };
  }

  /** `calls` written together, answered in order, each settled on its own (see the Tmux port). */
  pipeline(calls: ReadonlyArray<readonly string[]>, options: TmuxRunOptions = {}): Promise<TmuxSettled[]> {
    // Each run() queues its line synchronously: all of them go out in one write.
    return Promise.all(calls.map((c) => settle(this.run(c, options))));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private send(line: string, names: string[], timeoutMs: number): Promise<string[]> {
    if (this.state !== 'up' || !this.child) {
      return Promise.reject(transportError(this.state === 'closed' ? 'closed' : 'down', names[0] ?? '', false));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail('timeout', `no reply to ${names.join(' ; ')} within ${timeoutMs} ms`),
        timeoutMs,
      );
      this.pending.push({ resolve, reject, timer, names, done: 0, out: [], written: false });
      this.outbox.push(line);
      if (!this.flushQueued) {
        this.flushQueued = true;
        process.nextTick(this.flush);
      }
    });
  }

  /** Write the tick's lines in one write. After fail() the outbox is empty (its calls were rejected unsent). */
  private readonly flush = (): void => {
    this.flushQueued = false;
    const lines = this.outbox;
    const child = this.child;
    if (lines.length === 0 || !child) return;
    this.outbox = [];
    for (let i = this.pending.length - lines.length; i < this.pending.length; i++) this.pending[i]!.written = true;
    child.stdin.write(`${lines.join('\n')}\n`);
  };

  private async attach(): Promise<void> {
    if (this.state === 'closed') throw transportError('closed', 'attach-session', false);
    this.state = 'starting';
    try {
      const target =
        this.opts.session ??
        (await pickSession(this.server, this.opts.binary, this.opts.preferSession, this.opts.startTimeoutMs ?? 3000));
      if ((this.state as State) === 'closed') throw transportError('closed', 'attach-session', false);
      await this.spawnClient(target);
      if ((this.state as State) === 'closed') throw transportError('closed', 'attach-session', false);
      this.state = 'up';
      // Prove that commands are answered (a wedged server can attach clients and then never reply).
      const probe = await this.send(
        "display-message -p 'wht-probe'",
        ['display-message'],
        this.opts.startTimeoutMs ?? 3000,
      );
      if (probe.join('\n') !== 'wht-probe')
        throw new WhtError('WHT_ERR_TMUX_FAILED', 'tmux control mode: probe answered wrongly', {
          transport: 'down',
          sent: false,
        });
      this.log.info('tmux control mode attached', { session: target, pid: this.child?.pid });
    } catch (err) {
      if ((this.state as State) !== 'closed') this.state = 'down';
      this.killChild();
      throw err instanceof WhtError
        ? err
        : new WhtError(
            'WHT_ERR_TMUX_FAILED',
            `tmux control mode: ${String(err)}`,
            { transport: 'down', sent: false },
            { cause: err },
          );
    }
  }

  private spawnClient(target: string): Promise<void> {
    const argv = [...serverArgs(this.server), '-C', 'attach-session', '-f', 'no-output,ignore-size', '-t', target];
    const env = { ...process.env };
    delete env.TMUX;
    const child = spawn(this.opts.binary ?? 'tmux', argv, { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child = child;
    const decoder = new StringDecoder('utf8');
    let stderr = '';
    child.stdout.on('data', (buf: Buffer) => this.onEvents(this.parser.push(decoder.write(buf))));
    child.stderr.on('data', (buf: Buffer) => {
      stderr = (stderr + buf.toString('utf8')).slice(-2000);
    });
    child.stdin.on('error', () => {
      /* EPIPE after the client died: the exit handler reports it. */
    });
    child.on('error', (err) => this.onChildGone(child, `spawn failed: ${err.message}`));
    child.on('exit', (code, signal) =>
      this.onChildGone(child, `exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ''}`),
    );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`did not attach within ${this.opts.startTimeoutMs ?? 3000} ms`)),
        this.opts.startTimeoutMs ?? 3000,
      );
      const done = (err?: Error): void => {
        clearTimeout(timer);
        this.ready = undefined;
        if (err)
          reject(
            new WhtError('WHT_ERR_TMUX_FAILED', `tmux control mode: ${err.message}`, {
              transport: 'down',
              sent: false,
            }),
          );
        else resolve();
      };
      this.ready = done;
    });
  }

  private onEvents(events: ControlEvent[]): void {
    for (const ev of events) {
      if (ev.kind === 'block') this.onBlock(ev.flags, ev.ok, ev.lines);
      else if (ev.kind === 'exit') this.fail('down', `%exit ${ev.reason}`.trim());
      else if (ev.kind === 'desync')
        this.fail('down', `protocol out of step at ${JSON.stringify(ev.line.slice(0, 80))}`);
      else this.opts.onNotification?.(ev);
    }
  }

  private onBlock(flags: number, ok: boolean, lines: string[]): void {
    if (flags === 0) {
      // The initial attach (and hooks tmux runs itself): not a reply to us.
      if (this.ready) this.ready(ok ? undefined : new Error(lines.join(' ') || 'attach failed'));
      return;
    }
    const p = this.pending[0];
    if (!p) {
      this.fail('down', 'reply without a pending command');
      return;
    }
    if (ok) {
      p.out.push(...lines);
      if (++p.done < p.names.length) return;
    }
    this.pending.shift();
    clearTimeout(p.timer);
    if (ok) p.resolve(p.out);
    else {
      const name = p.names[p.done] ?? p.names[0] ?? '';
      p.reject(new WhtError('WHT_ERR_TMUX_FAILED', `tmux ${name}: ${lines.join('\n')}`, { path: 'control' }));
    }
  }

  private onChildGone(child: ChildProcessWithoutNullStreams, reason: string): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.fail('down', `control client ${reason}`);
  }

  /** The client is unusable: reject everything in flight, kill the child, report once. */
  private fail(kind: TransportFailure, reason: string): void {
    if (this.ready) this.ready(new Error(reason));
    const wasUp = this.state === 'up';
    if (this.state !== 'closed') this.state = 'down';
    this.outbox = [];
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(transportError(kind, p.names.join(' ; '), p.written, reason));
    }
    this.killChild();
    if (wasUp) {
      this.log.warn('tmux control mode down', { reason });
      this.opts.onDown?.(reason);
    }
  }

  private killChild(): void {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.stdin.end();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }

  private async shutdown(): Promise<void> {
    const child = this.child;
    this.state = 'closed';
    this.fail('closed', 'closed');
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 1000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
