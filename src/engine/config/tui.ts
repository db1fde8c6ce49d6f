/** Dashboard configuration (root key `tui`): plain data, read by src/tui. Every key optional with a default. */
import { z } from 'zod';

export const tuiConfigSchema = z
  .object({
    /** Data refresh period (snapshot pull), ms. @default 1000 */
    refreshMs: z.number().int().min(250).max(60_000).default(1000),
    /** Most frames drawn per second. @default 4 */
    maxFps: z.number().min(1).max(30).default(4),
    /** How often the status line asks tmux about the targets, ms. @default 5000 */
    targetsMs: z.number().int().min(1000).default(5000),
    /** Mouse support (click/scroll); off keeps tmux's own mouse bindings working. @default false */
    mouse: z.boolean().default(false),
    /**
     * Run the embedded engine in its own worker thread (the dashboard then talks to it through its control socket).
     * Off by default: measured here it did not beat one thread at 50/s and cost more at 500/s, where every event
     * crosses the socket (README: Benchmarks). @default false
     */
    engineThread: z.boolean().default(false),
    /** Where `e` writes exports. @default null (`<dataDir>/exports`) */
    exportDir: z.string().min(1).nullable().default(null),
    split: z
      .object({
        /** `--split`: side by side (horizontal) or stacked (vertical). @default "horizontal" */
        direction: z.enum(['horizontal', 'vertical']).default('horizontal'),
        /** Size of the dashboard pane (`tmux split-window -l`). @default "40%" */
        size: z
          .string()
          .regex(/^\d+%?$/, 'a number of cells or a percentage like 40%')
          .default('40%'),
      })
      .strict()
      .prefault({}),
    demo: z
      .object({
        /** `--demo`: mean gap between sample triggers, ms. @default 700 */
        meanGapMs: z.number().int().min(10).default(700),
        /** Every n-th sample trigger goes to a pane that does not exist (retries, dead letters). @default 7 */
        failEvery: z.number().int().min(0).default(7),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type TuiConfigInput = z.input<typeof tuiConfigSchema>;
export type TuiConfig = z.output<typeof tuiConfigSchema>;
