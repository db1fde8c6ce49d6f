/**
 * The monitor: subscribes to engine events, samples resources every `sampleMs`, runs health checks every
 * `healthCheckMs`, evaluates alert rules, writes history rollups and notifies. Everything it does on an engine
 * event is O(1) in memory (histogram record + counter); SQLite work happens once per sample.
 */
import { activeAlerts, evaluateAlerts, initialAlertState, type AlertState } from './alerts.js';
import { queryHistory } from './history-query.js';
import { LatencyRecorder } from './latency.js';
import { Notifier } from './notify.js';
import { formatPrometheus } from './prometheus.js';
import { ResourceSampler } from './resources.js';
import { runHealthChecks } from './health.js';
import type { Rollup } from './rollup.js';
import { ThroughputCounter } from './throughput.js';
import {
  STAGES,
  type AlertTransition,
  type HealthResult,
  type HistoryRange,
  type HistoryResult,
  type MonitorSnapshot,
  type Stage,
} from './types.js';
import type { SketchData } from './sketch.js';
import type { HistoryStore, Monitor, MonitorDeps } from './deps.js';
import type { AttemptError, EngineEventMap, Task } from '../types.js';
import { timersOf, type ClockTimer } from '../ports/clock.js';

const RECENT_ALERTS = 20;
const FLUSH_MS = 60_000;
const HISTORY_CACHE_MS = 10_000;

type Listeners = { [K in keyof EngineEventMap]?: (...args: EngineEventMap[K]) => void };

class MonitorImpl implements Monitor {
  private readonly latency = new LatencyRecorder();
  private readonly throughput = new ThroughputCounter();
  private readonly sampler: ResourceSampler;
  private readonly store: HistoryStore;
  private readonly notifier: Notifier;
  private alertState: AlertState = initialAlertState();
  private recent: AlertTransition[] = [];
  private lastHealth: HealthResult | null = null;
  private readonly startedAt: number;
  private lastTickAt: number;
  private lastFlushAt: number;
  private timers: ClockTimer[] = [];
  private ticking: Promise<void> | null = null;
  private started = false;
  private closing: Promise<void> | null = null;
  private readonly listeners: Listeners;
  private readonly historyCache = new Map<string, { at: number; result: HistoryResult }>();

  constructor(private readonly deps: MonitorDeps) {
    const cfg = deps.config;
    this.startedAt = deps.clock.now();
    this.lastTickAt = this.startedAt;
    this.lastFlushAt = this.startedAt;
    this.store = deps.history;
    this.recent = this.store.transitions(RECENT_ALERTS);
    this.sampler = new ResourceSampler({
      now: () => deps.clock.now(),
      watchedPids: deps.watchedPids,
      dataDirs: deps.checks.dataDirs,
    });
    this.notifier = new Notifier({
      logger: deps.logger,
      webhookUrl: cfg.notify.webhookUrl,
      timeoutMs: cfg.notify.webhookTimeoutMs,
      attempts: cfg.notify.webhookAttempts,
      tmux: deps.tmux,
      tmuxTarget: deps.tmuxTarget,
      tmuxDisplay: cfg.notify.tmuxDisplay,
      fetch: deps.fetch,
    });
    this.listeners = this.makeListeners();
  }

  private makeListeners(): Listeners {
    const now = () => this.deps.clock.now();
    const t = this.throughput;
    return {
      'task:queued': (task: Task) => {
        const at = now();
        this.sampler.active();
        t.add('received', at);
        this.latency.recordMs('intake', task.committedAt - task.receivedAt, at);
      },
      'task:delivered': (task: Task) => this.onDelivered(task, now()),
      'task:retrying': (_task: Task, _e: AttemptError) => t.add('retries', now()),
      'task:dead': () => t.add('failed', now()),
      'task:dropped': () => t.add('dropped', now()),
      'task:rate-limited': () => t.add('rateLimited', now()),
      'task:deduplicated': () => t.add('deduplicated', now()),
    };
  }

