/**
 * runDashboard: the blessed dashboard over an engine source (embedded engine or control-socket client).
 * It learns about the engine only through events and snapshot(), and acts only through EngineApi methods.
 * Rendering: one throttled scheduler (at most `maxFps` frames/s), data refresh every `refreshMs`.
 */
import type blessed from 'blessed';
import type { Logger } from '../engine/ports/logger.js';
import { createScreen } from '../widgets/screen.js';
import { themeFor } from '../widgets/styled.js';
import { exportSnapshot } from './export.js';
import { redirectOutput } from './io-guard.js';
import { DashboardData, type DashboardSource, type FrameData } from './dashboard-data.js';
import { initialUiState, reduceKey, withFlash, type Effect, type KeyContext, type UiState } from './state.js';
import { DashboardView, type DrawnLists } from './view.js';

export type { DashboardApi, DashboardSource } from './dashboard-data.js';

export interface DashboardOptions {
  source: DashboardSource;
  logger?: Logger | undefined;
  stdin?: NodeJS.ReadableStream | undefined;
  stdout?: NodeJS.WritableStream | undefined;
  env?: Record<string, string | undefined> | undefined;
  /** Where `e` writes exports (the data dir). Default: the current directory. */
  exportDir?: string | undefined;
  /** Data refresh period. @default 1000 */
  refreshMs?: number | undefined;
  /** Target refresh period when the source has `targets`. @default 5000 */
  targetsMs?: number | undefined;
  /** Render cap. @default 4 */
  maxFps?: number | undefined;
  mouse?: boolean | undefined;
  /** Install SIGINT/SIGTERM/SIGHUP/SIGQUIT and uncaughtException handlers that close the source and restore the terminal. @default true */
  handleSignals?: boolean | undefined;
  /** Aborted when the source died under the dashboard (the engine's thread crashed): quit with 1 and its reason. */
  stop?: AbortSignal | undefined;
}

/** Blessed key event -> the name used in keys.ts (printable chars as typed, others by blessed's full name). */
export function normalizeKey(
  ch: string | undefined,
  key: { full?: string; name?: string; ctrl?: boolean; meta?: boolean } | undefined,
): string | undefined {
  if (key?.name === 'return') return undefined; // blessed also emits `enter` for the same \r
  if (ch && ch.length === 1 && ch >= ' ' && ch !== '\x7f' && !key?.ctrl && !key?.meta) return ch === ' ' ? 'space' : ch;
  return key?.full ?? key?.name;
}

/** Run the dashboard until the user quits or a signal arrives; resolves with the exit code. */
export async function runDashboard(opts: DashboardOptions): Promise<number> {
  const d = new Dashboard(opts);
  return d.run();
}

class Dashboard {
  private readonly source: DashboardSource;
  private readonly refreshMs: number;
  private readonly minFrameMs: number;
  private screen!: blessed.Widgets.Screen;
  private view!: DashboardView;
  private ui: UiState = initialUiState();
  private readonly data: DashboardData;
  private frozen: FrameData | null = null;
  private drawn: DrawnLists = { queue: null, dead: null, alerts: 0, log: 0 };
  private lastFrameAt = 0;
  private renderTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private readonly offs: (() => void)[] = [];
  private finishing: Promise<number> | null = null;
  private resolveRun: (code: number) => void = () => {};
  private restoreOutput: () => void = () => {};

  constructor(private readonly opts: DashboardOptions) {
    this.source = opts.source;
    this.refreshMs = opts.refreshMs ?? 1000;
    this.minFrameMs = 1000 / (opts.maxFps ?? 4);
    this.data = new DashboardData(opts.source, opts.targetsMs);
  }

