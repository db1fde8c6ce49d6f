/** Every CLI command, in the order `--help` lists them. Add a command here (and its file beside this one). */
import type { CliCommand } from './command.js';
import { configCommand } from './config.js';
import { dlqCommand } from './dlq.js';
import { doctorCommand } from './doctor.js';
import { initCommand } from './init.js';
import { loadtestCommand } from './loadtest.js';
import { logsCommand } from './logs.js';
import { metricsCommand } from './metrics.js';
import { pauseCommand } from './pause.js';
import { resumeCommand } from './resume.js';
import { sendCommand } from './send.js';
import { serveCommand } from './serve.js';
import { serviceCommand } from './service.js';
import { sinkCommand } from './sink.js';
import { restartCommand, startCommand, stopCommand } from './start-stop.js';
import { statusCommand } from './status.js';
import { targetsCommand } from './targets.js';
import { tasksCommand } from './tasks.js';
import { tuiCommand } from './tui.js';

export const COMMANDS: readonly CliCommand[] = [
  tuiCommand,
  serveCommand,
  sendCommand,
  statusCommand,
  tasksCommand,
  targetsCommand,
  dlqCommand,
  metricsCommand,
  pauseCommand,
  resumeCommand,
  initCommand,
  configCommand,
  doctorCommand,
  serviceCommand,
  startCommand,
  stopCommand,
  restartCommand,
  logsCommand,
  loadtestCommand,
  sinkCommand,
];
