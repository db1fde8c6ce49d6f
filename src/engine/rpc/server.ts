import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { toWhtError, WhtError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import type { EngineApi, EngineEventMap, ListTasksQuery, NewTask } from '../types.js';
import type { EventEmitter } from 'node:events';
import { RPC_METHODS, LineSplitter, type RpcRequest, type RpcResponse } from './protocol.js';

const EVENTS: Array<keyof EngineEventMap> = [
  'task:queued',
  'task:deduplicated',
  'task:started',
  'task:delivered',
  'task:retrying',
  'task:dead',
  'task:working',
  'task:completed',
  'task:stalled',
  'task:dropped',
  'task:rate-limited',
  'intake:rejected',
  'queue:paused',
  'queue:resumed',
  'log',
];

/**
 * The events a `subscribe` asks for (`params.events`; all of them when absent): each one sent costs the engine a
 * JSON line, and a burst makes thousands a second, so a reader asks only for what it shows.
 */
function subscribedEvents(params: unknown): Array<keyof EngineEventMap> {
  const asked = (params as { events?: unknown } | undefined)?.events;
  if (asked === undefined) return EVENTS;
  if (!Array.isArray(asked) || !asked.every((e) => typeof e === 'string'))
    throw new WhtError('WHT_ERR_USAGE', 'params.events must be an array of event names');
  const unknown = asked.filter((e) => !EVENTS.includes(e as keyof EngineEventMap));
  if (unknown.length)
    throw new WhtError('WHT_ERR_USAGE', `unknown event ${unknown.join(', ')} (known: ${EVENTS.join(', ')})`);
  return asked as Array<keyof EngineEventMap>;
}

function idParam(params: unknown): number {
  const id = (params as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'number' || !Number.isInteger(id))
    throw new WhtError('WHT_ERR_TASK_NOT_FOUND', 'params.id must be an integer task id');
  return id;
}

/** What the engine offers beyond EngineApi: live target states and the monitor's history (for an attached dashboard). */
export interface ControlExtras {
  targetStatus?: () => Promise<unknown>;
  history?: (range: 'hour' | 'day' | 'week' | 'month') => unknown;
  /** Where the `default` target's commands go, in words (what `--split` says when it attaches). */
  describeDefaultTarget?: () => Promise<string>;
}

const RANGES = new Set(['hour', 'day', 'week', 'month']);

/** Run one control method against the engine API. Pure dispatch; one code path per action. */
export function dispatchControl(
  api: EngineApi,
  method: RpcRequest['method'],
  params: unknown,
  extras: ControlExtras = {},
): unknown {
  switch (method) {
    case 'targetStatus':
      return extras.targetStatus ? extras.targetStatus() : api.snapshot().targets;
    case 'history': {
      const range = (params as { range?: unknown } | undefined)?.range ?? 'hour';
      if (typeof range !== 'string' || !RANGES.has(range))
        throw new WhtError('WHT_ERR_BAD_TRIGGER', 'params.range must be hour, day, week or month');
      if (!extras.history) throw new WhtError('WHT_ERR_STORAGE', 'this engine keeps no history (monitor off)');
      return extras.history(range as 'hour');
    }
    case 'describeDefaultTarget':
      return extras.describeDefaultTarget ? extras.describeDefaultTarget() : null;
    case 'enqueue':
      return api.enqueue(params as NewTask);
    case 'getTask':
      return api.getTask(idParam(params)) ?? null;
    case 'listTasks':
      return api.listTasks(params as ListTasksQuery | undefined);
    case 'retry':
      return api.retry(idParam(params));
    case 'retryAllDead':
      return api.retryAllDead();
    case 'drop':
      return api.drop(idParam(params));
    case 'pause':
      api.pause();
      return { paused: true };
    case 'resume':
      api.resume();
      return { paused: false };
    case 'isPaused':
      return api.isPaused();
    case 'stats':
      return api.stats();
    case 'snapshot':
      return api.snapshot();
    case 'subscribe':
      return { subscribed: true };
  }
}

/** The engine's local RPC socket (control.sock) (0600), used by CLI commands and an attached dashboard. */
export class RpcServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly api: EngineApi,
    private readonly events: EventEmitter<EngineEventMap>,
    private readonly logger: Logger,
    private readonly extras: ControlExtras = {},
  ) {}

  async start(): Promise<void> {
    try {
      unlinkSync(this.path);
    } catch {
      /* none left */
    }
    const server = createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    chmodSync(this.path, 0o600);
    this.server = server;
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    socket.setEncoding('utf8');
    const unsubscribe: Array<() => void> = [];
    // Lines queued in one turn of the event loop leave in one write: a burst's events are thousands a second, and a
    // write (a syscall) each cost the engine more than the events themselves.
    let queued: string[] = [];
    const flush = () => {
      const lines = queued;
      queued = [];
      if (!socket.destroyed && lines.length) socket.write(lines.join(''));
    };
    const send = (msg: unknown) => {
      if (socket.destroyed) return;
      if (queued.push(`${JSON.stringify(msg)}\n`) === 1) setImmediate(flush);
    };
    const splitter = new LineSplitter((line) => void this.answer(line, send, unsubscribe));
    socket.on('data', (chunk: string) => {
      try {
        splitter.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      for (const off of unsubscribe) off();
      this.sockets.delete(socket);
    });
  }

  private async answer(line: string, send: (msg: unknown) => void, unsubscribe: Array<() => void>): Promise<void> {
    let req: RpcRequest;
    try {
      req = JSON.parse(line) as RpcRequest;
    } catch {
      send({ id: -1, error: { code: 'WHT_ERR_BAD_TRIGGER', message: 'control request is not JSON' } });
      return;
    }
    const res: RpcResponse = { id: req.id };
    try {
      if (!RPC_METHODS.includes(req.method))
        throw new WhtError('WHT_ERR_BAD_TRIGGER', `unknown control method ${String(req.method)}`);
      res.result = await dispatchControl(this.api, req.method, req.params, this.extras);
      if (req.method === 'subscribe' && unsubscribe.length === 0) {
        for (const name of subscribedEvents(req.params)) {
          const listener = (...args: unknown[]) => send({ event: name, args });
          this.events.on(name, listener as never);
          unsubscribe.push(() => this.events.off(name, listener as never));
        }
      }
    } catch (err) {
      const e = toWhtError(err, 'WHT_ERR_STORAGE');
      res.error = { code: e.code, message: e.message };
    }
    send(res);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      for (const s of this.sockets) s.destroy();
      if (!this.server) return resolve();
      this.server.close(() => resolve());
    }).then(() => {
      try {
        unlinkSync(this.path);
      } catch {
        /* gone */
      }
      this.logger.debug('RPC socket (control.sock) closed');
    });
    return this.closing;
  }
}