  run(): Promise<number> {
    const done = new Promise<number>((resolve) => (this.resolveRun = resolve));
    const env = this.opts.env ?? process.env;
    const { screen, warnings } = createScreen({
      input: this.opts.stdin,
      output: this.opts.stdout,
      env,
      mouse: this.opts.mouse,
    });
    this.screen = screen;
    this.restoreOutput = redirectOutput((stream, text) => this.external(stream, text));
    for (const w of warnings.join('').split('\n').filter(Boolean).slice(0, 3))
      this.external('stderr', `terminfo: ${w}`);
    this.view = new DashboardView(screen, themeFor(env));
    if (this.opts.mouse) {
      this.view.enableMouse((panel, action) => {
        if (this.finishing || this.ui.prompt || this.ui.overlay) return;
        this.ui = { ...this.ui, focus: panel };
        if (action === 'focus') this.requestRender();
        else this.onKey(action === 'down' ? 'j' : 'k');
      });
    }
    screen.on(
      'keypress',
      (ch: string | undefined, key: { full?: string; name?: string; ctrl?: boolean; meta?: boolean } | undefined) => {
        const k = normalizeKey(ch, key);
        if (k) this.onKey(k);
      },
    );
    screen.on('resize', () => {
      this.view.relayout();
      this.requestRender();
    });
    this.data.subscribe();
    this.offs.push(() => this.data.unsubscribe());
    this.installProcessHandlers();
    const stop = this.opts.stop;
    if (stop) {
      const onStop = (): void => {
        this.crashError ??= stop.reason ?? new Error('the engine stopped');
        void this.finish(1, true);
      };
      if (stop.aborted) onStop();
      else stop.addEventListener('abort', onStop, { once: true });
      this.offs.push(() => stop.removeEventListener('abort', onStop));
    }
    void this.tick();
    this.tickTimer = setInterval(() => void this.tick(), this.refreshMs);
    return done;
  }

  private inExternal = false;
  private crashError: unknown = null;

