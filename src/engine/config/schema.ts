import { z } from 'zod';
import { controlModeConfigSchema } from '../delivery/control-mode-config.js';
import { targetSchema, type ResolvedTarget } from '../delivery/profiles.js';
import { monitorConfigSchema } from '../monitor/config.js';
import { hooksConfigSchema, httpConfigSchema } from '../intake/http/config.js';
import { tuiConfigSchema } from './tui.js';
import { logConfigSchema } from '../logs/config.js';
import { callbacksConfigSchema } from '../callbacks/config.js';

export type { ResolvedTarget };

const retrySchema = z
  .object({
    /** Attempts in all before a task goes dead. @default 3 */
    attempts: z.number().int().min(1).max(100).default(3),
    /** First backoff delay. @default 1000 */
    baseMs: z.number().int().min(0).default(1000),
    /** Backoff cap. @default 60000 */
    maxMs: z.number().int().min(0).default(60_000),
    /** Jitter fraction 0..1 (delay is drawn from [(1-j)·d, d]). @default 0.2 */
    jitter: z.number().min(0).max(1).default(0.2),
  })
  .strict();

const rateSchema = z
  .object({
    /** Tasks per second; 0 = no limit. @default 10 */
    perSecond: z.number().min(0).default(10),
    /** Bucket size (burst). Defaults to max(1, perSecond). */
    burst: z.number().int().min(1).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    /** The JSON Schema this file follows (`webhook-tui config schema` writes it; `init` puts one beside the config). Ignored. */
    $schema: z.string().optional(),
    /** Where the database, lock, control socket, token and logs live. @default "$XDG_STATE_HOME/webhook-tui" */
    dataDir: z.string().min(1).optional(),
    queue: z
      .object({
        /** Targets served in parallel. @default 3 */
        workers: z.number().int().min(1).max(64).default(3),
        /** Pending tasks (queued + delivering + retrying) at most; intake waits when full. @default 1000 */
        capacity: z.number().int().min(1).max(10_000_000).default(1000),
        retry: retrySchema.prefault({}),
        /** Rate limit per category (token bucket). @default {"perSecond":10} */
        rateLimit: rateSchema.prefault({}),
        /** Overrides per category name. @default {} */
        categories: z
          .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 letters, digits, _ . -'), rateSchema)
          .default({}),
        /** A repeated idempotency key within this window returns the existing task. @default 86400000 (24 h) */
        dedupeWindowMs: z.number().int().min(0).default(86_400_000),
        /** Delivered and dropped tasks are deleted after this many days. @default 7 */
        retainDays: z.number().min(0).default(7),
        /** Default priority (higher first), -100..100. @default 0 */
        defaultPriority: z.number().int().min(-100).max(100).default(0),
        /** Category of tasks that name none. @default "default" */
        defaultCategory: z.string().min(1).default('default'),
        /** SQLite synchronous mode: NORMAL (durable across process crashes) or FULL (also across power loss). @default "NORMAL" */
        synchronous: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
        /**
         * The SQLite WAL is checkpointed (off the event loop) as soon as it passes this size, truncated past twice it and
         * when idle; also its `journal_size_limit`. @default 8388608 (8 MiB)
         */
        walLimitBytes: z
          .number()
          .int()
          .min(65_536)
          .max(1024 * 1024 * 1024)
          .default(8 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    spool: z
      .object({
        /** Spool directory (maildir: tmp/, new/, rejected/). @default "$XDG_RUNTIME_DIR/webhook-tui/spool" */
        dir: z.string().min(1).optional(),
        /** Largest trigger file accepted, bytes. @default 65536 */
        maxBytes: z
          .number()
          .int()
          .min(16)
          .max(16 * 1024 * 1024)
          .default(65_536),
        /** Safety-net rescan of new/ in ms (a missed watch event delays, never loses). @default 5000 */
        rescanMs: z.number().int().min(100).default(5000),
        /** Files committed per transaction at most. @default 500 */
        batchSize: z.number().int().min(1).max(10_000).default(500),
        /** Old single-file protocol (`echo CMD > FILE`); lossy under bursts. @default null */
        legacyTriggerFile: z.string().min(1).nullable().default(null),
      })
      .strict()
      .prefault({}),
    tmux: z
      .object({
        /** `tmux -L NAME`. @default null (the default server) */
        socketName: z.string().min(1).nullable().default(null),
        /** `tmux -S PATH` (wins over socketName). @default null */
        socketPath: z.string().min(1).nullable().default(null),
        /** Session the engine creates for the default target outside tmux. @default "webhook-tui" */
        defaultSession: z
          .string()
          .min(1)
          .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
          .default('webhook-tui'),
        /** Timeout for one tmux command. @default 5000 */
        commandTimeoutMs: z.number().int().min(100).default(5000),
        /** The persistent control-mode client (fast path). */
        controlMode: controlModeConfigSchema.prefault({}),
      })
      .strict()
      .prefault({}),
    /** Named targets: `targets.NAME.pane`. Tasks without a target go to `default`. @default {} */
    targets: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 letters, digits, _ . -'), targetSchema)
      .default({}),
    /** What watched tasks printed (README: Completion and output). */
    output: z
      .object({
        /** A task's stored output at most, in bytes; the end is kept, with a marker line saying what was cut. @default 65536 */
        maxBytes: z
          .number()
          .int()
          .min(256)
          .max(16 * 1024 * 1024)
          .default(65_536),
      })
      .strict()
      .prefault({}),
    /** The HTTP receiver and API (README: HTTP). */
    http: httpConfigSchema.prefault({}),
    /** Webhooks: `hooks.NAME` is served at POST /hooks/NAME. @default {} */
    hooks: hooksConfigSchema.default({}),
    /** Callbacks: where task state changes may be POSTed, signed (README: Callbacks). */
    callbacks: callbacksConfigSchema.prefault({}),
    /** Latency histograms, resource samples, health checks, alerts and history (README: Monitor). */
    monitor: monitorConfigSchema.prefault({}),
    /** The dashboard (README: Dashboard). */
    tui: tuiConfigSchema.prefault({}),
    /** Log files: level, rotation, retention, important lines (README: Operations > Logs). */
    log: logConfigSchema.prefault({}),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;

/** Resolved, frozen configuration: every default applied and every path absolute. */
export type Config = Readonly<
  Omit<Parsed, 'dataDir' | 'spool' | 'targets'> & {
    dataDir: string;
    spool: Readonly<Omit<Parsed['spool'], 'dir'> & { dir: string }>;
    targets: Readonly<Record<string, ResolvedTarget>>;
  }
>;
