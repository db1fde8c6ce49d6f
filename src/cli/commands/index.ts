import { targetsCommand } from './targets.js';
import type { CliCommand } from './types.js';

/** Commands that live in their own module (src/cli/commands/<name>.ts). */
export const COMMANDS: readonly CliCommand[] = [targetsCommand];
