/** The `tmux` part of the config (assembled with the others in config/schema.ts). */
import { z } from 'zod';
import { controlModeConfigSchema } from './control-mode-config.js';

export const tmuxConfigSchema = z
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
  .strict();

export type TmuxConfig = z.output<typeof tmuxConfigSchema>;
