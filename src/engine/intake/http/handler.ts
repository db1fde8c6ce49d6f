/**
 * `createHttpHandler(deps)`: a plain node `(req, res) => void`, built apart from `listen()` so tests and the engine
 * can mount it anywhere. Order per request: route -> rate limit -> auth -> body (limited) -> validate -> enqueue.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { handleV1 } from './api-v1.js';
import { CommitBatcher } from './batch.js';
import { verifyBearer } from './auth.js';
import { resolveHooks } from './config.js';
import type { HandlerState, HttpDeps, RequestCtx } from './context.js';
import { handleHook } from './hooks.js';
import { HttpCounters, formatBatchMetrics, formatQueueMetrics } from './metrics.js';
import { ClientLimiter } from './rate-limit.js';
import { ReplayCache } from './replay-cache.js';
import { HttpError, sendError, sendJson, sendText, toHttpError } from './responses.js';
import { matchRoute, routeGroup, type RouteName } from './router.js';

export type HttpHandler = ((req: IncomingMessage, res: ServerResponse) => void) & { readonly state: HandlerState };

export function createHandlerState(deps: HttpDeps): HandlerState {
  const { config } = deps;
  const hooks = resolveHooks(deps.hooks, deps.secretSources);
  for (const h of hooks.values()) {
    if (h.auth?.type === 'github' && h.events === null) {
      deps.logger.warn(
        'hook runs its command on every GitHub event but ping; list the events it is for in events, e.g. ["push"]',
        { hook: h.name },
      );
    }
  }
  const rl = config.rateLimit;
  return {
    deps,
    hooks,
    limiter: rl.enabled ? new ClientLimiter({ perSecond: rl.perSecond, burst: rl.burst }, rl.maxClients) : null,
    replay: new ReplayCache(config.signatureToleranceSec * 2 * 1000 + 60_000, config.replayCacheSize),
    counters: new HttpCounters(),
    batcher: new CommitBatcher(deps.api),
    streams: new Set(),
  };
}

function requireToken(ctx: RequestCtx): void {
  const r = verifyBearer(ctx.req.headers, [ctx.state.deps.token]);
  if (!r.ok)
    throw new HttpError(
      401,
      'WHT_ERR_AUTH_FAILED',
      `${r.reason}; send Authorization: Bearer <token from the data dir>`,
      {
        'www-authenticate': 'Bearer',
      },
    );
}

async function readyz(ctx: RequestCtx): Promise<void> {
  try {
    const r = await ctx.state.deps.ready();
    sendJson(ctx.res, r.ok ? 200 : 503, r);
  } catch (err) {
    ctx.state.deps.logger.warn('readiness check failed', { error: (err as Error).message });
    sendJson(ctx.res, 503, { ok: false, checks: { error: 'readiness check failed' } });
  }
}

function metrics(ctx: RequestCtx): void {
  const { deps, counters, batcher } = ctx.state;
  if (deps.config.metricsRequireToken) requireToken(ctx);
  const own = counters.format() + formatBatchMetrics(batcher.commits, batcher.committed);
  const text = (deps.metrics ? deps.metrics() : formatQueueMetrics(deps.api.stats())) + own;
  sendText(ctx.res, 200, text, 'text/plain; version=0.0.4; charset=utf-8');
}

async function dispatch(ctx: RequestCtx, name: RouteName): Promise<void> {
  switch (name) {
    case 'hook':
      return handleHook(ctx);
    case 'livez':
      return sendJson(ctx.res, 200, { ok: true });
    case 'readyz':
      return readyz(ctx);
    case 'metrics':
      return metrics(ctx);
    default:
      requireToken(ctx);
      return handleV1(ctx, name);
  }
}

/**
 * How the per-address limit applies to a route. Probes are never limited (a busy engine must not look dead);
 * routes that authenticate are limited only when authentication fails (brute force), so a sender with a valid
 * token or signature is limited by the queue (capacity, category rates), never by its address; everything else
 * (unauthenticated hooks, /metrics without a token, unknown paths) takes from the bucket first.
 */
