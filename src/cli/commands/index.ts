/** Every CLI command, in the order `--help` lists them. Add a command here (and its file beside this one). */
import type { CliCommand } from './command.js';
import { dlqCommand } from './dlq.js';
import { metricsCommand } from './metrics.js';
import { pauseCommand } from './pause.js';
import { resumeCommand } from './resume.js';
import { sendCommand } from './send.js';
import { serveCommand } from './serve.js';
import { statusCommand } from './status.js';
import { tasksCommand } from './tasks.js';
import { tuiCommand } from './tui.js';

export const COMMANDS: readonly CliCommand[] = [
  tuiCommand,
  serveCommand,
  sendCommand,
  statusCommand,
  tasksCommand,
  dlqCommand,
  metricsCommand,
  pauseCommand,
  resumeCommand,
];
