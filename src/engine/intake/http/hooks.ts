/** `POST /hooks/:name`: authenticate on the raw bytes, build the command, enqueue, answer after commit. */
import type { EnqueueResult } from '../../types.js';
import { readBody, decodeUtf8, mediaType, type MediaType } from './body.js';
import { verifyBearer, verifyGithub, verifyStandard, type AuthResult } from './auth.js';
import type { ResolvedHook } from './config.js';
import type { RequestCtx } from './context.js';
import { describeIssue, hookCommandBodySchema, validIdemKey } from './fields.js';
import { decideEvent } from './hook-events.js';
import { ReplayCache } from './replay-cache.js';
import { HttpError, sendJson } from './responses.js';
import { renderTemplate } from './template.js';

export function firstHeader(ctx: RequestCtx, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Read the body under the limit; 413 when over it. */
export async function readLimitedBody(ctx: RequestCtx): Promise<Buffer> {
  const r = await readBody(ctx.req, ctx.state.deps.config.bodyLimit);
  if (r.ok) return r.body;
  if (r.reason === 'too-large') {
    throw new HttpError(413, 'WHT_ERR_TOO_LARGE', `body is larger than ${ctx.state.deps.config.bodyLimit} bytes`, {
      connection: 'close',
    });
  }
  throw new HttpError(400, 'WHT_ERR_BAD_TRIGGER', 'request body aborted');
}

const MEDIA_NAMES: Partial<Record<MediaType, string>> = {
  json: 'application/json',
  text: 'text/plain',
  form: 'application/x-www-form-urlencoded (payload=JSON)',
};

export function requireMedia(ctx: RequestCtx, allowed: readonly MediaType[]): MediaType {
  const type = mediaType(firstHeader(ctx, 'content-type'));
  if (allowed.includes(type)) return type;
  const want = allowed.map((t) => MEDIA_NAMES[t] ?? t).join(' or ');
  throw new HttpError(415, 'WHT_ERR_UNSUPPORTED_TYPE', `Content-Type must be ${want} (UTF-8)`);
}

export function parseJson(body: Buffer): unknown {
  const text = decodeUtf8(body);
  if (text === null) throw new HttpError(400, 'WHT_ERR_BAD_TRIGGER', 'body is not valid UTF-8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'WHT_ERR_BAD_TRIGGER', `body is not valid JSON: ${(err as Error).message}`);
  }
}

export function sendEnqueued(ctx: RequestCtx, r: EnqueueResult): void {
  const body = { id: r.task.id, state: r.task.state, ...(r.created ? {} : { duplicate: true }) };
  sendJson(ctx.res, r.created ? 202 : 200, body);
}

function authenticate(ctx: RequestCtx, hook: ResolvedHook, body: Buffer): AuthResult {
  if (hook.auth === null) return { ok: true };
  const { headers } = ctx.req;
  const secrets = hook.auth.secrets;
  switch (hook.auth.type) {
    case 'standard':
      return verifyStandard(headers, body, secrets, {
        toleranceSec: ctx.state.deps.config.signatureToleranceSec,
        nowMs: ctx.now,
      });
    case 'github':
      return verifyGithub(headers, body, secrets);
    case 'token':
      return verifyBearer(headers, secrets);
  }
}

/** Media types a hook takes: JSON always; text/plain without a template; GitHub's form encoding for github hooks. */
function hookMedia(hook: ResolvedHook): MediaType[] {
  const types: MediaType[] = ['json'];
  if (hook.template === null) types.push('text');
  if (hook.auth?.type === 'github') types.push('form');
  return types;
}

/** The JSON payload of a `json` or `form` body (GitHub's form encoding: `payload=<JSON>`); undefined for text. */
function payloadOf(type: MediaType, body: Buffer): unknown {
  if (type === 'json') return parseJson(body);
  if (type !== 'form') return undefined;
  const text = decodeUtf8(body);
  if (text === null) throw new HttpError(400, 'WHT_ERR_BAD_TRIGGER', 'body is not valid UTF-8');
  const payload = new URLSearchParams(text).get('payload');
  if (payload === null) throw new HttpError(400, 'WHT_ERR_BAD_TRIGGER', 'field payload is missing from the form body');
  return parseJson(Buffer.from(payload, 'utf8'));
}

/** The command a delivery asks for. Its text is checked by the engine's policy at enqueue, like every intake's. */
function commandFrom(ctx: RequestCtx, hook: ResolvedHook, payload: unknown, body: Buffer): string {
  if (hook.template !== null) {
    const r = renderTemplate(hook.template, payload, hook.quote, ctx.state.deps.textOptions?.(hook.target));
    if (!r.ok) throw new HttpError(400, r.code, r.message);
    return r.text;
  }
  if (payload !== undefined) {
    const parsed = hookCommandBodySchema.safeParse(payload);
    if (!parsed.success) throw new HttpError(400, 'WHT_ERR_BAD_TRIGGER', describeIssue(parsed.error).message);
    return parsed.data.command;
  }
  const text = decodeUtf8(body);
  if (text === null) throw new HttpError(400, 'WHT_ERR_BAD_TRIGGER', 'body is not valid UTF-8');
  return text.replace(/\r?\n$/, '');
}

/** Answer a ping or an event the hook does not run on; true when answered. */
function answerEvent(ctx: RequestCtx, hook: ResolvedHook, payload: unknown): boolean {
  const d = decideEvent(hook, ctx.req.headers, payload);
  if (d.kind === 'run') return false;
  if (d.kind === 'bad') throw new HttpError(400, 'WHT_ERR_BAD_TRIGGER', d.message);
  ctx.state.counters.hookEvent(hook.name, d.kind === 'pong' ? 'ping' : 'ignored');
  if (d.kind === 'pong') {
    ctx.state.deps.logger.info('http hook ping answered', { hook: hook.name });
    sendJson(ctx.res, 200, { pong: true });
  } else {
    ctx.state.deps.logger.info('http hook event ignored', { hook: hook.name, event: d.event });
    sendJson(ctx.res, 202, { ignored: d.event });
  }
  return true;
}

export async function handleHook(ctx: RequestCtx): Promise<void> {
  const name = ctx.param ?? '';
  const hook = ctx.state.hooks.get(name);
  if (hook === undefined) throw new HttpError(404, 'WHT_ERR_NOT_FOUND', `no hook named ${name}`);
  const type = requireMedia(ctx, hookMedia(hook));
  const body = await readLimitedBody(ctx);

  const auth = authenticate(ctx, hook, body);
  if (!auth.ok) {
    ctx.state.deps.logger.warn('http hook auth failed', { hook: name, reason: auth.reason, client: ctx.client });
    throw new HttpError(401, 'WHT_ERR_AUTH_FAILED', `hook ${name}: ${auth.reason}`);
  }
  const payload = payloadOf(type, body);
  if (answerEvent(ctx, hook, payload)) return;
  const text = commandFrom(ctx, hook, payload, body);
  const rawId = auth.id ?? firstHeader(ctx, 'idempotency-key');
  // stored as `hook:NAME:ID` (at most 6 + 64 + 1 + 180 characters, under the store's 256)
  if (rawId !== undefined && !validIdemKey(rawId, 180)) {
    throw new HttpError(400, 'WHT_ERR_BAD_TRIGGER', 'field Idempotency-Key must be 1-180 printable characters');
  }
  // Reserve the replay key before the (possibly batched) commit, so an identical request in flight is refused too;
  // release it if the commit fails, so the sender may try again.
  let replayKey: string | null = null;
  if (hook.auth?.type === 'standard') {
    replayKey = ReplayCache.key(name, auth.id ?? '', auth.timestamp ?? '');
    if (ctx.state.replay.has(replayKey, ctx.now)) {
      ctx.state.deps.logger.warn('http hook replay refused', { hook: name, client: ctx.client });
      throw new HttpError(401, 'WHT_ERR_AUTH_FAILED', `hook ${name}: webhook-id and timestamp already used (replay)`);
    }
    ctx.state.replay.add(replayKey, ctx.now);
  }
  try {
    const result = await ctx.state.batcher.enqueue({
      text,
      target: hook.target,
      priority: hook.priority,
      category: hook.category,
      idemKey: rawId === undefined ? undefined : `hook:${name}:${rawId}`,
      source: 'http',
      receivedAt: ctx.now,
      callback: hook.callback,
    });
    sendEnqueued(ctx, result);
  } catch (err) {
    if (replayKey !== null) ctx.state.replay.delete(replayKey);
    throw err;
  }
}
