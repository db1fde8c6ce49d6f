/** Start the real HTTP server on 127.0.0.1 port 0 for tests; everything started here is closed by `stop()`. */
import { request } from 'node:http';
import { hooksConfigSchema, httpConfigSchema } from '../../src/engine/intake/http/config.js';
import type { HttpDeps, ReadyReport } from '../../src/engine/intake/http/context.js';
import { startHttpServer, type RunningHttpServer } from '../../src/engine/intake/http/server.js';
import { systemClock } from '../../src/engine/ports/clock.js';
import { silentLogger } from '../../src/engine/ports/logger.js';
import type { EngineApi } from '../../src/engine/types.js';
import { createFakeApi, type FakeApi } from './http-fake-api.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface TestServer<A extends EngineApi = FakeApi> {
  api: A;
  server: RunningHttpServer;
  url: string;
  ready: { report: ReadyReport };
  stop(): Promise<void>;
}

export async function startTestServer<A extends EngineApi = FakeApi>(opts: {
  api?: A;
  http?: Record<string, unknown>;
  hooks?: Record<string, unknown>;
  deps?: Partial<HttpDeps>;
} = {}): Promise<TestServer<A>> {
  const api = (opts.api ?? createFakeApi()) as A;
  const ready = { report: { ok: true, checks: { database: 'ok', tmux: 'ok' } } as ReadyReport };
  const server = await startHttpServer({
    api,
    config: httpConfigSchema.parse({ port: 0, rateLimit: { enabled: false }, ...opts.http }),
    hooks: hooksConfigSchema.parse(opts.hooks ?? {}),
    token: TOKEN,
    ready: async () => ready.report,
    clock: systemClock,
    logger: silentLogger,
    ...opts.deps,
  });
  return { api, server, url: server.url, ready, stop: () => server.close(500) };
}

export const auth = { authorization: `Bearer ${TOKEN}` };
export const json = { 'content-type': 'application/json' };

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { ...json, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** A request with the exact path bytes given (fetch would normalise `..` and `%2e`). */
export function rawRequest(base: string, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers: { ...headers, connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
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
