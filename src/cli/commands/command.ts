/**
 * One CLI command = one file in this folder exporting `defineCommand({...})`: its yargs builder and its handler.
 * commands/index.ts lists them; main.ts registers the list. To add a command: write `commands/NAME.ts`, add it to
 * COMMANDS, document it in README ("Commands").
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { GlobalArgs } from '../context.js';
import type { Out } from '../output.js';
import type { SplitChild } from '../../tui/split-handshake.js';

/** What every handler gets: the global flags, the output streams, the raw argv, and the exit code it may set. */
export interface CliContext {
  global: GlobalArgs;
  out: Out;
  /** Exit code of the command (default 0); thrown errors map to the error registry's exit code instead. */
  code: number;
  argv: string[];
  /** Set when this process is the dashboard `--split` started in a new pane: report once that it runs, or why not. */
  split?: SplitChild | null | undefined;
}

/** Flags every command has (declared in main.ts). */
export interface GlobalFlags {
  config?: string | undefined;
  json: boolean;
}

export interface CommandSpec<T> {
  /** yargs command string (`send [text..]`) or aliases (`['tui', '$0']`). */
  command: string | readonly string[];
  describe: string;
  builder?: (y: Argv<GlobalFlags>) => Argv<T>;
  handler: (args: ArgumentsCamelCase<T & GlobalFlags>, ctx: CliContext) => Promise<void> | void;
}

/** A command with its argument types erased, ready to register on a yargs instance. */
export interface CliCommand {
  readonly name: string;
  register(y: Argv<GlobalFlags>, ctx: CliContext): Argv<GlobalFlags>;
}

export function defineCommand<T = object>(spec: CommandSpec<T>): CliCommand {
  const names = typeof spec.command === 'string' ? [spec.command] : [...spec.command];
  return {
    name: names[0]!.split(' ')[0]!,
    register: (y, ctx) =>
      y.command(
        names,
        spec.describe,
        (b) => (spec.builder ? spec.builder(b) : b) as Argv<T & GlobalFlags>,
        async (args) => {
          await spec.handler(args as ArgumentsCamelCase<T & GlobalFlags>, ctx);
        },
      ) as Argv<GlobalFlags>,
  };
}
