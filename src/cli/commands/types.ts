import type { Argv } from 'yargs';
import type { GlobalArgs } from '../context.js';
import type { Out } from '../output.js';

export interface CommandContext {
  global: GlobalArgs;
  out: Out;
}

/** One CLI command: registered in main.ts from the list in commands/index.ts. */
export interface CliCommand {
  command: string;
  describe: string;
  builder?: (y: Argv) => Argv;
  run(args: Record<string, unknown>, ctx: CommandContext): Promise<void>;
}
