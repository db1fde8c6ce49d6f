/**
 * Config for the monitor, root key `monitor`. Every key optional with a default.
 * Units: ms for durations, bytes for sizes, percent (0..100) for ratios unless named otherwise.
 */
import { z } from 'zod';

const rule = <T extends z.ZodRawShape>(shape: T) => z.object({ enabled: z.boolean().default(true), ...shape });

export const alertRulesSchema = z.object({
  /** RSS of the engine process. @default { enabled: true, rssBytes: 512 MiB, forMs: 60000 } */
  memory: rule({
    /** @default 536870912 */
    rssBytes: z
      .number()
      .int()
      .positive()
      .default(512 * 1024 * 1024),
    /** @default 60000 */
    forMs: z.number().int().nonnegative().default(60_000),
  }).prefault({}),
  /** Engine CPU, percent of one core, sustained. @default { enabled: true, percent: 80, forMs: 120000 } */
  cpu: rule({
    /** @default 80 */
    percent: z.number().positive().default(80),
    /** @default 120000 */
    forMs: z.number().int().nonnegative().default(120_000),
  }).prefault({}),
  /** End-to-end P95 over the last minute. @default { enabled: true, ms: 5000, forMs: 60000, minCount: 20 } */
  latencyP95: rule({
    /** @default 5000 */
    ms: z.number().positive().default(5_000),
    /** @default 60000 */
    forMs: z.number().int().nonnegative().default(60_000),
    /** Needs at least this many samples in the window. @default 20 */
    minCount: z.number().int().nonnegative().default(20),
  }).prefault({}),
  /** Failed attempts / attempts over `windowMs`. @default { enabled: true, percent: 10, windowMs: 300000, minCount: 20, forMs: 0 } */
  errorRate: rule({
    /** @default 10 */
    percent: z.number().min(0).max(100).default(10),
    /** @default 300000 */
    windowMs: z.number().int().positive().default(300_000),
    /** Minimum attempts in the window before the rule can fire. @default 20 */
    minCount: z.number().int().nonnegative().default(20),
    /** @default 0 */
    forMs: z.number().int().nonnegative().default(0),
  }).prefault({}),
  /** Pending tasks, percent of capacity. @default { enabled: true, percent: 80, forMs: 30000 } */
  queueDepth: rule({
    /** @default 80 */
    percent: z.number().min(0).max(100).default(80),
    /** @default 30000 */
    forMs: z.number().int().nonnegative().default(30_000),
  }).prefault({}),
  /** Age of the oldest pending task. @default { enabled: true, ms: 300000, forMs: 0 } */
  oldestAge: rule({
    /** @default 300000 */
    ms: z.number().int().positive().default(300_000),
    /** @default 0 */
    forMs: z.number().int().nonnegative().default(0),
  }).prefault({}),
  /** New dead-letter tasks within `windowMs`. @default { enabled: true, count: 5, windowMs: 600000 } */
  deadGrowth: rule({
    /** @default 5 */
    count: z.number().int().positive().default(5),
    /** @default 600000 */
    windowMs: z.number().int().positive().default(600_000),
  }).prefault({}),
  /** Health result UNHEALTHY for `forMs`. @default { enabled: true, forMs: 0 } */
  health: rule({
    /** @default 0 */
    forMs: z.number().int().nonnegative().default(0),
  }).prefault({}),
});

export const monitorConfigSchema = z.object({
  /** Turn the monitor off entirely. @default true */
  enabled: z.boolean().default(true),
  /** Resource sample + rollup interval. @default 5000 */
  sampleMs: z.number().int().min(1000).default(5_000),
  /** Health check interval. @default 30000 */
  healthCheckMs: z.number().int().min(1000).default(30_000),
  /** A health check taking longer than this counts as failed. @default 5000 */
  healthCheckTimeoutMs: z.number().int().min(10).default(5_000),
  /** History kept this many days (1 h resolution beyond a week). @default 30 */
  retentionDays: z.number().int().min(1).max(3650).default(30),
  /** Hard cap on stored rollup rows (oldest coarse rows go first). @default 50000 */
  maxRows: z.number().int().min(1000).default(50_000),
  /** Disk free below this percent: health `warn`; below half of it: `fail`. @default 10 */
  diskFreePercent: z.number().min(0).max(100).default(10),
  /** Event-loop delay P99 above this: health `warn`. @default 200 */
  eventLoopDelayMs: z.number().positive().default(200),
  /** A rule resolves only after its condition has been clear for this long (hysteresis). @default 60000 */
  resolveAfterMs: z.number().int().nonnegative().default(60_000),
  alerts: alertRulesSchema.prefault({}),
  reports: z
    .object({
      /** Write the last 7 days' performance report into <dataDir>/reports/ every Monday 03:00 local (kept for log.retainDays). @default true */
      weekly: z.boolean().default(true),
    })
    .prefault({}),
  notify: z
    .object({
      /** tmux `display-message` on fire/resolve. @default true */
      tmuxDisplay: z.boolean().default(true),
      /** Slack/Discord-compatible incoming webhook URL; unset = off. @default undefined */
      webhookUrl: z.url().optional(),
      /** Per-attempt timeout. @default 5000 */
      webhookTimeoutMs: z.number().int().positive().default(5_000),
      /** Attempts including the first. @default 3 */
      webhookAttempts: z.number().int().min(1).max(10).default(3),
    })
    .prefault({}),
});

export type MonitorConfigInput = z.input<typeof monitorConfigSchema>;
export type MonitorConfig = Readonly<z.output<typeof monitorConfigSchema>>;
export type AlertRulesConfig = MonitorConfig['alerts'];

export function resolveMonitorConfig(input: MonitorConfigInput = {}): MonitorConfig {
  return monitorConfigSchema.parse(input);
}
