/**
 * Client side of `POST /v1/tasks`, for `webhook-tui send --http`. Maps HTTP answers back to WhtError codes so the
 * CLI's usual error -> exit code mapping applies (engine not reachable -> WHT_ERR_ENGINE_UNREACHABLE).
 */
import { ERROR_CODES, WhtError, type ErrorCode } from '../../errors.js';
import type { TaskState } from '../../types.js';

export interface HttpTaskInput {
  command: string;
  target?: string | undefined;
  priority?: number | undefined;
  category?: string | undefined;
  /** Idempotency key. */
  id?: string | undefined;
  /** Callback URL (POST /v1/tasks `callback`). */
  callback?: string | undefined;
}

export interface HttpEnqueueOptions {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  token: string;
  task: HttpTaskInput;
  timeoutMs?: number | undefined;
  fetch?: typeof fetch | undefined;
}

export interface HttpEnqueueResult {
  id: number;
  state: TaskState;
  /** true when the idempotency key matched an existing task (HTTP 200). */
  duplicate: boolean;
}

function knownCode(code: unknown): ErrorCode | undefined {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code) ? (code as ErrorCode) : undefined;
}

export async function httpEnqueue(opts: HttpEnqueueOptions): Promise<HttpEnqueueResult> {
  const doFetch = opts.fetch ?? fetch;
  const endpoint = new URL('/v1/tasks', opts.url).toString();
  let res: Response;
  try {
    res = await doFetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
      body: JSON.stringify(opts.task),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new WhtError(
      'WHT_ERR_ENGINE_UNREACHABLE',
      `no engine answers at ${opts.url} (${(err as Error).message})`,
      undefined,
      { cause: err },
    );
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* non-JSON answer: handled below */
  }
  if (res.status === 200 || res.status === 202) {
    return { id: Number(body['id']), state: body['state'] as TaskState, duplicate: res.status === 200 };
  }
  const code = knownCode(body['error']) ?? (res.status >= 500 ? 'WHT_ERR_STORAGE' : 'WHT_ERR_BAD_TRIGGER');
  const message = typeof body['message'] === 'string' ? body['message'] : `HTTP ${res.status}`;
  const retryAfter = res.headers.get('retry-after');
  throw new WhtError(code, message, {
    status: res.status,
    ...(retryAfter ? { retryAfterSec: Number(retryAfter) } : {}),
  });
}
