import yargs, { type Argv } from 'yargs';
import { exitCodeOf, WhtError } from '../engine/errors.js';
import type { CliContext, GlobalFlags } from './commands/command.js';
import { COMMANDS } from './commands/index.js';
import { extractOverrides } from './context.js';
import { nativeModuleHint } from './native-hint.js';
import { stdio, type Out } from './output.js';
import { takeSplitHandshake } from '../tui/split-handshake.js';

/** Exit codes (0 ok, 1 runtime failure, 2 usage/config error, 3 engine not reachable) come from the error registry. */
export const exitCodeFor = exitCodeOf;

function build(argv: string[], ctx: CliContext): Argv<GlobalFlags> {
  let y: Argv<GlobalFlags> = yargs(argv)
    .scriptName('webhook-tui')
    .parserConfiguration({ 'populate--': true })
    .usage(
      '$0 <command> [options]\n\nDurable priority queue from trigger files and webhooks into tmux panes.\nAny config key can be set with a dotted flag, e.g. --queue.capacity 5000.',
    )
    .option('config', {
      type: 'string',
      describe: 'config file (default $XDG_CONFIG_HOME/webhook-tui/config.json)',
      global: true,
    })
    .option('json', { type: 'boolean', default: false, describe: 'print data as JSON', global: true })
    .middleware((args) => {
      ctx.global.config = args.config;
    });
  for (const command of COMMANDS) y = command.register(y, ctx);
  return y
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new WhtError('WHT_ERR_USAGE', msg);
    })
    .help()
    .version();
}

export async function main(argv: string[], out: Out = stdio): Promise<number> {
  // First: a dashboard started by `--split` takes the caller's environment before anything reads it.
  const split = takeSplitHandshake(process.env);
  const ctx: CliContext = { global: { overrides: [] }, out, code: 0, argv, split };
  try {
    const { rest, overrides } = extractOverrides(argv);
    ctx.global.overrides = overrides;
    await build(rest, ctx).parseAsync();
    split?.failed(`it exited with code ${ctx.code} before the dashboard ran`);
    return ctx.code;
  } catch (err) {
    const code = exitCodeFor(err);
    const message = nativeModuleHint(err) ?? (err instanceof Error ? err.message : String(err));
    split?.failed(message);
    out.err(`webhook-tui: ${message}`);
    return code;
  }
}
