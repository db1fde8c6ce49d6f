/**
 * Request authentication, on the raw body bytes, before any parsing. Pure functions of (headers, body, secrets, now).
 * All comparisons are constant-time over equal-length buffers (timingSafeEqual throws on unequal lengths, so
 * lengths are checked first or digests of fixed length are compared).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type AuthResult =
  { ok: true; id?: string | undefined; timestamp?: string | undefined } | { ok: false; reason: string };
export type Headers = Record<string, string | string[] | undefined>;

/** The first value of a header. */
export function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Constant-time equality of two byte strings of any length (compares SHA-256 digests). */
export function safeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

function equalBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `Authorization: Bearer TOKEN` against any of the tokens. */
export function verifyBearer(headers: Headers, tokens: readonly string[]): AuthResult {
  const auth = header(headers, 'authorization');
  if (auth === undefined) return { ok: false, reason: 'missing Authorization header' };
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(auth);
  if (m === null) return { ok: false, reason: 'Authorization is not a Bearer token' };
  let match = false;
  for (const t of tokens) match = safeEqual(m[1] ?? '', t) || match;
  return match ? { ok: true } : { ok: false, reason: 'wrong token' };
}

/** Key bytes of a Standard Webhooks secret (`whsec_<base64>`). */
export function standardKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

export interface StandardOptions {
  /** Seconds either side of now. */
  toleranceSec: number;
  nowMs: number;
}

/**
 * The three Standard Webhooks headers: `webhook-*`, or Svix's `svix-*` (the same scheme under the names Svix sends
 * unless `whitelabel_headers` is on). One set is used whole; they are never mixed.
 */
export function standardHeaders(headers: Headers): {
  id?: string | undefined;
  ts?: string | undefined;
  sigs?: string | undefined;
} {
  const prefix =
    header(headers, 'webhook-id') === undefined && header(headers, 'svix-id') !== undefined ? 'svix' : 'webhook';
  return {
    id: header(headers, `${prefix}-id`),
    ts: header(headers, `${prefix}-timestamp`),
    sigs: header(headers, `${prefix}-signature`),
  };
}

/**
 * Standard Webhooks v1 (HMAC-SHA256 over `id.timestamp.body`, base64, `v1,` prefix, space-separated list).
 * Any signature matching any secret passes (key rotation on both sides). On success returns the webhook-id and
 * the signed timestamp.
 */
export function verifyStandard(
  headers: Headers,
  body: Buffer,
  secrets: readonly string[],
  opts: StandardOptions,
): AuthResult {
  const { id, ts, sigs } = standardHeaders(headers);
  if (id === undefined || ts === undefined || sigs === undefined) {
    return {
      ok: false,
      reason:
        'missing webhook-id, webhook-timestamp or webhook-signature header (or svix-id, svix-timestamp, svix-signature)',
    };
  }
  if (id.length === 0 || id.length > 180 || id.includes('.') || !/^[\x21-\x7e]+$/.test(id)) {
    return { ok: false, reason: 'malformed webhook-id' };
  }
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'malformed webhook-timestamp' };
  const tsSec = Number(ts);
  const nowSec = Math.floor(opts.nowMs / 1000);
  if (nowSec - tsSec > opts.toleranceSec) return { ok: false, reason: 'webhook-timestamp too old' };
  if (tsSec - nowSec > opts.toleranceSec) return { ok: false, reason: 'webhook-timestamp too far in the future' };

  const given: Buffer[] = [];
  for (const entry of sigs.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    given.push(Buffer.from(entry.slice(comma + 1), 'base64'));
  }
  if (given.length === 0) return { ok: false, reason: 'no v1 signature in webhook-signature' };
  let match = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', standardKey(secret)).update(`${id}.${ts}.`).update(body).digest();
    for (const g of given) match = equalBytes(g, expected) || match;
  }
  return match ? { ok: true, id, timestamp: ts } : { ok: false, reason: 'no matching signature' };
}

/** GitHub `X-Hub-Signature-256: sha256=<hex HMAC of body>`; returns X-GitHub-Delivery as the id when present. */
export function verifyGithub(headers: Headers, body: Buffer, secrets: readonly string[]): AuthResult {
  const sig = header(headers, 'x-hub-signature-256');
  if (sig === undefined) return { ok: false, reason: 'missing X-Hub-Signature-256 header' };
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(sig.trim());
  if (m === null) return { ok: false, reason: 'malformed X-Hub-Signature-256' };
  const given = Buffer.from(m[1] ?? '', 'hex');
  let match = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(body).digest();
    match = equalBytes(given, expected) || match;
  }
  if (!match) return { ok: false, reason: 'no matching signature' };
  const delivery = header(headers, 'x-github-delivery');
  return { ok: true, id: delivery };
}
