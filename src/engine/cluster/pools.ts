/**
 * Pools: `targets.NAME.pool: "P"` makes NAME a member of P; a task for `pool:P` waits in the pool's queue in Redis
 * and is taken by whichever node first has a member that is free (nothing pending or watched for it here) and
 * ready (the same readiness judgement delivery makes), one task per member at a time. The taking node commits it
 * under `cluster:NODE.ID` for that member and only then completes the job; a node that dies holding a job leaves it
 * to the failed set (WHT_ERR_NODE_LOST), never to another node, so a pooled task is typed at most once.
 */
import { Coalesced } from '../coalesced.js';
import { timersOf, type Clock, type ClockTimer } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { TargetStatus } from '../task.js';
import { poolQueue, type BusJob, type ClusterBus, type PoolTaker } from './bus.js';
import { JobLater, JobRejected } from './bus.js';
import { verifiedPayload } from './receiver.js';
import type { ForwardPayload } from './signing.js';

export interface PoolDeps {
  bus: ClusterBus;
  /** Pool name -> this node's members (target names). */
  pools: ReadonlyMap<string, readonly string[]>;
  secret: string;
  /** Nothing pending, in delivery or watched for this target here. */
  free: (target: string) => boolean;
  /** Ask tmux about the targets now (readiness). */
  probe: () => Promise<TargetStatus[]>;
  /** Commit a verified pooled task for `member` (throws JobLater/JobRejected as the receiver does). */
  commit: (task: ForwardPayload, member: string) => void;
  /** Whether to take at all now (Redis reachable, engine not paused). */
  active: () => boolean;
  onFailed: (job: BusJob, reason: string) => void;
  onError: (err: unknown) => void;
  clock: Clock;
  logger: Logger;
  /** How often free members look for work when nothing woke them. @default 500 */
  pollMs?: number;
}

/** Pool names and their members among a node's targets. */
export function poolsOf(targets: Readonly<Record<string, { pool: string | null }>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, t] of Object.entries(targets)) if (t.pool) out.set(t.pool, [...(out.get(t.pool) ?? []), name]);
  return out;
}

export class PoolRunner {
  readonly #d: PoolDeps;
  readonly #takers = new Map<string, PoolTaker>();
  #timer: ClockTimer | undefined;
  readonly #passes = new Coalesced(
    () => this.#round().catch((err: unknown) => this.#d.onError(err)),
    () => !this.#closed,
  );
  #closed = false;

  constructor(deps: PoolDeps) {
    this.#d = deps;
  }

  start(): void {
    for (const pool of this.#d.pools.keys())
      this.#takers.set(
        pool,
        this.#d.bus.poolTaker(poolQueue(pool), { onFailed: this.#d.onFailed, onError: this.#d.onError }),
      );
    if (this.#takers.size === 0) return;
    this.#timer = timersOf(this.#d.clock).setInterval(() => void this.kick(), this.#d.pollMs ?? 500);
  }

  /** Look for work for free members now (a delivery settled, Redis came back). */
  kick(): Promise<void> {
    if (this.#closed || this.#takers.size === 0) return Promise.resolve();
    return this.#passes.run();
  }

  async #round(): Promise<void> {
    if (!this.#d.active()) return;
    const candidates = [...this.#d.pools].flatMap(([pool, members]) =>
      members.filter((m) => this.#d.free(m)).map((m) => ({ pool, member: m })),
    );
    if (candidates.length === 0) return;
    const ready = new Set((await this.#d.probe()).filter((t) => t.state === 'ready').map((t) => t.name));
    const empty = new Set<string>();
    for (const { pool, member } of candidates) {
      if (this.#closed || empty.has(pool) || !ready.has(member) || !this.#d.free(member)) continue;
      if (!(await this.#takeFor(pool, member))) empty.add(pool);
    }
  }

  /** Take one job of `pool` for `member`; false when the pool's queue is empty. */
  async #takeFor(pool: string, member: string): Promise<boolean> {
    const job = await this.#takers.get(pool)!.take();
    if (!job) return false;
    try {
      this.#d.commit(verifiedPayload(job, this.#d.secret), member);
    } catch (err) {
      if (err instanceof JobRejected) {
        await job.reject(err.code, err.message.replace(`${err.code}: `, ''));
        this.#d.onFailed(job, err.message);
        return true;
      }
      // Not now (queue full, storage down): nothing was committed; put it back for any member.
      await job.release();
      if (err instanceof JobLater) return false;
      throw err;
    }
    await job.complete();
    this.#d.logger.debug('cluster: pooled task taken', { job: job.id, pool, member });
    return true;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    timersOf(this.#d.clock).clearInterval(this.#timer);
    await this.#passes.idle();
    await Promise.all([...this.#takers.values()].map((t) => t.close()));
  }
}
