/**
 * Config for the HTTP intake: root keys `http` (server, limits) and `hooks` (one entry per `POST /hooks/NAME`).
 * The lead wires `httpConfigSchema` under `http` and `hooksConfigSchema` under `hooks` in the root schema.
 * Secrets are named here (`secret`, `secrets`, `secretEnv`, `secretFile`); `resolveHooks` reads and checks them at start
 * (secrets.ts).
 */
import { z } from 'zod';
import { WhtError } from '../../errors.js';
import { parseTemplate, type Template } from './template.js';
import { defaultSecretSources, resolveSecrets, type HookAuthType, type SecretSources } from './secrets.js';
import { hookCallbackSchema } from '../../callbacks-config.js';
import type { NewTaskCallback } from '../../task.js';
import { isLoopbackHost } from '../../net.js';

export { isLoopbackHost };

export type { HookAuthType, SecretSources } from './secrets.js';

export const HOOK_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

export const httpTimeoutsSchema = z.strictObject({
  /** Time allowed to receive the request headers (slow-loris guard). @default 5000 */
  headersMs: z.number().int().min(100).max(600_000).default(5000),
  /** Time allowed to receive the whole request. @default 10000 */
  requestMs: z.number().int().min(100).max(600_000).default(10_000),
  /** Idle time before a keep-alive connection is closed. @default 5000 */
  keepAliveMs: z.number().int().min(0).max(600_000).default(5000),
});

export const httpRateLimitSchema = z.strictObject({
  /** Per-client (remote address) token bucket. @default true */
  enabled: z.boolean().default(true),
  /** Sustained requests per second per client. @default 20 */
  perSecond: z.number().positive().max(1_000_000).default(20),
  /** Bucket size: requests a client may send at once. @default 60 */
  burst: z.number().int().min(1).max(1_000_000).default(60),
  /** Clients remembered at most (oldest forgotten first). @default 10000 */
  maxClients: z.number().int().min(1).max(1_000_000).default(10_000),
});

export const httpConfigSchema = z.strictObject({
  /** Serve HTTP at all. @default true */
  enabled: z.boolean().default(true),
  /** Bind address. A non-loopback address requires auth on every hook. @default "127.0.0.1" */
  host: z.string().min(1).default('127.0.0.1'),
  /** TCP port (0 = any free port). @default 8787 */
  port: z.number().int().min(0).max(65_535).default(8787),
  /** Largest accepted request body in bytes, enforced while reading. @default 65536 */
  bodyLimit: z
    .number()
    .int()
    .min(256)
    .max(16 * 1024 * 1024)
    .default(65_536),
  /** Largest request header block in bytes. @default 16384 */
  maxHeaderBytes: z
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(16_384),
  timeouts: httpTimeoutsSchema.prefault({}),
  rateLimit: httpRateLimitSchema.prefault({}),
  /** Retry-After (seconds) sent with 429 when the queue is full. @default 5 */
  queueFullRetryAfterSec: z.number().int().min(1).max(3600).default(5),
  /** Standard Webhooks timestamp tolerance in seconds (both directions). @default 300 */
  signatureToleranceSec: z.number().int().min(1).max(3600).default(300),
  /** Webhook ids remembered to refuse replays (for 2x the tolerance). @default 100000 */
  replayCacheSize: z.number().int().min(1).max(10_000_000).default(100_000),
  /** `/metrics` needs the bearer token too. @default false */
  metricsRequireToken: z.boolean().default(false),
});

const secretValue = z.string().min(1);

export const hookAuthSchema = z
  .strictObject({
    /** standard: Standard Webhooks (webhook-id/-timestamp/-signature, or svix-*; whsec_ keys); github: X-Hub-Signature-256; token: Authorization Bearer. */
    type: z.enum(['standard', 'github', 'token']),
    /** The secret itself, one whole value (spaces are part of it). Prefer secretEnv or secretFile. */
    secret: secretValue.optional(),
    /** Several secrets, all accepted (key rotation). */
    secrets: z.array(secretValue).min(1).optional(),
    /** Name of an environment variable holding the secret (one whole value). */
    secretEnv: z.string().min(1).optional(),
    /** Path of a file holding the secret; several lines = several secrets (rotation). */
    secretFile: z.string().min(1).optional(),
  })
  .refine((a) => [a.secret, a.secrets, a.secretEnv, a.secretFile].filter((v) => v !== undefined).length === 1, {
    message: 'set exactly one of secret, secrets, secretEnv, secretFile',
  });

/** GitHub event names (`X-GitHub-Event`) and Standard Webhooks types (`invoice.paid`). */
const EVENT_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

