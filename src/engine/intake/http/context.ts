/** Types shared by the handler and the route modules. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { EngineApi } from '../../types.js';
import type { TextCheckOptions } from '../../text-safety.js';
import type { HooksConfig, HttpConfig, ResolvedHook, SecretSources } from './config.js';
import type { HttpCounters } from './metrics.js';
import type { CommitBatcher } from './batch.js';
import type { ClientLimiter } from './rate-limit.js';
import type { ReplayCache } from './replay-cache.js';
import type { EventFeed } from './event-feed.js';

export interface ReadyReport {
  ok: boolean;
  checks: Record<string, unknown>;
}

/** Cluster mode's part of the API (cluster/node.ts). */
export interface ClusterHttp {
  view(): Promise<unknown>;
  /** A task by global id `NODE.ID`, with what its owner reported; undefined when nothing is known. */
  task(gid: string): Promise<{ remote: unknown } | undefined>;
  /** This node's global id for a local task id. */
  gid(id: number): string;
  /** An operator's action for the node holding task `arg` (retry, drop) or for node `arg` (pause, resume). */
  control(action: 'retry' | 'drop' | 'pause' | 'resume', arg: string): Promise<unknown>;
}

export interface HttpDeps {
  api: EngineApi;
  /** Resolved `http` config (httpConfigSchema output). */
  config: HttpConfig;
  /** `hooks` config (hooksConfigSchema output); secrets are read from env/files when the handler is created. */
  hooks: HooksConfig;
  /** Bearer token for /v1 (see loadOrCreateToken). */
  token: string;
  /** `GET /readyz`: database writable, tmux server reachable. */
  ready: () => Promise<ReadyReport>;
  /** `GET /metrics` body (Prometheus text); default: queue counters from api.stats() + HTTP counters. */
  metrics?: (() => string) | undefined;
  /** `GET /v1/stats` document (same as `status --json`); default: api.snapshot(). */
  status?: (() => unknown) | undefined;
  clock: Clock;
  logger: Logger;
  /** The text policy's options for a target (its profile's multiline), for template values; default single-line. */
  textOptions?: ((target: string) => TextCheckOptions) | undefined;
  /** The event log for `GET /v1/events` (absent: 404). */
  events?: EventFeed | undefined;
  /** Where secretEnv/secretFile are read from; default process.env and the file system. */
  secretSources?: SecretSources | undefined;
  /** Cluster mode: `GET /v1/cluster`, `GET /v1/tasks/NODE.ID`, where a forwarded task is. */
  cluster?: (() => ClusterHttp | undefined) | undefined;
}

/** Everything a route needs, built once per handler. */
export interface HandlerState {
  deps: HttpDeps;
  hooks: ReadonlyMap<string, ResolvedHook>;
  limiter: ClientLimiter | null;
  replay: ReplayCache;
  counters: HttpCounters;
  batcher: CommitBatcher;
  /** Open `GET /v1/events` streams (ended when the server closes). */
  streams: Set<ServerResponse>;
}

export interface RequestCtx {
  req: IncomingMessage;
  res: ServerResponse;
  state: HandlerState;
  /** Request arrival, epoch ms. */
  now: number;
  client: string;
  param: string | undefined;
  query: URLSearchParams;
}
