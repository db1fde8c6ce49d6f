/**
 * This node in the registry: at start it checks Redis's eviction policy, then claims its target names (refused when
 * a live node holds one, naming both), then renews its record every `heartbeatMs` (TTL `nodeTtlMs`) and reads the
 * owner map. A node name held by another instance is waited on for up to one TTL: a crashed predecessor's record
 * expires, a live duplicate keeps renewing and is refused. Redis down: the node keeps running, `connected` false.
 */
import { randomUUID } from 'node:crypto';
import { WhtError, isWhtError } from '../errors.js';
import { timersOf, type Clock, type ClockTimer } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ClusterBus, NodeRecord } from './bus.js';
import type { ClusterConfig } from './config.js';
import type { ClusterRouter } from './router.js';

export interface RegistrarDeps {
  bus: ClusterBus;
  config: ClusterConfig;
  router: ClusterRouter;
  /** Target names this node claims (its configured targets; `default` stays private to each node). */
  targets: readonly string[];
  clock: Clock;
  logger: Logger;
  /** This node's record as of now (targets' states, backlog, health), without instance and heartbeat. */
  record: () => Omit<NodeRecord, 'instance' | 'heartbeatAt'>;
  /** Redis answered again after it had not (forward the backlog). */
  onConnected: () => void;
  onError: (err: unknown) => void;
}

export type RegistrarState = 'connecting' | 'connected' | 'disconnected' | 'refused';

export class Registrar {
  readonly instance = randomUUID();
  state: RegistrarState = 'connecting';
  /** Why the state is not `connected` (the last error), or null. */
  reason: string | null = null;
  lastHeartbeatAt: number | null = null;
  readonly #d: RegistrarDeps;
  #timer: ClockTimer | undefined;
  #closed = false;
  #ticking = false;

  constructor(deps: RegistrarDeps) {
    this.#d = deps;
  }

  /** Register once (waiting out a crashed predecessor); refuses (throws) on a conflict or a wrong eviction policy. */
  async start(): Promise<void> {
    try {
      await this.#register(true);
    } catch (err) {
      if (!isWhtError(err, 'WHT_ERR_REDIS_UNAVAILABLE')) throw err;
      this.#down(err);
      this.#d.logger.warn('cluster: Redis not reachable at start; tasks for other nodes wait here', {
        error: err.message,
      });
    }
    this.#timer = timersOf(this.#d.clock).setInterval(() => void this.tick(), this.#d.config.heartbeatMs);
  }

  /** One heartbeat: renew the claim and the record, read the owners. Never throws. */
  async tick(): Promise<void> {
    if (this.#ticking || this.#closed || this.state === 'refused') return;
    this.#ticking = true;
    try {
      await this.#register(false);
    } catch (err) {
      if (isWhtError(err, 'WHT_ERR_REDIS_UNAVAILABLE')) this.#down(err);
      else this.#refuse(err);
    } finally {
      this.#ticking = false;
    }
  }

  #record(): NodeRecord {
    return { ...this.#d.record(), instance: this.instance, heartbeatAt: this.#d.clock.now() };
  }

  async #register(starting: boolean): Promise<void> {
    const { bus, config, router } = this.#d;
    const wasUp = this.state === 'connected';
    if (!wasUp) {
      const policy = await bus.evictionPolicy();
      if (policy !== 'noeviction')
        throw new WhtError(
          'WHT_ERR_REDIS_EVICTION',
          `Redis maxmemory-policy is ${policy}: evicted keys would be lost tasks; set maxmemory-policy noeviction`,
          { policy },
        );
    }
    await this.#claim(starting);
    router.setOwners(await bus.owners());
    this.lastHeartbeatAt = this.#d.clock.now();
    this.reason = null;
    if (!wasUp) {
      this.state = 'connected';
      if (!starting) this.#d.logger.info('cluster: Redis reachable again', { node: config.node });
      this.#d.onConnected();
    }
  }

  async #claim(starting: boolean): Promise<void> {
    const { bus, config, targets } = this.#d;
    const deadline = this.#d.clock.now() + config.nodeTtlMs + config.heartbeatMs;
    let seen: number | undefined;
    for (;;) {
      const conflicts = await bus.claim(this.#record(), targets, config.nodeTtlMs);
      const node = conflicts.find((c) => c.kind === 'node');
      const taken = conflicts.flatMap((c) => (c.kind === 'target' ? [c] : []));
      if (taken.length) {
        const list = taken.map((c) => `target "${c.target}" is claimed by live node "${c.owner}"`).join('; ');
        throw new WhtError('WHT_ERR_CLUSTER_CONFLICT', `${list}; this node is "${config.node}": rename one of them`, {
          conflicts: taken,
        });
      }
      if (!node) return;
      // Another instance with this node name: a crashed predecessor stops renewing, a live one does not.
      const renewed = seen !== undefined && node.heartbeatAt !== seen;
      if (renewed || !starting || this.#d.clock.now() > deadline)
        throw new WhtError(
          'WHT_ERR_CLUSTER_CONFLICT',
          `another live process is cluster node "${config.node}" (it renewed its registration); set cluster.node to a unique name`,
        );
      seen = node.heartbeatAt;
      await new Promise<void>((r) => timersOf(this.#d.clock).setTimeout(r, Math.min(config.heartbeatMs, 500)));
    }
  }

  #down(err: WhtError): void {
    if (this.state === 'connected') this.#d.logger.warn('cluster: Redis not reachable', { error: err.message });
    this.state = 'disconnected';
    this.reason = err.message;
  }

  #refuse(err: unknown): void {
    this.state = 'refused';
    this.reason = (err as Error).message;
    this.#d.onError(err);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    timersOf(this.#d.clock).clearInterval(this.#timer);
    if (this.state === 'connected') await this.#d.bus.leave(this.#d.config.node, this.instance).catch(() => undefined);
  }
}
