/** Config for the log manager, root key `log` (README: Configuration and Operations > Logs). */
import { z } from 'zod';

const LEVEL = z.enum(['debug', 'info', 'warn', 'error']);

export const logConfigSchema = z
  .object({
    /** Lines below this level are not written; `off` writes none. @default "info" */
    level: z.enum(['debug', 'info', 'warn', 'error', 'off']).default('info'),
    /** Rotate before the current file would grow past this many bytes. @default 52428800 (50 MiB) */
    maxBytes: z.number().int().min(1024).default(52_428_800),
    /** Also rotate daily at this local time, "HH:MM" (whichever of size and time comes first). @default "02:00" */
    rotateAt: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day "HH:MM" (00:00 to 23:59)')
      .default('02:00'),
    /** Archives rotated more than this many days ago are deleted; 0 = no age limit. @default 30 */
    retainDays: z.number().min(0).default(30),
    /** All archives (rotated and compressed files) together at most this many bytes, oldest deleted first; 0 = no cap. @default 5368709120 (5 GiB) */
    maxTotalBytes: z.number().int().min(0).default(5_368_709_120),
    /** Lines at this level and above also go to important.log; `off` = no important.log. @default "warn" */
    importantLevel: z.union([LEVEL, z.literal('off')]).default('warn'),
    /** Consecutive lines with the same level and message within this window are written once, then "repeated N times"; 0 = off. @default 10000 */
    collapseWindowMs: z.number().int().min(0).default(10_000),
    /** `serve` also prints lines at this level and above on stderr (journald), readably; `off`: none. @default "warn" */
    stderrLevel: z.union([LEVEL, z.literal('off')]).default('warn'),
    /** gzip level of archives, 1 (fast) to 9 (small). @default 6 */
    gzipLevel: z.number().int().min(1).max(9).default(6),
  })
  .strict();

export type LogConfig = z.output<typeof logConfigSchema>;
export type LogConfigInput = z.input<typeof logConfigSchema>;
