/**
 * Config of callbacks: root key `callbacks` (the allow-list, defaults, retry, the secret for task callbacks) and
 * `hooks.NAME.callback` (a hook's own URL and secret). Secrets are read at start (`resolveCallbackSecrets`).
 */
import { z } from 'zod';
import { TASK_STATES } from './task.js';

export const DEFAULT_CALLBACK_EVENTS = ['delivered', 'completed', 'stalled', 'dead'] as const;

const eventsSchema = z.array(z.enum(TASK_STATES)).min(1);

export const callbacksConfigSchema = z.strictObject({
  /** Hosts callbacks may go to besides loopback (127.0.0.1, ::1, localhost): exact host names or IPs. @default [] */
  allow: z.array(z.string().min(1).max(253)).default([]),
  /** States that are POSTed when a callback names none. @default ["delivered", "completed", "stalled", "dead"] */
  events: eventsSchema.default([...DEFAULT_CALLBACK_EVENTS]),
  /** Environment variable holding the Standard Webhooks secret (`whsec_...`) that signs task callbacks. @default none */
  secretEnv: z.string().min(1).optional(),
  /** File holding that secret (first line signs; more lines are ignored). @default none */
  secretFile: z.string().min(1).optional(),
  /** Time allowed for one POST (connect to last byte of the answer). @default 10000 */
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** First retry delay after a failed POST; doubled each time up to maxMs, with 20% jitter. @default 5000 */
  retryBaseMs: z.number().int().min(10).max(3_600_000).default(5000),
  /** Longest delay between two tries. @default 3600000 (1 h) */
  retryMaxMs: z.number().int().min(10).max(86_400_000).default(3_600_000),
  /** A callback that still fails this long after its event is given up (`failed`). @default 86400000 (a day) */
  giveUpAfterMs: z
    .number()
    .int()
    .min(1000)
    .max(30 * 86_400_000)
    .default(86_400_000),
});

export const hookCallbackSchema = z
  .strictObject({
    /** Where this hook's tasks' state changes are POSTed. */
    url: z.string().min(1).max(2048),
    /** States sent. @default callbacks.events */
    events: eventsSchema.optional(),
    /** Environment variable with this hook's signing secret. @default callbacks.secretEnv / secretFile */
    secretEnv: z.string().min(1).optional(),
    /** File with this hook's signing secret. @default callbacks.secretEnv / secretFile */
    secretFile: z.string().min(1).optional(),
  })
  .refine((c) => !(c.secretEnv && c.secretFile), { message: 'set at most one of secretEnv, secretFile' });

export type CallbacksConfig = z.output<typeof callbacksConfigSchema>;
export type HookCallbackConfig = z.output<typeof hookCallbackSchema>;
