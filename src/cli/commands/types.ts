import type { Argv } from 'yargs';
import type { GlobalArgs } from '../context.js';
import type { Out } from '../output.js';

/** What every command gets: global args (config file, dotted overrides), output, and the exit code to set. */
export interface CommandContext {
  global: GlobalArgs;
  out: Out;
  code: number;
  argv: string[];
}

/** One CLI command, registered from the list in commands/index.ts. */
export interface CliCommand {
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv;
  run: (args: Record<string, unknown>, ctx: CommandContext) => Promise<void>;
}