export function limitKind(
  state: HandlerState,
  name: RouteName | undefined,
  param: string | undefined,
): 'none' | 'on-auth-failure' | 'always' {
  if (name === 'livez' || name === 'readyz') return 'none';
  if (name === 'hook') return (state.hooks.get(param ?? '')?.auth ?? null) === null ? 'always' : 'on-auth-failure';
  if (name === 'metrics') return state.deps.config.metricsRequireToken ? 'on-auth-failure' : 'always';
  return name === undefined ? 'always' : 'on-auth-failure';
}

/** Take one request from the client's bucket; the 429 to answer when it is empty, else null. */
function rateLimited(ctx: RequestCtx): HttpError | null {
  const limiter = ctx.state.limiter;
  if (limiter === null) return null;
  const r = limiter.take(ctx.client, ctx.now);
  if (r.allowed) return null;
  const sec = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
  return new HttpError(429, 'WHT_ERR_RATE_LIMITED', `too many requests from this client; retry in ${sec} s`, {
    'retry-after': String(sec),
  });
}

const LINGER_MS = 2000;

/**
 * Lingering close (as nginx does): after an early answer, send FIN but keep reading and discarding what the client
 * is still sending, for a bounded time. Closing at once would make the kernel answer the client's next bytes with a
 * reset, which can destroy our answer in the client's receive buffer before it reads it.
 * node's http server calls `socket.destroySoon()` after a `Connection: close` response; this replaces that call.
 */
function lingerThenClose(socket: Socket, ms: number): void {
  const s = socket as Socket & { destroySoon: () => void };
  s.destroySoon = () => {
    s.end();
    const timer = setTimeout(() => s.destroy(), ms);
    timer.unref();
    s.once('close', () => clearTimeout(timer));
    s.resume();
  };
}

/** A request whose body we did not read must not keep its connection: the rest of the body would be parsed as the next request. */
function closeIfBodyUnread(req: IncomingMessage, e: HttpError): HttpError {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.complete) e.headers['connection'] = 'close';
  return e;
}

async function handle(state: HandlerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const match = matchRoute(req.method ?? 'GET', req.url ?? '/');
  const name = match.kind === 'route' ? match.name : undefined;
  const ctx: RequestCtx = {
    req,
    res,
    state,
    now: state.deps.clock.now(),
    client: req.socket.remoteAddress ?? 'unknown',
    param: match.kind === 'route' ? match.param : undefined,
    query: match.kind === 'route' ? match.query : new URLSearchParams(),
  };
  const limit = limitKind(state, name, ctx.param);
  try {
    if (limit === 'always') {
      const refused = rateLimited(ctx);
      if (refused !== null) throw refused;
    }
    if (match.kind === 'not-found') throw new HttpError(404, 'WHT_ERR_NOT_FOUND', 'no such endpoint or hook');
    if (match.kind === 'method-not-allowed') {
      throw new HttpError(405, 'WHT_ERR_METHOD_NOT_ALLOWED', `use ${match.allow.join(' or ')}`, {
        allow: match.allow.join(', '),
      });
    }
    await dispatch(ctx, match.name);
  } catch (err) {
    let e = toHttpError(err, state.deps.config.queueFullRetryAfterSec);
    if (limit === 'on-auth-failure' && e.code === 'WHT_ERR_AUTH_FAILED') e = rateLimited(ctx) ?? e;
    e = closeIfBodyUnread(req, e);
    if (e.status >= 500) state.deps.logger.error('http request failed', { route: name, error: (err as Error).message });
    if (e.headers['connection'] === 'close') lingerThenClose(req.socket, LINGER_MS);
    sendError(res, e);
  } finally {
    state.counters.count(routeGroup(name), res.statusCode);
  }
}

export function createHttpHandler(deps: HttpDeps): HttpHandler {
  const state = createHandlerState(deps);
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    handle(state, req, res).catch((err: unknown) => {
      state.deps.logger.error('http handler crashed', { error: (err as Error).message });
      if (!res.headersSent) sendError(res, toHttpError(err, 5));
      else res.destroy();
    });
  };
  return Object.assign(handler, { state });
}
