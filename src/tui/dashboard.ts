/**
 * runDashboard: the blessed dashboard over an engine source (embedded engine or control-socket client).
 * It learns about the engine only through events and snapshot(), and acts only through EngineApi methods.
 * Rendering: one throttled scheduler (at most `maxFps` frames/s), data refresh every `refreshMs`.
 */
import type { EventEmitter } from 'node:events';
import os from 'node:os';
import type blessed from 'blessed';
import type { EngineApi, EngineEventMap, EngineSnapshot, Task } from '../engine/types.js';
import type { Logger } from '../engine/ports/logger.js';
import { createScreen } from '../widgets/screen.js';
import { themeFor } from '../widgets/styled.js';
import { exportSnapshot } from './export.js';
import { redirectOutput } from './io-guard.js';
import { LocalStats } from './local-stats.js';
import { asMonitor, monitorView, type HistoryPointLike, type MonitorView } from './monitor-view.js';
import { initialUiState, reduceKey, withFlash, type Effect, type KeyContext, type UiState } from './state.js';
import { DashboardView, type DrawnLists, type Frame } from './view.js';
import { fromLogEntry, fromTaskEvent, LogRing } from './vm-log.js';

type MaybePromise<T> = T | Promise<T>;

/** The EngineApi methods the dashboard calls; sync (embedded engine) or async (control-socket client) both fit. */
export type DashboardApi = {
  [K in 'snapshot' | 'getTask' | 'pause' | 'resume' | 'retry' | 'retryAllDead' | 'drop']: (
    ...args: Parameters<EngineApi[K]>
  ) => MaybePromise<ReturnType<EngineApi[K]>>;
};

export interface DashboardSource {
  api: DashboardApi;
  events: EventEmitter<EngineEventMap>;
  mode: 'embedded' | 'attached';
  close(): Promise<void>;
  /** Optional: the monitor's history (Monitor.history) for the chart; without it the dashboard charts its own minutes. */
  history?: ((range: 'hour' | 'day') => MaybePromise<{ points: HistoryPointLike[] }>) | undefined;
}

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
  /** Render cap. @default 4 */
  maxFps?: number | undefined;
  mouse?: boolean | undefined;
  /** Install SIGINT/SIGTERM/SIGHUP handlers that close cleanly. @default true */
  handleSignals?: boolean | undefined;
}