  private onDelivered(task: Task, at: number): void {
    this.sampler.active();
    this.throughput.add('delivered', at);
    const delivered = task.deliveredAt ?? at;
    if (task.startedAt !== null) {
      this.latency.recordMs('wait', task.startedAt - task.committedAt, at);
      this.latency.recordMs('delivery', delivered - task.startedAt, at);
    }
    this.latency.recordMs('endToEnd', delivered - task.receivedAt, at);
  }

  start(): void {
    if (this.started || this.closing || !this.deps.config.enabled) return;
    this.started = true;
    for (const [event, fn] of Object.entries(this.listeners))
      this.deps.events.on(event as keyof EngineEventMap, fn as never);
    this.sampler.start();
    const cfg = this.deps.config;
    const timers = timersOf(this.deps.clock);
    const fault = (err: unknown) =>
      this.deps.onError
        ? this.deps.onError(err)
        : this.deps.logger.error('monitor: tick failed', { error: String(err) });
    this.timers.push(timers.setInterval(() => void this.tick().catch(fault), cfg.sampleMs));
    this.timers.push(timers.setInterval(() => void this.health().catch(() => undefined), cfg.healthCheckMs));
    void this.health().catch(() => undefined);
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    for (const t of this.timers) timersOf(this.deps.clock).clearInterval(t);
    this.timers = [];
    for (const [event, fn] of Object.entries(this.listeners))
      this.deps.events.off(event as keyof EngineEventMap, fn as never);
    if (this.ticking) await this.ticking;
    if (this.started) {
      this.safely('final rollup', () => {
        this.store.append(this.takeRollup(this.deps.clock.now()));
        this.store.flush();
      });
      this.sampler.close();
    }
    await this.notifier.close();
  }