export const hookSchema = z
  .strictObject({
    /** Target name (`targets.NAME`). @default "default" */
    target: z
      .string()
      .regex(/^(pool:)?[A-Za-z0-9_.-]{1,64}$/, 'target names are 1-64 of A-Z a-z 0-9 _ . - (or pool:NAME)')
      .default('default'),
    /** Higher runs first. @default 0 */
    priority: z.number().int().min(-100).max(100).default(0),
    /** Rate-limit category. @default "default" */
    category: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'category names are 1-64 of A-Z a-z 0-9 _ . -')
      .default('default'),
    /**
     * Command template, e.g. `deploy {{repository.name}} {{ref}}`. Placeholders take values from the JSON payload;
     * without a template the body is the command (text/plain) or JSON `{"command": "..."}`. @default none
     */
    command: z.string().min(1).optional(),
    /** How payload values enter the template: `shell` single-quotes them for a POSIX shell, `none` inserts them as is. @default "shell" */
    quote: z.enum(['shell', 'none']).default('shell'),
    /** Authentication; without it the hook is accepted only on a loopback bind. @default none */
    auth: hookAuthSchema.optional(),
    /**
     * Events that run the command: GitHub's `X-GitHub-Event` (`push`, `release`, ...) for `github` hooks, the payload's
     * `type` for `standard` hooks. Others are answered 202 `{"ignored": EVENT}` and never typed; GitHub's `ping` is
     * always answered 200 `{"pong": true}`. @default every event
     */
    events: z.array(z.string().regex(EVENT_RE, 'event names are 1-128 of A-Z a-z 0-9 _ . : -')).min(1).optional(),
    /** POST this hook's tasks' state changes to a URL, signed (README: Callbacks). @default none */
    callback: hookCallbackSchema.optional(),
  })
  .refine((h) => h.events === undefined || h.auth?.type === 'github' || h.auth?.type === 'standard', {
    message: "events needs auth.type github (X-GitHub-Event) or standard (the payload's type)",
    path: ['events'],
  });

export const hooksConfigSchema = z
  .record(z.string().regex(HOOK_NAME_RE, 'hook names are 1-64 of A-Z a-z 0-9 _ -'), hookSchema)
  .default({});

export type HttpConfigInput = z.input<typeof httpConfigSchema>;
export type HttpConfig = z.output<typeof httpConfigSchema>;
export type HookConfig = z.output<typeof hookSchema>;
export type HooksConfig = z.output<typeof hooksConfigSchema>;

/** A hook ready to serve: secrets read, template parsed. */
export interface ResolvedHook {
  name: string;
  target: string;
  priority: number;
  category: string;
  template: Template | null;
  quote: 'shell' | 'none';
  auth: { type: HookAuthType; secrets: string[] } | null;
  /** Events that run the command; null = every event (GitHub's ping never does). */
  events: ReadonlySet<string> | null;
  /** Where its tasks' state changes are POSTed (hooks.NAME.callback), signed with `hooks.NAME`'s or the global secret. */
  callback: NewTaskCallback | undefined;
}

/** Read secrets and parse templates; throws WHT_ERR_CONFIG_INVALID naming the key. Secrets never appear in messages. */
export function resolveHooks(hooks: HooksConfig, src: SecretSources = defaultSecretSources): Map<string, ResolvedHook> {
  const out = new Map<string, ResolvedHook>();
  for (const [name, hook] of Object.entries(hooks)) {
    let template: Template | null = null;
    if (hook.command !== undefined) {
      try {
        template = parseTemplate(hook.command);
      } catch (err) {
        throw new WhtError(
          'WHT_ERR_CONFIG_INVALID',
          `hooks.${name}.command: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    out.set(name, {
      name,
      target: hook.target,
      priority: hook.priority,
      category: hook.category,
      template,
      quote: hook.quote,
      auth: hook.auth ? { type: hook.auth.type, secrets: resolveSecrets(name, hook.auth, src) } : null,
      events: hook.events ? new Set(hook.events) : null,
      callback: hook.callback
        ? { url: hook.callback.url, events: hook.callback.events, secret: `hooks.${name}` }
        : undefined,
    });
  }
  return out;
}

/**
 * Start-up check: refuse a non-loopback bind while any hook accepts unauthenticated requests.
 * (The /v1 API always needs the bearer token.)
 */
export function assertSafeBind(host: string, hooks: ReadonlyMap<string, ResolvedHook>): void {
  if (isLoopbackHost(host)) return;
  const open = [...hooks.values()].filter((h) => h.auth === null || h.auth.secrets.length === 0).map((h) => h.name);
  if (open.length === 0) return;
  throw new WhtError(
    'WHT_ERR_HTTP_UNSAFE_BIND',
    `refusing to listen on ${host}: it is not a loopback address and these hooks have no secret or token: ` +
      `${open.join(', ')}. Set hooks.NAME.auth for each, or bind http.host to 127.0.0.1 behind a reverse proxy.`,
    { host, hooks: open },
  );
}
