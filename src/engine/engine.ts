import { EventEmitter } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config/schema.js';
import { WhtError, isWhtError, toWhtError } from './errors.js';
import { systemClock, type Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { Tmux } from './ports/tmux.js';
import { ResilientTmux } from './delivery/resilient-tmux.js';
import { DeliveryRunner } from './delivery/runner.js';
import { Targets } from './delivery/targets.js';
import { openDatabase, SqliteStore } from './queue/sqlite-store.js';
import type { TaskRow } from './queue/store.js';
import { Checkpointer } from './queue/checkpointer.js';
import { Dispatcher } from './queue/dispatcher.js';
import { SpoolIntake, type AcceptOutcome, type SpoolFile } from './intake/spool.js';
import { LegacyTriggerFile } from './intake/legacy-trigger.js';
import { toTaskRow } from './intake/trigger.js';
import { acquireLock } from './lock.js';
import { configSummary, createEngineLog, formatLogMetrics, TaskEventLog, type LogManager } from './logs/index.js';
import { buildStats } from './stats.js';
import { VERSION } from './version.js';
import type {
  EngineApi, EngineEventMap, EngineSnapshot, EnqueueResult, ListTasksQuery, NewTask, QueueStats, Task, TargetStatus,
} from './types.js';
import { inspectPane } from './delivery/pane.js';
import { ControlServer } from './control/server.js';
import { WeeklyReports } from './report/weekly.js';
import { loadOrCreateToken, readyFromHealth, startHttpServer, type RunningHttpServer } from './intake/http/index.js';
import { createMonitor, dbWritableCheck, spoolCheck, tmuxReachableCheck, tmuxWatchedPids, type Monitor } from './monitor/index.js';

export interface EngineDeps {
  clock?: Clock;
  tmux?: Tmux;
  logger?: Logger;
  random?: () => number;
  /** $TMUX_PANE, for the default target when running inside tmux. @default process.env.TMUX_PANE */
  tmuxPane?: string | undefined;
  /** Also write log lines here (serve mode: stderr for journald). The dashboard passes nothing. */
  logEcho?: (line: string) => void;
}

export function dataPaths(dataDir: string) {
  return {
    db: join(dataDir, 'webhook-tui.db'),
    lock: join(dataDir, 'engine.pid'),
    socket: join(dataDir, 'control.sock'),
    log: join(dataDir, 'logs', 'engine.log'),
    token: join(dataDir, 'token'),
    /** Written at start: the HTTP server's base URL (for `send --http` when the port is 0). */
    httpUrl: join(dataDir, 'http.url'),
  };
}

/** Open the queue database of a data dir (also used by CLI commands when no engine runs). */
export function openStore(config: Config): SqliteStore {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return new SqliteStore(openDatabase(dataPaths(config.dataDir).db, { synchronous: config.queue.synchronous, walLimitBytes: config.queue.walLimitBytes }));
}

/**
 * The engine: intake -> queue store -> delivery, with events and a plain-data snapshot for the UI.
 * Create with `createEngine`, then `start()`; `close()` drains in-flight deliveries and closes in reverse order.
 */
export class Engine extends EventEmitter<EngineEventMap> implements EngineApi {
  readonly config: Config;
  readonly store: SqliteStore;
  readonly tmux: Tmux;
  readonly targets: Targets;
  readonly logger: Logger;
  readonly startedAt: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly dispatcher: Dispatcher;
  private readonly inflight = new Map<number, Promise<void>>();
  private readonly releaseLock: () => void;
  private spool: SpoolIntake | undefined;
  private legacy: LegacyTriggerFile | undefined;
  private paused: boolean;
  private closing: Promise<void> | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private control: ControlServer | undefined;
  private readonly aborter = new AbortController();
  private readonly runner: DeliveryRunner;
  private readonly checkpointer: Checkpointer;
  readonly monitor: Monitor;
  private readonly logs: LogManager | undefined;
  private readonly taskLog: TaskEventLog;
  private http: RunningHttpServer | undefined;
  private reports: WeeklyReports | undefined;

  constructor(config: Config, deps: EngineDeps = {}) {
    super();
    this.config = config;
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    const paths = dataPaths(config.dataDir);
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    this.releaseLock = acquireLock(paths.lock);
    try {
      this.logs = deps.logger ? undefined : createEngineLog(config, { logPath: paths.log, clock: this.clock, echo: deps.logEcho, emit: (e) => this.emit('log', e) });
      this.logger = deps.logger ?? this.logs!.logger;
      this.taskLog = new TaskEventLog(this, this.logger);
      this.store = openStore(config);
      // Checkpoints run in a worker thread, never inside a commit on the event loop (see queue/checkpointer.ts).
      this.store.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new Checkpointer(paths.db, this.logger, { walLimitBytes: config.queue.walLimitBytes });
    } catch (err) {
      this.releaseLock();
      throw err;
    }
    this.startedAt = this.clock.now();
    const cm = config.tmux.controlMode;
    this.tmux = deps.tmux ?? new ResilientTmux({ socketName: config.tmux.socketName ?? undefined, socketPath: config.tmux.socketPath ?? undefined }, {
      logger: this.logger, preferSession: config.tmux.defaultSession, commandTimeoutMs: config.tmux.commandTimeoutMs,
      controlMode: cm.enabled, startTimeoutMs: cm.startTimeoutMs, reconnectMinMs: cm.reconnectMinMs, reconnectMaxMs: cm.reconnectMaxMs,
      onModeChange: (mode) => this.logger.info(`tmux calls now use ${mode === 'control' ? 'the control-mode client' : 'one tmux process per call'}`),
    });
    this.targets = new Targets(config, this.tmux, { tmuxPane: 'tmuxPane' in deps ? deps.tmuxPane : process.env.TMUX_PANE }, this.logger);
    this.paused = this.store.getMeta('paused') === '1';
    this.dispatcher = new Dispatcher({
      store: this.store, clock: this.clock, workers: config.queue.workers,
      rateFor: (category) => {
        const rate = config.queue.categories[category] ?? config.queue.rateLimit;
        return { perSecond: rate.perSecond, burst: rate.burst ?? Math.max(1, Math.ceil(rate.perSecond)) };
      },
      isPaused: () => this.paused,
      start: (task) => this.startDelivery(task),
      onRateLimited: (task) => {
        this.store.bumpCounter('rate_limited');
        this.emit('task:rate-limited', task);
      },
    });
    this.runner = new DeliveryRunner({
      store: this.store, tmux: this.tmux, targets: this.targets, config, clock: this.clock, random: this.random,
      logger: this.logger, emit: (name, ...args) => (this.emit as (n: string, ...a: unknown[]) => boolean)(name, ...args), signal: this.aborter.signal,
    });
    this.monitor = createMonitor({
      events: this, stats: () => this.stats(), db: this.store.db, clock: this.clock, logger: this.logger, config: config.monitor,
      checks: {
        dbWritable: dbWritableCheck(this.store.db),
        spoolOk: spoolCheck(config.spool.dir),
        tmuxReachable: tmuxReachableCheck(this.tmux),
        targets: () => this.targetStatus(),
        dataDirs: [config.dataDir, config.spool.dir],
      },
      watchedPids: tmuxWatchedPids(this.tmux, () => this.lastTargets.map((t) => t.pane)),
      tmux: (args) => this.tmux.run(args),
    });
  }

  async start(): Promise<void> {
    await this.logs?.start();
    this.taskLog.start();
    if (this.tmux instanceof ResilientTmux) await this.tmux.start();
    await this.recover();
    this.spool = new SpoolIntake({
      dir: this.config.spool.dir, maxBytes: this.config.spool.maxBytes, batchSize: this.config.spool.batchSize,
      rescanMs: this.config.spool.rescanMs, clock: this.clock, logger: this.logger,
      accept: (files) => this.acceptSpool(files),
      onRejected: (name, reason) => this.emit('intake:rejected', { source: 'spool', name, reason }),
    });
    await this.spool.start();
    if (this.config.spool.legacyTriggerFile) {
      this.legacy = new LegacyTriggerFile({
        path: this.config.spool.legacyTriggerFile, maxBytes: this.config.spool.maxBytes, logger: this.logger,
        enqueue: (task) => this.enqueue(task),
        onRejected: (name, reason) => this.emit('intake:rejected', { source: 'legacy', name, reason }),
      });
      await this.legacy.start();
    }
    this.control = new ControlServer(dataPaths(this.config.dataDir).socket, this, this, this.logger, {
      targetStatus: () => this.targetStatus(),
      history: (range) => this.monitor.history(range),
    });
    await this.control.start();
    // Resolve targets first (this creates the default session when needed), so the first health check sees them.
    await this.targetStatus().catch(() => []);
    this.monitor.start();
    if (this.config.monitor.enabled && this.config.monitor.reports.weekly) {
      this.reports = new WeeklyReports({
        db: this.store.db, dataDir: this.config.dataDir, spoolDir: this.config.spool.dir, sampleMs: this.config.monitor.sampleMs,
        retainDays: this.config.log.retainDays, clock: this.clock, logger: this.logger,
      });
      this.reports.start();
    }
    if (this.config.http.enabled) await this.startHttp();
    this.pruneTimer = setInterval(() => this.prune(), 3_600_000);
    this.pruneTimer.unref();
    this.prune();
    this.logger.info('engine started', { pid: process.pid, version: VERSION, paused: this.paused, ...configSummary(this.config, this.http?.url) });
    this.dispatcher.pump();
  }

  private async startHttp(): Promise<void> {
    const token = await loadOrCreateToken(this.config.dataDir);
    this.http = await startHttpServer({
      api: this, config: this.config.http, hooks: this.config.hooks, token, clock: this.clock, logger: this.logger,
      ready: async () => readyFromHealth(await this.monitor.health()),
      metrics: () => this.monitor.prometheus() + formatLogMetrics(this.logs?.status()),
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE' && err.code !== 'EADDRNOTAVAIL' && err.code !== 'EACCES') throw err;
      const { host, port } = this.config.http;
      throw new WhtError('WHT_ERR_CONFIG_INVALID', `http: cannot listen on ${host}:${port} (${err.code}); another program (or a webhook-tui with another data dir) may use it: set http.port, or http.enabled false`, { code: err.code });
    });
    writeFileSync(dataPaths(this.config.dataDir).httpUrl, `${this.http.url}\n`, { mode: 0o600 });
    this.logger.info('http listening', { url: this.http.url });
  }

  /** Base URL of the HTTP server, when it runs. */
  httpUrl(): string | undefined {
    return this.http?.url;
  }

  // ---- EngineApi -------------------------------------------------------------------------------------------

  enqueue(input: NewTask): EnqueueResult {
    const [result] = this.enqueueMany([input]);
    if (result instanceof Error) throw result;
    return result!;
  }

  /**
   * Validate and commit several tasks in one transaction. Per input: the result, or the error that refused it
   * (a repeated idempotency key returns the existing task even when the queue is full; past capacity:
   * WHT_ERR_QUEUE_FULL for that input and every new one after it).
   */
  enqueueMany(inputs: readonly NewTask[]): Array<EnqueueResult | Error> {
    this.assertOpen();
    const now = this.clock.now();
    const out: Array<EnqueueResult | Error> = new Array(inputs.length);
    const rows: TaskRow[] = [];
    const at: number[] = [];
    let room = this.config.queue.capacity - this.store.pendingCount();
    inputs.forEach((input, i) => {
      try {
        const row = toTaskRow(input, this.config, now);
        const existing = row.idemKey === null ? undefined : this.store.findByIdemKey(row.idemKey, now - this.config.queue.dedupeWindowMs);
        if (existing) {
          this.store.bumpCounter('deduplicated');
          out[i] = { task: existing, created: false };
          this.emit('task:deduplicated', existing);
          return;
        }
        if (room <= 0) throw new WhtError('WHT_ERR_QUEUE_FULL', `queue is full (${this.config.queue.capacity} pending tasks)`, { capacity: this.config.queue.capacity });
        room--;
        rows.push(row);
        at.push(i);
      } catch (err) {
        out[i] = toWhtError(err, 'WHT_ERR_BAD_TRIGGER');
      }
    });
    if (rows.length) {
      this.store.insertMany(rows, now, this.config.queue.dedupeWindowMs).forEach((r, k) => {
        out[at[k]!] = r;
        this.afterInsert(r);
      });
    }
    return out;
  }

  getTask(id: number): Task | undefined {
    return this.store.get(id);
  }

  listTasks(query?: ListTasksQuery): Task[] {
    return this.store.list(query);
  }

  retry(id: number): Task {
    const task = this.store.retry(id, this.clock.now());
    this.emit('task:queued', task);
    this.dispatcher.markReady(task.target);
    this.dispatcher.pump();
    return task;
  }

  retryAllDead(): number {
    const targets = new Set(this.store.list({ state: 'dead', limit: 10_000 }).map((t) => t.target));
    const n = this.store.retryAllDead(this.clock.now());
    this.logger.info('all dead tasks retried by operator', { count: n });
    for (const t of targets) this.dispatcher.markReady(t);
    for (const t of this.store.readyTargets()) this.dispatcher.markReady(t);
    this.dispatcher.pump();
    return n;
  }

  drop(id: number): Task {
    const task = this.store.drop(id, this.clock.now());
    this.emit('task:dropped', task);
    this.spool?.kick();
    this.dispatcher.pump();
    return task;
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.store.setMeta('paused', '1');
    this.logger.info('queue paused');
    this.emit('queue:paused');
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.store.setMeta('paused', '0');
    this.logger.info('queue resumed');
    this.emit('queue:resumed');
    this.dispatcher.pump();
  }

  isPaused(): boolean {
    return this.paused;
  }

  stats(): QueueStats {
    const storage = { ...this.checkpointer.sizes(), walLimitBytes: this.checkpointer.walLimitBytes };
    return { ...buildStats(this.store, this.config.queue.capacity, this.paused, this.clock.now()), storage };
  }

  snapshot(): EngineSnapshot {
    return {
      at: this.clock.now(), startedAt: this.startedAt, pid: process.pid, version: VERSION, paused: this.paused,
      stats: this.stats(), targets: this.lastTargets,
      pending: [...this.store.list({ state: 'delivering', limit: 50 }), ...this.store.list({ state: 'queued', limit: 200 }), ...this.store.list({ state: 'retrying', limit: 50 })],
      dead: this.store.list({ state: 'dead', limit: 200 }),
      monitor: this.monitor.snapshot(),
      logs: this.logs?.status(),
    };
  }

  private lastTargets: TargetStatus[] = [];

  /** Ask tmux about every target pane (for the dashboard and health checks). */
  async targetStatus(): Promise<TargetStatus[]> {
    const out: TargetStatus[] = [];
    for (const name of this.targets.names()) {
      let pane = this.targets.configured(name)?.pane ?? '';
      let profile: string = this.targets.configured(name)?.profile ?? 'shell';
      try {
        const resolved = await this.targets.resolve(name);
        pane = resolved.pane;
        profile = resolved.profile;
        const state = await inspectPane(this.tmux, pane);
        const busy = this.dispatcher.busyTargets().includes(name);
        out.push({ name, pane, profile, present: state !== null && !state.dead, activity: state ? (busy ? 'busy' : 'idle') : 'unknown', inMode: state?.inMode ?? false, currentCommand: state?.currentCommand ?? null });
      } catch {
        out.push({ name, pane, profile, present: false, activity: 'unknown', inMode: false, currentCommand: null });
      }
    }
    this.lastTargets = out;
    return out;
  }

  /** Resolves when every delivery in flight now has finished. */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight.values()]);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      this.dispatcher.stop();
      this.aborter.abort();
      if (this.http) {
        await this.http.close();
        rmSync(dataPaths(this.config.dataDir).httpUrl, { force: true });
      }
      await this.control?.close();
      if (this.pruneTimer) clearInterval(this.pruneTimer);
      await this.legacy?.close();
      await this.spool?.close();
      await this.idle();
      this.reports?.close();
      await this.monitor.close();
      await this.tmux.close();
      await this.checkpointer.close();
      this.logger.info('engine stopped');
      this.taskLog.close();
      await this.logs?.close();
      this.store.close();
      this.releaseLock();
    })();
    return this.closing;
  }

  // ---- internals -------------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closing) throw new WhtError('WHT_ERR_CLOSED', 'the engine is shutting down');
  }

  private afterInsert(result: EnqueueResult): void {
    if (result.created) {
      this.emit('task:queued', result.task);
      this.dispatcher.markReady(result.task.target);
      this.dispatcher.pump();
    } else {
      this.emit('task:deduplicated', result.task);
    }
  }

  private acceptSpool(files: SpoolFile[]): AcceptOutcome {
    const outcome: AcceptOutcome = { committed: [], rejected: [], full: false };
    if (this.closing) return { ...outcome, full: true };
    this.enqueueMany(files.map((f) => f.task)).forEach((result, i) => {
      const name = files[i]!.name;
      if (!(result instanceof Error)) outcome.committed.push(name);
      else if (isWhtError(result, 'WHT_ERR_QUEUE_FULL')) outcome.full = true; // stays in new/ until there is room
      else outcome.rejected.push({ name, reason: `${(result as WhtError).code ?? 'WHT_ERR_BAD_TRIGGER'}: ${result.message}` });
    });
    if (outcome.full) this.logger.warn('queue full: spool files wait in new/', { capacity: this.config.queue.capacity });
    return outcome;
  }

  private startDelivery(task: Task): void {
    const run = this.runner.run(task).finally(() => {
      this.inflight.delete(task.id);
      this.dispatcher.done(task.target);
      this.spool?.kick();
      this.dispatcher.pump();
    });
    this.inflight.set(task.id, run);
  }

  /** Tasks left `delivering` by a crash: look at the pane before typing anything again. */
  private async recover(): Promise<void> {
    for (const task of this.store.delivering()) {
      if (await this.runner.recover(task)) this.dispatcher.markReady(task.target);
    }
  }

  private prune(): void {
    if (this.config.queue.retainDays <= 0) return;
    const n = this.store.prune(this.clock.now() - this.config.queue.retainDays * 86_400_000);
    if (n) this.logger.info('pruned finished tasks', { count: n });
  }
}

export async function createEngine(config: Config, deps: EngineDeps = {}): Promise<Engine> {
  return new Engine(config, deps);
}
