/**
 * ClusterBus on BullMQ and ioredis (loaded only in cluster mode, through a dynamic import in cluster/index.ts).
 * Connections: one shared command connection (fails fast while Redis is down: no offline queue), plus what each
 * Worker needs (BullMQ requires `maxRetriesPerRequest: null` there and duplicates it for its blocking reads).
 * Every call is bounded (`bounded`), so a dead Redis is an error after `timeoutMs`, never a hang.
 */
import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { WhtError } from '../errors.js';
import type {
  BusJob,
  ClaimConflict,
  ClusterBus,
  ConsumeOptions,
  Consumer,
  FailedJob,
  NodeRecord,
  NodeView,
  PoolTaker,
  QueueCounts,
  TaskMirror,
} from './bus.js';
import { JobLater, JobRejected } from './bus.js';
import type { RedisConnectOptions } from './redis-options.js';

export interface BullBusOptions {
  connect: RedisConnectOptions;
  prefix: string;
  timeoutMs: number;
  /** Pool workers: how long a taken job's lock lasts without renewal (a dead holder is found after about this). */
  lockMs?: number;
}

/** Reject after `ms` with WHT_ERR_REDIS_UNAVAILABLE; the underlying call is left to finish or fail on its own. */
export function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WhtError('WHT_ERR_REDIS_UNAVAILABLE', `Redis did not answer ${what} within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([p, timeout])
    .catch((err: unknown) => {
      if (err instanceof WhtError) throw err;
      throw new WhtError('WHT_ERR_REDIS_UNAVAILABLE', `Redis ${what} failed: ${(err as Error).message}`, undefined, {
        cause: err,
      });
    })
    .finally(() => clearTimeout(timer));
}

function newRedis(c: RedisConnectOptions, extra: RedisOptions): Redis {
  const opts: RedisOptions = {
    ...extra,
    ...(c.path ? { path: c.path } : {}),
    ...(c.password !== undefined ? { password: c.password } : {}),
    retryStrategy: (times) => Math.min(100 * times, 2000),
  };
  const client = c.url ? new Redis(c.url, opts) : new Redis(opts);
  return client;
}

/** Claim targets and renew the node record in one step (atomic: two nodes starting at once cannot both win). */
const CLAIM = `
local owners, nodeKey, me, inst, rec, ttl, pfx = KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local out = {}
local cur = redis.call('GET', nodeKey)
if cur then
  local curInst = string.match(cur, '"instance":"([^"]*)"')
  if curInst ~= inst then
    local hb = string.match(cur, '"heartbeatAt":([0-9.]+)')
    return {'node', hb or '0'}
  end
end
for i = 6, #ARGV do
  local t = ARGV[i]
  local owner = redis.call('HGET', owners, t)
  if owner and owner ~= me and redis.call('EXISTS', pfx .. ':c:node:' .. owner) == 1 then
    table.insert(out, t)
    table.insert(out, owner)
  end
end
if #out > 0 then return out end
for i = 6, #ARGV do redis.call('HSET', owners, ARGV[i], me) end
redis.call('SET', nodeKey, rec, 'PX', ttl)
redis.call('HSET', pfx .. ':c:nodes', me, rec)
return {}
`;

export class BullBus implements ClusterBus {
  readonly #o: BullBusOptions;
  readonly #cmd: Redis;
  readonly #queues = new Map<string, Queue>();
  readonly #closers: Array<() => Promise<void>> = [];
  #closing: Promise<void> | undefined;

  constructor(o: BullBusOptions) {
    this.#o = o;
    // No offline queue: while Redis is down a command fails at once instead of waiting for a reconnect.
    this.#cmd = newRedis(o.connect, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: o.timeoutMs,
    });
    this.#cmd.on('error', () => undefined);
  }

  #k(name: string): string {
    return `${this.#o.prefix}:c:${name}`;
  }

  /** Bounded call on the command connection, once it is ready (it has no offline queue: a command sent before then fails). */
  #b<T>(call: () => Promise<T>, what: string): Promise<T> {
    return bounded(this.#ready().then(call), this.#o.timeoutMs, what);
  }

  #ready(): Promise<void> {
    const c = this.#cmd;
    if (c.status === 'ready') return Promise.resolve();
    if (c.status === 'end') return Promise.reject(new Error('connection closed'));
    return new Promise((resolve) => c.once('ready', () => resolve()));
  }

  #queue(name: string): Queue {
    let q = this.#queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection: this.#cmd,
        prefix: this.#o.prefix,
        streams: { events: { maxLen: 1000 } },
        defaultJobOptions: { removeOnComplete: { count: 1000 }, removeOnFail: { count: 10_000 } },
      });
      q.on('error', () => undefined);
      this.#queues.set(name, q);
    }
    return q;
  }

  async ping(): Promise<void> {
    await this.#b(() => this.#cmd.ping(), 'PING');
  }

  async evictionPolicy(): Promise<string> {
    const info = await this.#b(() => this.#cmd.info('memory'), 'INFO memory');
    return /maxmemory_policy:(\S+)/.exec(info)?.[1] ?? 'unknown';
  }

  async claim(rec: NodeRecord, targets: readonly string[], ttlMs: number): Promise<ClaimConflict[]> {
    const keys = [this.#k('owners'), this.#k(`node:${rec.node}`)];
    const args = [rec.node, rec.instance, JSON.stringify(rec), String(ttlMs), this.#o.prefix, ...targets];
    const out = (await this.#b(() => this.#cmd.eval(CLAIM, keys.length, ...keys, ...args), 'claim')) as string[];
    if (out[0] === 'node') return [{ kind: 'node', heartbeatAt: Number(out[1]) }];
    const conflicts: ClaimConflict[] = [];
    for (let i = 0; i + 1 < out.length; i += 2) conflicts.push({ kind: 'target', target: out[i]!, owner: out[i + 1]! });
    return conflicts;
  }

  async heartbeat(rec: NodeRecord, ttlMs: number): Promise<void> {
    const json = JSON.stringify(rec);
    await this.#b(
      () =>
        this.#cmd
          .multi()
          .set(this.#k(`node:${rec.node}`), json, 'PX', ttlMs)
          .hset(this.#k('nodes'), rec.node, json)
          .exec(),
      'heartbeat',
    );
  }

  async leave(node: string, instance: string): Promise<void> {
    const key = this.#k(`node:${node}`);
    const cur = await this.#b(() => this.#cmd.get(key), 'leave');
    if (cur && (JSON.parse(cur) as NodeRecord).instance === instance) await this.#b(() => this.#cmd.del(key), 'leave');
  }

  async owners(): Promise<Record<string, string>> {
    return this.#b(() => this.#cmd.hgetall(this.#k('owners')), 'owners');
  }

  async nodes(): Promise<NodeView[]> {
    const all = await this.#b(() => this.#cmd.hgetall(this.#k('nodes')), 'nodes');
    const names = Object.keys(all).sort();
    if (names.length === 0) return [];
    const live = await this.#b(() => this.#cmd.mget(...names.map((n) => this.#k(`node:${n}`))), 'nodes');
    return names.map((n, i) => {
      const rec = JSON.parse(live[i] ?? all[n]!) as NodeRecord;
      return { ...rec, alive: live[i] !== null };
    });
  }

  async add(queue: string, jobs: ReadonlyArray<{ id: string; priority: number; data: unknown }>): Promise<void> {
    if (jobs.length === 0) return;
    const q = this.#queue(queue);
    await this.#b(
      () => q.addBulk(jobs.map((j) => ({ name: 'task', data: j.data, opts: { jobId: j.id, priority: j.priority } }))),
      `add to ${queue}`,
    );
  }

  consume(queue: string, handler: (job: BusJob) => Promise<void>, opts: ConsumeOptions): Consumer {
    const q = this.#queue(queue);
    const conn = newRedis(this.#o.connect, { maxRetriesPerRequest: null });
    conn.on('error', () => undefined);
    const run = (job: Job) =>
      handler({ id: job.id!, data: job.data as unknown, attemptsMade: job.attemptsStarted - 1 });
    const worker = new Worker(
      queue,
      async (job: Job) => {
        try {
          await this.#orphansFirst(q, job.id!, run);
          await run(job);
        } catch (err) {
          if (err instanceof JobRejected) throw new UnrecoverableError(err.message);
          // Anything else (JobLater, or a fault) puts the job back at the head: order is kept, nothing is dropped.
          if (!(err instanceof JobLater)) opts.onError?.(err);
          const delayMs = err instanceof JobLater ? err.delayMs : 1000;
          // Redis itself failing here must not fail the job (it would land in the failed set): wait, then put it back.
          await bounded(q.rateLimit(delayMs), this.#o.timeoutMs, 'rate limit').catch(
            () => new Promise((r) => setTimeout(r, Math.min(delayMs, 1000)).unref()),
          );
          throw Worker.RateLimitError();
        }
      },
      {
        connection: conn,
        prefix: this.#o.prefix,
        concurrency: 1,
        maxStalledCount: opts.stalled === 'retry' ? 1_000_000 : 0,
        stalledInterval: this.#o.lockMs ?? 30_000,
        lockDuration: this.#o.lockMs ?? 30_000,
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 10_000 },
      },
    );
    worker.on('error', (err) => opts.onError?.(err));
    // Only a JobRejected or (with stalled: 'fail') a stalled job gets here: everything else was put back.
    worker.on('failed', (job, err) => {
      if (job) opts.onFailed?.({ id: job.id!, data: job.data as unknown, attemptsMade: job.attemptsMade }, err.message);
    });
    const close = async () => {
      await worker.close(true).catch(() => undefined);
      conn.disconnect();
    };
    this.#closers.push(close);
    return { close };
  }

  /**
   * Jobs left active by a consumer that is gone (this node before a crash, or a fetch whose reply was lost when Redis
   * died) wait for their lock to run out before BullMQ hands them out again, after later jobs. So before each job, the
   * older active ones are handled first (concurrency is 1: any other active job is such an orphan). The handler is
   * idempotent per job id; when BullMQ hands an orphan out again it completes without doing anything twice.
   */
  async #orphansFirst(q: Queue, current: string, run: (job: Job) => Promise<void>): Promise<void> {
    const active = await this.#b(() => q.getActive(0, 20), `active jobs of ${q.name}`);
    for (const job of active.reverse()) {
      if (job.id === current) continue;
      await run(job as Job).catch((err: unknown) => {
        // Refused: it is refused again when handed out; anything else: this job waits behind it.
        if (!(err instanceof JobRejected)) throw err;
      });
    }
  }

  poolTaker(queue: string, opts: Pick<ConsumeOptions, 'onError' | 'onFailed'>): PoolTaker {
    const conn = newRedis(this.#o.connect, { maxRetriesPerRequest: null });
    conn.on('error', () => undefined);
    const lockMs = this.#o.lockMs ?? 30_000;
    const worker = new Worker(queue, null, {
      connection: conn,
      prefix: this.#o.prefix,
      autorun: false,
      // A node that died holding a pooled job: the job goes to the failed set, never to another node.
      maxStalledCount: 0,
      stalledInterval: lockMs,
      lockDuration: lockMs,
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 10_000 },
    });
    worker.on('error', (err) => opts.onError?.(err));
    void worker.startStalledCheckTimer().catch((err: unknown) => opts.onError?.(err));
    const b = <T>(p: Promise<T>, what: string) => bounded(p, this.#o.timeoutMs, what);
    const taker: PoolTaker = {
      take: async () => {
        for (;;) {
          const token = randomUUID();
          const job = (await b(worker.getNextJob(token, { block: false }), `take from ${queue}`)) as Job | undefined;
          if (!job) return null;
          const busJob = { id: job.id!, data: job.data as unknown, attemptsMade: job.attemptsStarted - 1 };
          // A job whose holder died (its lock ran out): BullMQ marks it to fail at the next take; fail it, never run it.
          if (job.deferredFailure) {
            const reason = `WHT_ERR_NODE_LOST: the node that took this pooled task stopped before it confirmed it (${job.deferredFailure}); it is not given to another node (the node that took it types it after its restart if it had committed it)`;
            await b(job.moveToFailed(new UnrecoverableError(reason), token, false), `fail in ${queue}`);
            opts.onFailed?.(busJob, reason);
            continue;
          }
          return {
            ...busJob,
            complete: async () => {
              await b(job.moveToCompleted('ok', token, false), `complete in ${queue}`);
            },
            reject: async (code, reason) => {
              await b(job.moveToFailed(new UnrecoverableError(`${code}: ${reason}`), token, false), `fail in ${queue}`);
            },
            release: async () => {
              await b(job.moveToWait(token), `release in ${queue}`);
            },
          };
        }
      },
      close: async () => {
        await worker.close(true).catch(() => undefined);
        conn.disconnect();
      },
    };
    this.#closers.push(taker.close);
    return taker;
  }

  async counts(queue: string): Promise<QueueCounts> {
    const c = await this.#b(
      () => this.#queue(queue).getJobCounts('waiting', 'prioritized', 'active', 'failed', 'completed', 'delayed'),
      `counts of ${queue}`,
    );
    return {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0),
      active: c.active ?? 0,
      failed: c.failed ?? 0,
      completed: c.completed ?? 0,
    };
  }

  async failed(queue: string, limit: number): Promise<FailedJob[]> {
    const jobs = await this.#b(() => this.#queue(queue).getFailed(0, limit - 1), `failed of ${queue}`);
    return jobs.map((j) => ({
      id: j.id ?? '',
      reason: j.failedReason ?? '',
      data: j.data as unknown,
      failedAt: j.finishedOn ?? null,
    }));
  }

  async putStates(states: readonly TaskMirror[], ttlMs: number): Promise<void> {
    if (states.length === 0) return;
    const m = this.#cmd.multi();
    for (const s of states) m.set(this.#k(`task:${s.gid}`), JSON.stringify(s), 'PX', ttlMs);
    await this.#b(() => m.exec(), 'put states');
  }

  async getStates(gids: readonly string[]): Promise<Array<TaskMirror | null>> {
    if (gids.length === 0) return [];
    const raw = await this.#b(() => this.#cmd.mget(...gids.map((g) => this.#k(`task:${g}`))), 'get states');
    return raw.map((r) => (r ? (JSON.parse(r) as TaskMirror) : null));
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all(this.#closers.map((c) => c()));
      await Promise.all([...this.#queues.values()].map((q) => q.close().catch(() => undefined)));
      this.#cmd.disconnect();
    })();
    return this.#closing;
  }
}
