/**
 * What the dashboard knows about the engine: the last snapshot, counters built from events, the log ring, history and
 * target status. Pulls through the source (snapshot() once per refresh) and assembles plain frame data; no blessed here.
 */
import type { EventEmitter } from 'node:events';
import os from 'node:os';
import type { EngineApi, EngineEventMap, EngineSnapshot, TargetStatus, Task } from '../engine/types.js';
import { LocalStats } from './local-stats.js';
import { asMonitor, monitorView, type HistoryPointLike, type MonitorView } from './monitor-view.js';
import type { Frame } from './view.js';
import { fromLogEntry, LogRing } from './vm-log.js';

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
  /**
   * Optional: ask tmux about every target (Engine.targetStatus) for the status line, called every `targetsMs`.
   * Without it the status line shows `snapshot().targets` as the engine last refreshed them.
   */
  targets?: (() => Promise<TargetStatus[]>) | undefined;
  /** Optional: the monitor's history (Monitor.history) for the chart; without it the dashboard charts its own minutes. */
  history?: ((range: 'hour' | 'day') => MaybePromise<{ points: HistoryPointLike[] }>) | undefined;
}

export type FrameData = Omit<Frame, 'ui' | 'now'>;

/** The engine events the dashboard listens to (an engine behind the control socket sends only these). */
export const DASHBOARD_EVENTS = ['task:queued', 'task:delivered', 'task:dead', 'log'] as const;

export class DashboardData {
  snapshot: EngineSnapshot | null = null;
  connected = true;
  detail: Task | undefined;
  readonly log = new LogRing(1000);
  private readonly local = new LocalStats(Date.now());
  private history: HistoryPointLike[] = [];
  private historyAt = 0;
  private targets: TargetStatus[] | null = null;
  private targetsAt = 0;
  private pulling = false;
  private cpu = { usage: process.cpuUsage(), at: Date.now(), percent: null as number | null };
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly source: DashboardSource,
    private readonly targetsMs = 5000,
  ) {}

  private on<K extends keyof EngineEventMap>(name: K, fn: (...args: EngineEventMap[K]) => void): void {
    const events = this.source.events as unknown as EventEmitter;
    const listener = fn as (...args: unknown[]) => void;
    events.on(name, listener);
    this.offs.push(() => events.off(name, listener));
  }

  /** Every task event reaches the log pane once, as the engine's own `log` entry (logs/task-events.ts); task events
   * here only feed the counters. */
  subscribe(): void {
    this.on('task:queued', () => this.local.received(Date.now()));
    this.on('task:delivered', (t) => this.local.delivered(t, Date.now()));
    this.on('task:dead', () => this.local.failed(Date.now()));
    this.on('log', (e) => this.log.push(fromLogEntry(e)));
    this.on('error', (e) => this.log.push({ at: Date.now(), level: 'error', text: `engine error: ${e.message}` }));
  }

  unsubscribe(): void {
    for (const off of this.offs.splice(0)) off();
  }

  private sampleCpu(now: number): void {
    if (this.source.mode !== 'embedded') return;
    const usage = process.cpuUsage(this.cpu.usage);
    const wall = (now - this.cpu.at) * 1000;
    if (wall > 0)
      this.cpu = { usage: process.cpuUsage(), at: now, percent: ((usage.user + usage.system) / wall) * 100 };
  }

  /** One refresh: snapshot, the open detail task, targets and history when due. Never overlaps itself. */
  async pull(detailId: number | undefined): Promise<void> {
    if (this.pulling) return;
    this.pulling = true;
    const now = Date.now();
    this.sampleCpu(now);
    try {
      this.snapshot = await Promise.resolve(this.source.api.snapshot());
      this.connected = true;
      if (detailId !== undefined) this.detail = await Promise.resolve(this.source.api.getTask(detailId));
      if (this.source.targets && now - this.targetsAt >= this.targetsMs) {
        this.targetsAt = now;
        this.source.targets().then(
          (t) => (this.targets = t),
          () => (this.targets = null),
        );
      }
      if (this.source.history && now - this.historyAt > 30_000) {
        this.historyAt = now;
        this.history = (await Promise.resolve(this.source.history('hour'))).points;
      }
    } catch (err) {
      this.connected = false;
      if (this.source.mode === 'embedded')
        this.log.push({ at: now, level: 'error', text: `snapshot failed: ${(err as Error).message}` });
    } finally {
      this.pulling = false;
    }
  }

  /** Show a task at once from the snapshot, then load it in full. */
  async loadDetail(id: number): Promise<void> {
    this.detail = this.snapshot?.pending.find((t) => t.id === id) ?? this.snapshot?.dead.find((t) => t.id === id);
    this.detail = await Promise.resolve(this.source.api.getTask(id));
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
    // the monitor's rollups need a minute or two before they chart anything; until then chart our own minutes
    if (this.source.history && this.history.length >= 2) return { points: this.history, label: 'last hour' };
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

  frame(now: number): FrameData {
    const h = this.historyData(now);
    return {
      mode: this.source.mode,
      connected: this.connected,
      snapshot: this.snapshot && this.targets ? { ...this.snapshot, targets: this.targets } : this.snapshot,
      monitor: this.monitorData(now),
      e2eSeries: this.local.series(now, 60).e2eMaxMs,
      log: this.log.lines(),
      history: h.points,
      historyLabel: h.label,
      detailTask: this.detail,
    };
  }
}
