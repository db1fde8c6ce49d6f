import type { CliCommand } from './command.js';
import { configCommand } from './config.js';
import { doctorCommand } from './doctor.js';
import { initCommand } from './init.js';
import { loadtestCommand } from './loadtest.js';
import { logsCommand } from './logs.js';
import { serviceCommand } from './service.js';
import { sinkCommand } from './sink.js';
import { restartCommand, startCommand, stopCommand } from './start-stop.js';

/** Every command in src/cli/commands, in the order `--help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
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