  /** One sample: resources, rollup, alerts. Never overlaps itself. */
  tick(): Promise<void> {
    if (this.ticking || this.closing) return this.ticking ?? Promise.resolve();
    this.ticking = this.doTick().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async doTick(): Promise<void> {
    try {
      await this.sampler.sample();
    } catch (e) {
      this.deps.logger.warn('monitor: resource sample failed', { error: String(e) });
    }
    const now = this.deps.clock.now();
    // Alerts are evaluated even when the history cannot be written (a full disk is when they matter most).
    const rollup = this.safely('history rollup', () => this.takeRollup(now));
    if (rollup) this.safely('history write', () => this.store.append(rollup));
    if (now - this.lastFlushAt >= FLUSH_MS) {
      this.lastFlushAt = now;
      this.safely('history flush', () => {
        this.store.flush();
        this.store.prune(now);
      });
    }
    if (rollup) this.evaluate(rollup, now);
  }

  private safely<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.deps.logger.warn(`monitor: ${what} failed`, { error: String(e) });
      return undefined;
    }
  }

  private takeRollup(now: number): Rollup {
    const c = this.throughput.takeInterval();
    const sk = this.latency.takeRollup();
    const r = this.sampler.latest;
    const stats = this.deps.stats();
    const stages = {} as Record<Stage, SketchData>;
    for (const s of STAGES) stages[s] = sk[s].toJSON();
    const rollup: Rollup = {
      at: this.lastTickAt,
      resMs: this.deps.config.sampleMs,
      samples: 1,
      received: c.received,
      delivered: c.delivered,
      failed: c.failed,
      retries: c.retries,
      rateLimited: c.rateLimited,
      cpuSum: r?.engine.cpuPercent ?? 0,
      rssSum: r?.engine.rssBytes ?? 0,
      watchedCpuSum: r?.watchedTotal.cpuPercent ?? 0,
      watchedRssSum: r?.watchedTotal.rssBytes ?? 0,
      load1Sum: r?.system.loadAvg[0] ?? 0,
      pendingMax: stats.pending,
      oldestMax: stats.oldestPendingAgeMs,
      stages,
    };
    this.lastTickAt = now;
    return rollup;
  }

  private evaluate(rollup: Rollup, now: number): void {
    const stats = this.deps.stats();
    const e2e = this.latency.lastMinute('endToEnd', now);
    const sample = {
      rssBytes: this.sampler.latest?.engine.rssBytes ?? 0,
      cpuPercent: this.sampler.latest?.engine.cpuPercent ?? 0,
      p95Ms: e2e.p95Ms,
      p95Count: e2e.count,
      attempts: rollup.delivered + rollup.retries + rollup.failed,
      failedAttempts: rollup.retries + rollup.failed,
      dead: rollup.failed,
      pending: stats.pending,
      capacity: stats.capacity,
      oldestPendingAgeMs: stats.oldestPendingAgeMs,
      health: this.lastHealth?.status ?? null,
    };
    const cfg = this.deps.config;
    const { state, transitions } = evaluateAlerts(this.alertState, sample, now, cfg.alerts, cfg.resolveAfterMs);
    this.alertState = state;
    for (const t of transitions) {
      this.safely('alert write', () => this.store.recordTransition(t));
      this.recent = [t, ...this.recent].slice(0, RECENT_ALERTS);
      this.deps.logger[t.state === 'firing' ? 'warn' : 'info'](`alert ${t.rule} ${t.state}: ${t.message}`, {
        rule: t.rule,
        value: t.value,
        threshold: t.threshold,
      });
      this.notifier.notify(t);
    }
  }

  async health(): Promise<HealthResult> {
    const cfg = this.deps.config;
    const result = await runHealthChecks(this.deps.checks, {
      now: () => this.deps.clock.now(),
      diskFreePercent: cfg.diskFreePercent,
      eventLoopDelayMs: cfg.eventLoopDelayMs,
      timeoutMs: cfg.healthCheckTimeoutMs,
      eventLoopP99Ms: () => this.sampler.latest?.engine.eventLoopDelayP99Ms ?? 0,
    });
    this.lastHealth = result;
    return result;
  }

  snapshot(): MonitorSnapshot {
    const now = this.deps.clock.now();
    const s = this.deps.stats();
    return {
      at: now,
      startedAt: this.startedAt,
      sampleMs: this.deps.config.sampleMs,
      latency: this.latency.summary(now),
      throughput: this.throughput.block(now),
      queue: {
        depth: { ...s.depth },
        pending: s.pending,
        capacity: s.capacity,
        oldestPendingAgeMs: s.oldestPendingAgeMs,
        paused: s.paused,
        retries: s.retries,
        rateLimited: s.rateLimited,
        dead: s.depth.dead,
      },
      resources: this.sampler.latest,
      health: this.lastHealth,
      alerts: { active: activeAlerts(this.alertState), recent: [...this.recent] },
    };
  }

  /** Named ranges are cached for HISTORY_CACHE_MS (a dashboard polling them costs one query per 10 s). */
  history(range: HistoryRange): HistoryResult {
    const now = this.deps.clock.now();
    const key = typeof range === 'string' ? range : null;
    const hit = key ? this.historyCache.get(key) : undefined;
    if (hit && now >= hit.at && now - hit.at < HISTORY_CACHE_MS) return hit.result;
    const result = queryHistory(
      this.store.reader,
      this.store.tiers.map((t) => t.resMs),
      range,
      now,
    );
    if (key) this.historyCache.set(key, { at: now, result });
    return result;
  }

  prometheus(): string {
    const cpu = process.cpuUsage();
    const histograms = Object.fromEntries(STAGES.map((s) => [s, this.latency.promHistogram(s)])) as Record<
      Stage,
      ReturnType<LatencyRecorder['promHistogram']>
    >;
    return formatPrometheus({
      stats: this.deps.stats(),
      histograms,
      resources: this.sampler.latest,
      health: this.lastHealth,
      alerts: activeAlerts(this.alertState),
      processStartMs: Date.now() - process.uptime() * 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      notifications: { ...this.notifier.stats },
    });
  }
}

export function createMonitor(deps: MonitorDeps): Monitor & { tick(): Promise<void> } {
  return new MonitorImpl(deps);
}
