/**
 * The engine's surfaces as lifecycle steps: the intakes (spool, legacy trigger file) that start before retention,
 * and the RPC socket, the first target probe + monitor, and HTTP that start after it. Built by compose.ts.
 */
import { rmSync, writeFileSync } from 'node:fs';
import type { EngineFacade } from './facade.js';
import type { Config } from './config/schema.js';
import { dataPaths } from './data-dir.js';
import { WhtError } from './errors.js';
import { loadOrCreateToken, startHttpServer, type RunningHttpServer } from './intake/http/index.js';
import type { EventFeed } from './intake/http/event-feed.js';
import { LegacyTriggerFile } from './intake/legacy-trigger.js';
import { acceptSpoolFiles } from './intake/spool-accept.js';
import { textOptionsFor } from './queue/task-row.js';
import { SpoolIntake } from './intake/spool.js';
import type { LifecycleStep } from './lifecycle.js';
import { readyFromHealth, type Monitor } from './monitor/index.js';
import type { Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import { RpcServer } from './rpc/server.js';
import type { ClusterHttp } from './intake/http/context.js';

export interface SurfaceDeps {
  engine: EngineFacade;
  config: Config;
  clock: Clock;
  logger: Logger;
  monitor: Monitor;
  /** True once the engine closes: the spool then leaves files in new/. */
  closing: () => boolean;
  /** Appended to the monitor's /metrics text (the log manager's counters). */
  extraMetrics: () => string;
  /** Count a trigger refused at intake under its reason code (status, /metrics). */
  countRejected: (code: string) => void;
  /** How many more tasks the queue takes now (the spool reads no more files than that). */
  room: () => number;
  /** The event log for GET /v1/events. */
  events?: EventFeed | undefined;
  /** Cluster mode: GET /v1/cluster and global task ids (undefined on a single node). */
  cluster?: () => ClusterHttp | undefined;
}

export interface Surfaces {
  before: LifecycleStep[];
  after: LifecycleStep[];
  kick(): void;
  /** Look at the spool's new/ now; resolves when that pass is done. */
  scan(): Promise<void>;
  httpUrl(): string | undefined;
}

export function surfaceSteps(d: SurfaceDeps): Surfaces {
  const { engine, config, clock, logger } = d;
  const paths = dataPaths(config.dataDir);
  let spool: SpoolIntake | undefined;
  let legacy: LegacyTriggerFile | undefined;
  let http: RunningHttpServer | undefined;
  const rpc = new RpcServer(paths.socket, engine, engine, logger, {
    targetStatus: () => engine.targetStatus(),
    history: (range) => engine.history(range),
    describeDefaultTarget: () => engine.describeDefaultTarget(),
  });
  /** A trigger refused at intake: counted by its reason code, then announced. */
  const rejected = (source: 'spool' | 'legacy', name: string, reason: string): void => {
    d.countRejected(/^(WHT_ERR_[A-Z_]+):/.exec(reason)?.[1] ?? 'other');
    engine.emit('intake:rejected', { source, name, reason });
  };
  const spoolStep: LifecycleStep = {
    name: 'spool',
    start: async () => {
      spool = new SpoolIntake({
        dir: config.spool.dir,
        maxBytes: config.spool.maxBytes,
        batchSize: config.spool.batchSize,
        rescanMs: config.spool.rescanMs,
        clock,
        logger,
        accept: (files) =>
          d.closing()
            ? { committed: [], rejected: [], full: true }
            : acceptSpoolFiles(files, (i) => engine.enqueueMany!(i), logger),
        room: d.room,
        onRejected: (name, reason) => rejected('spool', name, reason),
      });
      await spool.start();
    },
    close: () => spool?.close(),
  };
  const legacyStep: LifecycleStep = {
    name: 'legacy',
    start: async () => {
      if (!config.spool.legacyTriggerFile) return;
      legacy = new LegacyTriggerFile({
        path: config.spool.legacyTriggerFile,
        maxBytes: config.spool.maxBytes,
        logger,
        enqueue: (task) => engine.enqueue(task),
        onRejected: (name, reason) => rejected('legacy', name, reason),
      });
      await legacy.start();
    },
    close: () => legacy?.close(),
  };
  const httpStep: LifecycleStep = {
    name: 'http',
    start: async () => {
      if (!config.http.enabled) return;
      const token = await loadOrCreateToken(config.dataDir);
      http = await startHttpServer({
        api: engine,
        config: config.http,
        hooks: config.hooks,
        token,
        clock,
        logger,
        ready: async () => readyFromHealth(await d.monitor.health()),
        metrics: () => d.monitor.prometheus() + d.extraMetrics(),
        textOptions: (target) => textOptionsFor(config, target),
        events: d.events,
        cluster: d.cluster,
      }).catch((err: NodeJS.ErrnoException) => {
        // Taken between the preflight probe and now.
        if (err.code !== 'EADDRINUSE' && err.code !== 'EADDRNOTAVAIL' && err.code !== 'EACCES') throw err;
        const { host, port } = config.http;
        throw new WhtError(
          'WHT_ERR_PORT_IN_USE',
          `cannot listen on ${host}:${port} (${err.code}): another program uses it; set http.port, or http.enabled false`,
          { code: err.code },
        );
      });
      writeFileSync(paths.httpUrl, `${http.url}\n`, { mode: 0o600 }); // the server logs "http listening" itself
    },
    close: async () => {
      if (!http) return;
      await http.close();
      rmSync(paths.httpUrl, { force: true });
    },
  };
  return {
    before: [spoolStep, legacyStep],
    after: [
      { name: 'rpc', start: () => rpc.start(), close: () => rpc.close() },
      // Resolve targets first (this creates the default session when needed), so the first health check sees them.
      {
        name: 'monitor start',
        start: async () => {
          await engine.targetStatus().catch(() => []);
          d.monitor.start();
        },
      },
      httpStep,
    ],
    kick: () => spool?.kick(),
    scan: async () => {
      await spool?.scan();
    },
    httpUrl: () => http?.url,
  };
}
