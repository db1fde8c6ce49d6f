/** JSON responses; the HTTP status of each error code comes from the error registry (errors.ts). */
import type { ServerResponse } from 'node:http';
import { httpStatusOf, isWhtError, type ErrorCode } from '../../errors.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType: string): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/**
 * Turn anything thrown into an HTTP error. WhtError messages are ours and safe to echo; anything else is an
 * internal fault (in practice the store) whose message is not sent (it could hold paths or data): 503.
 */
export function toHttpError(err: unknown, queueFullRetryAfterSec: number): HttpError {
  if (err instanceof HttpError) return err;
  if (isWhtError(err)) {
    const status = httpStatusOf(err.code);
    // Storage comes back by itself (disk space freed): tell clients when to try again, as for a full queue.
    const retry = status === 429 || err.code === 'WHT_ERR_STORAGE';
    const headers: Record<string, string> = retry ? { 'retry-after': String(queueFullRetryAfterSec) } : {};
    return new HttpError(status, err.code, err.message, headers);
  }
  return new HttpError(503, 'WHT_ERR_STORAGE', 'internal error; see the engine log', {
    'retry-after': String(queueFullRetryAfterSec),
  });
}

export function sendError(res: ServerResponse, e: HttpError): void {
  sendJson(res, e.status, { error: e.code, message: e.message }, e.headers);
}
