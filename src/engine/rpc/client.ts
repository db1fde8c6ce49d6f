import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { WhtError, type ErrorCode, ERROR_CODES } from '../errors.js';
import type {
  EngineApi,
  EngineEventMap,
  EngineSnapshot,
  EnqueueResult,
  ListTasksQuery,
  NewTask,
  QueueStats,
  Task,
} from '../types.js';
import { LineSplitter, type RpcEvent, type RpcMethod, type RpcResponse } from './protocol.js';

/** Connect to a running engine's RPC socket (control.sock); rejects WHT_ERR_ENGINE_UNREACHABLE when nobody listens. */
export async function connectRpc(path: string, timeoutMs = 2000): Promise<RpcClient> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(path);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new WhtError('WHT_ERR_ENGINE_UNREACHABLE', `no answer on ${path}`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(
        new WhtError(
          'WHT_ERR_ENGINE_UNREACHABLE',
          `no engine on ${path} (${(err as NodeJS.ErrnoException).code ?? err.message})`,
        ),
      );
    });
  });
  return new RpcClient(socket);
}

/**
 * Async client of the control protocol. `call` runs one EngineApi method in the engine; `subscribe` turns on the
 * event stream, re-emitted on `events`.
 */
export class RpcClient {
  readonly events = new EventEmitter<EngineEventMap>();
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    const splitter = new LineSplitter((line) => this.onLine(line));
    socket.on('data', (chunk: string) => splitter.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.values())
        w.reject(new WhtError('WHT_ERR_ENGINE_UNREACHABLE', 'the engine closed the control connection'));
      this.waiting.clear();
      if (this.events.listenerCount('error') > 0) {
        this.events.emit(
          'error',
          new WhtError('WHT_ERR_ENGINE_UNREACHABLE', 'the engine closed the control connection'),
        );
      }
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onLine(line: string): void {
    const msg = JSON.parse(line) as RpcResponse & Partial<RpcEvent>;
    if (msg.event) {
      (this.events.emit as (name: string, ...args: unknown[]) => boolean)(msg.event, ...(msg.args ?? []));
      return;
    }
    const w = this.waiting.get(msg.id);
    if (!w) return;
    this.waiting.delete(msg.id);
    if (msg.error) {
      const code = (msg.error.code in ERROR_CODES ? msg.error.code : 'WHT_ERR_STORAGE') as ErrorCode;
      w.reject(new WhtError(code, msg.error.message));
    } else {
      w.resolve(msg.result);
    }
  }

  call<T = unknown>(method: RpcMethod, params?: unknown): Promise<T> {
    if (this.closed) return Promise.reject(new WhtError('WHT_ERR_ENGINE_UNREACHABLE', 'control connection is closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  /** Turn on the event stream: only `events` when given (each event sent costs the engine), else all. */
  async subscribe(events?: ReadonlyArray<keyof EngineEventMap>): Promise<void> {
    await this.call('subscribe', events ? { events } : undefined);
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}

/** EngineApi over the RPC socket (control.sock), with every method async. Used by the CLI and the attached dashboard. */
export interface AsyncEngineApi {
  enqueue(input: NewTask): Promise<EnqueueResult>;
  getTask(id: number): Promise<Task | undefined>;
  listTasks(query?: ListTasksQuery): Promise<Task[]>;
  retry(id: number): Promise<Task>;
  retryAllDead(): Promise<number>;
  drop(id: number): Promise<Task>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  isPaused(): Promise<boolean>;
  stats(): Promise<QueueStats>;
  snapshot(): Promise<EngineSnapshot>;
}

export function remoteApi(client: RpcClient): AsyncEngineApi {
  return {
    enqueue: (input) => client.call('enqueue', input),
    getTask: async (id) => (await client.call<Task | null>('getTask', { id })) ?? undefined,
    listTasks: (query) => client.call('listTasks', query),
    retry: (id) => client.call('retry', { id }),
    retryAllDead: () => client.call('retryAllDead'),
    drop: (id) => client.call('drop', { id }),
    pause: async () => {
      await client.call('pause');
    },
    resume: async () => {
      await client.call('resume');
    },
    isPaused: () => client.call('isPaused'),
    stats: () => client.call('stats'),
    snapshot: () => client.call('snapshot'),
  };
}

/** Wrap a synchronous EngineApi (an embedded engine, or the store when no engine runs) as AsyncEngineApi. */
export function localApi(api: EngineApi): AsyncEngineApi {
  return {
    enqueue: async (input) => api.enqueue(input),
    getTask: async (id) => api.getTask(id),
    listTasks: async (query) => api.listTasks(query),
    retry: async (id) => api.retry(id),
    retryAllDead: async () => api.retryAllDead(),
    drop: async (id) => api.drop(id),
    pause: async () => api.pause(),
    resume: async () => api.resume(),
    isPaused: async () => api.isPaused(),
    stats: async () => api.stats(),
    snapshot: async () => api.snapshot(),
  };
}
