/**
 * One registry of error codes. Every code is documented in README ("Errors"); a test keeps them equal.
 * Per code:
 * - `exit`: the CLI's exit code (0 ok, 1 runtime failure, 2 usage/config error: a refused start, 3 engine not reachable);
 * - `http`: the HTTP status an HTTP answer with this code carries (500 for codes that never reach HTTP);
 * - `retryable`: the retry policy: false sends a task to the dead-letter queue at once.
 */
export const ERROR_CODES = {
  WHT_ERR_CONFIG_INVALID: {
    exit: 2,
    http: 400,
    retryable: false,
    doc: 'The configuration file or a flag has an invalid value.',
  },
  WHT_ERR_ENGINE_RUNNING: { exit: 2, http: 500, retryable: false, doc: 'Another engine already owns the data dir.' },
  WHT_ERR_ENGINE_UNREACHABLE: { exit: 3, http: 503, retryable: false, doc: 'No engine answers on the control socket.' },
  WHT_ERR_SPOOL_UNSAFE: {
    exit: 2,
    http: 500,
    retryable: false,
    doc: 'The spool dir is a symlink, not a directory, or writable by other users.',
  },
  WHT_ERR_TEXT_UNSAFE: {
    exit: 2,
    http: 400,
    retryable: false,
    doc: 'The command text holds control characters, escape sequences or unsupported newlines.',
  },
  WHT_ERR_TEXT_EMPTY: { exit: 2, http: 400, retryable: false, doc: 'The command text is empty.' },
  WHT_ERR_TOO_LARGE: { exit: 2, http: 413, retryable: false, doc: 'The trigger is larger than the size limit.' },
  WHT_ERR_BAD_TRIGGER: {
    exit: 2,
    http: 400,
    retryable: false,
    doc: 'A trigger file or payload is malformed (invalid JSON, wrong field types, not UTF-8).',
  },
  WHT_ERR_TARGET_UNKNOWN: {
    exit: 2,
    http: 400,
    retryable: false,
    doc: 'The task names a target that is not configured.',
  },
  WHT_ERR_TARGET_MISSING: { exit: 1, http: 500, retryable: true, doc: 'The target pane does not exist (yet).' },
  WHT_ERR_TARGET_BUSY: {
    exit: 1,
    http: 500,
    retryable: true,
    doc: 'The target pane is in a mode (copy mode), has input disabled or is not ready.',
  },
  WHT_ERR_TMUX_FAILED: {
    exit: 1,
    http: 500,
    retryable: true,
    doc: 'A tmux command failed or the tmux server is not reachable.',
  },
  WHT_ERR_NOT_CONFIRMED: {
    exit: 1,
    http: 500,
    retryable: true,
    doc: 'The text did not show up in the pane after sending.',
  },
  WHT_ERR_STALLED: {
    exit: 1,
    http: 500,
    retryable: false,
    doc: 'A delivered task did not finish: its agent stayed busy past completionTimeoutMs (or a `send --wait` timed out).',
  },
  WHT_ERR_TASK_FAILED: {
    exit: 1,
    http: 500,
    retryable: false,
    doc: '`send --wait`: the task went dead, stalled or was dropped instead of completing; the message says why.',
  },
  WHT_ERR_CALLBACK_REFUSED: {
    exit: 2,
    http: 400,
    retryable: false,
    doc: 'A callback URL is not allowed: not http(s), not loopback and not in callbacks.allow, or no secret signs it.',
  },
  WHT_ERR_PARTLY_TYPED: {
    exit: 1,
    http: 500,
    retryable: false,
    doc: 'A crash cut a long command off mid-way: the pane holds its first part. Clear the input line, then retry the task.',
  },
  WHT_ERR_RECOVERY_UNKNOWN: {
    exit: 1,
    http: 500,
    retryable: false,
    doc: 'After a crash or a cut-off keystroke command the pane no longer showed whether the command was typed (its history was trimmed past that point); look at the pane, then retry or drop the task.',
  },
  WHT_ERR_QUEUE_FULL: { exit: 1, http: 429, retryable: true, doc: 'The queue is at capacity; the trigger waits.' },
  WHT_ERR_TASK_NOT_FOUND: { exit: 1, http: 404, retryable: false, doc: 'No task has that id.' },
  WHT_ERR_TASK_STATE: {
    exit: 1,
    http: 409,
    retryable: false,
    doc: 'The task is not in a state that allows the action.',
  },
  WHT_ERR_STORAGE: { exit: 1, http: 503, retryable: true, doc: 'The database could not be read or written.' },
  WHT_ERR_CLOSED: { exit: 1, http: 503, retryable: false, doc: 'The engine is closing or closed.' },
  WHT_ERR_AUTH_FAILED: {
    exit: 1,
    http: 401,
    retryable: false,
    doc: 'An HTTP request has a missing, wrong, stale or replayed signature or token, or a forwarded cluster task a wrong signature.',
  },
  WHT_ERR_RATE_LIMITED: {
    exit: 1,
    http: 429,
    retryable: true,
    doc: 'An HTTP client sent more requests than its rate limit allows; retry after the Retry-After delay.',
  },
  WHT_ERR_UNSUPPORTED_TYPE: {
    exit: 1,
    http: 415,
    retryable: false,
    doc: 'An HTTP request body has a content type the endpoint does not accept.',
  },
  WHT_ERR_NOT_FOUND: { exit: 1, http: 404, retryable: false, doc: 'No HTTP endpoint or hook has that path.' },
  WHT_ERR_METHOD_NOT_ALLOWED: {
    exit: 1,
    http: 405,
    retryable: false,
    doc: 'The HTTP endpoint does not accept that method.',
  },
  WHT_ERR_HTTP_UNSAFE_BIND: {
    exit: 2,
    http: 500,
    retryable: false,
    doc: 'The HTTP server would listen on a non-loopback address while some hook has no secret or token.',
  },
  WHT_ERR_LOG_BUSY: {
    exit: 1,
    http: 500,
    retryable: false,
    doc: '`logs optimize` refused a file that a process holds open for writing or that is still growing.',
  },
  WHT_ERR_PORT_IN_USE: {
    exit: 2,
    http: 500,
    retryable: false,
    doc: 'The HTTP server cannot listen on its host and port (in use by another program, or not allowed).',
  },
  WHT_ERR_USAGE: {
    exit: 2,
    http: 400,
    retryable: false,
    doc: 'A command was called wrongly: unknown option, missing or malformed argument.',
  },
  WHT_ERR_REDIS_UNAVAILABLE: {
    exit: 1,
    http: 503,
    retryable: true,
    doc: 'Cluster mode: Redis did not answer within cluster.timeoutMs (down, unreachable, or refusing the login); tasks for other nodes wait in the local queue.',
  },
  WHT_ERR_REDIS_EVICTION: {
    exit: 2,
    http: 500,
    retryable: false,
    doc: "Cluster mode: Redis's maxmemory-policy is not noeviction (evicted keys would be lost tasks); the engine refuses to start.",
  },
  WHT_ERR_CLUSTER_CONFLICT: {
    exit: 2,
    http: 500,
    retryable: false,
    doc: "Cluster mode: another live node already claims one of this node's target names, or this node name; the engine refuses to start.",
  },
  WHT_ERR_NODE_LOST: {
    exit: 1,
    http: 500,
    retryable: false,
    doc: 'Cluster mode: the node that took a pooled task stopped before it confirmed it; the task is not given to another node (that node types it after its restart if it had committed it).',
  },
  WHT_ERR_SPLIT_FAILED: {
    exit: 1,
    http: 500,
    retryable: false,
    doc: 'The dashboard that `--split` started in a new tmux pane failed or exited before it ran; the message says why.',
  },
  WHT_ERR_INTERNAL: {
    exit: 1,
    http: 500,
    retryable: true,
    doc: 'An unexpected fault (a bug, or an error of the system) not covered by another code; see the log.',
  },
} as const satisfies Record<string, ErrorSpec>;

