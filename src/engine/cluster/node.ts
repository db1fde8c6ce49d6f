/**
 * Cluster mode's composition: the bus (BullMQ), the registrar (registry, heartbeat), the forwarder (outbox) and the
 * receiver (this node's queue). Loaded by compose.ts with a dynamic import only when `cluster.redis` is set.
 */
import type { EventEmitter } from 'node:events';
import type { EngineEventMap } from '../events.js';
import type { HealthCheckResult } from '../monitor/types.js';
import { timersOf, type Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { QueueStore } from '../queue/store.js';
import type { ClusterNodeSummary, ClusterStatus, EnqueueResult, NewTask, Task, TargetStatus } from '../task.js';
import type { ClusterConfig } from './config.js';
import { VERSION } from '../version.js';
import { BullBus } from './bullmq-bus.js';
import { nodeQueue, type ClusterBus, type Consumer, type NodeRecord } from './bus.js';
import { Forwarder } from './forwarder.js';
import { commitForwarded, receiveHandler, type ReceiverDeps } from './receiver.js';
import { PoolRunner, poolsOf } from './pools.js';
import { gidOf, parseGid } from './signing.js';
import { StateReporter } from './states.js';
import { clusterView, type ClusterView } from './view.js';
import type { TaskMirror } from './bus.js';
import { JobRejected } from './bus.js';
import { applyControl, sendControl, type ControlAction } from './control.js';
import type { EngineApi } from '../types.js';
import { describeEndpoint, readClusterSecret, redisConnectOptions } from './redis-options.js';
import { Registrar } from './registrar.js';
import type { ClusterRouter } from './router.js';

export interface ClusterNodeDeps {
  /** The `cluster` section, and this node's configured target names (the ones it claims). */
  config: { cluster: ClusterConfig; targets: Readonly<Record<string, { pool: string | null }>> };
  store: QueueStore;
  router: ClusterRouter;
  clock: Clock;
  logger: Logger;
  startedAt: number;
  enqueueMany: (inputs: readonly NewTask[]) => Array<EnqueueResult | Error>;
  /** The facade's actions, for operator actions sent from other nodes. */
  api: Pick<EngineApi, 'retry' | 'drop' | 'pause' | 'resume'>;
  /** The engine's events: listened to (queued tasks) and emitted on (forwarded, rejected). */
  events: EventEmitter<EngineEventMap>;
  report: (component: string, err: unknown) => void;
  /** This node's targets as the probe last saw them, with their depth. */
  targets: () => NodeRecord['targets'];
  health: () => string;
  httpUrl: () => string | null;
  paused: () => boolean;
  /** Pools: nothing pending, in delivery or watched for this target here. */
  free: (target: string) => boolean;
  /** Pools: ask tmux about this node's targets now. */
  probe: () => Promise<TargetStatus[]>;
  /** Pools: how many more tasks the queue takes now. */
  room: () => number;
  /** How long finished tasks are kept (queue.retainDays): reported states live as long in Redis. */
  retainMs: number;
  /** Injected in tests; default: BullMQ on `cluster.redis`. */
  bus?: ClusterBus;
}

export class ClusterNode {
  readonly #d: ClusterNodeDeps;
  readonly #bus: ClusterBus;
  readonly #secret: string;
  readonly registrar: Registrar;
  readonly forwarder: Forwarder;
  readonly pools: PoolRunner;
  readonly #states: StateReporter;
  #consumer: Consumer | undefined;
  #rejected = 0;
  #nodes: ClusterNodeSummary[] = [];
  #nodesTimer: ReturnType<typeof setInterval> | undefined;
  #closing: Promise<void> | undefined;
  #scheduled = false;

  constructor(d: ClusterNodeDeps) {
    const c = d.config.cluster;
    this.#d = d;
    this.#secret = readClusterSecret(c.secretFile!);
    this.#bus =
      d.bus ??
      new BullBus({
        connect: redisConnectOptions(c.redis!),
        prefix: c.prefix,
        timeoutMs: c.timeoutMs,
        lockMs: c.nodeTtlMs,
      });
    this.registrar = new Registrar({
      bus: this.#bus,
      config: c,
      router: d.router,
      targets: Object.keys(d.config.targets),
      clock: d.clock,
      logger: d.logger,
      record: () => this.#record(),
      onConnected: () => {
        this.kick();
        void this.pools?.kick();
      },
      onError: (err) => this.#refused(err),
    });
    this.forwarder = new Forwarder({
      bus: this.#bus,
      store: d.store,
      router: d.router,
      secret: this.#secret,
      node: c.node,
      logger: d.logger,
      now: () => d.clock.now(),
      connected: () => this.registrar.state === 'connected',
      onForwarded: (tasks, node, queue) => this.#forwarded(tasks, node, queue),
      onError: (err) => d.logger.warn('cluster: forwarding waits for Redis', { error: (err as Error).message }),
    });
    this.#states = new StateReporter({
      bus: this.#bus,
      events: d.events,
      node: c.node,
      clock: d.clock,
      ttlMs: Math.max(3_600_000, d.retainMs),
    });
    this.pools = new PoolRunner({
      bus: this.#bus,
      pools: poolsOf(d.config.targets),
      secret: this.#secret,
      free: d.free,
      probe: d.probe,
      commit: (task, member) => commitForwarded(this.#receiverDeps(), task, member),
      active: () => this.registrar.state === 'connected' && !d.paused() && d.room() > 0,
      onFailed: (job, reason) => this.#rejectedJob(job.id, reason),
      onError: (err) => d.logger.warn('cluster: pool', { error: (err as Error).message }),
      clock: d.clock,
      logger: d.logger,
    });
  }

  #receiverDeps(): ReceiverDeps {
    return {
      store: this.#d.store,
      secret: this.#secret,
      enqueueMany: this.#d.enqueueMany,
      onCommitted: (r, from) => {
        if (r.created) this.#d.store.bumpCounter(`cluster:received:${from.origin}`);
      },
      control: (data) => this.#applyControl(data),
    };
  }

  #applyControl(data: unknown): void {
    const { api, store, logger, config } = this.#d;
    try {
      const what = applyControl(data, this.#secret, {
        node: config.cluster.node,
        store,
        retry: (id) => api.retry(id),
        drop: (id) => api.drop(id),
        pause: () => api.pause(),
        resume: () => api.resume(),
      });
      logger.info('cluster: operator action applied', { action: what });
    } catch (err) {
      if (err instanceof JobRejected) throw err;
      logger.warn('cluster: operator action not applied', { error: (err as Error).message });
    }
  }

  /** An operator's action for whichever node holds the task (retry, drop) or for node `arg` (pause, resume). */
  control(action: ControlAction, arg: string): Promise<{ node: string; action: ControlAction; gid: string | null }> {
    return sendControl(this.#bus, this.#secret, this.#d.config.cluster.node, action, arg);
  }

  async start(): Promise<void> {
    await this.registrar.start();
    this.#d.events.on('task:queued', this.#onQueued);
    this.#consumer = this.#bus.consume(nodeQueue(this.#d.config.cluster.node), receiveHandler(this.#receiverDeps()), {
      stalled: 'retry',
      onFailed: (job, reason) => this.#rejectedJob(job.id, reason),
      onError: (err) => this.#d.logger.debug('cluster: worker', { error: (err as Error).message }),
    });
    this.pools.start();
    this.#states.start();
    // The other nodes, for the dashboard (one read per heartbeat; stale while Redis is away).
    this.#nodesTimer = timersOf(this.#d.clock).setInterval(
      () => void this.#readNodes(),
      this.#d.config.cluster.heartbeatMs,
    );
    void this.#readNodes();
    this.#d.events.on('task:delivered', this.#onSettled);
    this.#d.logger.info('cluster node started', {
      node: this.#d.config.cluster.node,
      redis: describeEndpoint(this.#d.config.cluster.redis!),
      state: this.registrar.state,
    });
    this.kick();
  }

  /** Forward what waits, soon (coalesced to one pass per event-loop turn). */
  kick(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.forwarder.pump();
    });
  }

  readonly #onSettled = (): void => {
    void this.pools.kick();
  };

  readonly #onQueued = (task: Task): void => {
    if (!this.#d.router.owns(task.target)) this.kick();
  };

  async #readNodes(): Promise<void> {
    if (this.registrar.state !== 'connected') return;
    try {
      this.#nodes = (await this.#bus.nodes()).map((n) => ({
        node: n.node,
        alive: n.alive,
        health: n.health,
        backlog: n.backlog,
        targets: n.targets,
      }));
    } catch {
      /* kept as last read */
    }
  }

  #forwarded(tasks: Task[], node: string | null, queue: string): void {
    const dest = node ?? `pool:${queue.replace(/^pool-/, '')}`;
    this.#d.store.bumpCounter(`cluster:forwarded:${dest}`, tasks.length);
    for (const t of tasks) this.#d.events.emit('task:forwarded', t, node);
  }

  #rejectedJob(id: string, reason: string): void {
    this.#rejected++;
    const code = /^(WHT_ERR_[A-Z_]+)/.exec(reason)?.[1] ?? 'WHT_ERR_AUTH_FAILED';
    this.#d.store.bumpCounter(`rejected:${code}`);
    this.#d.logger.error('cluster: job refused, never typed', { job: id, code, reason });
    this.#d.events.emit('intake:rejected', { source: 'cluster', name: id, reason });
  }

  #refused(err: unknown): void {
    this.#d.report('cluster', err);
    void this.#consumer?.close();
  }

  #record(): Omit<NodeRecord, 'instance' | 'heartbeatAt'> {
    const d = this.#d;
    // A heartbeat also retries forwarding that failed while Redis was away.
    if (this.forwarder.failing !== null) this.kick();
    return {
      node: d.config.cluster.node,
      version: VERSION,
      pid: process.pid,
      startedAt: d.startedAt,
      health: d.health(),
      httpUrl: d.httpUrl(),
      targets: d.targets(),
      backlog: this.forwarder.backlog(),
      paused: d.paused(),
    };
  }

  status(): ClusterStatus {
    const counters = this.#d.store.counters() as Record<string, number>;
    const by = (kind: string) =>
      Object.fromEntries(
        Object.entries(counters)
          .filter(([k]) => k.startsWith(`cluster:${kind}:`))
          .map(([k, v]) => [k.slice(`cluster:${kind}:`.length), v]),
      );
    const r = this.registrar;
    return {
      node: this.#d.config.cluster.node,
      redis: describeEndpoint(this.#d.config.cluster.redis!),
      state: r.state,
      reason: r.reason ?? this.forwarder.failing,
      lastHeartbeatAt: r.lastHeartbeatAt,
      backlog: this.forwarder.backlog(),
      forwarded: by('forwarded'),
      received: by('received'),
      rejected: this.#rejected,
      nodes: this.#nodes,
    };
  }

  /** The cluster as Redis knows it (GET /v1/cluster). */
  view(): Promise<ClusterView> {
    return clusterView(this.#bus, this.#d.clock.now());
  }

  /** This node's global id for a local task. */
  gid(id: number): string {
    return gidOf(this.#d.config.cluster.node, id);
  }

  /** A task by global id: the local row when this node accepted it, and what its owner reported. */
  async task(gid: string): Promise<{ gid: string; task?: Task; remote: TaskMirror | null } | undefined> {
    const p = parseGid(gid);
    if (!p) return undefined;
    const [remote] = await this.#bus.getStates([gid]);
    const task = p.node === this.#d.config.cluster.node ? this.#d.store.get(p.id) : undefined;
    if (!task && !remote) return undefined;
    return { gid, ...(task ? { task } : {}), remote: remote ?? null };
  }

  /** The monitor's `cluster` check: Redis down or a conflict make the node DEGRADED. */
  health(): HealthCheckResult[] {
    const s = this.status();
    const backlog = `${s.backlog} task(s) wait to be forwarded`;
    if (s.state === 'connected')
      return [
        { name: 'cluster', status: 'pass', message: `node ${s.node}, Redis connected; ${backlog}`, critical: false },
      ];
    const status = s.state === 'refused' ? 'fail' : 'warn';
    const what = s.state === 'refused' ? 'refused' : 'Redis not reachable';
    return [{ name: 'cluster', status, message: `${what}: ${s.reason ?? 'connecting'}; ${backlog}`, critical: false }];
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#d.events.off('task:queued', this.#onQueued);
      this.#d.events.off('task:delivered', this.#onSettled);
      timersOf(this.#d.clock).clearInterval(this.#nodesTimer);
      await this.pools.close();
      await this.#states.close();
      await this.forwarder.close();
      await this.#consumer?.close();
      await this.registrar.close();
      await this.#bus.close();
    })();
    return this.#closing;
  }
}

export async function startClusterNode(d: ClusterNodeDeps): Promise<ClusterNode> {
  const node = new ClusterNode(d);
  try {
    await node.start();
  } catch (err) {
    await node.close();
    throw err;
  }
  return node;
}