/** Blessed key event -> the name used in keys.ts (printable chars as typed, others by blessed's full name). */
export function normalizeKey(ch: string | undefined, key: { full?: string; name?: string; ctrl?: boolean; meta?: boolean } | undefined): string | undefined {
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
  private snapshot: EngineSnapshot | null = null;
  private connected = true;
  private readonly local = new LocalStats(Date.now());
  private readonly log = new LogRing(1000);
  private history: HistoryPointLike[] = [];
  private historyAt = 0;
  private detail: Task | undefined;
  private frozen: Omit<Frame, 'ui' | 'now'> | null = null;
  private drawn: DrawnLists = { queue: null, dead: null, alerts: 0, log: 0 };
  private lastFrameAt = 0;
  private renderTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private pulling = false;
  private cpu = { usage: process.cpuUsage(), at: Date.now(), percent: null as number | null };
  private readonly offs: (() => void)[] = [];
  private finishing: Promise<number> | null = null;
  private resolveRun: (code: number) => void = () => {};
  private restoreOutput: () => void = () => {};

  constructor(private readonly opts: DashboardOptions) {
    this.source = opts.source;
    this.refreshMs = opts.refreshMs ?? 1000;
    this.minFrameMs = 1000 / (opts.maxFps ?? 4);
  }

  run(): Promise<number> {
    const done = new Promise<number>((resolve) => (this.resolveRun = resolve));
    const env = this.opts.env ?? process.env;
    const { screen, warnings } = createScreen({ input: this.opts.stdin, output: this.opts.stdout, env, mouse: this.opts.mouse });
    this.screen = screen;
    this.restoreOutput = redirectOutput((stream, text) => this.external(stream, text));
    for (const w of warnings.join('').split('\n').filter(Boolean).slice(0, 3)) this.external('stderr', `terminfo: ${w}`);
    this.view = new DashboardView(screen, themeFor(env));
    screen.on('keypress', (ch: string | undefined, key: { full?: string; name?: string; ctrl?: boolean; meta?: boolean } | undefined) => {
      const k = normalizeKey(ch, key);
      if (k) this.onKey(k);
    });
    screen.on('resize', () => {
      this.view.relayout();
      this.requestRender();
    });
    this.subscribe();
    this.installProcessHandlers();
    void this.tick();
    this.tickTimer = setInterval(() => void this.tick(), this.refreshMs);
    return done;
  }

  private external(stream: string, text: string): void {
    for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
      this.log.push({ at: Date.now(), level: stream === 'stderr' ? 'warn' : 'info', text: `[${stream}] ${line}` });
      this.opts.logger?.warn('output while the dashboard owns the terminal', { stream, line });
    }
  }

  private on<K extends keyof EngineEventMap>(name: K, fn: (...args: EngineEventMap[K]) => void): void {
    const events = this.source.events as unknown as EventEmitter;
    const listener = fn as (...args: unknown[]) => void;
    events.on(name, listener);
    this.offs.push(() => events.off(name, listener));
  }

  private subscribe(): void {
    // The engine logs retries, dead tasks, drops and operator actions itself (`log` events); the dashboard adds only
    // a line per delivery (the engine logs those at debug). Queued events only feed the counters.
    this.on('task:queued', () => this.local.received(Date.now()));
    this.on('task:delivered', (t) => {
      this.local.delivered(t, Date.now());
      this.log.push(fromTaskEvent('delivered', t, Date.now()));
    });
    this.on('task:dead', () => this.local.failed(Date.now()));
    this.on('log', (e) => this.log.push(fromLogEntry(e)));
    this.on('error', (e) => this.log.push({ at: Date.now(), level: 'error', text: `engine error: ${e.message}` }));
  }

  private installProcessHandlers(): void {
    if (this.opts.handleSignals === false) return;
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const h = (): void => void this.finish(0);
      process.on(sig, h);
      this.offs.push(() => process.off(sig, h));
    }
    const crash = (err: unknown): void => {
      this.opts.logger?.error('dashboard crashed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      void this.finish(1, true);
    };
    process.on('uncaughtException', crash);
    this.offs.push(() => process.off('uncaughtException', crash));
  }

  private sampleCpu(now: number): void {
    if (this.source.mode !== 'embedded') return;
    const usage = process.cpuUsage(this.cpu.usage);
    const wall = (now - this.cpu.at) * 1000;
    if (wall > 0) this.cpu = { usage: process.cpuUsage(), at: now, percent: ((usage.user + usage.system) / wall) * 100 };
  }

  private async tick(): Promise<void> {
    if (this.pulling || this.finishing) return;
    this.pulling = true;
    const now = Date.now();
    this.sampleCpu(now);
    try {
      this.snapshot = await Promise.resolve(this.source.api.snapshot());
      this.connected = true;
      if (this.ui.overlay?.kind === 'detail') this.detail = await Promise.resolve(this.source.api.getTask(this.ui.overlay.taskId));
      if (this.source.history && now - this.historyAt > 30_000) {
        this.historyAt = now;
        this.history = (await Promise.resolve(this.source.history('hour'))).points;
      }
    } catch (err) {
      this.connected = false;
      if (this.source.mode === 'embedded') this.log.push({ at: now, level: 'error', text: `snapshot failed: ${(err as Error).message}` });
    } finally {
      this.pulling = false;
    }
    this.requestRender();
  }

  private monitorData(now: number): MonitorView {
    const m = asMonitor(this.snapshot?.monitor);
    if (m) return monitorView(m);
    const embedded = this.source.mode === 'embedded';
    return this.local.view(now, {
      cpuPercent: embedded ? this.cpu.percent : null,
      rssBytes: embedded ? process.memoryUsage.rss() : null,
      totalMemBytes: embedded ? os.totalmem() : null,
    });
  }

  private historyData(now: number): { points: HistoryPointLike[]; label: string } {
    if (this.source.history) return { points: this.history, label: 'last hour' };
    const zero = { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
    const points = this.local.history(now).map((p) => ({
      at: p.at,
      delivered: p.delivered,
      failed: p.failed,
      resolutionMs: 60_000,
      latency: { intake: zero, wait: zero, delivery: zero, endToEnd: { ...zero, count: 1, p95Ms: p.p95Ms } },
    }));
    return { points, label: 'since the dashboard started' };
  }

  private frameData(now: number): Omit<Frame, 'ui' | 'now'> {
    if (this.ui.frozen && this.frozen) return { ...this.frozen, detailTask: this.detail };
    const h = this.historyData(now);
    const data = {
      mode: this.source.mode,
      connected: this.connected,
      snapshot: this.snapshot,
      monitor: this.monitorData(now),
      e2eSeries: this.local.series(now, 60).e2eMaxMs,
      log: this.log.lines(),
      history: h.points,
      historyLabel: h.label,
      detailTask: this.detail,
    };
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

  private render(): void {
    const now = Date.now();
    this.lastFrameAt = now;
    this.drawn = this.view.draw({ ...this.frameData(now), now, ui: this.ui });
  }

  private keyContext(): KeyContext {
    const stats = this.snapshot?.stats;
    const refs = (v: DrawnLists['queue']): { id: number; state: string }[] => v?.rows.map((t) => ({ id: t.id, state: t.state })) ?? [];
    return {
      now: Date.now(),
      paused: this.snapshot?.paused ?? false,
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
    if (state.overlay?.kind === 'detail' && before !== state.overlay) void this.loadDetail(state.overlay.taskId);
    for (const e of effects) void this.runEffect(e);
    this.requestRender();
  }

  private async loadDetail(id: number): Promise<void> {
    this.detail = this.snapshot?.pending.find((t) => t.id === id) ?? this.snapshot?.dead.find((t) => t.id === id);
    try {
      this.detail = await Promise.resolve(this.source.api.getTask(id));
    } catch (err) {
      this.flash(`Could not load task #${id}: ${(err as Error).message}`, 'bad');
    }
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
          const snap = this.snapshot ?? (await Promise.resolve(api.snapshot()));
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
    this.ui = withFlash(this.ui, this.source.mode === 'embedded' ? 'Closing: the engine drains in-flight deliveries...' : 'Detaching...', 'warn', Date.now() + 60_000);
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
    const input = this.opts.stdin ?? process.stdin;
    (input as NodeJS.ReadStream).setRawMode?.(false);
    input.pause();
  }
}
