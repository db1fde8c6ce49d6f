/** JSON responses and the mapping from error codes to HTTP status codes. */
import type { ServerResponse } from 'node:http';
import { isWhtError, type ErrorCode } from '../../errors.js';

export const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  WHT_ERR_BAD_TRIGGER: 400,
  WHT_ERR_TEXT_UNSAFE: 400,
  WHT_ERR_TEXT_EMPTY: 400,
  WHT_ERR_TARGET_UNKNOWN: 400,
  WHT_ERR_CONFIG_INVALID: 400,
  WHT_ERR_AUTH_FAILED: 401,
  WHT_ERR_NOT_FOUND: 404,
  WHT_ERR_TASK_NOT_FOUND: 404,
  WHT_ERR_METHOD_NOT_ALLOWED: 405,
  WHT_ERR_TASK_STATE: 409,
  WHT_ERR_TOO_LARGE: 413,
  WHT_ERR_UNSUPPORTED_TYPE: 415,
  WHT_ERR_QUEUE_FULL: 429,
  WHT_ERR_RATE_LIMITED: 429,
  WHT_ERR_STORAGE: 503,
  WHT_ERR_CLOSED: 503,
};

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

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
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
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/**
 * Turn anything thrown into an HTTP error. WhtError messages are ours and safe to echo; anything else is an
 * internal fault (in practice the store) whose message is not sent (it could hold paths or data): 503.
 */
export function toHttpError(err: unknown, queueFullRetryAfterSec: number): HttpError {
  if (err instanceof HttpError) return err;
  if (isWhtError(err)) {
    const status = STATUS_BY_CODE[err.code] ?? 500;
    // Storage comes back by itself (disk space freed): tell clients when to try again, as for a full queue.
    const retry = status === 429 || err.code === 'WHT_ERR_STORAGE';
    const headers: Record<string, string> = retry ? { 'retry-after': String(queueFullRetryAfterSec) } : {};
    return new HttpError(status, err.code, err.message, headers);
  }
  return new HttpError(503, 'WHT_ERR_STORAGE', 'internal error; see the engine log', { 'retry-after': String(queueFullRetryAfterSec) });
}

export function sendError(res: ServerResponse, e: HttpError): void {
  sendJson(res, e.status, { error: e.code, message: e.message }, e.headers);
}
