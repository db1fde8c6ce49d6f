import type { Argv, ArgumentsCamelCase } from 'yargs';
import type { GlobalArgs } from '../context.js';
import type { Out } from '../output.js';

/** What every command handler gets: the global flags, the output, the exit code to set and the raw argv. */
export interface Ctx {
  global: GlobalArgs;
  out: Out;
  code: number;
  argv: string[];
}

/** One command: `src/cli/commands/<name>.ts` exports one of these; `commands/index.ts` lists them all. */
export interface CommandSpec {
  command: string | readonly string[];
  describe: string;
  builder: (y: Argv) => Argv;
  handler: (args: ArgumentsCamelCase<Record<string, unknown>>, ctx: Ctx) => Promise<void>;
}

export function defineCommand<A extends Record<string, unknown>>(spec: {
  command: string | readonly string[];
  describe: string;
  builder: (y: Argv) => Argv<A>;
  handler: (args: ArgumentsCamelCase<A & { json?: boolean }>, ctx: Ctx) => Promise<void>;
}): CommandSpec {
  return spec as unknown as CommandSpec;
}
