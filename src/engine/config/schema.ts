import { z } from 'zod';
import { targetSchema, type ResolvedTarget } from '../delivery/profiles.js';
import { tmuxConfigSchema } from '../delivery/tmux-config.js';
import { queueConfigSchema } from '../queue/config.js';
import { monitorConfigSchema } from '../monitor/config.js';
import { hooksConfigSchema, httpConfigSchema } from '../intake/http/config.js';
import { tuiConfigSchema } from './tui.js';
import { logConfigSchema } from '../logs/config.js';
import { clusterConfigSchema, type ClusterConfig } from '../cluster/config.js';
import { callbacksConfigSchema } from '../callbacks-config.js';

export type { ResolvedTarget };

export const configSchema = z
  .object({
    /** The JSON Schema this file follows (`webhook-tui config schema` writes it; `init` puts one beside the config). Ignored. */
    $schema: z.string().optional(),
    /** Where the database, lock, control socket, token and logs live. @default "$XDG_STATE_HOME/webhook-tui" */
    dataDir: z.string().min(1).optional(),
    queue: queueConfigSchema.prefault({}),
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
    tmux: tmuxConfigSchema.prefault({}),
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
    /** Cluster mode: several nodes, one queue, through Redis (README: Cluster). */
    cluster: clusterConfigSchema.prefault({}),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;

/** Resolved, frozen configuration: every default applied and every path absolute. */
export type Config = Readonly<
  Omit<Parsed, 'dataDir' | 'spool' | 'targets' | 'cluster'> & {
    cluster: ClusterConfig;
    dataDir: string;
    spool: Readonly<Omit<Parsed['spool'], 'dir'> & { dir: string }>;
    targets: Readonly<Record<string, ResolvedTarget>>;
  }
>;