export interface ErrorSpec {
  exit: 1 | 2 | 3;
  http: number;
  retryable: boolean;
  doc: string;
}

export type ErrorCode = keyof typeof ERROR_CODES;

/** The CLI's exit code for anything thrown: the registry's for a WhtError, 1 otherwise. */
export function exitCodeOf(err: unknown): number {
  return err instanceof WhtError ? ERROR_CODES[err.code].exit : 1;
}

/** The HTTP status for a code (from the registry). */
export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code].http;
}

export class WhtError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WhtError';
    this.code = code;
    this.details = details;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }
}

export function isWhtError(err: unknown, code?: ErrorCode): err is WhtError {
  return err instanceof WhtError && (code === undefined || err.code === code);
}

/**
 * Normalise anything thrown into a WhtError. Callers that know what failed pass the fallback (a tmux call:
 * WHT_ERR_TMUX_FAILED, the store: WHT_ERR_STORAGE); anything else is WHT_ERR_INTERNAL (retryable: a delivery that
 * hit an unexpected fault is tried again, as before, but no longer reported as a tmux failure).
 */
export function toWhtError(err: unknown, fallback: ErrorCode = 'WHT_ERR_INTERNAL'): WhtError {
  if (err instanceof WhtError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new WhtError(fallback, message, undefined, { cause: err });
}