  private external(stream: string, text: string): void {
    if (this.inExternal) return; // a logger that itself prints must not loop
    this.inExternal = true;
    try {
      for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
        this.data.log.push({
          at: Date.now(),
          level: stream === 'stderr' ? 'warn' : 'info',
          text: `[${stream}] ${line}`,
        });
        this.opts.logger?.warn('output while the dashboard owns the terminal', { stream, line });
      }
    } finally {
      this.inExternal = false;
    }
  }

  private installProcessHandlers(): void {
    if (this.opts.handleSignals === false) return;
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) {
      const h = (): void => void this.finish(0);
      process.on(sig, h);
      this.offs.push(() => process.off(sig, h));
    }
    const crash = (err: unknown): void => {
      this.crashError ??= err;
      this.opts.logger?.error('dashboard crashed', {
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
      void this.finish(1, true);
    };
    process.on('uncaughtException', crash);
    this.offs.push(() => process.off('uncaughtException', crash));
  }

  private async tick(): Promise<void> {
    if (this.finishing) return;
    await this.data.pull(this.ui.overlay?.kind === 'detail' ? this.ui.overlay.taskId : undefined);
    this.requestRender();
  }

  private frameData(now: number): FrameData {
    if (this.ui.frozen && this.frozen) return { ...this.frozen, detailTask: this.data.detail };
    const data = this.data.frame(now);
    this.frozen = this.ui.frozen ? data : null;
    return data;
  }

  private requestRender(): void {
    if (this.renderTimer || this.finishing) return;
    const wait = Math.max(0, this.lastFrameAt + this.minFrameMs - Date.now());
    this.renderTimer = setTimeout(() => {
      this.renderTimer = null;
      this.render();
    }, wait);
  }

  /**
   * Gather the frame's data now and draw it in the next macrotask: two shorter event-loop blocks instead of one, so
   * an embedded engine's deliveries wait less behind a frame.
   */
  private render(): void {
    const now = Date.now();
    this.lastFrameAt = now;
    const data = this.frameData(now);
    setImmediate(() => {
      if (this.tornDown) return;
      this.drawn = this.view.draw({ ...data, now, ui: this.ui });
    });
  }

  private keyContext(): KeyContext {
    const snapshot = this.data.snapshot;
    const stats = snapshot?.stats;
    const refs = (v: DrawnLists['queue']): { id: number; state: string }[] =>
      v?.rows.map((t) => ({ id: t.id, state: t.state })) ?? [];
    return {
      now: Date.now(),
      paused: snapshot?.paused ?? false,
      attached: this.source.mode === 'attached',
      inFlight: stats?.depth.delivering ?? 0,
      deadCount: stats?.depth.dead ?? 0,
      rows: { queue: refs(this.drawn.queue), dead: refs(this.drawn.dead) },
      counts: { alerts: this.drawn.alerts, log: this.drawn.log },
    };
  }

  private onKey(key: string): void {
    if (this.finishing) {
      if (key === 'C-c') this.forceQuit();
      return;
    }
    const before = this.ui.overlay;
    const { state, effects } = reduceKey(this.ui, key, this.keyContext());
    this.ui = state;
    if (state.overlay?.kind === 'detail' && before !== state.overlay) {
      const id = state.overlay.taskId;
      this.data.loadDetail(id).then(
        () => this.requestRender(),
        (err: unknown) => this.flash(`Could not load task #${id}: ${(err as Error).message}`, 'bad'),
      );
    }
    for (const e of effects) void this.runEffect(e);
    this.requestRender();
  }

  private flash(text: string, tone: 'ok' | 'bad' | 'info' | 'warn'): void {
    this.ui = withFlash(this.ui, text, tone, Date.now());
    this.requestRender();
  }

  private async runEffect(e: Effect): Promise<void> {
    const api = this.source.api;
    try {
      switch (e.type) {
        case 'quit':
          await this.finish(0);
          return;
        case 'pause':
          await Promise.resolve(api.pause());
          this.flash('Queue paused: nothing is delivered until you press p again.', 'warn');
          break;
        case 'resume':
          await Promise.resolve(api.resume());
          this.flash('Queue resumed.', 'ok');
          break;
        case 'retry': {
          const t = await Promise.resolve(api.retry(e.id));
          this.flash(`Task #${t.id} queued again.`, 'ok');
          break;
        }
        case 'retryAllDead': {
          const n = await Promise.resolve(api.retryAllDead());
          this.flash(`${n} dead ${n === 1 ? 'task' : 'tasks'} queued again.`, 'ok');
          break;
        }
        case 'drop': {
          const t = await Promise.resolve(api.drop(e.id));
          this.flash(`Task #${t.id} dropped.`, 'warn');
          break;
        }
        case 'export': {
          const snap = this.data.snapshot ?? (await Promise.resolve(api.snapshot()));
          const files = await exportSnapshot(this.opts.exportDir ?? process.cwd(), snap, Date.now());
          this.flash(`Exported ${files.json} and .csv`, 'ok');
          return;
        }
      }
    } catch (err) {
      this.flash(`${e.type} failed: ${(err as Error).message}`, 'bad');
      this.opts.logger?.warn('dashboard action failed', { action: e.type, error: (err as Error).message });
    }
    await this.tick();
  }

  /** Close the source (embedded: the engine drains), restore the terminal, resolve the run. Idempotent. */
  finish(code: number, crashed = false): Promise<number> {
    if (this.finishing) return this.finishing;
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.ui = withFlash(
      this.ui,
      this.source.mode === 'embedded' ? 'Closing: the engine drains in-flight deliveries...' : 'Detaching...',
      'warn',
      Date.now() + 60_000,
    );
    if (!crashed) this.render();
    this.finishing = (async () => {
      let exit = code;
      try {
        await this.source.close();
      } catch (err) {
        this.opts.logger?.error('closing the engine failed', { error: (err as Error).message });
        exit = exit || 1;
      }
      this.teardown();
      this.resolveRun(exit);
      return exit;
    })();
    return this.finishing;
  }

  private forceQuit(): void {
    this.teardown();
    this.resolveRun(130);
  }

  private tornDown = false;

  private teardown(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    if (this.renderTimer) clearTimeout(this.renderTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    for (const off of this.offs.splice(0)) off();
    this.screen.destroy();
    this.restoreOutput();
    // the terminal is ours again: say why a crash ended the dashboard
    if (this.crashError)
      process.stderr.write(
        `webhook-tui: the dashboard stopped after an error: ${this.crashError instanceof Error ? (this.crashError.stack ?? this.crashError.message) : String(this.crashError)}\n`,
      );
    const input = this.opts.stdin ?? process.stdin;
    (input as NodeJS.ReadStream).setRawMode?.(false);
    input.pause();
  }
}
