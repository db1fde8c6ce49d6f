/**
 * Start the real HTTP server on 127.0.0.1 port 0 in front of the real engine (real SQLite in a temp dir) for tests;
 * everything started here is closed by `stop()`.
 */
import { request } from 'node:http';
import { hooksConfigSchema, httpConfigSchema } from '../../src/engine/intake/http/config.js';
import type { HttpDeps, ReadyReport } from '../../src/engine/intake/http/context.js';
import { startHttpServer, type RunningHttpServer } from '../../src/engine/intake/http/server.js';
import { systemClock } from '../../src/engine/ports/clock.js';
import { silentLogger } from '../../src/engine/ports/logger.js';
import type { EngineApi, Task } from '../../src/engine/types.js';
import { createEngine, type Engine, type EngineDeps } from '../../src/engine/engine.js';
import { resolveConfig } from '../../src/engine/config/resolve.js';
import { textOptionsFor } from '../../src/engine/queue/task-row.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeApi } from './http-fake-api.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface TestServer {
  /** The real engine (SQLite in a temp dir, delivery paused), or the fake when one was passed. */
  api: EngineApi;
  engine: Engine | null;
  server: RunningHttpServer;
  url: string;
  ready: { report: ReadyReport };
  /** Every task, oldest first. */
  tasks(): Task[];
  stop(): Promise<void>;
}

let seq = 0;

/** A real engine on a temp data dir; delivery paused so no tmux is touched (the HTTP layer ends at the commit). */
export async function startTestEngine(
  queue: Record<string, unknown> = {},
  deps: EngineDeps = {},
): Promise<{ engine: Engine; dir: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'wht-http-'));
  const config = resolveConfig(
    {
      dataDir: dir,
      spool: { dir: join(dir, 'spool') },
      queue,
      tmux: { socketName: `wht-http-unused-${process.pid}-${++seq}` },
      // The test serves HTTP itself (startHttpServer below); the engine's own server stays off.
      http: { enabled: false },
    },
    {},
  );
  const engine = await createEngine(config, { logger: silentLogger, tmuxPane: undefined, ...deps });
  engine.pause();
  return {
    engine,
    dir,
    stop: async () => {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startTestServer(
  opts: {
    fake?: FakeApi;
    queue?: Record<string, unknown>;
    http?: Record<string, unknown>;
    hooks?: Record<string, unknown>;
    deps?: Partial<HttpDeps>;
    engineDeps?: EngineDeps;
  } = {},
): Promise<TestServer> {
  const real = opts.fake ? null : await startTestEngine(opts.queue, opts.engineDeps);
  const api: EngineApi = opts.fake ?? real!.engine;
  const ready = { report: { ok: true, checks: { database: 'ok', tmux: 'ok' } } as ReadyReport };
  const server = await startHttpServer({
    api,
    config: httpConfigSchema.parse({ port: 0, rateLimit: { enabled: false }, ...opts.http }),
    hooks: hooksConfigSchema.parse(opts.hooks ?? {}),
    token: TOKEN,
    ready: async () => ready.report,
    clock: systemClock,
    logger: silentLogger,
    ...(real ? { textOptions: (target: string) => textOptionsFor(real.engine.config, target) } : {}),
    ...opts.deps,
  });
  return {
    api,
    engine: real?.engine ?? null,
    server,
    url: server.url,
    ready,
    tasks: () => api.listTasks({ limit: 1000 }).sort((a, b) => a.id - b.id),
    stop: async () => {
      await server.close(500);
      await real?.stop();
    },
  };
}

export const auth = { authorization: `Bearer ${TOKEN}` };
export const json = { 'content-type': 'application/json' };

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { ...json, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A request with the exact path bytes given (fetch would normalise `..` and `%2e`). */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method, path, headers: { ...headers, connection: 'close' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The JSON body of a response, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function jsonOf(r: Response | undefined): Promise<any> {
  if (r === undefined) throw new Error('no response');
  return r.json();
}
