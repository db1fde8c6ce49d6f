/** The `queue` part of the config (assembled with the others in config/schema.ts). */
import { z } from 'zod';

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

export const rateSchema = z
  .object({
    /** Tasks per second; 0 = no limit. @default 10 */
    perSecond: z.number().min(0).default(10),
    /** Bucket size (burst). Defaults to max(1, perSecond). */
    burst: z.number().int().min(1).optional(),
  })
  .strict();

export const queueConfigSchema = z
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
  .strict();

export type QueueConfig = z.output<typeof queueConfigSchema>;
export type RetryConfig = QueueConfig['retry'];
