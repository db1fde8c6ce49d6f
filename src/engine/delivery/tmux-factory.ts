/** The engine's tmux port from config: the control-mode client with the per-call fallback behind one interface. */
import type { TmuxConfig } from './tmux-config.js';
import type { Logger } from '../ports/logger.js';
import { ResilientTmux } from './resilient-tmux.js';

export function createTmux(config: { tmux: TmuxConfig }, logger: Logger): ResilientTmux {
  const { tmux } = config;
  const cm = tmux.controlMode;
  return new ResilientTmux(
    { socketName: tmux.socketName ?? undefined, socketPath: tmux.socketPath ?? undefined },
    {
      logger,
      preferSession: tmux.defaultSession,
      commandTimeoutMs: tmux.commandTimeoutMs,
      controlMode: cm.enabled,
      startTimeoutMs: cm.startTimeoutMs,
      reconnectMinMs: cm.reconnectMinMs,
      reconnectMaxMs: cm.reconnectMaxMs,
      onModeChange: (mode) =>
        logger.info(
          `tmux calls now use ${mode === 'control' ? 'the control-mode client' : 'one tmux process per call'}`,
        ),
    },
  );
}
