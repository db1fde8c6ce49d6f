/**
 * Callback policy, pure: which URLs are allowed, the callback a task gets from its trigger or hook, the event body,
 * and when a failed POST is tried again. Side effects (HTTP, the outbox) are in sender.ts and sqlite/callback-store.ts.
 */
import { WhtError } from '../errors.js';
import { isLoopbackHost } from '../net.js';
import type { NewTaskCallback, TaskCallback } from '../task.js';
import type { CallbacksConfig, HookCallbackConfig } from '../callbacks-config.js';

/** What admission needs to know about the configured callbacks. */
export interface CallbackSetup {
  callbacks: CallbacksConfig;
  hooks: Readonly<Record<string, { callback?: HookCallbackConfig | undefined }>>;
}

const refuse = (message: string) =>
  new WhtError('WHT_ERR_CALLBACK_REFUSED', `callback: ${message}`, { field: 'callback' });

/** Throws WHT_ERR_CALLBACK_REFUSED unless `url` is http(s) to a loopback host or a host in `allow`. */
export function checkCallbackUrl(url: string, allow: readonly string[]): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw refuse(`"${url.slice(0, 100)}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw refuse(`${u.protocol} URLs are not allowed (http, https)`);
  if (u.username || u.password) throw refuse('credentials in the URL are not allowed');
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!isLoopbackHost(host) && !allow.some((a) => a.toLowerCase() === host))
    throw refuse(`host ${host} is not loopback and not in callbacks.allow`);
  return u;
}

const hasSecret = (c: { secretEnv?: string | undefined; secretFile?: string | undefined } | undefined) =>
  c !== undefined && (c.secretEnv !== undefined || c.secretFile !== undefined);

/** The secret's name for a hook's callback: its own, else the global one. */
export function secretNameFor(setup: CallbackSetup, hook: string | undefined): string | null {
  if (hook !== undefined && hasSecret(setup.hooks[hook]?.callback)) return `hooks.${hook}`;
  return hasSecret(setup.callbacks) ? 'callbacks' : null;
}

/** The callback a new task carries, checked (URL, allow-list, a secret to sign with). */
export function taskCallback(input: NewTaskCallback, setup: CallbackSetup): TaskCallback {
  const url = checkCallbackUrl(input.url, setup.callbacks.allow).href;
  const hook = input.secret?.startsWith('hooks.') ? input.secret.slice(6) : undefined;
  const secret = secretNameFor(setup, hook);
  if (secret === null)
    throw refuse(
      `nothing to sign it with: set callbacks.secretEnv or callbacks.secretFile${hook ? ` (or hooks.${hook}.callback's)` : ''}`,
    );
  return { url, events: [...new Set(input.events ?? setup.callbacks.events)], secret };
}

/** The check admission runs on a new task's `callback` (queue/task-row.ts), for this config. */
export function callbackChecker(setup: CallbackSetup): (input: NewTaskCallback) => TaskCallback {
  return (input) => taskCallback(input, setup);
}

/** The callback of a hook's tasks, or undefined. */
export function hookCallback(setup: CallbackSetup, hook: string): NewTaskCallback | undefined {
  const c = setup.hooks[hook]?.callback;
  return c ? { url: c.url, events: c.events, secret: `hooks.${hook}` } : undefined;
}

export interface RetryInput {
  attempts: number;
  createdAt: number;
  now: number;
  /** HTTP status of the answer, or null when there was none (network error, timeout). */
  status: number | null;
  /** Retry-After of the answer in seconds, when it had one. */
  retryAfterSec: number | null;
}

/** min(max, base·2^(attempt-1)), drawn from [0.8·d, d] (as queue/backoff.ts, with 20% jitter). */
function backoff(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d * 0.8 + d * 0.2 * random());
}

/** When to try a failed callback again, or null to give up (410 Gone, or past giveUpAfterMs). */
export function nextCallbackTry(
  r: RetryInput,
  cfg: CallbacksConfig,
  random: () => number = Math.random,
): number | null {
  if (r.status === 410) return null;
  const delay = Math.max(
    backoff(r.attempts, cfg.retryBaseMs, cfg.retryMaxMs, random),
    r.retryAfterSec === null ? 0 : Math.min(r.retryAfterSec * 1000, cfg.retryMaxMs),
  );
  const at = r.now + delay;
  return at - r.createdAt > cfg.giveUpAfterMs ? null : at;
}

/** The JSON body of one event, as the Standard Webhooks spec recommends: type, timestamp, data. */
export function callbackBody(state: string, at: number, data: unknown): string {
  return JSON.stringify({ type: `task.${state}`, timestamp: new Date(at).toISOString(), data });
}
