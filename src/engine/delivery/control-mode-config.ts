import { z } from 'zod';

/**
 * Config of the control-mode fast path (ResilientTmux). Proposed key: `tmux.controlMode`.
 * The socket and the per-command timeout come from the existing `tmux` keys.
 */
export const controlModeConfigSchema = z
  .object({
    /** Use a persistent `tmux -C` client; false = one tmux process per call. @default true */
    enabled: z.boolean().default(true),
    /** Time allowed for the control client to attach and answer its probe, ms. @default 3000 */
    startTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
    /** First delay before reconnecting after control mode went down, ms; doubles per failed attempt. @default 100 */
    reconnectMinMs: z.number().int().min(10).max(60_000).default(100),
    /** Longest delay between reconnect attempts, ms. @default 5000 */
    reconnectMaxMs: z.number().int().min(100).max(600_000).default(5000),
  })
  .strict();

export type ControlModeConfigInput = z.input<typeof controlModeConfigSchema>;
export type ControlModeConfig = z.output<typeof controlModeConfigSchema>;
