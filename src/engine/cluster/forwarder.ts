/**
 * The outbox: tasks committed here for targets another node owns (or for a pool) are handed to Redis in commit
 * order, each as one job with the task's global id (`NODE.ID`) as job id, its priority, and an HMAC over its content;
 * only once Redis acknowledged the add does the local row become `forwarded`. A crash between the two adds the same
 * job id again (ignored by BullMQ, or deduplicated by the owner's idempotency key). Redis down: the tasks stay queued
 * here (the backlog) and go when it answers again. The event loop never waits on Redis for anything else.
 */
import { Coalesced } from '../coalesced.js';
import type { QueueStore } from '../queue/store.js';
import type { Logger } from '../ports/logger.js';
import type { Task } from '../task.js';
import type { ClusterBus } from './bus.js';
import type { ClusterRouter } from './router.js';
import { gidOf, sign } from './signing.js';

export interface ForwarderDeps {
  bus: ClusterBus;
  store: QueueStore;
  router: ClusterRouter;
  secret: string;
  node: string;
  logger: Logger;
  now: () => number;
  /** Whether Redis is believed reachable (the registrar's view); the forwarder tries only then. */
  connected: () => boolean;
  onForwarded: (tasks: Task[], node: string | null, queue: string) => void;
  onError: (err: unknown) => void;
}

/** BullMQ runs lower numbers first (0: before all prioritized jobs); ours run higher first, -100..100. */
export const bullPriority = (priority: number): number => 101 - priority;

const BATCH = 500;

export class Forwarder {
  readonly #d: ForwarderDeps;
  readonly #passes = new Coalesced(
    () => this.#drain(),
    () => !this.#closed && this.failing === null,
  );
  #closed = false;
  /** The last add failed: Redis is down or refusing (shown beside the backlog). */
  failing: string | null = null;

  constructor(deps: ForwarderDeps) {
    this.#d = deps;
  }

  /** Tasks committed here, waiting to be handed to Redis. */
  backlog(): number {
    const { store, router } = this.#d;
    return store.countQueuedFor(router.remote(store.readyTargets()));
  }

  /** Forward what waits; coalesces calls while a pass runs. Resolves when the outbox is empty or Redis failed. */
  pump(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#passes.run();
  }

  async #drain(): Promise<void> {
    const { store, router } = this.#d;
    while (!this.#closed && this.#d.connected()) {
      if (!(await this.#lookUpUnknown())) return;
      const batch = store.queuedFor(router.remote(store.readyTargets()), BATCH);
      if (batch.length === 0) return;
      try {
        for (const [queue, group] of this.#byQueue(batch)) await this.#send(queue, group.node, group.tasks);
        this.failing = null;
      } catch (err) {
        this.failing = (err as Error).message;
        this.#d.onError(err);
        return;
      }
    }
  }

  /** Targets nobody was known to own: read the owner map afresh; still unknown, release them to local delivery. */
  async #lookUpUnknown(): Promise<boolean> {
    const { router, store, bus } = this.#d;
    if (router.unknown(store.readyTargets()).length === 0) return true;
    try {
      router.setOwners(await bus.owners());
    } catch (err) {
      this.failing = (err as Error).message;
      return false;
    }
    router.release(router.unknown(store.readyTargets()));
    return true;
  }

  /** Group a batch by destination queue, keeping commit order inside each. */
  #byQueue(batch: readonly Task[]): Map<string, { node: string | null; tasks: Task[] }> {
    const out = new Map<string, { node: string | null; tasks: Task[] }>();
    for (const t of batch) {
      const r = this.#d.router.route(t.target);
      if (!r) continue;
      const g = out.get(r.queue) ?? { node: r.node, tasks: [] };
      g.tasks.push(t);
      out.set(r.queue, g);
    }
    return out;
  }

  async #send(queue: string, node: string | null, tasks: Task[]): Promise<void> {
    const { bus, store, secret } = this.#d;
    const jobs = tasks.map((t) => {
      const gid = gidOf(this.#d.node, t.id);
      const payload = {
        gid,
        origin: this.#d.node,
        target: t.target,
        text: t.text,
        priority: t.priority,
        category: t.category,
        receivedAt: t.receivedAt,
      };
      return { id: gid, priority: bullPriority(t.priority), data: sign(payload, secret) };
    });
    await bus.add(queue, jobs);
    const moved = store.markForwarded(
      tasks.map((t) => t.id),
      this.#d.now(),
    );
    this.#d.onForwarded(moved, node, queue);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#passes.idle();
  }
}
