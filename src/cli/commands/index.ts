/** Commands registered from one list (main.ts adds each to yargs). */
import { loadtestCommand } from './loadtest.js';
import { sinkCommand } from './sink.js';
import type { CliCommand } from './types.js';

export const COMMANDS: readonly CliCommand[] = [loadtestCommand, sinkCommand];
