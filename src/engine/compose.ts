/**
 * The engine's async composition root. `prepareEngine` runs every check that can refuse a start (preflight/) BEFORE
 * anything touches tmux, the spool or the queue; a refused start logs its reason (log file, and stderr through the
 * CLI) and throws (exit 2). Then it does the I/O (lock, log file, database) and returns `wire`, which builds the
 * parts around the facade and lists them, in start order, for the Lifecycle (close runs in reverse).
 */
import { buildSnapshot } from './snapshot.js';
import type { EventEmitter } from 'node:events';
import { WeeklyReports } from './report/weekly.js';
import type { Config } from './config/schema.js';
import { dataPaths, ensureDataDir } from './data-dir.js';
import { CompletionWatch } from './delivery/completion-watch.js';
import { CallbackSender } from './callbacks/sender.js';
import { resolveCallbackSecrets } from './intake/http/callback-secrets.js';
import { callbackChecker, checkCallbackUrl, secretNameFor } from './callbacks/policy.js';
import type { CallbackCheck } from './queue/task-row.js';
import { EventStore } from './sqlite/event-store.js';
import { eventFeed, withAlertLog } from './event-feed.js';
import { formatCallbackMetrics } from './callbacks/metrics.js';
import { Deliveries } from './delivery/deliveries.js';
import { DeliveryRunner } from './delivery/runner.js';
import { ReadinessBook } from './delivery/readiness.js';
import { TargetProbe } from './delivery/target-status.js';
import { Targets } from './delivery/targets.js';
import { createTmux } from './delivery/tmux-factory.js';
import { toWhtError, WhtError } from './errors.js';
import type { EngineEventMap } from './events.js';
import { surfaceSteps, type Surfaces } from './surfaces.js';
import { Lifecycle, type LifecycleStep } from './lifecycle.js';
import { acquireLock } from './lock.js';
import {
  createEngineLog,
  formatLogMetrics,
  recordStartFailure,
  TaskEventLog,
  type LogManager,
  type LogStatus,
} from './logs/index.js';
import { createMonitor, tmuxReachableCheck, tmuxWatchedPids, type Monitor } from './monitor/index.js';
import { spoolCheck } from './intake/spool-dirs.js';
import { systemClock, type Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { Tmux } from './ports/tmux.js';
import { refusal, runPreflight } from './preflight/index.js';
import { Dispatcher } from './queue/dispatcher.js';
import { configSummary } from './config/summary.js';
import { Retention } from './retention.js';
import type { QueueStore } from './queue/store.js';
import { Checkpointer } from './sqlite/checkpointer.js';
import { isStorageError, StorageGuard } from './queue/storage-guard.js';
import { isStorageFault } from './sqlite/faults.js';
import { openHistoryStore } from './sqlite/history-store.js';
import { openEngineStore } from './sqlite/open-store.js';
import type { SqliteStore } from './sqlite/queue-store.js';
import { WATCHED_STATES, type CallbackStats, type StorageDown, type Task } from './task.js';
import type { EngineFacade } from './facade.js';
import { ClusterRouter } from './cluster/router.js';
import { formatClusterMetrics } from './cluster/metrics.js';
import type { ClusterNode } from './cluster/node.js';
import type { ClusterBus } from './cluster/bus.js';
import type { QueueStats } from './task.js';
import type { EngineSnapshot } from './types.js';
import { VERSION } from './version.js';

export interface EngineDeps {
  clock?: Clock;
  tmux?: Tmux;
  logger?: Logger;
  random?: () => number;
  /** $TMUX_PANE, for the default target when running inside tmux. @default process.env.TMUX_PANE */
  tmuxPane?: string | undefined;
  /** Also write log lines here (serve mode: stderr for journald). The dashboard passes nothing. */
  logEcho?: (line: string) => void;
  /** Opens the queue database (tests inject faults through it). @default sqlite/open-store.ts openEngineStore */
  openStore?: (config: Config) => SqliteStore;
  /** Cluster mode: the Redis port (tests inject one). @default BullMQ on cluster.redis */
  clusterBus?: ClusterBus;
}

/** The parts the composition root builds for the facade (engine.ts). None of them is public. */
export interface EngineCore {
  clock: Clock;
  logger: Logger;
  store: QueueStore;
  dispatcher: Dispatcher;
  deliveries: Deliveries;
  targets: Targets;
  probe: TargetProbe;
  monitor: Monitor;
  lifecycle: Lifecycle;
  /** The log manager's state (absent with an injected logger). */
  logStatus(): LogStatus | undefined;
  /** What engine.stats adds to the queue's counters: storage sizes, the callback outbox, the cluster (when on). */
  extraStats(): Pick<QueueStats, 'storage' | 'callbacks' | 'cluster'>;
  /** The plain-data picture of the engine for the UI (engine.snapshot). */
  snapshot(paused: boolean, startedAt: number): EngineSnapshot;
  /** Checks a new task's callback (admission). */
  checkCallback: CallbackCheck;
  /** Whether commits can succeed now (disk full, database file deleted); intake and delivery stop while not. */
  storageGuard: StorageGuard;
  /** The event log (task state changes, alerts) for GET /v1/events. */
  events: EventStore;
  /** Wake the spool after a drop freed room. */
  kickIntake(): void;
  /** Look at the spool's new/ now. */
  scanIntake(): Promise<void>;
  httpUrl(): string | undefined;
}

/** Log a failed start where the operator looks (one line in the data dir's engine.log, or the injected logger). */
function logRefusal(config: Config, deps: EngineDeps, err: unknown): void {
  if (deps.logger)
    deps.logger.error('engine refused to start', {
      code: (err as { code?: string }).code ?? 'error',
      error: (err as Error).message,
    });
  else recordStartFailure(config, dataPaths(config.dataDir).log, err);
}

/** Events that change a task's state (each may have written an outbox row). */
const TASK_EVENTS = [
  'task:queued',
  'task:started',
  'task:delivered',
  'task:retrying',
  'task:dead',
  'task:dropped',
  'task:working',
  'task:completed',
  'task:stalled',
] as const;

export async function prepareEngine(config: Config, deps: EngineDeps): Promise<(engine: EngineFacade) => EngineCore> {
  const refused = refusal(await runPreflight(config));
  if (refused) {
    logRefusal(config, deps, refused);
    throw refused;
  }
  try {
    return openResources(config, deps);
  } catch (err) {
    logRefusal(config, deps, err);
    throw err;
  }
}

function openResources(config: Config, deps: EngineDeps): (engine: EngineFacade) => EngineCore {
  const paths = dataPaths(config.dataDir);
  ensureDataDir(config.dataDir);
  const releaseLock = acquireLock(paths.lock);
  try {
    let emitLog: EngineFacade | undefined;
    const logs = deps.logger
      ? undefined
      : createEngineLog(config, {
          logPath: paths.log,
          clock: deps.clock ?? systemClock,
          echo: deps.logEcho,
          emit: (entry) => emitLog?.emit('log', entry),
        });
    const logger = deps.logger ?? logs!.logger;
    const callbackSecrets = checkCallbacks(config);
    const store = (deps.openStore ?? openEngineStore)(config);
    const checkpointer = new Checkpointer(paths.db, logger, { walLimitBytes: config.queue.walLimitBytes });
    return (engine) => {
      emitLog = engine;
      return wire(engine, { config, deps, logger, logs, store, checkpointer, releaseLock, callbackSecrets });
    };
  } catch (err) {
    releaseLock();
    throw err;
  }
}

interface Opened {
  config: Config;
  deps: EngineDeps;
  logger: Logger;
  logs: LogManager | undefined;
  store: SqliteStore;
  checkpointer: Checkpointer;
  releaseLock: () => void;
  callbackSecrets: Map<string, string>;
}

/** Read the callback secrets and check every hook's callback URL: a bad one refuses the start, naming the key. */
function checkCallbacks(config: Config): Map<string, string> {
  const secrets = resolveCallbackSecrets(config.callbacks, config.hooks);
  for (const [name, hook] of Object.entries(config.hooks)) {
    if (!hook.callback) continue;
    const key = `hooks.${name}.callback`;
    try {
      checkCallbackUrl(hook.callback.url, config.callbacks.allow);
    } catch (err) {
      throw new WhtError('WHT_ERR_CONFIG_INVALID', `${key}.url: ${(err as Error).message.replace(/^callback: /, '')}`);
    }
    if (secretNameFor({ callbacks: config.callbacks, hooks: config.hooks }, name) === null)
      throw new WhtError(
        'WHT_ERR_CONFIG_INVALID',
        `${key}: set its secretEnv or secretFile, or callbacks.secretEnv/secretFile`,
      );
  }
  return secrets;
}

/** A failure no caller sees (a timer, a background promise): logged, and emitted as `error` while someone listens. */
export function errorReporter(
  engine: EventEmitter<EngineEventMap>,
  logger: Logger,
): (component: string, err: unknown) => void {
  return (component, err) => {
    const base = toWhtError(err, isStorageFault(err) ? 'WHT_ERR_STORAGE' : 'WHT_ERR_INTERNAL');
    const e = new WhtError(base.code, base.message, { ...base.details, component }, { cause: err });
    logger.error(`${component}: ${e.message}`, { code: e.code, component });
    if (engine.listenerCount('error') > 0) engine.emit('error', e);
  };
}

function wire(engine: EngineFacade, o: Opened): EngineCore {
  const { config, deps, logger, store } = o;
  const clock = deps.clock ?? systemClock;
  const report = errorReporter(engine, logger);
  const aborter = new AbortController();
  const tmux = deps.tmux ?? createTmux(config, logger);
  const targets = new Targets(
    config,
    tmux,
    { tmuxPane: 'tmuxPane' in deps ? deps.tmuxPane : process.env.TMUX_PANE },
    logger,
  );
  const emit = (name: string, ...args: unknown[]) =>
    (engine.emit as (n: string, ...a: unknown[]) => boolean)(name, ...args);
  // Each target's readiness memory: deliveries and the probe (targets, dashboard, health) judge through it.
  const book = new ReadinessBook();
  const storage = new StorageGuard({
    db: store.db,
    path: dataPaths(config.dataDir).db,
    clock,
    logger,
    onChange: (down) => storageChanged(down),
    commit: () => store.commit(),
  });
  // A group commit at the end of a turn that failed (disk full): its writes are owed, the guard goes down.
  store.onCommitError = (err) => {
    const e = storage.report(err);
    if (!isStorageError(err)) report('store', e);
  };
  const events = new EventStore(store.db, () => store.commit());
  const sender = new CallbackSender({
    events,
    config: config.callbacks,
    secrets: o.callbackSecrets,
    clock,
    logger,
    random: deps.random,
    onError: (err) => report('callbacks', err),
  });
  const feed = eventFeed(events);
  let senderKick: NodeJS.Immediate | undefined;
  let outboxChanged = false;
  // Every state change wrote an event (the feed's readers are told once per event-loop turn); only a task with a
  // callback can have written an outbox row, so only its changes make the sender look at the outbox (a query).
  const kickSender = (task: Task) => {
    if (task.callback) outboxChanged = true;
    senderKick ??= setImmediate(() => {
      senderKick = undefined;
      if (outboxChanged) sender.kick();
      outboxChanged = false;
      feed.notify();
    });
  };
  for (const name of TASK_EVENTS) engine.on(name, kickSender);
  const callbackStats = (): CallbackStats => ({
    ...events.counts(),
    sentSinceStart: sender.counters.sent,
    failedTriesSinceStart: sender.counters.failedTries,
  });
  const runner = new DeliveryRunner({
    store,
    tmux,
    targets,
    config,
    clock,
    random: deps.random ?? Math.random,
    logger,
    emit,
    signal: aborter.signal,
    book,
    storage,
  });
  let closing = false;
  const completions = new CompletionWatch({
    store,
    tmux,
    targets,
    clock,
    logger,
    emit,
    maxOutputBytes: config.output.maxBytes,
    storage,
    released: (target) => {
      dispatcher.release(target);
      dispatcher.pump();
    },
  });
  /** A delivered task on a target with trackCompletion: hold the target and watch the task until it ends. */
  const watchDelivered = (task: Task) => {
    dispatcher.hold(task.target);
    completions.watch(task);
  };
  // Cluster mode: which targets this node types itself (pure; Redis is loaded by the cluster step only).
  const router = config.cluster.redis
    ? new ClusterRouter(config.cluster.node, Object.keys(config.targets), () => {
        for (const t of store.readyTargets()) dispatcher.markReady(t);
        dispatcher.pump();
      })
    : undefined;
  const deliveries = new Deliveries({
    runner,
    settled: (task, now) => {
      if (now && WATCHED_STATES.includes(now.state) && now.finishedAt === null && !closing) watchDelivered(now);
      dispatcher.done(task.target);
      intake.kick();
      dispatcher.pump();
    },
    onError: (err, task) => report(`delivery of task ${task.id}`, err),
  });
  const dispatcher = new Dispatcher({
    store,
    clock,
    workers: config.queue.workers,
    rateFor: (category) => {
      const rate = config.queue.categories[category] ?? config.queue.rateLimit;
      return { perSecond: rate.perSecond, burst: rate.burst ?? Math.max(1, Math.ceil(rate.perSecond)) };
    },
    isPaused: () => engine.isPaused() || storage.down !== null,
    owns: router ? (target) => router.owns(target) : undefined,
    start: (task) => deliveries.start(task),
    onRateLimited: (task) => {
      try {
        store.bumpCounter('rate_limited');
      } catch (err) {
        storage.report(err);
      }
      engine.emit('task:rate-limited', task);
    },
    onError: (err) => report('dispatcher', err),
  });
  const probe = new TargetProbe(targets, tmux, () => dispatcher.busyTargets(), book);
  const cluster = clusterParts(engine, o, {
    clock,
    dispatcher,
    probe,
    report,
    monitor: () => monitor,
    httpUrl: () => intake.httpUrl(),
  });
  const monitor = createMonitor({
    events: engine,
    stats: () => engine.stats(),
    history: withAlertLog(openHistoryStore(store.db, config.monitor), (t) => {
      events.addAlert(t.at, t);
      feed.notify();
    }),
    clock,
    logger,
    config: config.monitor,
    checks: {
      dbWritable: () => storage.status(),
      spoolOk: spoolCheck(config.spool.dir),
      tmuxReachable: tmuxReachableCheck(tmux),
      targets: () => engine.targetStatus(),
      dataDirs: [config.dataDir, config.spool.dir],
      cluster: router ? () => cluster.node?.health() ?? [] : undefined,
    },
    watchedPids: tmuxWatchedPids(tmux, () => probe.lastKnown().map((t) => t.pane)),
    tmux: (args) => tmux.run(args),
    onError: (err) => report('monitor', err),
  });
  const retention = new Retention({
    store,
    clock,
    logger,
    retainDays: config.queue.retainDays,
    spoolDir: config.spool.dir,
    pruneMore: (before) => events.prune(before),
    onError: (err) => report('retention', err),
  });
  const intake: Surfaces = surfaceSteps({
    engine,
    config,
    clock,
    logger,
    monitor,
    closing: () => closing,
    extraMetrics: () =>
      formatLogMetrics(o.logs?.status()) +
      formatCallbackMetrics(callbackStats()) +
      formatClusterMetrics(cluster.node?.status()),
    cluster: () => cluster.node,
    room: () => config.queue.capacity - store.pendingCount(),
    countRejected: (code) => store.bumpCounter(`rejected:${code}`),
    events: feed,
  });
  /** Storage down: intake answers 503 and leaves spool files, delivery types nothing. Back up: both resume. */
  function storageChanged(down: StorageDown | null): void {
    void monitor.health().catch(() => undefined);
    engine.emit('storage:changed', down);
    if (down?.lost) void deliveries.idle().then(() => storage.writeBack());
    if (down) return;
    runner.flush();
    intake.kick();
    for (const t of store.readyTargets()) dispatcher.markReady(t);
    dispatcher.pump();
  }
  const taskLog = new TaskEventLog(engine, logger);
  const weekly =
    config.monitor.enabled && config.monitor.reports.weekly
      ? new WeeklyReports({
          db: store.db,
          dataDir: config.dataDir,
          spoolDir: config.spool.dir,
          sampleMs: config.monitor.sampleMs,
          retainDays: config.log.retainDays,
          clock,
          logger,
        })
      : undefined;
  const steps: LifecycleStep[] = [
    { name: 'lock', close: o.releaseLock },
    { name: 'store', close: () => store.close() },
    // Closed after deliveries have settled: a lost database is written back with their outcomes in it.
    {
      name: 'storage',
      start: () => storage.start(),
      close: async () => {
        if (storage.down?.lost) await storage.writeBack();
        await storage.close();
      },
    },
    { name: 'logs', start: () => o.logs?.start(), close: () => o.logs?.close() },
    {
      name: 'task log',
      start: () => taskLog.start(),
      close: () => {
        logger.info('engine stopped');
        taskLog.close();
      },
    },
    { name: 'checkpointer', close: () => o.checkpointer.close() },
    { name: 'tmux', start: () => tmux.start?.(), close: () => tmux.close() },
    { name: 'monitor', close: () => monitor.close() },
    {
      name: 'recovery',
      start: async () => {
        for (const task of await deliveries.recover(store.delivering())) dispatcher.markReady(task.target);
        // Delivered before the last stop and not finished: watched again (the pane tells whether it is done).
        for (const task of store.watched()) watchDelivered(task);
      },
      close: async () => {
        await deliveries.idle();
        await completions.close();
      },
    },
    {
      name: 'callbacks',
      start: () => sender.start(),
      close: async () => {
        for (const name of TASK_EVENTS) engine.off(name, kickSender);
        if (senderKick) clearImmediate(senderKick);
        await sender.close();
      },
    },
    // Before the intakes: a task for another node's target is never taken for a local one.
    ...(router ? [cluster.step(router)] : []),
    ...intake.before,
    { name: 'retention', start: () => retention.start(), close: () => retention.close() },
    { name: 'weekly reports', start: () => weekly?.start(), close: () => weekly?.close() },
    ...intake.after,
    {
      name: 'dispatch',
      start: () => {
        logger.info('engine started', {
          pid: process.pid,
          version: VERSION,
          paused: engine.isPaused(),
          ...configSummary(config, intake.httpUrl()),
        });
        dispatcher.pump();
      },
      close: () => {
        closing = true;
        dispatcher.stop();
        aborter.abort();
      },
    },
  ];
  const lifecycle = new Lifecycle(steps, (step, err) => report(`close ${step}`, err));
  return {
    clock,
    logger,
    store,
    dispatcher,
    deliveries,
    targets,
    probe,
    monitor,
    lifecycle,
    logStatus: () => o.logs?.status(),
    extraStats: () => {
      const node = cluster.node?.status();
      return {
        storage: { ...o.checkpointer.sizes(), walLimitBytes: o.checkpointer.walLimitBytes },
        callbacks: callbackStats(),
        ...(node ? { cluster: node } : {}),
      };
    },
    snapshot(paused, startedAt) {
      const snap = buildSnapshot({
        store,
        capacity: o.config.queue.capacity,
        paused,
        now: clock.now(),
        startedAt,
        pid: process.pid,
        targets: probe.lastKnown(),
        monitor: monitor.snapshot(),
        logs: o.logs?.status(),
      });
      return { ...snap, stats: { ...snap.stats, ...this.extraStats() } };
    },
    checkCallback: callbackChecker({ callbacks: o.config.callbacks, hooks: o.config.hooks }),
    storageGuard: storage,
    events,
    kickIntake: () => intake.kick(),
    scanIntake: () => intake.scan(),
    httpUrl: () => intake.httpUrl(),
  };
}

interface ClusterWiring {
  clock: Clock;
  dispatcher: Dispatcher;
  probe: TargetProbe;
  report: (component: string, err: unknown) => void;
  monitor: () => Monitor;
  httpUrl: () => string | undefined;
}

/** The cluster step: loads cluster/node.js (BullMQ, ioredis) with a dynamic import, so a single node never does. */
function clusterParts(
  engine: EngineFacade,
  o: Opened,
  w: ClusterWiring,
): { node: ClusterNode | undefined; step(router: ClusterRouter): LifecycleStep } {
  const { config, store, logger } = o;
  const parts = {
    node: undefined as ClusterNode | undefined,
    step: (router: ClusterRouter): LifecycleStep => ({
      name: 'cluster',
      start: async () => {
        const { startClusterNode } = await import('./cluster/node.js');
        parts.node = await startClusterNode({
          config,
          store,
          router,
          clock: w.clock,
          logger,
          startedAt: w.clock.now(),
          enqueueMany: (inputs) => engine.enqueueMany!(inputs),
          events: engine,
          api: engine,
          report: w.report,
          targets: () => clusterTargets(config, store, w.probe),
          health: () => w.monitor().snapshot().health?.status ?? 'unknown',
          httpUrl: () => w.httpUrl() ?? null,
          paused: () => engine.isPaused(),
          free: (t) =>
            !w.dispatcher.busyTargets().includes(t) &&
            !w.dispatcher.heldTargets().includes(t) &&
            store.head(t) === undefined,
          probe: () => engine.targetStatus(),
          room: () => config.queue.capacity - store.pendingCount(),
          retainMs: config.queue.retainDays * 86_400_000,
          ...(o.deps.clusterBus ? { bus: o.deps.clusterBus } : {}),
        });
      },
      close: () => parts.node?.close(),
    }),
  };
  return parts;
}

function clusterTargets(config: Config, store: QueueStore, probe: TargetProbe) {
  const seen = new Map(probe.lastKnown().map((t) => [t.name, t.state]));
  return Object.entries(config.targets).map(([name, t]) => ({
    name,
    pool: t.pool,
    state: seen.get(name) ?? 'unknown',
    depth: store.countQueuedFor([name]),
  }));
}
